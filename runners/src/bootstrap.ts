/**
 * The entry point of the runner images: `deno run -A bootstrap.js <deno|python>`.
 * Runs the Keptn task named by the container's environment (`SCRIPT`, `CMD_ARGS`, `DATA`,
 * `SECURE_DATA`, `KEPTN_CONTEXT`) as a child process and ends with its exit code.
 */
import { main } from "./main.js";

const assets = {
  sdk: new URL("./keptn-task-sdk.js", import.meta.url).href,
  importMap: new URL("./import-map.json", import.meta.url).pathname,
  runnerLog: new URL("./runner-log.js", import.meta.url).href,
  pythonPath: new URL("./python", import.meta.url).pathname,
};
// A promise nobody awaited must not crash the runner with a stack dump (which could quote the
// task's data): say so in one line, and end as a runner bug (EX_SOFTWARE).
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  const name = event.reason instanceof Error ? event.reason.name : typeof event.reason;
  const line = JSON.stringify({
    level: "fatal",
    name: "keptn-task-runner",
    msg: `Runner failed: unhandled ${name}`,
  });
  Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
  Deno.exit(70);
});

Deno.exit(await main(Deno.args, Deno.env.toObject(), assets));
