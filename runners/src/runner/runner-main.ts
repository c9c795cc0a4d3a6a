/**
 * The runner, loaded by the images' entry point (`bootstrap.ts`) as one script: runs the Keptn
 * task named by the container's environment (`SCRIPT`, `CMD_ARGS`, `DATA`, `SECURE_DATA`,
 * `KEPTN_CONTEXT`), as a child process or, for a Deno task with nothing to supervise, in this
 * process, and ends with its exit code.
 */
import { EXIT_CODES } from "@keptn-task/sdk";
import type { EarlyTask } from "./early-start.js";
import { writeLogLine } from "./log-line.js";
import { main } from "./main.js";
import { readRawEnv } from "./raw-env.js";
import { type RunnerHost, runnerAssets } from "./runner-assets.js";

/** Runs the task and ends the process, or leaves it to the task run in this process. */
export async function start(host: RunnerHost, early?: EarlyTask): Promise<void> {
  const assets = runnerAssets(host);
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
  const outcome = await main(Deno.args, Deno.env.toObject(), assets, readRawEnv(), early);
  if (typeof outcome === "number") Deno.exit(outcome);
  // The task runs in this process: what it leaves unhandled is the task's failure, not a bug of
  // the runner's, and ends the process as it ends `deno run`.
  globalThis.removeEventListener("unhandledrejection", runnerBug);
  outcome.run();
}
