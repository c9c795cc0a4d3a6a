import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/keptn-task-cli.js";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";
import { readVectors, VECTOR_FILES } from "../helpers/vectors.js";

// The shared test vectors (test/vectors/*.json) against keptn_task: test_vectors.py, run by the
// machine's real python3 with the package on PYTHONPATH as the python runner puts it there. It
// names one test per case (test_NNN_<case> in a class per file); each must have run and passed,
// and there must be as many as the file has cases, so an emptied or skipped file cannot pass.

/** context.json -> ContextVectors, secure-data.json -> SecureDataVectors. */
const className = (file: string) =>
  `${file
    .replace(/\.json$/, "")
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("")}Vectors`;

let result: ProcessResult;
/** Per class, the verbose lines of its vector tests: [test name, outcome]. */
const outcomes = new Map<string, [string, string][]>();

beforeAll(async () => {
  result = await runProcess(PYTHON, ["-m", "unittest", "-v", "test_vectors"], {
    cwd: join(ROOT, "test/python"),
    env: { PYTHONPATH: join(ROOT, "sdk-python"), PYTHONDONTWRITEBYTECODE: "1" },
    timeoutMs: 120_000,
  });
  // Python 3.11+: "test_000_x (test_vectors.ContextVectors.test_000_x) ... ok"; 3.10: no method.
  const line = /^(test_\d{3}_\w*) \(test_vectors\.(\w+)(?:\.\w+)?\) \.\.\. (.*)$/gm;
  for (const [, name = "", cls = "", outcome = ""] of result.stderr.matchAll(line)) {
    outcomes.set(cls, [...(outcomes.get(cls) ?? []), [name, outcome]]);
  }
});

describe("keptn_task against the shared test vectors", () => {
  it("passes every test of test_vectors.py", () => {
    expect(result.stderr).toMatch(/\n\nOK\n$/);
    expect(result.code, result.stderr).toBe(0);
  });

  for (const file of VECTOR_FILES) {
    it(`runs and passes one test per case of ${file}`, () => {
      const cases = readVectors(file).cases;
      const ran = outcomes.get(className(file)) ?? [];
      expect(cases.length).toBeGreaterThan(0);
      expect(ran.filter(([, outcome]) => outcome !== "ok")).toEqual([]);
      expect(ran.map(([name]) => name.slice(0, 8))).toEqual(
        cases.map((_, index) => `test_${String(index).padStart(3, "0")}`),
      );
    });
  }
});
