/**
 * `@keptn-task/sdk/internal`: helpers shared by this project's runner (`@keptn-task/runners`) and
 * the `keptn-task` command. **Not public API**: anything here may change in any release without
 * notice. Task code uses `@keptn-task/sdk`.
 *
 * @module
 */

export { MAX_TIMER_MS, parseDeadline } from "./core/deadline.js";
export {
  DEFAULT_DENO_PERMISSIONS,
  DENO_TASK_ENV,
  runnerDenoFlags,
} from "./core/deno-permissions.js";
export { readDataMap } from "./core/env-json.js";
export {
  CONTEXT_KEYS,
  CONTEXT_MESSAGES,
  isPlainContext,
  OBJECT_TYPES,
  readContextJson,
  TASK_TYPES,
} from "./core/keptn-context.js";
export {
  DEFAULT_TERMINATION_LOG,
  TERMINATION_MESSAGE_MAX_BYTES,
  truncateUtf8,
} from "./core/termination-message.js";
export { goJsonStringMap } from "./definitions/go-compat.js";
export { redactUrl } from "./fetch/redact-url.js";
