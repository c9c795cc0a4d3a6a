// Apart from settings.ts, so that the early start of a Python task (early-start.ts) computes
// the same environment without loading the runner's settings and the SDK.
import type { Runtime } from "./settings.js";

/** The variables a task started as a child gets on top of the environment it inherits. */
export function taskEnv(
  runtime: Runtime,
  env: Record<string, string>,
  tmpDir: string,
  pythonPath: string,
): Record<string, string> {
  if (runtime === "deno") {
    return {
      // Remote imports are cached here; a tmpfs works with a read-only root filesystem.
      DENO_DIR: env.DENO_DIR ?? `${tmpDir}/keptn-task-deno-dir`,
      NO_COLOR: env.NO_COLOR ?? "1",
    };
  }
  return {
    PYTHONUNBUFFERED: env.PYTHONUNBUFFERED ?? "1",
    // The keptn_task module ships next to the runner: importable without installing anything.
    ...(pythonPath === ""
      ? {}
      : { PYTHONPATH: [pythonPath, env.PYTHONPATH].filter(Boolean).join(":") }),
    PYTHONDONTWRITEBYTECODE: env.PYTHONDONTWRITEBYTECODE ?? "1",
  };
}
