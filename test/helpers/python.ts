// The machine's real python3, resolved once per test run: `python3` on PATH may be a shim
// (pyenv's costs ~150 ms a start, and stands between a test and the signals it sends). The run's
// global setup (run-cache.ts) resolves it and leaves it in KEPTN_TASK_TEST_PYTHON for every test
// file; a file run another way resolves it itself.
import { execFileSync } from "node:child_process";

/** Asks `python3` on PATH which interpreter it is. */
export function resolvePython(): string {
  return execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
    encoding: "utf8",
  }).trim();
}

/** The interpreter `python3` on PATH runs. */
export const PYTHON = process.env.KEPTN_TASK_TEST_PYTHON || resolvePython();
