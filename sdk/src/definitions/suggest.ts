/**
 * "Did you mean": the closest of some names to a name that matched none, by edit distance.
 */
import leven from "leven";

/**
 * The candidate closest to `name`, when it is close enough to be a typo: at most one edit per
 * three characters (at least one, at most three), case ignored; ties go to the first candidate.
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
    const distance = leven(name.toLowerCase(), candidate.toLowerCase(), {
      maxDistance: bestDistance,
    });
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
