/**
 * "Did you mean" for the command line itself (commands, options), without loading the manifest
 * machinery: the same rule as the SDK's `closestName` (at most one edit per three characters,
 * case ignored, a swap of neighbours one edit), on `leven`.
 */
import leven from "leven";

/** Edits between two names, case ignored, a swap of neighbours one edit (the SDK's rule). */
function typoDistance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  const distance = leven(x, y);
  if (distance !== 2 || x.length !== y.length) return distance;
  const differ = [...x].flatMap((char, index) => (char === y[index] ? [] : [index]));
  const [i, j] = differ;
  const swap =
    differ.length === 2 && i !== undefined && j === i + 1 && x[i] === y[j] && x[j] === y[i];
  return swap ? 1 : distance;
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo.
 *
 * @example
 * ```ts
 * suggest("rnu", ["run", "render"]); // "run"
 * ```
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = typoDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(shown: string | undefined): string {
  return shown === undefined ? "" : ` (did you mean ${shown}?)`;
}
