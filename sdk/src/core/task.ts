import { setTimeout as setTimer } from "node:timers";
import {
  clampTimerMs,
  DEFAULT_GRACE_MS,
  failExitCode,
  StopSequence,
  signalExitCode,
} from "../contract/process-policy.js";
import { ConfigError, type ConfigIssue, EXIT_CODES } from "../errors/errors.js";
import { createLogger, type LogDestination, type Logger, type LogLevel } from "../log/logger.js";
import { defaultSecrets, type SecretRegistry } from "../masking/secret-registry.js";
import { createTaskSpans, type TaskSpan } from "../trace/task-spans.js";
import { parseContext, type TaskContext } from "./context.js";
import { parseData, type TaskData } from "./data.js";
import { parseDeadline } from "./deadline.js";
import { endFromTimer, HOST, type TaskHost } from "./host.js";
import {
  type Env,
  exitProcess,
  onTerminationSignal,
  readProcessEnv,
  setExitCode,
} from "./runtime.js";
import type { SchemaOutput, TaskSchema } from "./schema.js";
import { parseSecureData } from "./secure-data.js";
import { type TaskFetchInit, taskFetch } from "./task-fetch.js";
import { DEFAULT_TERMINATION_LOG, writeTerminationLog } from "./termination-log.js";

/** Environment variables `task()` reads. */
export const TASK_ENV_VARS = [
  "KEPTN_CONTEXT",
  "DATA",
  "SECURE_DATA",
  "KEPTN_TASK_DEADLINE",
  "KEPTN_TASK_LOG_LEVEL",
  "KEPTN_TASK_TERMINATION_LOG",
] as const;

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** Options of `task()`. */
export interface TaskOptions {
  /** The environment to read (default: the process's, in Node, Deno and Bun alike). */
  env?: Env;
  /**
   * Schema of `DATA`, any Standard Schema (zod 4 or 3.24+, valibot, arktype...): numbers and
   * booleans are coerced from Keptn's strings, an empty value of a field with a default takes
   * the default, then the schema is applied.
   */
  data?: TaskSchema;
  /** Schema of `SECURE_DATA`, any Standard Schema: the secret is parsed as JSON, then validated. */
  secureData?: TaskSchema;
  /**
   * What an invalid environment does (`KEPTN_CONTEXT`, `DATA`, `SECURE_DATA`, the deadline, the
   * log level, a schema the SDK cannot use): `"exit"` (default) logs one line listing every
   * issue, writes it to the termination log and exits 78 (`CONFIG_INVALID`); `"throw"` throws
   * the `ConfigError` instead.
   */
  onConfigError?: "exit" | "throw";
  /** Deadline (epoch ms or Date); overrides `KEPTN_TASK_DEADLINE`. */
  deadline?: number | Date;
  /** Log level (default `KEPTN_TASK_LOG_LEVEL`, else `info`). */
  logLevel?: LogLevel;
  /** Where log lines go (default: standard output). */
  logDestination?: LogDestination;
  /**
   * Whether SIGTERM / SIGINT abort `signal` (default `true`). After a signal the process exits
   * with 128 + signal number when it ends by itself, and is ended after `signalGraceMs`.
   */
  handleSignals?: boolean;
  /** How long task code has to finish after SIGTERM / SIGINT before the process exits (default 10 s). */
  signalGraceMs?: number;
  /** Path of the termination log (default `KEPTN_TASK_TERMINATION_LOG`, else `/dev/termination-log`). */
  terminationLogPath?: string;
  /** Secret registry (default: the process-wide one). */
  secrets?: SecretRegistry;
}

/** `DATA`'s type for given options. */
export type DataOf<O> = O extends { data: infer S extends TaskSchema } ? SchemaOutput<S> : TaskData;
/** `SECURE_DATA`'s type for given options. */
export type SecureDataOf<O> = O extends { secureData: infer S extends TaskSchema }
  ? SchemaOutput<S>
  : string | undefined;

/** Options of `fail()` and `succeed()`. */
export interface ExitOptions {
  /** Exit code: 1 to 255 for `fail()` (default 1). */
  exitCode?: number;
}

