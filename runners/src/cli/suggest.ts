/**
 * "Did you mean" for the command line itself (commands, options). The rule is the SDK's
 * `closestName` (at most one edit per three characters, case ignored, a swap of neighbours one
 * edit), from `@keptn-task/sdk/internal`, which does not load the manifest machinery.
 */

/** ` (did you mean x?)`, or nothing. */
export function didYouMean(shown: string | undefined): string {
  return shown === undefined ? "" : ` (did you mean ${shown}?)`;
}
