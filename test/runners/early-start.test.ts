// A Python task's interpreter starts before the runner has checked the task's settings, so the
// two start-ups overlap (runners/src/early-start.ts). It runs nothing of the task until the
// checks pass: these tests hold it to that, and to giving the task what a late start gives it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../helpers/run-process.js";
import { runnerLogLines, runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-early-start-");
afterAll(() => tmp.cleanup());
const LAUNCHER = join(import.meta.dirname, "../../runners/dist/task_launch.py");
const DEBUG = { KEPTN_TASK_RUNNER_LOG_LEVEL: "debug" };

/** Whether the runner's "Running task" line says the interpreter was started early. */
function startedEarly(stderr: string): unknown {
  return runnerLogLines(stderr).find((line) => line.msg === "Running task")?.startedEarly;
}

/** A task that leaves a file behind when it runs, and prints what its stdin is. */
function markerTask(name: string) {
  const marker = join(tmp.dir, `${name}.ran`);
  const script = tmp.file(
    `${name}.py`,
    `import os, sys\nopen(${JSON.stringify(marker)}, "w").close()\nprint(os.readlink("/proc/self/fd/0"), sys.argv[0] == __file__)\n`,
  );
  return { marker, script };
}

describe("a Python task started early", () => {
  it("runs once the checks pass, with /dev/null as stdin and its own file as argv[0]", async () => {
    const { marker, script } = markerTask("plain");
    const result = await runRunner("python", { SCRIPT: script, ...DEBUG });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("/dev/null True\n");
    expect(existsSync(marker)).toBe(true);
    expect(startedEarly(result.stderr)).toBe(true);
  });

  it("starts late, as before, when CMD_ARGS give the interpreter options", async () => {
    const { script } = markerTask("options");
    const result = await runRunner("python", { SCRIPT: script, CMD_ARGS: "-u", ...DEBUG });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("/dev/null True\n");
    expect(startedEarly(result.stderr)).toBe(false);
  });

  it("runs masked with SECURE_DATA, its output through the runner", async () => {
    const script = tmp.file("secret.py", 'import os\nprint("token", os.environ["SECURE_DATA"])\n');
    const env = { SCRIPT: script, SECURE_DATA: "s3cr3t-early", ...DEBUG };
    const result = await runRunner("python", env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("token ***\n");
    expect(startedEarly(result.stderr)).toBe(true);
  });

  it.each([
    ["DATA that is not JSON", { DATA: "not json" }, 78],
    ["KEPTN_CONTEXT that is not JSON", { KEPTN_CONTEXT: "{" }, 78],
    ["a bad runner option", { KEPTN_TASK_GRACE_SECONDS: "soon" }, 78],
  ])("never runs the task when the checks refuse %s", async (_, env, code) => {
    const { marker, script } = markerTask(`refused-${code}-${Object.keys(env)[0]}`);
    const result = await runRunner("python", { SCRIPT: script, ...env });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });

  it("ends with nothing run when the runner names no file (it refused, or ended first)", async () => {
    const { marker } = markerTask("unnamed");
    const result = await runProcess("python3", [LAUNCHER, "--keptn-task-await-start"], {
      input: "",
    });
    expect(result.code).toBe(64);
    expect(result.stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });
});
