import { type ChildProcess, spawn } from "node:child_process";

/**
 * Listens for errors on a child's stdin, stdout and stderr. A pipe to a process that has exited
 * fails with EPIPE (or ECONNRESET); without a listener that error is unhandled and fails the
 * whole test run, whatever the tests said.
 */
export function ignorePipeErrors(child: ChildProcess): void {
  for (const stream of [child.stdin, child.stdout, child.stderr])
    stream?.on("error", () => undefined);
}

/** What a finished process left behind. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of `runProcess`. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Called with each stdout chunk; lets a test react (e.g. send a signal once the task is ready). */
  onStdout?: (chunk: string, child: import("node:child_process").ChildProcess) => void;
  /** Called once the process is started. */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  /**
   * Starts the process in its own process group, so a test can signal the group as a terminal's
   * Ctrl-C does: `process.kill(-child.pid, "SIGINT")`.
   */
  detached?: boolean;
}

/**
 * Runs a real process to its end and collects its output. The environment is exactly `env`
 * plus PATH and HOME, as a Job's container starts with a clean environment.
 */
/** Children still running, killed when this process ends (a test that timed out left them). */
const running = new Set<import("node:child_process").ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function runProcess(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
    };
    for (const [key, value] of Object.entries(options.env ?? {}))
      if (value !== undefined) env[key] = value;
    const child = spawn(command, args, {
      env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      detached: options.detached ?? false,
    });
    running.add(child);
    child.once("exit", () => running.delete(child));
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      try {
        if (options.detached === true && child.pid !== undefined)
          process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone already
      }
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 60_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk, child);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // A child may exit before it reads its input (a usage error, a signal test): writing to it
    // then fails with EPIPE, which is the child's business, not the test's. Every pipe gets a
    // listener, so no such error is ever unhandled; the exit code and output tell the story.
    ignorePipeErrors(child);
    child.on("error", reject);
    options.onSpawn?.(child);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A process that exits (or closes its stdin) before reading it: EPIPE is no test's failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
