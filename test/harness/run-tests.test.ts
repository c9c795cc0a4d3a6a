// scripts/run-tests.mjs: the closing line CI reads counts every test that did not pass.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../helpers/run-process.js";

const CONFIG = "test/fixtures/harness/vitest.fixture.config.ts";
const scratch = mkdtempSync(join(tmpdir(), "keptn-task-run-tests-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs the script on fixture files. Its totals go to a file of the test's own: never to the
 * one of the run this test is part of (.ci/run sets KEPTN_TASK_TEST_TOTALS for the whole run).
 */
function runTests(files: string, totals = join(scratch, "unused-totals")) {
  return runProcess(process.execPath, ["scripts/run-tests.mjs", "--config", CONFIG], {
    env: { ...process.env, FIXTURE_FILES: files, KEPTN_TASK_TEST_TOTALS: totals },
  });
}

describe("scripts/run-tests.mjs", () => {
  it("counts the tests of a file whose hook threw as failed, not skipped", async () => {
    const { code, stdout } = await runTests("test/fixtures/harness/*.fixture.ts");
    const last = stdout.trimEnd().split("\n").at(-1);
    expect(last).toBe("1 passed, 2 failed");
    expect(code).toBe(1);
  });

  it("ends with 0 when every test passed", async () => {
    const { code, stdout } = await runTests("test/fixtures/harness/passes.fixture.ts");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("appends its totals to KEPTN_TASK_TEST_TOTALS, as .ci/run adds them up", async () => {
    const totals = join(scratch, "totals");
    await runTests("test/fixtures/harness/*.fixture.ts", totals);
    await runTests("test/fixtures/harness/passes.fixture.ts", totals);
    expect(readFileSync(totals, "utf8")).toBe("1 2 0\n1 0 0\n");
  });
});
