/**
 * `keptn-task test [FILE...]`: runs a task's unit tests as `keptn-task run` runs the task: Deno
 * tests with the pinned Deno and the runner's import map (`@keptn-task/sdk` and
 * `@keptn-task/sdk/testing` offline), Python tests with `keptn_task` on `PYTHONPATH`.
 */
import { spawn } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import { UsageError } from "@keptn-task/sdk";
import { runnerDenoFlags } from "@keptn-task/sdk/contract";
import type { Command } from "./args.js";
import type { CliContext } from "./io.js";
import { findDeno, findPython, findRunner } from "./runtime-paths.js";

/** Deno test files, and Python ones, by name. */
const DENO_TEST = /\.test\.(ts|tsx|mts|js|mjs)$/;
const PYTHON_TEST = /^test_.*\.py$|\.py$/;

export const testCommand: Command = {
  name: "test",
  options: {},
  help: `Usage: keptn-task test [FILE...]

Runs a task's unit tests with what runs the task: Deno test files (*.test.ts) with the pinned
Deno (deno test) and the runner's import map, so @keptn-task/sdk and @keptn-task/sdk/testing
load offline; Python test files (test_*.py) with python3 -m unittest and keptn_task on
PYTHONPATH. Without FILE: every *.test.ts and test_*.py in the current folder.

Exit codes: 0 every test passed; the test runner's own code when one failed; 64 bad arguments
or no test file; 127 deno or python3 cannot be found.

Examples:
  keptn-task test
  keptn-task test check-threshold.test.ts test_notify.py
`,
  async run(args, context) {
    const given = [...args.positionals];
    const files = given.length > 0 ? given : await testFiles(context);
    const deno = files.filter((file) => DENO_TEST.test(file));
    const python = files.filter((file) => !DENO_TEST.test(file) && PYTHON_TEST.test(file));
    const other = files.filter((file) => !deno.includes(file) && !python.includes(file));
    if (other.length > 0) {
      throw new UsageError(
        `Cannot test ${other.map((f) => `"${f}"`).join(", ")} with "keptn-task test": expected Deno test files (*.test.ts) or Python ones (*.py)`,
      );
    }
    // What the folder's listing found exists; what was named may not.
    const missing = [];
    for (const file of given) {
      const found = await stat(resolve(context.io.cwd, file)).catch(() => undefined);
      if (found?.isFile() !== true) missing.push(file);
    }
    if (missing.length > 0) {
      throw new UsageError(
        `Cannot test ${missing.map((f) => `"${f}"`).join(", ")} with "keptn-task test": no such file: give the path of a test file, from "${context.io.cwd}"`,
      );
    }
    if (files.length === 0) {
      throw new UsageError(
        `Cannot run "keptn-task test": no *.test.ts or test_*.py in "${context.io.cwd}": give the test files, or start a task with keptn-task init NAME`,
      );
    }
    const env = context.io.env;
    const dist = dirname(findRunner(env));
    let code = 0;
    if (deno.length > 0) {
      // The runner's flags, with the configuration that skips checking the SDK's declaration
      // files (runners/scripts/build.mjs) instead of none (`deno test` takes no --no-code-cache).
      const flags = [
        ...runnerDenoFlags(join(dist, "import-map.json")).filter(
          (flag) => !["--allow-all", "--no-config", "--no-code-cache"].includes(flag),
        ),
        `--config=${join(dist, "deno-test.json")}`,
      ];
      code = await pass(findDeno(env), ["test", ...flags, ...deno], context, {});
    }
    if (python.length > 0 && code === 0) {
      const path = [join(dist, "python"), env.PYTHONPATH].filter(Boolean).join(delimiter);
      const launcher = join(dist, "task_launch.py");
      code = await pass(findPython(env), ["-c", guardedUnittest(launcher), ...python], context, {
        PYTHONPATH: path,
      });
    }
    return code;
  },
};

/**
 * `python3 -m unittest`, with `os._exit` (and `posix._exit`) ending through the launcher's
 * `guard_os_exit` as a task does: `os._exit(256)` in a test would otherwise end the run with 0.
 */
function guardedUnittest(launcher: string): string {
  return [
    "import runpy, sys",
    "from importlib.util import module_from_spec, spec_from_file_location",
    `spec = spec_from_file_location("keptn_task_launch", ${JSON.stringify(launcher)})`,
    "launch = module_from_spec(spec); spec.loader.exec_module(launch)",
    "launch.guard_os_exit()",
    "sys.argv[0] = 'python -m unittest'",
    "runpy.run_module('unittest', run_name='__main__', alter_sys=True)",
  ].join("\n");
}

/** Every test file in the current folder, in name order. */
async function testFiles(context: CliContext): Promise<string[]> {
  const names = await readdir(context.io.cwd);
  return names.filter((name) => DENO_TEST.test(name) || /^test_.*\.py$/.test(name)).sort();
}

/** Runs a test runner with this command's output and environment; resolves with its exit code. */
function pass(
  command: string,
  args: readonly string[],
  context: CliContext,
  extra: Readonly<Record<string, string>>,
): Promise<number> {
  const { io } = context;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: io.cwd,
      // Deno colours its report even into a pipe: not when our output is no terminal.
      env: { ...io.env, ...(io.terminal?.stdout === true ? {} : { NO_COLOR: "1" }), ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => io.stdout.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => io.stderr.write(chunk));
    child.on("error", (error) => {
      context.note(`Cannot start "${command}": ${error.message}`);
      resolve(127);
    });
    child.on("close", (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128)));
  });
}
