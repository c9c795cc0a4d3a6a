// A bundle of its own (runners/dist/context-warnings.js), loaded only for a KEPTN_CONTEXT the
// quick check cannot vouch for: the schema (zod) costs ~6 ms of start-up, which the contexts the
// operator writes never pay.
import { parseContext } from "@keptn-task/sdk";

/** What the SDK's schema says about a context's fields (the runner only warns about those). */
export function contextWarnings(raw: string | undefined) {
  return parseContext(raw).issues.filter((issue) => issue.path !== "");
}
