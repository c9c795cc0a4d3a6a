/**
 * `@keptn-task/sdk`: what Keptn task code needs at run time.
 *
 * - `task()` reads `KEPTN_CONTEXT`, `DATA` and `SECURE_DATA` once, validates them (with any
 *   Standard Schema), and returns typed values, a logger that never prints a secret, an abort
 *   signal and a traced `fetch` with a timeout and an opt-in retry.
 * - `run(options, handler)`: the handler form (return to succeed, throw to fail), which
 *   `@keptn-task/sdk/testing` runs in unit tests.
 * - `registerSecret`, `maskSecrets` and `createMaskingStream` keep secrets out of any output.
 * - The error family (`KeptnTaskError` and subclasses) with stable codes and exit codes.
 *
 * - `z` (zod 4) re-exported, so task code can write schemas with no other import (offline in Deno).
 *
 * Everything exported here is public API, documented in the README. Helpers that only the runner
 * and the `keptn-task` command use live in `@keptn-task/sdk/internal`.
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
export { childTraceparent, parseTraceparent, type TraceContext } from "./contract/trace-context.js";
export {
  type KeptnContext,
  keptnContextSchema,
  type ObjectType,
  parseContext,
  type TaskContext,
  type TaskType,
} from "./core/context.js";
export { parseData, type TaskData } from "./core/data.js";
export { run, type TaskHandler } from "./core/run.js";
export type { Env } from "./core/runtime.js";
export type { SchemaOutput, TaskSchema } from "./core/schema.js";
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
export type { FetchRetry, TaskFetchInit } from "./core/task-fetch.js";
export { writeTerminationLog } from "./core/termination-log.js";
export {
  CodeResolutionError,
  ConfigError,
  type ConfigErrorOptions,
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
export {
  createLogger,
  type LogDestination,
  type LogFn,
  type Logger,
  type LoggerOptions,
  type LogLevel,
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
export type { TaskSpan } from "./trace/task-spans.js";
