// What the direct-mode tests share: a scratch folder, the message of an abnormal end, and a way
// to run code as a Deno task. Each test file cleans the scratch folder in its own afterAll.
import { type RunnerOptions, runRunner, scratch } from "../helpers/runner.js";

export const tmp = scratch("keptn-direct-mode-");
export const ABNORMAL_END =
  "Task ended abnormally: killed by a signal or the kernel, or its top-level await never resolved";

/** Runs `code` as a Deno task; `pid` is the runner's own process id. */
export async function runTask(
  name: string,
  code: string,
  env: Record<string, string> = {},
  options: RunnerOptions = {},
) {
  const script = tmp.file(name, code);
  let pid: number | undefined;
  const result = await runRunner(
    "deno",
    { SCRIPT: script, ...env },
    {
      ...options,
      onSpawn: (child) => {
        pid = child.pid;
        options.onSpawn?.(child);
      },
    },
  );
  return { ...result, pid };
}
