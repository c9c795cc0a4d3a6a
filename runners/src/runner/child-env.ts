/**
 * What a task started as a child process gets on top of the environment it inherits: the same
 * for the runner (main.ts) and the entry module's early start (early-start.ts), which compares
 * them before it lets a task run.
 */
import type { Runtime } from "./settings.js";

/** The variables a task started as a child gets on top of the environment it inherits. */
export function childEnv(
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

/**
 * A file a Deno task can write its termination message to, when it cannot write the runner's:
 * Deno opens a path under `/dev` (`/dev/termination-log` in a pod) only for a process with every
 * permission, which a task never has. The task gets its path as `KEPTN_TASK_TERMINATION_LOG`
 * (which the SDK's `fail()` and `succeed()` honour); the runner copies what it holds
 * (`adoptRelay`). `undefined` when no relay is needed.
 */
export async function terminationRelay(
  runtime: string,
  terminationLog: string,
  workDir: () => Promise<string>,
): Promise<string | undefined> {
  if (runtime !== "deno" || !terminationLog.startsWith("/dev/")) return undefined;
  try {
    // Not in Kubernetes (no such file): nothing to relay to.
    if (!Deno.statSync(terminationLog).isFile) return undefined;
  } catch {
    return undefined;
  }
  // In the runner's scratch directory, which only its user can enter.
  const relay = `${await workDir()}/termination-message`;
  Deno.writeTextFileSync(relay, "");
  return relay;
}
