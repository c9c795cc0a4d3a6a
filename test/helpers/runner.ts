import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pythonEntryCommand, runnerDenoFlags } from "../../sdk/src/contract/index.js";
import { WORKLOAD_CONTEXT } from "../fixtures/keptn-context.js";
import { DENO, ROOT } from "./deno.js";
import { PYTHON } from "./python.js";
import { type ProcessResult, type RunOptions, runProcess } from "./run-process.js";

/** The bundled runner, as the images run it (`npm run build` writes it). */
export const RUNNER = `${ROOT}runners/dist/bootstrap.js`;

/** A KEPTN_CONTEXT as the operator writes it for a workload task. */
export const KEPTN_CONTEXT = JSON.stringify(WORKLOAD_CONTEXT);

/** The flags the images start the runner with (`--allow-all`, no prompts, its import map). */
export const IMAGE_FLAGS = runnerDenoFlags(`${ROOT}runners/dist/import-map.json`);

/**
 * How the runner runs a Deno task: `auto` (its default: a task with nothing to supervise runs in
 * the runner's own process) or `process` (`KEPTN_TASK_ISOLATION=process`: always a child).
 */
export type Isolation = "auto" | "process";

/** Options of `runRunner`. */
export type RunnerOptions = Omit<RunOptions, "env"> & {
  isolation?: Isolation;
  /** Deno flags to start the runner with instead of the images' (`IMAGE_FLAGS`). */
  flags?: readonly string[];
  /**
   * For a python task: start `bootstrap.js` itself rather than the Python entry in front of it,
   * as the python-runtime image starts (`false` only to compare the two).
   */
  entry?: boolean;
};

/** The Python entry the python-runtime image starts (`npm run build` copies it). */
export const PYTHON_ENTRY = `${ROOT}runners/dist/python_entry.py`;

/** The command the images start for `runtime`: `[command, ...args]`. */
export function runnerCommand(
  runtime: string,
  flags: readonly string[] = IMAGE_FLAGS,
  entry = true,
): string[] {
  const runner = [DENO, "run", ...flags, RUNNER, runtime];
  return runtime === "python" && entry ? pythonEntryCommand(PYTHON, PYTHON_ENTRY, runner) : runner;
}

/**
 * Runs the bundled runner with the pinned Deno as the images run it: `deno run <IMAGE_FLAGS>
 * bootstrap.js <runtime>`, with the variables the operator sets (KEPTN_CONTEXT, CMD_ARGS, SCRIPT
 * always) plus `env`.
 */
export function runRunner(
  runtime: string,
  env: Record<string, string | undefined>,
  options: RunnerOptions = {},
): Promise<ProcessResult> {
  const { isolation = "auto", flags = IMAGE_FLAGS, entry = true, ...rest } = options;
  const [command = DENO, ...args] = runnerCommand(runtime, flags, entry);
  return runProcess(command, args, {
    ...rest,
    env: operatorEnv(env, isolation),
  });
}

/**
 * The variables the operator always sets (KEPTN_CONTEXT, CMD_ARGS, SCRIPT), a TMPDIR, the real
 * python3 (not a shim on PATH: pyenv's costs ~150 ms a start), the isolation, then `env`.
 */
function operatorEnv(
  env: Record<string, string | undefined>,
  isolation: Isolation,
): Record<string, string | undefined> {
  return {
    KEPTN_CONTEXT,
    CMD_ARGS: "",
    SCRIPT: "",
    TMPDIR: tmpdir(),
    KEPTN_TASK_PYTHON: PYTHON,
    ...(isolation === "process" ? { KEPTN_TASK_ISOLATION: "process" } : {}),
    ...env,
  };
}

/** A scratch directory removed by `cleanup()`; `file(name, text)` writes into it. */
export function scratch(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name: string, text: string): string {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The runner's own JSON log lines on stderr (named "keptn-task-runner"). */
export function runnerLogLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.name === "keptn-task-runner");
}

/** `bytes` as a bash `$'...'` word: every byte as `\xNN`, so any byte but NUL survives. */
function bashBytes(bytes: Uint8Array): string {
  return `$'${Array.from(bytes, (b) => `\\x${b.toString(16).padStart(2, "0")}`).join("")}'`;
}

/**
 * `runRunner` with variables whose values are raw bytes (not valid UTF-8, say), as a Secret's
 * data can be: Node passes only strings to a child's environment, so bash exports them first.
 */
export function runRunnerWithBytes(
  runtime: string,
  env: Record<string, string | undefined>,
  bytes: Record<string, Uint8Array>,
  options: RunnerOptions = {},
): Promise<ProcessResult> {
  const { isolation = "auto", flags = IMAGE_FLAGS, entry = true, ...rest } = options;
  const exports = Object.entries(bytes)
    .map(([name, value]) => `export ${name}=${bashBytes(value)}; `)
    .join("");
  return runProcess(
    "bash",
    ["-c", `${exports}exec "$@"`, "bash", ...runnerCommand(runtime, flags, entry)],
    {
      ...rest,
      env: operatorEnv(env, isolation),
    },
  );
}
