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
 * lacks is denied, never asked for on a terminal. The import map lets a task the runner runs in
 * its own process import `@keptn-task/sdk` offline.
 *
 * @param importMap - Path of the runner's `import-map.json`.
 *
 * @example
 * ```ts
 * runnerDenoFlags("/app/import-map.json");
 * // ["--allow-all", "--no-prompt", "--no-config", "--import-map=/app/import-map.json"]
 * ```
 */
export function runnerDenoFlags(importMap: string): string[] {
  return ["--allow-all", "--no-prompt", "--no-config", `--import-map=${importMap}`];
}