/** What task code works with. Frozen. */
export interface Task<D = TaskData, S = string | undefined> {
  /** `KEPTN_CONTEXT`, validated; `context.provided` is `false` in a local run without it. */
  readonly context: TaskContext;
  /** `DATA`: the parameters map, or the schema's typed value. */
  readonly data: D;
  /** `SECURE_DATA`: the raw secret, or the schema's typed value. Masked in every log line. */
  readonly secureData: S;
  /** A JSON logger bound to app, workload, version, task type and trace id; masks secrets. */
  readonly log: Logger;
  /** Aborted on SIGTERM / SIGINT and at the deadline. Pass it to anything that waits. */
  readonly signal: AbortSignal;
  /** Milliseconds left until the deadline (`Infinity` without one, 0 once passed). */
  remainingMs(): number;
  /**
   * `fetch` that sends a child `traceparent`, is aborted with `signal`, times out after
   * `timeoutMs` (default 30 s, bounded by the deadline) and, with `retry`, retries idempotent
   * requests with backoff.
   */
  fetch(input: string | URL | Request, init?: TaskFetchInit): Promise<Response>;
  /**
   * Runs `fn` inside a child span named `name` and returns its result; the span ends when `fn`
   * settles (an exception is recorded on it). Exported only when `OTEL_EXPORTER_OTLP_ENDPOINT`
   * (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; masked like every output. `t.fetch` inside
   * sends the span as its `traceparent`.
   */
  span<T>(name: string, fn: (span: TaskSpan) => T | Promise<T>): Promise<T>;
  /** Logs `message`, writes it to the termination log and exits non-zero. */
  fail(message: string, options?: ExitOptions): never;
  /**
   * Logs `message` (optional), writes it to the termination log and exits 0; after SIGTERM or
   * SIGINT it exits 143 or 130 instead, because a stopped task did not succeed.
   */
  succeed(message?: string): never;
}

/**
 * Reads the task environment once and returns everything task code needs: the typed context,
 * parameters and secret, a logger that never prints a secret, an abort signal, a traced fetch,
 * and `fail` / `succeed`.
 *
 * An invalid environment ends the process by default: one log line listing every issue, the
 * same text in the termination log, exit code 78 (`onConfigError: "throw"` throws instead).
 *
 * @param options - Schemas for `DATA` and `SECURE_DATA`, the env to read, and more.
 * @returns A frozen `Task`.
 * @throws {ConfigError} with `onConfigError: "throw"`, listing every invalid field of
 *   `KEPTN_CONTEXT`, `DATA`, `SECURE_DATA`.
 * @example
 * ```ts
 * import { task } from "@keptn-task/sdk";
 * import { z } from "zod";
 *
 * const t = task({ data: z.object({ url: z.url(), retries: z.number().default(3) }) });
 * t.log.info({ url: t.data.url }, "Checking health");
 * const res = await t.fetch(t.data.url);
 * if (!res.ok) t.fail(`Health check of "${t.data.url}" failed: HTTP ${res.status}`);
 * ```
 */
export function task<const O extends TaskOptions = TaskOptions>(
  options: O = {} as O,
): Task<DataOf<O>, SecureDataOf<O>> {
  return createTask(options).task as Task<DataOf<O>, SecureDataOf<O>>;
}

/** What `run()` needs of a task besides its public face. */
export interface TaskInternals {
  readonly task: Task<unknown, unknown>;
  readonly host: TaskHost;
  /** The exit code of a stopped task, once a stop signal came. */
  readonly stopped: () => number | undefined;
  readonly deadlineMs: number | undefined;
  /** Waits for the export of the task's spans (bounded): `run()` does before the task ends. */
  readonly flushSpans: () => Promise<void>;
  /** `fail()` with fields for its log line (the error a handler threw). */
  readonly failWith: (message: string, fields: Record<string, unknown>) => never;
}

