/**
 * The entry point of the runner images: `deno run <flags> bootstrap.js <deno|python>`. It loads
 * the runner (`runner.js`, built from `runner-main.ts`) as a script, not as a module: Deno
 * analyses every module it loads, from scratch in an empty DENO_DIR as every Job's is (the
 * runner's bundle as modules took ~16 ms from a start; its ~70 KB as a function body ~7 ms, as
 * V8 compiles a function's body only when it first runs). Everything the runner needs of
 * `import.meta` it gets here.
 *
 * A Deno task with a secret to mask always runs as a process of its own: that process is started
 * first, gated, while the runner loads and checks everything (`early-start.js`, a script too).
 */
import type { EarlyTask, startEarly } from "./early-start.js";
import { writeLogLine } from "./log-line.js";
import type { RunnerHost } from "./runner-assets.js";
import type { start } from "./runner-main.js";

const host: RunnerHost = {
  url: import.meta.url,
  dirname: import.meta.dirname ?? ".",
  sdkResolved: resolves("@keptn-task/sdk"),
};
const AsyncFunction = (async () => undefined).constructor as new (
  ...args: string[]
) => () => Promise<unknown>;
let early: EarlyTask | undefined;
if (Deno.args[0] === "deno" && hasSecret())
  early = await (await load<typeof startEarly>("early-start.js", "keptnEarlyStart.startEarly"))(
    host,
  );
await (await load<typeof start>("runner.js", "keptnRunner.start"))(host, early);

/**
 * Compiles one of the runner's scripts (esbuild's IIFE, which declares a global: see
 * runners/scripts/build.mjs) as a function body, and returns the function it names `name`.
 */
async function load<T>(file: string, name: string): Promise<T> {
  try {
    const code = Deno.readTextFileSync(`${host.dirname}/${file}`);
    const loaded = await new AsyncFunction(`${code}\nreturn ${name};`)();
    if (typeof loaded !== "function") throw new TypeError(`${file} defines no ${name} function`);
    return loaded as T;
  } catch (error) {
    // The image or the package is broken (a file missing, cut or changed): one line, and the
    // exit code of a runner bug (EX_SOFTWARE).
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    writeLogLine("info", undefined, "fatal", `Runner failed: cannot load ${file}: ${reason}`);
    Deno.exit(70);
  }
}

/** Whether SECURE_DATA is set (and text: Deno's `get` of a value that is not throws, quoting it). */
function hasSecret(): boolean {
  try {
    return (Deno.env.get("SECURE_DATA") ?? "").trim() !== "";
  } catch {
    // Not valid UTF-8: the runner reads it raw, and starts the task's process itself.
    return false;
  }
}

/** What `specifier` resolves to through the runner's import map, if it resolves. */
function resolves(specifier: string): string | undefined {
  try {
    return import.meta.resolve(specifier);
  } catch {
    return undefined;
  }
}
