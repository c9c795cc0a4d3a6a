/**
 * `@keptn-task/sdk/contract`: the contract between the Keptn operator, the runner and the task
 * process, written once: how `KEPTN_CONTEXT` is encoded, how `DATA` and `SECURE_DATA` are read,
 * the exit codes, the process policy (signals, grace, termination messages, the one exit path),
 * the Deno permissions and Python command lines the images use, Go's encodings, the trace
 * context, and the one rule of what is secret.
 *
 * Task code does not need this entry point (`@keptn-task/sdk` applies the contract for it); it is
 * for the runner, the `keptn-task` command and other tools that must speak the same contract.
 * Nothing here imports the definitions tooling (`@keptn-task/sdk/definitions`).
 *
 * @module
 */

export {
  DEFAULT_DENO_PERMISSIONS,
  DENO_TASK_ENV,
  pythonEntryCommand,
  runnerDenoFlags,
} from "./deno-permissions.js";
export { readDataMap } from "./env-json.js";
export { type ErrorCode, EXIT_CODES } from "./exit-codes.js";
export {
  createResourceName,
  formatGoDuration,
  goJsonString,
  goJsonStringMap,
  parseGoDuration,
} from "./go-compat.js";
export {
  CONTEXT_KEYS,
  CONTEXT_MESSAGES,
  isPlainContext,
  OBJECT_TYPES,
  readContextJson,
  TASK_TYPES,
} from "./keptn-context.js";
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
} from "./process-policy.js";
export {
  PYTHON_INSPECTS,
  type PythonArgsProblem,
  pythonArgsProblem,
} from "./python-args.js";
export {
  headerSecrets,
  otelSecrets,
  redactUrl,
  registerTaskSecrets,
  SECRET_QUERY_PARAM,
  type TaskSecrets,
  urlSecrets,
} from "./secret-rule.js";
export { childTraceparent, parseTraceparent, type TraceContext } from "./trace-context.js";
