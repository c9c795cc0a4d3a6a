import pino from "pino";
import { defaultSecrets, type SecretRegistry } from "../masking/secret-registry.js";

/** A log level, or `silent` for none. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/**
 * One level's method: a message, or an object of fields first and then a message. Extra
 * arguments fill `%s`, `%d`, `%o` placeholders in the message.
 */
export interface LogFn {
  (message: string, ...args: unknown[]): void;
  (fields: object, message?: string, ...args: unknown[]): void;
}

/**
 * The logger `task()` and `createLogger()` return: a [pino](https://getpino.io) logger, typed by
 * the part of pino's API the SDK stands behind (so that the SDK's types need no pino types).
 */
export interface Logger {
  /** The current minimum level; assign to change it. */
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
  /** Whether a line at `level` would be written. */
  isLevelEnabled(level: string): boolean;
}

/** Where log lines go: anything with a `write(line)` method. */
export interface LogDestination {
  write(line: string): unknown;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Fields added to every line (app, workload, version, task type, trace id...). */
  bindings?: Record<string, string | undefined>;
  /** Minimum level (default `info`). */
  level?: LogLevel;
  /** Where JSON lines are written (default: standard output, written synchronously). */
  destination?: LogDestination;
  /** Registry whose secrets are masked (default: the process-wide one). */
  secrets?: SecretRegistry;
  /** Logger name, added as `name` (e.g. `keptn-task-runner`). */
  name?: string;
}

/**
 * A pino logger writing JSON lines in which every registered secret is masked: the whole
 * serialized line passes through the masker, so messages, bound fields, objects and error stacks
 * are all covered, including the JSON-escaped forms of secrets.
 *
 * @param options - Bindings, level, destination.
 * @example
 * ```ts
 * const log = createLogger({ bindings: { app: "podtato" }, level: "debug" });
 * log.info({ url }, "Checking health");
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? defaultSecrets;
  const target = options.destination ?? pino.destination({ fd: 1, sync: true });
  const bindings = Object.fromEntries(
    Object.entries(options.bindings ?? {}).filter(
      ([, value]) => value !== undefined && value !== "",
    ),
  );
  return pino(
    {
      level: options.level ?? "info",
      base: options.name === undefined ? bindings : { name: options.name, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => target.write(secrets.maskJson(line)) },
  );
}
