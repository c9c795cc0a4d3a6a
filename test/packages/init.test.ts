// From nothing to a tested task with the packages as users get them: packed tarballs installed
// into an empty project outside the repository, nothing of this checkout on PATH, no
// KEPTN_TASK_* setting. `npx keptn-task init`, then run and test, for Deno and for Python.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installedOnce, pathOutsideRepository, removeAll } from "../helpers/packages.js";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";

let project: string;

beforeAll(async () => {
  project = await installedOnce("tool", (tarballs) => [tarballs.sdk, tarballs.runners]);
  mkdirSync(join(project, "tmp"));
}, 300_000);

afterAll(() => removeAll(project));

/** `npx keptn-task ARGS` in the project. */
function npx(args: string[]): Promise<ProcessResult> {
  return runProcess("npx", ["--no-install", "keptn-task", ...args], {
    cwd: project,
    env: { PATH: pathOutsideRepository(), TMPDIR: join(project, "tmp") },
    timeoutMs: 180_000,
  });
}

describe("keptn-task init from packed tarballs, in an empty project", () => {
  it("starts a Deno task that runs as its Job would and whose unit test passes", async () => {
    const init = await npx(["init", "check-threshold"]);
    expect(init.code, init.stderr).toBe(0);
    const run = await npx(["run", "check-threshold", "-f", "."]);
    expect(run.stderr).toMatch(
      /keptn-task: check-threshold \(inline, deno, local\) succeeded in .*: threshold 5 accepted\n$/,
    );
    expect(run.code).toBe(0);
    const test = await npx(["test", "check-threshold.test.ts"]);
    expect(test.stdout).toMatch(/ok \| 2 passed \| 0 failed/);
    expect(test.code).toBe(0);
  });

  it("starts a Python task that runs as its Job would and whose unit test passes", async () => {
    const init = await npx(["init", "notify-team", "--python"]);
    expect(init.code, init.stderr).toBe(0);
    const run = await npx(["run", "notify-team", "-f", "."]);
    expect(run.stderr).toMatch(
      /keptn-task: notify-team \(inline, python, local\) succeeded in .*: threshold 5 accepted\n$/,
    );
    const test = await npx(["test", "test_notify_team.py"]);
    expect(test.stderr).toMatch(/Ran 2 tests in .*\n\nOK\n/);
    expect(test.code).toBe(0);
  });

  it("validates both definitions for GitHub as the generated workflow does", async () => {
    const result = await npx(["validate", "--images", "keptn-task", "-o", "github", "."]);
    expect(result.stderr).toBe("keptn-task: checked 2 objects in 2 files: valid\n");
    expect(result.code).toBe(0);
  });

  it("runs the main help's example as it is written", async () => {
    const help = await npx(["--help"]);
    const example = /^ {2}(keptn-task init hello && .*)$/m.exec(help.stdout)?.[1] ?? "";
    expect(example).toBe("keptn-task init hello && keptn-task run hello -f . && keptn-task test");
    const result = await runProcess("bash", ["-c", example], {
      cwd: project,
      env: {
        PATH: `${join(project, "node_modules/.bin")}:${pathOutsideRepository()}`,
        TMPDIR: join(project, "tmp"),
      },
      timeoutMs: 180_000,
    });
    expect(result.stderr).toContain("hello (inline, deno, local) succeeded");
    expect(result.code).toBe(0);
  });
});
