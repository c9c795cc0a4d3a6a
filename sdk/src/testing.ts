/**
 * `@keptn-task/sdk/testing`: runs a task handler (the form `run(options, handler)` takes) in a
 * unit test, with a given environment, and returns how it ended instead of ending the process:
 * `fail()`, `succeed()`, a thrown error, an invalid environment (78) all give a result.
 *
 * The log lines are masked as in production: a secret of `SECURE_DATA` never appears in
 * `logs` or `reason`.
 *
 * @example
 * ```ts
 * import { runHandler } from "@keptn-task/sdk/testing";
 * import { handler, options } from "./handler.ts";
 *
 * const result = await runHandler(options, handler, { data: { url: "http://127.0.0.1:8080/" } });
 * assert.equal(result.exitCode, 0);
 * ```
 * @module
 */

import { TerminationLogWriter } from "./contract/process-policy.js";
import { HOST, isTaskExit, TaskExit, type TaskHost } from "./core/host.js";
import {
  type DataOf,
  type KeptnContext,
  run,
  SecretRegistry,
  type SecureDataOf,
  type Task,
  type TaskOptions,
} from "./index.js";

/** The environment a handler runs with in a test. */
export interface TestInput {
  /** `DATA`: each value is passed as Keptn passes it, as a string (`5` becomes `"5"`). */
  data?: Readonly<Record<string, string | number | boolean>>;
  /** `SECURE_DATA`: a string as it is, anything else as JSON. */
  secureData?: unknown;
  /**
   * `KEPTN_CONTEXT`: these keys over a workload's pre-deployment context (`my-app`,
   * `my-workload` `1.0.0`); without it, no `KEPTN_CONTEXT` (as in a local run).
   */
  context?: Partial<KeptnContext>;
  /** Raw variables (`DATA`, `KEPTN_TASK_DEADLINE`...), set after the fields above. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** How a handler ended. */
export interface TestResult {
  /** The exit code the process would have ended with: 0, 1 (a throw), 78 (invalid environment)... */
  exitCode: number;
  /** The termination message (`fail()`'s message, `succeed()`'s, the issue list), masked. */
  reason: string | undefined;
  /** The task's JSON log lines, parsed, masked. */
  logs: Record<string, unknown>[];
}

/** The context a test's `context` keys go over. */
export const TEST_CONTEXT: KeptnContext = Object.freeze({
  workloadName: "my-workload",
  appName: "my-app",
  appVersion: "",
  workloadVersion: "1.0.0",
  taskType: "pre",
  objectType: "Workload",
  metadata: {},
});

/**
 * Runs `handler` as `run(options, handler)` would in a task's process, with `input` as its
 * environment, and resolves with how it ended. No signal handlers are installed and no file is
 * written; `options.signalGraceMs` and a deadline (`KEPTN_TASK_DEADLINE` in `env`) are honoured.
 *
 * @param options - The options the task passes to `run()`.
 * @param handler - The task's handler.
 * @param input - `DATA`, `SECURE_DATA`, `KEPTN_CONTEXT` and raw variables.
 */
export async function runHandler<const O extends TaskOptions>(
  options: O,
  handler: (task: Task<DataOf<O>, SecureDataOf<O>>) => unknown,
  input: TestInput = {},
): Promise<TestResult> {
  const lines: string[] = [];
  let text: string | undefined;
  const secrets = new SecretRegistry();
  const reasons = new TerminationLogWriter(
    {
      read: () => text ?? "",
      replace: (next) => {
        text = next;
        return true;
      },
    },
    secrets,
  );
  let ended: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    ended = resolve;
  });
  let exitCode: number | undefined;
  const host: TaskHost = {
    exit(code) {
      exitCode ??= code;
      ended(exitCode);
      throw new TaskExit(code);
    },
    // Once the task has ended, nothing more reaches its output: a handler that catches the
    // unwinding (a try around t.fail()) cannot change what a real run would have shown.
    writeReason: (message) => {
      if (exitCode === undefined) reasons.write(message, true);
    },
  };
  const running = run(
    {
      ...options,
      env: testEnv(input),
      secrets,
      handleSignals: false,
      onConfigError: "exit",
      logDestination: {
        write: (line: string) => {
          if (exitCode === undefined) lines.push(line);
        },
      },
      [HOST]: host,
    },
    handler,
  ).catch((error: unknown) => {
    if (!isTaskExit(error)) throw error;
  });
  const code = await Promise.race([exited, running.then(() => exited)]);
  return {
    exitCode: code,
    reason: text === "" ? undefined : text,
    logs: lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** The variables `input` stands for. */
function testEnv(input: TestInput): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  if (input.data !== undefined) {
    env.DATA = JSON.stringify(
      Object.fromEntries(Object.entries(input.data).map(([key, value]) => [key, String(value)])),
    );
  }
  if (input.secureData !== undefined) {
    env.SECURE_DATA =
      typeof input.secureData === "string" ? input.secureData : JSON.stringify(input.secureData);
  }
  if (input.context !== undefined) {
    env.KEPTN_CONTEXT = JSON.stringify({ ...TEST_CONTEXT, ...input.context });
  }
  return { ...env, ...input.env };
}
