// A Python task's uncaught exception ends the termination log (and so keptn-task run's summary)
// with its last line, masked, as a Deno task's does; plain Python code that never imports
// keptn_task included.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/keptn-task-cli.js";
import { runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-task-uncaught-");
afterAll(() => tmp.cleanup());

const SECRET = "hunter2-very-secret";

describe("a Python task's uncaught exception", () => {
  it("is the runner's termination message, masked, for plain code without keptn_task", async () => {
    const script = tmp.file(
      "plain.py",
      'import os\nraise ValueError("bad threshold for " + os.environ["SECURE_DATA"])\n',
    );
    const log = tmp.file("termination-plain", "");
    const result = await runRunner("python", {
      SCRIPT: script,
      SECURE_DATA: SECRET,
      KEPTN_TASK_TERMINATION_LOG: log,
    });
    expect(result.code).toBe(1);
    expect(readFileSync(log, "utf8")).toBe(
      "Task exited with code 1: uncaught ValueError: bad threshold for ***",
    );
    expect(result.stderr).toContain("Traceback (most recent call last)");
    expect(result.stderr + result.stdout).not.toContain(SECRET);
  });

  it("keeps a reason the task wrote itself with fail()", async () => {
    const script = tmp.file(
      "fails.py",
      'from keptn_task import task\nt = task()\nt.fail("Threshold refused", exit_code=3)\n',
    );
    const log = tmp.file("termination-fail", "");
    const result = await runRunner("python", { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log });
    expect(result.code).toBe(3);
    expect(readFileSync(log, "utf8")).toBe("Threshold refused");
  });

  it("ends keptn-task run's summary with the exception's last line, masked", async () => {
    const manifest = tmp.file(
      "py.yaml",
      `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: pyfail
spec:
  python:
    inline:
      code: |
        import os
        def check(limit):
            raise ValueError("bad threshold " + os.environ["SECURE_DATA"])
        check(3)
    secureParameters:
      secret: tok
`,
    );
    const result = await runCli(["run", "pyfail", "-f", manifest, "--secret", SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: pyfail \(inline, python, local\) failed with exit code 1 in .*: Task exited with code 1: uncaught ValueError: bad threshold \*\*\*$/,
    );
    expect(result.stderr + result.stdout).not.toContain(SECRET);
  });

  it("reports a SyntaxError as the line Python ends with", async () => {
    const script = tmp.file("syntax.py", "def broken(:\n    pass\n");
    const log = tmp.file("termination-syntax", "");
    const result = await runRunner("python", { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log });
    expect(result.code).toBe(1);
    expect(readFileSync(log, "utf8")).toMatch(/^Task exited with code 1: uncaught SyntaxError: /);
  });

  it("says nothing of its own when the task exits by sys.exit", async () => {
    const script = tmp.file("exits.py", "import sys\nsys.exit(4)\n");
    const log = tmp.file("termination-exit", "");
    const result = await runRunner("python", { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log });
    expect(result.code).toBe(4);
    expect(readFileSync(log, "utf8")).toBe("Task exited with code 4");
  });
});
