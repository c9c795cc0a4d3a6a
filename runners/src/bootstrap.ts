/**
 * The entry point of the runner images: `deno run <flags> bootstrap.js <deno|python>`.
 * Runs the Keptn task named by the container's environment (`SCRIPT`, `CMD_ARGS`, `DATA`,
 * `SECURE_DATA`, `KEPTN_CONTEXT`), as a child process or, for a Deno task with nothing to
 * supervise, in this process, and ends with its exit code.
 */
import { RUNNER_ENV } from "@keptn-task/sdk";
import { main } from "./main.js";

const assets = {
  sdk: new URL("./keptn-task-sdk.js", import.meta.url).href,
  importMap: new URL("./import-map.json", import.meta.url).pathname,
  runnerLog: new URL("./runner-log.js", import.meta.url).href,
  pythonPath: new URL("./python", import.meta.url).pathname,
};
// A promise nobody awaited must not crash the runner with a stack dump (which could quote the
// task's data): say so in one line, and end as a runner bug (EX_SOFTWARE).
const runnerBug = (event: PromiseRejectionEvent) => {
  event.preventDefault();
  const name = event.reason instanceof Error ? event.reason.name : typeof event.reason;
  const line = JSON.stringify({
    level: "fatal",
    name: "keptn-task-runner",
    msg: `Runner failed: unhandled ${name}`,
  });
  Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
  Deno.exit(70);
};
globalThis.addEventListener("unhandledrejection", runnerBug);

// Only the variables the runner reads (it may be started with --allow-env for just those); a
// task started as a child process inherits the whole environment.
const env: Record<string, string> = {};
for (const name of RUNNER_ENV) {
  try {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  } catch {
    // not granted: unset
  }
}

const outcome = await main(Deno.args, env, assets);
if (typeof outcome === "number") Deno.exit(outcome);
// The task runs in this process: what it leaves unhandled is the task's failure, not a bug of
// the runner's, and ends the process as it ends `deno run`.
globalThis.removeEventListener("unhandledrejection", runnerBug);
outcome.run();
