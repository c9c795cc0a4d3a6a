// keptn_task's handler form, as the TS SDK's: run(handler, data=...) ends a real task by the
// handler's outcome, and keptn_task.testing.run_handler gives a unit test the exit code, the
// reason and the masked log lines. The shared cases are in test/vectors/handlers.json.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-task-py-run-"));

const TASK = `from dataclasses import dataclass
from keptn_task import Task, run


@dataclass
class Params:
    threshold: int


def handler(t: Task[Params]) -> str:
    t.log.info(f"checking with {t.secure_data}")
    if t.data.threshold > 10:
        raise ValueError(f"threshold {t.data.threshold} is over 10")
    return f"threshold {t.data.threshold} accepted"


if __name__ == "__main__":
    run(handler, data=Params)
`;

const UNIT_TEST = `import unittest
from task import Params, handler
from keptn_task.testing import run_handler


class HandlerTest(unittest.TestCase):
    def test_refuses_a_high_threshold(self) -> None:
        result = run_handler(handler, {"data": Params}, data={"threshold": 12}, secure_data="tok-98765")
        self.assertEqual(result.exit_code, 1)
        self.assertEqual(result.reason, "threshold 12 is over 10")
        self.assertEqual(result.logs[0]["msg"], "checking with ***")


if __name__ == "__main__":
    unittest.main()
`;

writeFileSync(join(dir, "task.py"), TASK);
writeFileSync(join(dir, "test_task.py"), UNIT_TEST);
const PYTHONPATH = join(ROOT, "sdk-python");

async function runTask(data: string) {
  const log = join(dir, "termination-log");
  writeFileSync(log, "");
  const result = await runProcess(PYTHON, ["task.py"], {
    cwd: dir,
    env: {
      PYTHONPATH,
      DATA: data,
      SECURE_DATA: "tok-98765",
      KEPTN_TASK_TERMINATION_LOG: log,
    },
  });
  return { ...result, reason: readFileSync(log, "utf8") };
}

describe("keptn_task.run(handler, data=...)", () => {
  it("succeeds with the returned string as the reason", async () => {
    const result = await runTask('{"threshold": "5"}');
    expect(result.code).toBe(0);
    expect(result.reason).toBe("threshold 5 accepted");
    expect(result.stdout).toContain('"msg":"checking with ***"');
    expect(result.stdout).not.toContain("tok-98765");
  });

  it("fails with the exception's message, exit code 1, the traceback in the log line", async () => {
    const result = await runTask('{"threshold": "12"}');
    expect(result.code).toBe(1);
    expect(result.reason).toBe("threshold 12 is over 10");
    const line = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(line).toMatchObject({ level: "error", msg: "threshold 12 is over 10", exitCode: 1 });
    expect(line.err.stack).toContain("ValueError: threshold 12 is over 10");
  });

  it("ends with 78 and the issue list for an invalid DATA, before the handler runs", async () => {
    const result = await runTask('{"threshold": "many"}');
    expect(result.code).toBe(78);
    expect(result.reason).toBe(
      'Invalid task environment: DATA.threshold: Invalid input: expected number, received "many"',
    );
  });
});

describe("keptn_task.testing.run_handler", () => {
  it("runs the same handler in a unit test, which passes", async () => {
    const result = await runProcess(PYTHON, ["-m", "unittest", "-v", "test_task"], {
      cwd: dir,
      env: { PYTHONPATH, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(result.stderr).toMatch(/test_refuses_a_high_threshold .* ok\n/);
    expect(result.code).toBe(0);
  });

  it("is typed: pyright reads the handler's data and the result", async () => {
    const result = await runProcess(
      process.execPath,
      [
        join(ROOT, "node_modules/pyright/index.js"),
        "--outputjson",
        "--pythonpath",
        PYTHON,
        join(ROOT, "test/fixtures/python/typed_run.py"),
      ],
      { cwd: ROOT, env: { PYTHONPATH }, timeoutMs: 120_000 },
    );
    const diagnostics = (
      JSON.parse(result.stdout) as {
        generalDiagnostics: {
          severity: string;
          message: string;
          range: { start: { line: number } };
        }[];
      }
    ).generalDiagnostics;
    expect(
      diagnostics
        .filter((d) => d.severity === "information")
        .map((d) => d.message.replace(/^Type of "(.*)" is /, "$1: ")),
    ).toEqual([
      't.data.threshold: "int"',
      't.data: "dict[str, str]"',
      'result: "TestResult"',
      'result.exit_code: "int"',
      'result.reason: "str | None"',
    ]);
    expect(
      diagnostics.filter((d) => d.severity === "error").map((d) => d.range.start.line + 1),
    ).toEqual([38]);
  });
});