/** `task()`, with what `run()` needs besides. */
export function createTask(options: TaskOptions): TaskInternals {
  const host = (options as { [HOST]?: TaskHost })[HOST] ?? PROCESS_HOST;
  const env = options.env ?? readProcessEnv(TASK_ENV_VARS);
  const secrets = options.secrets ?? defaultSecrets;
  // keptn-task run (and the runner, for a Deno task) point it at a file of their own.
  const path =
    options.terminationLogPath ?? (env.KEPTN_TASK_TERMINATION_LOG || DEFAULT_TERMINATION_LOG);
  let input: TaskInput;
  try {
    input = readTaskInput(env, options, secrets);
  } catch (error) {
    if (!(error instanceof ConfigError) || options.onConfigError === "throw") throw error;
    return endInvalid(error, options, { host, secrets, path });
  }
  const ctx = input.context;
  const log = createLogger({
    level: input.level,
    secrets,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
    bindings: {
      app: ctx.appName,
      workload: ctx.workloadName,
      version: ctx.workloadVersion || ctx.appVersion,
      taskType: ctx.taskType,
      traceId: ctx.trace?.traceId,
    },
  });
  const controller = new AbortController();
  watchDeadline(input.deadlineMs, controller, log);
  const stopped =
    options.handleSignals === false
      ? () => undefined
      : watchStopSignals(options.signalGraceMs ?? DEFAULT_GRACE_MS, controller, log, host);
  const ending: Ending = { log, secrets, stopped, path, host };
  const deadlineMs = input.deadlineMs;
  const remainingMs = () =>
    deadlineMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadlineMs - Date.now());
  const signal = controller.signal;
  const spans = createTaskSpans(options.env, ctx.trace, secrets, log);
  const result: Task<unknown, unknown> = {
    context: ctx,
    data: input.data,
    secureData: input.secureData,
    log,
    signal,
    remainingMs,
    fetch: (url, init = {}) =>
      taskFetch(url, init, { signal, remainingMs, log, traceparent: spans.traceparent }),
    span: (name, fn) => spans.span(name, fn),
    fail: (message, exitOptions = {}) => fail(ending, message, exitOptions.exitCode, {}),
    succeed: (message) => succeed(ending, message),
  };
  return {
    task: Object.freeze(result),
    host,
    stopped,
    deadlineMs,
    flushSpans: spans.flush,
    failWith: (message, fields) => fail(ending, message, undefined, fields),
  };
}

/** The process: what ends a task outside tests. */
const PROCESS_HOST: TaskHost = {
  exit: exitProcess,
  writeReason: (message, path) => {
    writeTerminationLog(message, path);
  },
};

/**
 * An invalid environment, by default: one log line listing every issue (masked), the same text
 * in the termination log, exit 78.
 */
