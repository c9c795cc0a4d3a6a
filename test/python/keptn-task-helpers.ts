import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON } from "../helpers/python.js";
import { type RunOptions, runProcess } from "../helpers/run-process.js";

// What the tests of the Python package `keptn_task` (sdk-python) share: the machine's real python3,
// with PYTHONPATH set as the python runner sets it and the variables as the operator sets them.
// The scratch folder `dir` is one per process running tests (test files may share one, and
// this module), removed when that process ends.
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export { PYTHON };

export const dir = mkdtempSync(join(tmpdir(), "keptn-task-python-"));
process.once("exit", () => rmSync(dir, { recursive: true, force: true }));

export function runPython(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: Omit<RunOptions, "env" | "cwd"> = {},
) {
  return runProcess(PYTHON, args, {
    ...options,
    cwd: ROOT,
    env: { PYTHONPATH: join(ROOT, "sdk-python"), PYTHONDONTWRITEBYTECODE: "1", ...env },
  });
}

export const fixture = (name: string) => join(ROOT, "test/fixtures/python", name);

/** Runs `code` as task code (`python3 -c`). */
export const runCode = (code: string, env: Record<string, string | undefined> = {}) =>
  runPython(["-c", code], env);

export const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

export const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/** KEPTN_CONTEXT as the lifecycle-operator writes it for a workload post-deployment task. */
export const context = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    workloadName: "podtato-head-entry",
    appName: "podtato-head",
    appVersion: "",
    workloadVersion: "0.3.1",
    taskType: "post",
    objectType: "Workload",
    metadata: { traceparent: TRACEPARENT, team: "checkout" },
    ...overrides,
  });

export const SECRET = "hunter2-secret-value";

// Names of shared vector cases (test/vectors/data.json) whose messages several tests use.
export const NOT_NUMBERS = "strings that are not numbers stay strings, and the schema says so";
export const NOT_STRINGS = "values that are not strings, each named, before any schema is applied";

/** The issues a failed `print_task.py` reported on stderr. */
export function configFailure(stderr: string): {
  exitCode: number;
  message: string;
  issues: [string, string, string][];
} {
  return JSON.parse(stderr.trim());
}
