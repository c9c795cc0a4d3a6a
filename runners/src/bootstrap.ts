/**
 * The entry point of the runner images: `deno run <flags> bootstrap.js <deno|python>`.
 * Runs the Keptn task named by the container's environment (`SCRIPT`, `CMD_ARGS`, `DATA`,
 * `SECURE_DATA`, `KEPTN_CONTEXT`), as a child process or, for a Deno task with nothing to
 * supervise, in this process, and ends with its exit code.
 */
import { EXIT_CODES } from "@keptn-task/sdk";
import { writeLogLine } from "./log-line.js";
import { main } from "./main.js";
import { readRawEnv } from "./raw-env.js";

// Built from strings: each URL parsed at start-up costs Deno a fraction of a millisecond.
const base = import.meta.url.slice(0, import.meta.url.lastIndexOf("/") + 1);
const assets = {
  sdk: `${base}keptn-task-sdk.js`,
  importMap: `${import.meta.dirname}/import-map.json`,
  runnerLog: `${base}runner-log.js`,
  contextWarnings: `${base}context-warnings.js`,
  pythonPath: `${import.meta.dirname}/python`,
  exitGuard: `${import.meta.dirname}/exit-guard.js`,
  pythonLauncher: `${import.meta.dirname}/task_launch.py`,
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
