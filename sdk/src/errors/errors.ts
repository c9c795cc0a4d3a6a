/**
 * The SDK's error family. Every error has a stable `code` (for programs) and the exit code the
 * bootstrap runner and the `keptn-task` command end with (for Kubernetes and shells). Messages
 * never carry a secret value.
 */

/** Stable error codes, one per condition a caller can handle. */
export type ErrorCode =
  | "KEPTN_TASK_ERROR"
  | "CONFIG_INVALID"
  | "MANIFEST_INVALID"
  | "CODE_UNRESOLVED"
  | "FETCH_FAILED"
  | "USAGE_INVALID"
  | "RUNTIME_MISSING"
  | "INTERNAL_ERROR";

/**
 * Exit codes (sysexits.h where one fits), documented in the README. A task's own exit code is
 * passed through unchanged by the runners; these are only used when the runner itself fails.
 */
export const EXIT_CODES = Object.freeze({
  /** The task failed (also the default of `fail()`). */
  KEPTN_TASK_ERROR: 1,
  /** A manifest (YAML / KeptnTaskDefinition) is invalid: EX_DATAERR. */
  MANIFEST_INVALID: 65,
  /** The task code could not be found: empty `SCRIPT`, unreadable file, unknown definition: EX_NOINPUT. */
  CODE_UNRESOLVED: 66,
  /** The task code could not be fetched from its `httpRef` URL: EX_UNAVAILABLE. */
  FETCH_FAILED: 69,
  /** A command was called wrongly (unknown runtime, bad flag): EX_USAGE. */
  USAGE_INVALID: 64,
  /** `KEPTN_CONTEXT`, `DATA` or `SECURE_DATA` is invalid: EX_CONFIG. */
  CONFIG_INVALID: 78,
  /** The interpreter (deno, python3) cannot be started, as a shell's "command not found". */
  RUNTIME_MISSING: 127,
  /** A bug in the runner or the command itself, not in the task or its input: EX_SOFTWARE. */
  INTERNAL_ERROR: 70,
} satisfies Record<ErrorCode, number>);

/** Options shared by every error of the family. */
export interface KeptnTaskErrorOptions {
  /** The underlying error, kept for debugging. Never pass an error whose message holds a secret. */
  cause?: unknown;
}

/**
 * Base class of every error the SDK throws on purpose.
 *
 * @example
 * ```ts
 * try { task(); } catch (error) {
 *   if (error instanceof KeptnTaskError) process.exit(error.exitCode);
 *   throw error;
 * }
 * ```
 */
export class KeptnTaskError extends Error {
  /** A stable, machine-readable code. */
  readonly code: ErrorCode;

