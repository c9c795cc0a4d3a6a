import { setTimeout as setTimer } from "node:timers";
import type * as zc from "zod/v4/core";
import { ConfigError, type ConfigIssue } from "../errors/errors.js";
import { createLogger, type LogDestination, type Logger, type LogLevel } from "../log/logger.js";
import { defaultSecrets, type SecretRegistry } from "../masking/secret-registry.js";
import { parseContext, type TaskContext } from "./context.js";
import { parseData, type TaskData } from "./data.js";
import { MAX_TIMER_MS, parseDeadline } from "./deadline.js";
import {
  type Env,
  exitProcess,
  onTerminationSignal,
  readProcessEnv,
  setExitCode,
} from "./runtime.js";
import { parseSecureData } from "./secure-data.js";
import { DEFAULT_TERMINATION_LOG, writeTerminationLog } from "./termination-log.js";
import { childTraceparent } from "./trace-context.js";

/** Environment variables `task()` reads. */
export const TASK_ENV_VARS = [
  "KEPTN_CONTEXT",
  "DATA",
  "SECURE_DATA",
  "KEPTN_TASK_DEADLINE",
  "KEPTN_TASK_LOG_LEVEL",
] as const;

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** Options of `task()`. */
export interface TaskOptions {
  /** The environment to read (default: the process's, in Node, Deno and Bun alike). */
  env?: Env;
  /** Schema of `DATA`: numbers and booleans are coerced from Keptn's strings, then validated. */
  data?: zc.$ZodType;
  /** Schema of `SECURE_DATA`: the secret is parsed as JSON, then validated. */
  secureData?: zc.$ZodType;
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
  /** Path of the termination log (default `/dev/termination-log`). */
  terminationLogPath?: string;
  /** Secret registry (default: the process-wide one). */
  secrets?: SecretRegistry;
}

/** `DATA`'s type for given options. */
export type DataOf<O> = O extends { data: infer S extends zc.$ZodType } ? zc.output<S> : TaskData;
/** `SECURE_DATA`'s type for given options. */
export type SecureDataOf<O> = O extends { secureData: infer S extends zc.$ZodType }
  ? zc.output<S>
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
  /** `fetch` that sends a child `traceparent` and is aborted with `signal`. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
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
 * @param options - Schemas for `DATA` and `SECURE_DATA`, the env to read, and more.
 * @returns A frozen `Task`.
 * @throws {ConfigError} listing every invalid field of `KEPTN_CONTEXT`, `DATA`, `SECURE_DATA`.
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
  const env = options.env ?? readProcessEnv(TASK_ENV_VARS);
  const secrets = options.secrets ?? defaultSecrets;

  // The secret is registered first, so nothing below (not even an error) can print it.
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
    issues.push({
      source: "options",
      path: "logLevel",
      message: `expected one of ${[...LOG_LEVELS].join(", ")}, received "${level}"`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const ctx = context.context;
  const log = createLogger({
    level: level as LogLevel,
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
  const terminationLog = options.terminationLogPath ?? DEFAULT_TERMINATION_LOG;
  const controller = new AbortController();
  // Set once SIGTERM / SIGINT arrived: the task was stopped, so it cannot end as a success.
  let signalExitCode: number | undefined;

  const deadlineMs = deadline.value;
  if (deadlineMs !== undefined) {
    const delay = deadlineMs - Date.now();
    if (delay <= 0)
      controller.abort(new DOMException("The task deadline has passed", "TimeoutError"));
    else if (delay <= MAX_TIMER_MS) {
      setTimer(() => {
        log.warn("Task deadline reached: aborting task.signal");
        controller.abort(new DOMException("The task deadline has passed", "TimeoutError"));
      }, delay).unref();
    }
  }

  if (options.handleSignals !== false) {
    const grace = options.signalGraceMs ?? 10_000;
    onTerminationSignal((signal) => {
      const code = signal === "SIGTERM" ? 143 : 130;
      if (signalExitCode !== undefined) exitProcess(code);
      signalExitCode = code;
      setExitCode(code);
      log.warn({ signal, graceMs: grace }, `Received ${signal}: aborting task.signal`);
      controller.abort(new DOMException(`Received ${signal}`, "AbortError"));
      setTimer(() => exitProcess(code), grace).unref();
    });
  }

  const result: Task<unknown, unknown> = {
    context: ctx,
    data: data.value,
    secureData: secure.value,
    log,
    signal: controller.signal,
    remainingMs: () =>
      deadlineMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadlineMs - Date.now()),
    fetch: (input, init = {}) => {
      const headers = new Headers(
        init.headers ?? (input instanceof Request ? input.headers : undefined),
      );
      if (ctx.trace !== undefined && !headers.has("traceparent")) {
        headers.set("traceparent", childTraceparent(ctx.trace));
      }
      const signal = init.signal
        ? AbortSignal.any([init.signal, controller.signal])
        : controller.signal;
      return globalThis.fetch(input, { ...init, headers, signal });
    },
    fail: (message, exitOptions = {}) => {
      const code = exitOptions.exitCode ?? 1;
      const exitCode = Number.isInteger(code) && code >= 1 && code <= 255 ? code : 1;
      log.error({ exitCode }, message);
      writeTerminationLog(secrets.mask(message), terminationLog);
      return exitProcess(exitCode);
    },
    succeed: (message) => {
      if (signalExitCode !== undefined) {
        log.warn(
          { exitCode: signalExitCode },
          "succeed() after a termination signal: exiting as stopped",
        );
        return exitProcess(signalExitCode);
      }
      if (message !== undefined) {
        log.info(message);
        writeTerminationLog(secrets.mask(message), terminationLog);
      }
      return exitProcess(0);
    },
  };
  return Object.freeze(result) as Task<DataOf<O>, SecureDataOf<O>>;
}
