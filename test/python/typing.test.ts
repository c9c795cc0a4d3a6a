import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/python.js";
import { runProcess } from "../helpers/run-process.js";

const PYRIGHT = join(ROOT, "node_modules/pyright/index.js");

interface Diagnostic {
  file: string;
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
  const report = JSON.parse(result.stdout) as {
    generalDiagnostics: Diagnostic[];
    summary: { filesAnalyzed: number };
  };
  return { code: result.code, diagnostics: report.generalDiagnostics, summary: report.summary };
}

const TYPED_TASK = join(ROOT, "test/fixtures/python/typed_task.py");
const PACKAGE = join(ROOT, "sdk-python/keptn_task");

// One pyright run reads both the task fixture and the package (pyright starts slowly); each test
// looks at the diagnostics of its own files.
let checked: ReturnType<typeof pyright>;
beforeAll(() => {
  checked = pyright(TYPED_TASK, PACKAGE);
}, 120_000);

describe("keptn_task's types", () => {
  it("type task().data by its data_schema: the dataclass, a dict, or the string map", async () => {
    const diagnostics = (await checked).diagnostics.filter((d) => d.file === TYPED_TASK);
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
    const { diagnostics, summary } = await checked;
    const inPackage = diagnostics.filter((d) => d.file.startsWith(`${PACKAGE}/`));
    expect(inPackage.filter((d) => d.severity !== "information")).toEqual([]);
    // The package's modules were read: the fixture alone is one file.
    expect(summary.filesAnalyzed).toBeGreaterThan(10);
  });
});
