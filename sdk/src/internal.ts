/**
 * `@keptn-task/sdk/internal`: helpers shared by this project's runner (`@keptn-task/runners`) and
 * the `keptn-task` command. **Not public API**: anything here may change in any release without
 * notice. Task code uses `@keptn-task/sdk`.
 *
 * @module
 */

export { type BoundedRead, readFileStart, readFileStartSync } from "./core/bounded-read.js";
export { parseDeadline } from "./core/deadline.js";
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
  COMMAND_STOP_SIGNALS,
  childExitCode,
  clampTimerMs,
  DEFAULT_GRACE_MS,
  DEFAULT_TERMINATION_LOG,
  DRAIN_MS,
  exitCodeForSignalNumber,
  failExitCode,
  isPolicySignal,
  KILLED_EXIT_CODE,
  MAX_TIMER_MS,
  type Masker,
  notStartedReason,
  POD_GRACE_MS,
  type PolicySignal,
  PROVISIONAL_REASON,
  parseGraceSeconds,
  readsAsSuccess,
  readsAsSuccessReason,
  STOP_SIGNALS,
  StopSequence,
  type StopSignal,
  type StopStep,
  signalExitCode,
  type TaskEnd,
  TERMINATION_MESSAGE_MAX_BYTES,
  type TerminationFile,
  TerminationLogWriter,
  taskEndReason,
  taskExitCode,
  terminationReadBytes,
  timerDelay,
  truncateUtf8,
  uncaughtReason,
} from "./core/process-policy.js";
export {
  PYTHON_INSPECTS,
  type PythonArgsProblem,
  pythonArgsProblem,
} from "./core/python-args.js";
export { goJsonStringMap } from "./definitions/go-compat.js";
export { lookupNamespaces } from "./definitions/lookup-namespaces.js";
// "Did you mean" for the command line: needs leven, which @keptn-task/runners brings.
export { closestName } from "./definitions/suggest.js";
export { redactUrl } from "./fetch/redact-url.js";
export {
  registerTaskSecrets,
  SECRET_QUERY_PARAM,
  type TaskSecrets,
  urlSecrets,
} from "./masking/secret-rule.js";
export {
  OTEL_ENV_VARS,
  type OtelConfig,
  otelWanted,
  readOtelConfig,
  TRACE_ENV_VARS,
} from "./trace/otel-env.js";
