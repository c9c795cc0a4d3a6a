/**
 * The entry point of the runner images: `deno run <flags> bootstrap.js <deno|python>`. It loads
 * the runner (`runner.js`, built from `runner-main.ts`) as a script, not as a module: Deno
 * analyses every module it loads, from scratch in an empty DENO_DIR as every Job's is, which cost
 * the runner's ~60 KB ~12 ms a start; compiled as a function body it costs ~2 ms (V8 compiles a
 * function only when it first runs). Everything the runner needs of `import.meta` it gets here.
 */
import type { RunnerHost } from "./runner-main.js";

const host: RunnerHost = {
  url: import.meta.url,
  dirname: import.meta.dirname ?? ".",
  sdkResolved: resolves("@keptn-task/sdk"),
};
const AsyncFunction = (async () => undefined).constructor as new (
  ...args: string[]
) => (host: RunnerHost) => Promise<void>;
let code: string;
try {
  code = Deno.readTextFileSync(`${host.dirname}/runner.js`);
} catch (error) {
  // The image or the package is broken: one line, and the exit code of a runner bug (EX_SOFTWARE).
  const reason = error instanceof Error ? error.message : String(error);
  const line = { level: "fatal", name: "keptn-task-runner", msg: `Runner failed: ${reason}` };
  Deno.stderr.writeSync(new TextEncoder().encode(`${JSON.stringify(line)}\n`));
  Deno.exit(70);
}
// runner.js declares `keptnRunner` (esbuild's IIFE, runners/scripts/build.mjs).
await new AsyncFunction("host", `${code}\nreturn keptnRunner.start(host);`)(host);

/** What `specifier` resolves to through the runner's import map, if it resolves. */
function resolves(specifier: string): string | undefined {
  try {
    return import.meta.resolve(specifier);
  } catch {
    return undefined;
  }
}
