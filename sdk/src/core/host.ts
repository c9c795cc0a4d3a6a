/**
 * How a task ends its process, as a seam: in production the process exits; under
 * `@keptn-task/sdk/testing` the ending is recorded and the handler unwound instead.
 *
 * No imports, and keys made with `Symbol.for`, so that a copy of this module in another bundle
 * (the Deno testing bundle) agrees with the SDK bundle.
 */

/** The option key `@keptn-task/sdk/testing` passes its host under. Not public API. */
export const HOST: unique symbol = Symbol.for("@keptn-task/sdk:host") as never;

/** What ends a task. */
export interface TaskHost {
  /** Ends the task with `code`. */
  exit(code: number): never;
  /** Writes the (masked) reason to the termination log at `path`. */
  writeReason(message: string, path: string): void;
}

const EXIT_BRAND = Symbol.for("@keptn-task/sdk:task-exit");

/**
 * What a test host throws from `exit()`, to unwind the handler; never seen in production.
 */
export class TaskExit extends Error {
  readonly [EXIT_BRAND] = true;
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`Task ended with exit code ${exitCode}`);
    this.name = "TaskExit";
    this.exitCode = exitCode;
  }
}

/** Whether `error` is a `TaskExit` (of any copy of this module). */
export function isTaskExit(error: unknown): error is TaskExit {
  return typeof error === "object" && error !== null && EXIT_BRAND in error;
}

/**
 * Runs `end` (which ends the task) from a timer: a test host's `TaskExit` has nobody to unwind
 * there, so it is dropped.
 */
export function endFromTimer(end: () => void): void {
  try {
    end();
  } catch (error) {
    if (!isTaskExit(error)) throw error;
  }
}
