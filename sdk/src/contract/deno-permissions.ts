/**
 * The Deno permissions of the runner images, in one place: what a Deno task gets by default,
 * and the flags the runner itself starts with. The images, the runner, `keptn-task run` and the
 * benchmark all read them from here.
 */

/**
 * The variables a Deno task may read: Keptn's three (`DATA`, `SECURE_DATA`, `KEPTN_CONTEXT`),
 * `CMD_ARGS` and `SCRIPT`, the ones the SDK's `task()` reads besides (`TASK_ENV_VARS`), and
 * those of tracing: `TRACEPARENT`, `TRACESTATE` and `OTEL_*` (a prefix, as Deno 2.1+ reads it).
 */
export const DENO_TASK_ENV: readonly string[] = [
  "DATA",
  "SECURE_DATA",
  "KEPTN_CONTEXT",
  "CMD_ARGS",
  "SCRIPT",
  "KEPTN_TASK_DEADLINE",
  "KEPTN_TASK_LOG_LEVEL",
  "KEPTN_TASK_TERMINATION_LOG",
  // The trace to join (the runner's span) and the standard OpenTelemetry variables, for t.span.
  "TRACEPARENT",
  "TRACESTATE",
  "OTEL_*",
];

/**
 * Permissions a Deno task gets by default: a superset of Keptn's own deno-runtime
 * (`--allow-net --allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT`), so every task that runs on
 * Keptn's image runs here, plus read/write (as later Keptn images) and remote imports.
 */
export const DEFAULT_DENO_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-import",
  `--allow-env=${DENO_TASK_ENV.join(",")}`,
];

/**
 * The flags the images start the runner with: `deno run <flags> bootstrap.js deno|python`.
 * `--allow-all`, because only a process with every permission may write the pod's termination
 * message (`/dev/termination-log`: Deno asks for all permissions for any path under `/dev`) and
 * start processes; a task gets narrower ones, as a child process or, when the runner runs it in
 * its own process, by the runner giving up the rest first. `--no-prompt`: a permission the task
 * lacks is denied, never asked for on a terminal. `--no-code-cache`: a Job's DENO_DIR is empty
 * at every start (its `/tmp`), so the V8 code cache Deno would write at the end is never read
 * again (writing it cost a start ~4 ms here). The import map lets a task the runner runs in its
 * own process import `@keptn-task/sdk` offline.
 *
 * @param importMap - Path of the runner's `import-map.json`.
 *
 * @example
 * ```ts
 * runnerDenoFlags("/app/import-map.json");
 * // ["--allow-all", "--no-prompt", "--no-config", "--no-code-cache", "--import-map=/app/import-map.json"]
 * ```
 */
export function runnerDenoFlags(importMap: string): string[] {
  return [
    "--allow-all",
    "--no-prompt",
    "--no-config",
    "--no-code-cache",
    `--import-map=${importMap}`,
  ];
}

/**
 * How the python-runtime starts: `python3 -I -S python_entry.py <the runner's own command>`. The
 * entry (`runners/src/runner/python_entry.py`) runs a plain Python task itself, without a Deno
 * start in front of python3, and hands anything else to the runner's command with `execv`.
 * `-I`: no `PYTHON*` variable, user site or current folder reaches the entry; `-S`: no `site`
 * import (faster; the task's own python3 gets both as usual).
 *
 * @param python - The interpreter (`/usr/bin/python3` in the image).
 * @param entry - Path of `python_entry.py`, next to the runner's `bootstrap.js`.
 * @param runner - The runner's command: `[deno, "run", ...runnerDenoFlags(map), bootstrap, "python"]`.
 *
 * @example
 * ```ts
 * pythonEntryCommand("/usr/bin/python3", "/app/python_entry.py", ["/usr/bin/deno", "run"]);
 * // ["/usr/bin/python3", "-I", "-S", "/app/python_entry.py", "/usr/bin/deno", "run"]
 * ```
 */
export function pythonEntryCommand(
  python: string,
  entry: string,
  runner: readonly string[],
): string[] {
  return [python, "-I", "-S", entry, ...runner];
}