  constructor(
    message: string,
    code: ErrorCode = "KEPTN_TASK_ERROR",
    options?: KeptnTaskErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /** The process exit code that stands for this error (see `EXIT_CODES`). */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Where a configuration value came from. */
export type ConfigSource =
  | "KEPTN_CONTEXT"
  | "DATA"
  | "SECURE_DATA"
  | "KEPTN_TASK_DEADLINE"
  | "options"
  // Any other environment variable, for example a runner setting.
  | (string & {});

/** One invalid field of the task environment. */
export interface ConfigIssue {
  /** The environment variable (or option) that holds the field. */
  source: ConfigSource;
  /** The field's path inside that value, dot-separated; empty for the whole value. */
  path: string;
  /** What was expected, and how to fix it. Never holds a secret value. */
  message: string;
}

/** Options of a `ConfigError`. */
export interface ConfigErrorOptions extends KeptnTaskErrorOptions {
  /** What could not be done, to start the message (default `Invalid task environment`). */
  summary?: string;
}

/**
 * The task environment is invalid. Lists every invalid field at once, so one run shows
 * everything to fix.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ConfigError) for (const issue of error.issues) console.error(issue.path);
 * }
 * ```
 */
export class ConfigError extends KeptnTaskError {
  /** Every invalid field, in the order found. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ConfigErrorOptions) {
    super(formatIssues(issues, options?.summary), "CONFIG_INVALID", options);
    this.issues = Object.freeze([...issues]);
  }
}

/** Where a manifest problem was found. */
export interface ManifestLocation {
  /** File path, or `-` for standard input. */
  file?: string;
  /** 1-based index of the YAML document inside the file. */
  document?: number;
  /** `Kind/namespace/name` of the object, when known. */
  object?: string;
  /** Dot-separated path of the field, when known. */
  field?: string;
}

/**
 * A manifest (YAML file, KeptnTaskDefinition, KeptnTask, ConfigMap) is invalid.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof ManifestError) console.error(error.location.file); }
 * ```
 */
export class ManifestError extends KeptnTaskError {
  /** Where the problem is. */
  readonly location: ManifestLocation;

  constructor(message: string, location: ManifestLocation = {}, options?: KeptnTaskErrorOptions) {
    super(`${formatLocation(location)}${message}`, "MANIFEST_INVALID", options);
    this.location = Object.freeze({ ...location });
  }
}

/**
 * The task code cannot be resolved: no `SCRIPT`, an unreadable file, an unknown definition or
 * ConfigMap, a ConfigMap without the key `code`.
 *
 * @example
 * ```ts
 * throw new CodeResolutionError('Cannot read task code from "/var/data/function.ts": file not found');
 * ```
 */
export class CodeResolutionError extends KeptnTaskError {
  constructor(message: string, options?: KeptnTaskErrorOptions) {
    super(message, "CODE_UNRESOLVED", options);
  }
}

/** Details of a failed fetch. */
export interface FetchErrorDetails {
  /** The URL, with any credentials removed. */
  url: string;
  /** How many attempts were made. */
  attempts: number;
  /** The HTTP status of the last response, if one arrived. */
  status?: number;
}

/**
 * Task code could not be fetched. The message names the URL (credentials stripped), the number
 * of attempts and the cause.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof FetchError && error.status === 404) ... }
 * ```
 */
export class FetchError extends KeptnTaskError {
  /** The URL, credentials removed. */
  readonly url: string;
  /** Attempts made before giving up. */
  readonly attempts: number;
  /** HTTP status of the last response, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, details: FetchErrorDetails, options?: KeptnTaskErrorOptions) {
    super(message, "FETCH_FAILED", options);
    this.url = details.url;
    this.attempts = details.attempts;
    this.status = details.status;
  }
}

/**
 * A command was called wrongly: an unknown runtime, a malformed flag or setting.
 *
 * @example
 * ```ts
 * throw new UsageError('Cannot start the runner: expected "deno" or "python" as first argument, received "node"');
 * ```
 */
export class UsageError extends KeptnTaskError {
  constructor(message: string, options?: KeptnTaskErrorOptions) {
    super(message, "USAGE_INVALID", options);
  }
}

/**
 * The interpreter a task needs (deno, python3) cannot be started.
 *
 * @example
 * ```ts
 * throw new RuntimeMissingError('Cannot start "python3": not found on PATH: set KEPTN_TASK_PYTHON');
 * ```
 */
export class RuntimeMissingError extends KeptnTaskError {
  constructor(message: string, options?: KeptnTaskErrorOptions) {
    super(message, "RUNTIME_MISSING", options);
  }
}

function formatIssues(
  issues: readonly ConfigIssue[],
  summary = "Invalid task environment",
): string {
  const parts = issues.map((issue) => {
    const where = issue.path === "" ? issue.source : `${issue.source}.${issue.path}`;
    return `${where}: ${issue.message}`;
  });
  return `${summary}: ${parts.join("; ")}`;
}

function formatLocation(location: ManifestLocation): string {
  const parts: string[] = [];
  if (location.file !== undefined) {
    parts.push(
      location.document === undefined ? location.file : `${location.file}:${location.document}`,
    );
  } else if (location.document !== undefined) {
    parts.push(`document ${location.document}`);
  }
  if (location.object !== undefined) parts.push(location.object);
  if (location.field !== undefined) parts.push(location.field);
  return parts.length === 0 ? "" : `${parts.join(": ")}: `;
}
