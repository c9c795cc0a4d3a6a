// scripts/run-tests.mjs: the closing line CI reads counts every test that did not pass.
import { describe, expect, it } from "vitest";
import { runProcess } from "../helpers/run-process.js";

const CONFIG = "test/fixtures/harness/vitest.fixture.config.ts";

function runTests(files: string) {
  return runProcess(process.execPath, ["scripts/run-tests.mjs", "--config", CONFIG], {
    env: { ...process.env, FIXTURE_FILES: files },
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
});
