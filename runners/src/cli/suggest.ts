/**
 * "Did you mean" for the command line itself (commands, options), without loading the manifest
 * machinery: the same rule as the SDK's `closestName` (at most one edit per three characters,
 * case ignored), on `leven`.
 */
import leven from "leven";

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
    const distance = leven(word.toLowerCase(), candidate.toLowerCase());
    if (distance > 0 && distance < bestDistance) {
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
