/**
 * `@keptn-task/sdk/internal`: helpers shared by this project's runner (`@keptn-task/runners`) and
 * the `keptn-task` command that are not part of Keptn's contract (that is
 * `@keptn-task/sdk/contract`). **Not public API**: anything here may change in any release
 * without notice. Task code uses `@keptn-task/sdk`.
 *
 * @module
 */

export { type BoundedRead, readFileStart, readFileStartSync } from "./core/bounded-read.js";
export { parseDeadline } from "./core/deadline.js";
export { lookupNamespaces } from "./definitions/lookup-namespaces.js";
// "Did you mean" for the command line: needs leven, which @keptn-task/runners brings.
export { closestName } from "./definitions/suggest.js";
export {
  OTEL_ENV_VARS,
  type OtelConfig,
  otelWanted,
  readOtelConfig,
  TRACE_ENV_VARS,
} from "./trace/otel-env.js";
