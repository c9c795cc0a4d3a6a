/**
 * The runner, loaded by the images' entry point (`bootstrap.ts`) as one script: runs the Keptn
 * task named by the container's environment (`SCRIPT`, `CMD_ARGS`, `DATA`, `SECURE_DATA`,
 * `KEPTN_CONTEXT`), as a child process or, for a Deno task with nothing to supervise, in this
 * process, and ends with its exit code.
 */
import { EXIT_CODES } from "@keptn-task/sdk";
import { writeLogLine } from "./log-line.js";
import { main } from "./main.js";
import { readRawEnv } from "./raw-env.js";

/** What the entry point knows and a script cannot ask (`import.meta`). */
export interface RunnerHost {
  /** The URL of `bootstrap.js` (`import.meta.url`). */
  readonly url: string;
  /** Its directory, which holds the files shipped next to it. */
  readonly dirname: string;
  /** What `@keptn-task/sdk` resolves to through the runner's import map, if anything. */
  readonly sdkResolved: string | undefined;
}

/** Runs the task and ends the process, or leaves it to the task run in this process. */
export async function start(host: RunnerHost): Promise<void> {
  // Built from strings: each URL parsed at start-up costs Deno a fraction of a millisecond.
  const base = host.url.slice(0, host.url.lastIndexOf("/") + 1);
  const assets = {
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
  // A promise nobody awaited must not crash the runner with a stack dump (which could quote the
  // task's data): say so in one line, and end as a runner bug (EX_SOFTWARE).
  const runnerBug = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    const name = event.reason instanceof Error ? event.reason.name : typeof event.reason;
    // Only the error's name: nothing from the task's data or secrets.
    writeLogLine("info", undefined, "fatal", `Runner failed: unhandled ${name}`);
    Deno.exit(EXIT_CODES.INTERNAL_ERROR);
  };
  globalThis.addEventListener("unhandledrejection", runnerBug);

  // Deno leaves out a variable that is not valid UTF-8: those of the contract are read raw.
  const outcome = await main(Deno.args, Deno.env.toObject(), assets, readRawEnv());
  if (typeof outcome === "number") Deno.exit(outcome);
  // The task runs in this process: what it leaves unhandled is the task's failure, not a bug of
  // the runner's, and ends the process as it ends `deno run`.
  globalThis.removeEventListener("unhandledrejection", runnerBug);
  outcome.run();
}
