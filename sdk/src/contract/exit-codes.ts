/**
 * Exit codes of the runner and the `keptn-task` command: part of the contract with Kubernetes
 * (a Job's pod fails on any non-zero code) and with shells and CI. The Python twin is
 * `keptn_task.EXIT_CODES`, held to this table by `test/vectors/exit-codes.json`.
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
