/**
 * `@keptn-task/sdk`: what Keptn task code needs at run time.
 *
 * - `task()` reads `KEPTN_CONTEXT`, `DATA` and `SECURE_DATA` once, validates them, and returns
 *   typed values, a logger that never prints a secret, an abort signal and a traced `fetch`.
 * - `registerSecret`, `maskSecrets` and `createMaskingStream` keep secrets out of any output.
 * - The error family (`KeptnTaskError` and subclasses) with stable codes and exit codes.
 *
 * - `z` (zod 4) re-exported, so task code can write schemas with no other import (offline in Deno).
 *
 * Works in Node (20.19+), Deno (2.x) and Bun.
 *
 * @example
 * ```ts
 * import { task } from "@keptn-task/sdk";
 * const t = task();
 * t.log.info(`Running ${t.context.taskType}-deployment task for ${t.context.workloadName}`);
 * ```
 * @module
 */

export { z } from "zod";
export {
  type KeptnContext,
  keptnContextSchema,
  type ObjectType,
  objectTypeSchema,
  parseContext,
  type TaskContext,
  type TaskType,
  taskTypeSchema,
} from "./core/context.js";
export { parseData, type TaskData } from "./core/data.js";
export { parseDeadline } from "./core/deadline.js";
export {
  DEFAULT_DENO_PERMISSIONS,
  DENO_TASK_ENV,
  runnerDenoFlags,
} from "./core/deno-permissions.js";
export { isPlainContext, readContextJson, readDataMap } from "./core/env-json.js";
export type { Env } from "./core/runtime.js";
export { parseSecureData } from "./core/secure-data.js";
export {
  type DataOf,
  type ExitOptions,
  type SecureDataOf,
  TASK_ENV_VARS,
  type Task,
  type TaskOptions,
  task,
} from "./core/task.js";
export { writeTerminationLog } from "./core/termination-log.js";
export {
  DEFAULT_TERMINATION_LOG,
  TERMINATION_MESSAGE_MAX_BYTES,
  truncateUtf8,
} from "./core/termination-message.js";
export { childTraceparent, parseTraceparent, type TraceContext } from "./core/trace-context.js";
export {
  CodeResolutionError,
  ConfigError,
  type ConfigIssue,
  type ConfigSource,
  type ErrorCode,
  EXIT_CODES,
  FetchError,
  type FetchErrorDetails,
  KeptnTaskError,
  type KeptnTaskErrorOptions,
  ManifestError,
  type ManifestLocation,
  RuntimeMissingError,
  UsageError,
} from "./errors/errors.js";
export { redactUrl } from "./fetch/redact-url.js";
export {
  createLogger,
  type LogDestination,
  type Logger,
  type LoggerOptions,
} from "./log/logger.js";
export {
  createMaskingStream,
  type MaskingStreamOptions,
  SecretMasker,
} from "./masking/mask-stream.js";
export {
  defaultSecrets,
  MASK,
  maskSecrets,
  registerSecret,
  SecretRegistry,
} from "./masking/secret-registry.js";
