/**
 * The files shipped next to the runner's entry module (`bootstrap.js`), named once for the runner
 * (`runner-main.ts`) and the entry's early start (`early-start.ts`).
 */

/** What the entry point knows and a script cannot ask (`import.meta`). */
export interface RunnerHost {
  /** The URL of `bootstrap.js` (`import.meta.url`). */
  readonly url: string;
  /** Its directory, which holds the files shipped next to it. */
  readonly dirname: string;
  /** What `@keptn-task/sdk` resolves to through the runner's import map, if anything. */
  readonly sdkResolved: string | undefined;
}

/** Files shipped next to the runner's bundle. */
export interface RunnerAssets {
  /** URL of the SDK bundle task code imports as `@keptn-task/sdk`. */
  readonly sdk: string;
  /**
   * What `@keptn-task/sdk` resolves to through the import map the runner was started with, if
   * anything: `sdk` unless it was started without its import map.
   */
  readonly sdkResolved: string | undefined;
  /** URL of the fetch through undici, loaded only when the environment names a proxy. */
  readonly fetchLoader: string;
  /** Path of the import map that maps it. */
  readonly importMap: string;
  /** URL of the runner's logger module, loaded only when something is logged. */
  readonly runnerLog: string;
  /** URL of the bundle of the run's span (OpenTelemetry), loaded only when export is asked for. */
  readonly tracing: string;
  /** URL of the module checking an unusual KEPTN_CONTEXT with the SDK's schema. */
  readonly contextWarnings: string;
  /** Directory holding the `keptn_task` Python package. */
  readonly pythonPath: string;
  /** Path of the exit guard preloaded into a Deno task's own process (see `exit-guard.ts`). */
  readonly exitGuard: string;
  /** Path of the launcher that runs a Python task's file (see `task_launch.py`). */
  readonly pythonLauncher: string;
}

/** Where the files shipped next to `bootstrap.js` are. */
export function runnerAssets(host: RunnerHost): RunnerAssets {
  // Built from strings: each URL parsed at start-up costs Deno a fraction of a millisecond.
  const base = host.url.slice(0, host.url.lastIndexOf("/") + 1);
  return {
    sdk: `${base}keptn-task-sdk.js`,
    sdkResolved: host.sdkResolved,
    importMap: `${host.dirname}/import-map.json`,
    runnerLog: `${base}runner-log.js`,
    tracing: `${base}tracing.js`,
    contextWarnings: `${base}context-warnings.js`,
    fetchLoader: `${base}fetch-loader.js`,
    pythonPath: `${host.dirname}/python`,
    exitGuard: `${host.dirname}/exit-guard.js`,
    pythonLauncher: `${host.dirname}/task_launch.py`,
  };
}
