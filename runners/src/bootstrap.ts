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
Deno.exit(await main(Deno.args, Deno.env.toObject(), assets));
