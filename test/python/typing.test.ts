// keptn_task's public API is typed: pyright (a real type checker) reads a task's code with the
// package on its path and says what `task()` gives, and flags a misuse of the typed data.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";

const PYTHON = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).trim();
const PYRIGHT = join(ROOT, "node_modules/pyright/index.js");

interface Diagnostic {
  severity: string;
  message: string;
  range: { start: { line: number } };
}

async function pyright(...files: string[]) {
  const result = await runProcess(
    process.execPath,
    [PYRIGHT, "--outputjson", "--pythonpath", PYTHON, ...files],
    {
      cwd: ROOT,
      env: { PYTHONPATH: join(ROOT, "sdk-python") },
      timeoutMs: 120_000,
    },
  );
  return {
    code: result.code,
    diagnostics: (JSON.parse(result.stdout) as { generalDiagnostics: Diagnostic[] })
      .generalDiagnostics,
  };
}

describe("keptn_task's types", () => {
  it("type task().data by its data_schema: the dataclass, a dict, or the string map", async () => {
    const { diagnostics } = await pyright(join(ROOT, "test/fixtures/python/typed_task.py"));
    const revealed = diagnostics
      .filter((d) => d.severity === "information")
      .map((d) => d.message.replace(/^Type of "(.*)" is /, "$1: "));
    expect(revealed).toEqual([
      't: "Task[Params]"',
      't.data: "Params"',
      'task(None, Params).data: "Params"',
      'task().data: "Dict[str, str]"',
      'task(data_schema={ "port": int }).data: "Dict[str, Any]"',
      't.remaining_seconds(): "float"',
      't.deadline: "float | None"',
    ]);
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.range.start.line + 1, d.message.split("\n")[0]])).toEqual([
      [23, 'Type "int" is not assignable to declared type "str"'],
    ]);
  });

  it("hold in the package itself: pyright finds no error in keptn_task", async () => {
    const { code, diagnostics } = await pyright(join(ROOT, "sdk-python/keptn_task"));
    expect(diagnostics.filter((d) => d.severity !== "information")).toEqual([]);
    expect(code).toBe(0);
  });
});
