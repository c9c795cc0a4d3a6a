/**
 * The entry point of the runner images: `deno run <flags> bootstrap.js <deno|python>`. It loads
 * the runner (`runner.js`, built from `runner-main.ts`) as a script, not as a module: Deno
 * analyses every module it loads, from scratch in an empty DENO_DIR as every Job's is (the
 * runner's bundle as modules took ~16 ms from a start; its ~70 KB as a function body ~7 ms, as
 * V8 compiles a function's body only when it first runs). Everything the runner needs of
 * `import.meta` it gets here.
 */
import { writeLogLine } from "./log-line.js";
import type { RunnerHost } from "./runner-main.js";

const host: RunnerHost = {
  url: import.meta.url,
  dirname: import.meta.dirname ?? ".",
  sdkResolved: resolves("@keptn-task/sdk"),
};
const AsyncFunction = (async () => undefined).constructor as new (
  ...args: string[]
) => () => Promise<unknown>;
let start: (host: RunnerHost) => Promise<void>;
try {
  // runner.js declares `keptnRunner` (esbuild's IIFE, runners/scripts/build.mjs).
  const code = Deno.readTextFileSync(`${host.dirname}/runner.js`);
  const load = new AsyncFunction(`${code}\nreturn keptnRunner.start;`);
  start = (await load()) as typeof start;
  if (typeof start !== "function") throw new TypeError("runner.js defines no start function");
} catch (error) {
  // The image or the package is broken (runner.js missing, cut or changed): one line, and the
  // exit code of a runner bug (EX_SOFTWARE).
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeLogLine("info", undefined, "fatal", `Runner failed: cannot load runner.js: ${reason}`);
  Deno.exit(70);
}
await start(host);

/** What `specifier` resolves to through the runner's import map, if it resolves. */
function resolves(specifier: string): string | undefined {
  try {
    return import.meta.resolve(specifier);
  } catch {
    return undefined;
  }
}
