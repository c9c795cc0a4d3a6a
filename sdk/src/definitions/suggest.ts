/**
 * "Did you mean": the closest of some names to a name that matched none, by edit distance.
 */
import leven from "leven";

/**
 * The candidate closest to `name`, when it is close enough to be a typo: at most one edit per
 * three characters (at least one, at most three), case ignored and a swap of two neighbouring
 * characters counted as one edit; ties go to the first candidate.
 *
 * @param name The name that matched nothing.
 * @param candidates The names it could have meant.
 * @returns The closest candidate, or `undefined` when none is close.
 * @example
 * ```ts
 * closestName("notfy", ["notify", "deploy"]); // "notify"
 * closestName("xyz", ["notify"]); // undefined
 * ```
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = typoDistance(name, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edits between two names as typos count them: case ignored (`RUN` is 0 from `run`, but not
 * the same name), and a swap of two neighbouring characters (`rnu`) one edit, not two.
 *
 * @param a A name.
 * @param b Another name.
 * @param maxDistance Stop counting beyond this.
 */
export function typoDistance(a: string, b: string, maxDistance = Number.POSITIVE_INFINITY): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  const distance = leven(x, y, { maxDistance: maxDistance + 1 });
  return distance === 2 && isOneSwap(x, y) ? 1 : distance;
}

function isOneSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const differ = [...a].flatMap((char, index) => (char === b[index] ? [] : [index]));
  const [i, j] = differ;
  return differ.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}
