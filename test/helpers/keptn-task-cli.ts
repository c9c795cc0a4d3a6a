import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./deno.js";
import { PYTHON } from "./python.js";
import { type ProcessResult, type RunOptions, runProcess } from "./run-process.js";

/** The bin shim npm links as `keptn-task`. */
export const CLI = `${ROOT}runners/bin/keptn-task.js`;

export { PYTHON };

/** What a CLI run left behind. */
export interface CliResult extends ProcessResult {
  /** Files left in the run's own TMPDIR (a run must clean up after itself). */
  leftovers: string[];
  /** stderr split into lines, without the final empty one. */
  stderrLines: string[];
}

/** Options of `runCli`. */
export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Called with each stdout chunk and the CLI's process (to send it a signal, say). */
  onStdout?: RunOptions["onStdout"];
  /** Starts the CLI in its own process group (see `RunOptions.detached`). */
  detached?: boolean;
}

/**
 * Runs `keptn-task ARGS` from the repository root with a fresh, empty TMPDIR, and reports what
 * it left there.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const tmp = mkdtempSync(join(tmpdir(), "keptn-task-cli-"));
  try {
    const result = await runProcess(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      input: options.input ?? "",
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.onStdout === undefined ? {} : { onStdout: options.onStdout }),
      ...(options.detached === undefined ? {} : { detached: options.detached }),
      env: { TMPDIR: tmp, KEPTN_TASK_PYTHON: PYTHON, ...options.env },
    });
    return {
      ...result,
      leftovers: readdirSync(tmp),
      stderrLines: result.stderr.split("\n").filter((line) => line !== ""),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Options of `runCliInProcess`. */
export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
}

/**
 * Runs `keptn-task ARGS` inside the test's own process, through the command's `main(argv, io)`
 * with captured streams: for what argument handling, `validate` and `render` decide, without a
 * Node start per case. The environment is the one `runCli` gives (PATH, HOME, a fresh TMPDIR,
 * the real python3, then `env`). What needs a process of its own (the bin shim, signals, a task
 * run, a broken pipe) keeps `runCli`; each behaviour tested here keeps one `runCli` test too.
 */
export async function runCliInProcess(
  args: string[],
  options: InProcessOptions = {},
): Promise<CliResult> {
  const { main } = await import("../../runners/src/cli/main.js");
  const tmp = mkdtempSync(join(tmpdir(), "keptn-task-cli-"));
  let stdout = "";
  let stderr = "";
  const writer = (append: (text: string) => void) => ({
    write: (chunk: string | Uint8Array) => {
      append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    },
    once: (_event: "drain", listener: () => void) => listener(),
  });
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    TMPDIR: tmp,
    KEPTN_TASK_PYTHON: PYTHON,
    ...options.env,
  };
  try {
    const code = await main(args, {
      stdout: writer((text) => {
        stdout += text;
      }),
      stderr: writer((text) => {
        stderr += text;
      }),
      stdin: (async function* () {
        if (options.input !== undefined && options.input !== "") yield options.input;
      })(),
      env,
      cwd: options.cwd ?? ROOT,
      terminal: { stdout: false, stderr: false },
    });
    return {
      code,
      signal: null,
      stdout,
      stderr,
      leftovers: readdirSync(tmp),
      stderrLines: stderr.split("\n").filter((line) => line !== ""),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