function endInvalid(
  error: ConfigError,
  options: TaskOptions,
  end: { host: TaskHost; secrets: SecretRegistry; path: string },
): never {
  const log = createLogger({
    secrets: end.secrets,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const exitCode = EXIT_CODES.CONFIG_INVALID;
  const message = end.secrets.mask(error.message);
  log.error({ code: error.code, exitCode }, message);
  end.host.writeReason(message, end.path);
  return end.host.exit(exitCode);
}

/** The task's environment and options, validated. */
interface TaskInput {
  readonly context: TaskContext;
  readonly data: unknown;
  readonly secureData: unknown;
  readonly deadlineMs: number | undefined;
  readonly level: LogLevel;
}

/**
 * Reads `SECURE_DATA` (registered first, so nothing below, not even an error, can print it),
 * `KEPTN_CONTEXT`, `DATA`, the deadline and the log level.
 *
 * @throws {ConfigError} listing every invalid field.
 */
function readTaskInput(env: Env, options: TaskOptions, secrets: SecretRegistry): TaskInput {
  const secure = parseSecureData(env.SECURE_DATA, options.secureData, secrets);
  const context = parseContext(env.KEPTN_CONTEXT);
  const data = parseData(env.DATA, options.data);
  const deadline =
    options.deadline === undefined
      ? parseDeadline(env.KEPTN_TASK_DEADLINE)
      : { value: Number(options.deadline), issues: [] };
  const level = options.logLevel ?? env.KEPTN_TASK_LOG_LEVEL ?? "info";
  const issues: ConfigIssue[] = [
    ...context.issues,
    ...data.issues,
    ...secure.issues,
    ...deadline.issues,
  ];
  if (!LOG_LEVELS.has(level)) {
    // Named where it was set: the option, or the variable.
    const fromOption = options.logLevel !== undefined;
    issues.push({
      source: fromOption ? "options" : "KEPTN_TASK_LOG_LEVEL",
      path: fromOption ? "logLevel" : "",
      message: `expected one of ${[...LOG_LEVELS].join(", ")}, received "${level}"`,
    });
  }
  // A quoted parameter might hold a secret all the same.
  if (issues.length > 0) {
    throw new ConfigError(
      issues.map((issue) => ({ ...issue, message: secrets.mask(issue.message) })),
    );
  }
  return {
    context: context.context,
    data: data.value,
    secureData: secure.value,
    deadlineMs: deadline.value,
    level: level as LogLevel,
  };
}

/** Aborts `controller` at the deadline (at once when it has passed). */
function watchDeadline(
  deadlineMs: number | undefined,
  controller: AbortController,
  log: Logger,
): void {
  if (deadlineMs === undefined) return;
  const passed = () => new DOMException("The task deadline has passed", "TimeoutError");
  // A deadline beyond a timer's range (24.8 days) is reached in steps.
  const check = () => {
    const delay = deadlineMs - Date.now();
    if (delay > 0) {
      setTimer(check, clampTimerMs(delay)).unref();
      return;
    }
    if (!controller.signal.aborted) log.warn("Task deadline reached: aborting task.signal");
    controller.abort(passed());
  };
  if (deadlineMs - Date.now() <= 0) controller.abort(passed());
  else check();
}

/**
 * The SDK's adapter of the stop rule (`StopSequence`): the first SIGTERM / SIGINT aborts
 * `controller` and sets the exit code a stopped task ends with (143 / 130), so it is never a
 * success, and ends the process `graceMs` later; a second signal ends it at once.
 *
 * @returns The exit code of a stopped task, or `undefined` while no signal came.
 */
function watchStopSignals(
  graceMs: number,
  controller: AbortController,
  log: Logger,
  host: TaskHost,
): () => number | undefined {
  const stops = new StopSequence();
  onTerminationSignal((signal) => {
    const step = stops.receive(signal, Date.now());
    if (step.action === "kill") endFromTimer(() => host.exit(signalExitCode(signal)));
    else {
      setExitCode(step.exitCode);
      log.warn({ signal, graceMs }, `Received ${signal}: aborting task.signal`);
      controller.abort(new DOMException(`Received ${signal}`, "AbortError"));
      const end = () => endFromTimer(() => host.exit(step.exitCode));
      setTimer(end, clampTimerMs(graceMs)).unref();
    }
  });
  return () => (stops.first === undefined ? undefined : signalExitCode(stops.first));
}

/** What `fail()` and `succeed()` need. */
interface Ending {
  readonly log: Logger;
  readonly secrets: SecretRegistry;
  /** The exit code of a stopped task, once a stop signal came. */
  readonly stopped: () => number | undefined;
  /** The termination log. */
  readonly path: string;
  readonly host: TaskHost;
}

function fail(
  ending: Ending,
  message: string,
  code: number | undefined,
  fields: Record<string, unknown>,
): never {
  const exitCode = failExitCode(code);
  ending.log.error({ ...fields, exitCode }, message);
  ending.host.writeReason(ending.secrets.mask(message), ending.path);
  return ending.host.exit(exitCode);
}

function succeed(ending: Ending, message: string | undefined): never {
  const stopped = ending.stopped();
  if (stopped !== undefined) {
    ending.log.warn(
      { exitCode: stopped },
      "succeed() after a termination signal: exiting as stopped",
    );
    return ending.host.exit(stopped);
  }
  if (message !== undefined) {
    ending.log.info(message);
    ending.host.writeReason(ending.secrets.mask(message), ending.path);
  }
  return ending.host.exit(0);
}
