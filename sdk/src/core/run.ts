/**
 * `run(options, handler)`: the handler form of a task. Its outcome decides how the task ends:
 * returning succeeds, throwing fails with the error's message; the deadline and stop signals are
 * wired as in `task()`, and a handler still running past its deadline (plus the grace period) is
 * ended.
 */
import { setTimeout as setTimer } from "node:timers";
import { DEFAULT_GRACE_MS, timerDelay } from "../contract/process-policy.js";
import { endFromTimer, isTaskExit } from "./host.js";
import { onBeforeExit } from "./runtime.js";
import {
  createTask,
  type DataOf,
  type SecureDataOf,
  type Task,
  type TaskInternals,
  type TaskOptions,
} from "./task.js";

/**
 * A task's code as a function of its `Task`: return (a string: the success message) to succeed,
 * throw to fail; `t.fail()` and `t.succeed()` work too.
 *
 * Give it the type of the options (`TaskHandler<typeof options>`): `t.data` and `t.secureData`
 * then have the types of their schemas. `TaskHandler<Data, SecureData>` (the types themselves)
 * works too.
 *
 * @example
 * ```ts
 * export const options = { data: z.object({ threshold: z.number() }) };
 * export const handler: TaskHandler<typeof options> = (t) => `threshold ${t.data.threshold}`;
 * ```
 */
export type TaskHandler<O = unknown, S = unknown> = (task: HandlerTask<O, S>) => unknown;

/** The task a handler gets: typed from options, or from the data and secret types given. */
type HandlerTask<O, S> = [O] extends [TaskOptions] ? Task<DataOf<O>, SecureDataOf<O>> : Task<O, S>;

/**
 * Reads the task environment as `task()` does, runs `handler` with the task, and ends the task
 * by its outcome: returning calls `succeed()` (with the returned string as its message), a
 * thrown error calls `fail()` with the error's message (exit code 1, the message in the
 * termination log, the error's stack in the log line). After SIGTERM / SIGINT the task ends as
 * stopped (143 / 130) whatever the handler does; a handler still running `signalGraceMs` after
 * the deadline fails. `@keptn-task/sdk/testing` runs the same handler without a process.
 *
 * @param options - As for `task()`.
 * @param handler - The task's code.
 * @returns A promise that never settles in a real run (the process exits).
 * @example
 * ```ts
 * import { run, z } from "@keptn-task/sdk";
 *
 * await run({ data: z.object({ url: z.url() }) }, async (t) => {
 *   const res = await t.fetch(t.data.url, { retry: { limit: 3 } });
 *   if (!res.ok) throw new Error(`"${t.data.url}" answered HTTP ${res.status}`);
 *   return `"${t.data.url}" is healthy`;
 * });
 * ```
 */
export async function run<const O extends TaskOptions>(
  options: O,
  handler: (task: Task<DataOf<O>, SecureDataOf<O>>) => unknown,
): Promise<void> {
  const internals = createTask(options);
  const t = internals.task as Task<DataOf<O>, SecureDataOf<O>>;
  const unwatch = watch(internals, options.signalGraceMs ?? DEFAULT_GRACE_MS);
  let result: unknown;
  try {
    result = await handler(t);
  } catch (error) {
    if (isTaskExit(error)) throw error;
    await internals.flushSpans();
    return endThrown(internals, error);
  } finally {
    unwatch();
  }
  await internals.flushSpans();
  t.succeed(typeof result === "string" ? result : undefined);
}

/** A handler threw: the task fails, or ends as stopped after a stop signal. */
function endThrown(internals: TaskInternals, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const stopped = internals.stopped();
  if (stopped === undefined)
    return internals.failWith(message || "Task handler threw", { err: error });
  internals.task.log.warn({ err: error, exitCode: stopped }, `Task stopped: ${message}`);
  return internals.host.exit(stopped);
}

/**
 * Ends a handler that overruns its deadline by `graceMs`, or whose promise can never settle
 * (nothing left to wait for); returns what stops watching.
 */
function watch(internals: TaskInternals, graceMs: number): () => void {
  const stopBeforeExit = onBeforeExit(() =>
    endFromTimer(() =>
      internals.failWith(
        "Task handler never settled: it awaits a promise that nothing will resolve",
        {},
      ),
    ),
  );
  const { deadlineMs } = internals;
  const delay =
    deadlineMs === undefined ? undefined : timerDelay(deadlineMs - Date.now() + graceMs);
  const timer =
    delay === undefined
      ? undefined
      : setTimer(
          () =>
            endFromTimer(() =>
              internals.failWith(
                `Task did not finish within ${graceMs / 1000} s of its deadline`,
                {},
              ),
            ),
          delay,
        ).unref();
  return () => {
    stopBeforeExit();
    if (timer !== undefined) clearTimeout(timer);
  };
}
