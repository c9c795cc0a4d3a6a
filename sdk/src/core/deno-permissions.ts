/**
 * The Deno permissions of the runner images, in one place: what a Deno task gets by default,
 * and what the runner itself starts with. The images, the runner, `keptn-task run` and the
 * benchmark all read them from here.
 */

/**
 * The variables a Deno task may read: Keptn's three (`DATA`, `SECURE_DATA`, `KEPTN_CONTEXT`),
 * `CMD_ARGS` and `SCRIPT`, and the two the SDK's `task()` reads besides (`TASK_ENV_VARS`).
 */
export const DENO_TASK_ENV: readonly string[] = [
  "DATA",
  "SECURE_DATA",
  "KEPTN_CONTEXT",
  "CMD_ARGS",
  "SCRIPT",
  "KEPTN_TASK_DEADLINE",
  "KEPTN_TASK_LOG_LEVEL",
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

/** Every variable the runner reads: the task's, its own settings, and the fetch's proxies. */
export const RUNNER_ENV: readonly string[] = [
  ...DENO_TASK_ENV,
  "KEPTN_TASK_RUNNER_LOG_LEVEL",
  "KEPTN_TASK_DENO_PERMISSIONS",
  "KEPTN_TASK_GRACE_SECONDS",
  "KEPTN_TASK_TERMINATION_LOG",
  "KEPTN_TASK_ISOLATION",
  "KEPTN_TASK_PYTHON",
  "TMPDIR",
  "DENO_DIR",
  "NO_COLOR",
  "PYTHONPATH",
  "PYTHONUNBUFFERED",
  "PYTHONDONTWRITEBYTECODE",
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
];

/**
 * The flags the images start the runner with: `deno run <flags> bootstrap.js deno|python`.
 * They are the task's default permissions plus what the runner itself needs (starting a child
 * process, reading its own settings) and nothing else: no FFI, no system information, no other
 * variable. From these the runner can narrow its own permissions to exactly the task's and run
 * a Deno task in its own process; from `--allow-all` it cannot, and starts every task as a
 * child process.
 *
 * @param importMap - Path of the runner's `import-map.json` (maps `@keptn-task/sdk` to the
 *   bundled SDK, so tasks run in the runner's process can import it offline).
 *
 * @example
 * ```ts
 * runnerDenoFlags("/app/import-map.json");
 * // ["--no-prompt", "--no-config", "--import-map=/app/import-map.json", "--allow-net", ...]
 * ```
 */
export function runnerDenoFlags(importMap: string): string[] {
  return [
    "--no-prompt",
    "--no-config",
    `--import-map=${importMap}`,
    ...DEFAULT_DENO_PERMISSIONS.filter((flag) => !flag.startsWith("--allow-env=")),
    "--allow-run",
    `--allow-env=${RUNNER_ENV.join(",")}`,
  ];
}
