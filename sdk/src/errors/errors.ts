/**
 * The SDK's error family. Every error has a stable `code` (for programs) and the exit code the
 * bootstrap runner and the `keptn-task` command end with (for Kubernetes and shells). Messages
 * never carry a secret value.
 */

import { type ErrorCode, EXIT_CODES } from "../contract/exit-codes.js";

export { type ErrorCode, EXIT_CODES };

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
  /** 1-based line of the field (or of the object, or the document) in the file, when known. */
  line?: number;
  /** 1-based column of the same place, when known. */
  column?: number;
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
  /** The problem itself, without the location that `message` starts with. */
  readonly problem: string;

  constructor(message: string, location: ManifestLocation = {}, options?: KeptnTaskErrorOptions) {
    super(`${formatLocation(location)}${message}`, "MANIFEST_INVALID", options);
    this.location = Object.freeze({ ...location });
    this.problem = message;
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

/** `:LINE:COLUMN` where the line is known (as compilers print it), else `:DOCUMENT`. */
function formatPosition(location: ManifestLocation): string {
  if (location.line !== undefined) {
    return location.column === undefined
      ? `:${location.line}`
      : `:${location.line}:${location.column}`;
  }
  return location.document === undefined ? "" : `:${location.document}`;
}

function formatLocation(location: ManifestLocation): string {
  const parts: string[] = [];
  if (location.file !== undefined) {
    parts.push(`${location.file}${formatPosition(location)}`);
  } else if (location.document !== undefined) {
    parts.push(`document ${location.document}`);
  }
  if (location.object !== undefined) parts.push(location.object);
  if (location.field !== undefined) parts.push(location.field);
  return parts.length === 0 ? "" : `${parts.join(": ")}: `;
}
