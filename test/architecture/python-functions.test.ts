// Python functions are held to the TypeScript rule (biome's noExcessiveLinesPerFunction: 80 lines,
// blank lines not counted), read by Python's own parser.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/keptn-task-cli.js";

const MAX_LINES = 80;

/** Prints "path:line name length" for every function longer than the limit in the given files. */
const CHECK = `
import ast, sys
limit = int(sys.argv[1])
for path in sys.argv[2:]:
    source = open(path, encoding="utf-8").read()
    lines = source.split("\\n")
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            body = lines[start - 1 : node.end_lineno]
            length = sum(1 for line in body if line.strip())
            if length > limit:
                print(f"{path}:{node.lineno} {node.name}() {length} lines")
`;

function longFunctions(files: string[]): string[] {
  const out = execFileSync(PYTHON, ["-c", CHECK, String(MAX_LINES), ...files], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return out.split("\n").filter((line) => line !== "");
}

/** The Python this project ships: the SDK, and the runner's launcher and sitecustomize. */
function shippedPython(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== "__pycache__") walk(path);
      else if (entry.name.endsWith(".py")) found.push(path);
    }
  };
  walk("sdk-python");
  walk("runners/src/runner");
  return found;
}

describe("a Python function", () => {
  it("is checked in the SDK, its build backend and the runner's launcher", () => {
    const files = shippedPython();
    expect(files).toEqual(
      expect.arrayContaining([
        "sdk-python/keptn_task/task.py",
        "sdk-python/_build/backend.py",
        "runners/src/runner/task_launch.py",
      ]),
    );
  });

  it(`is found when it runs over ${MAX_LINES} lines (the check itself can fail)`, () => {
    const dir = mkdtempSync(join(tmpdir(), "keptn-task-py-size-"));
    const file = join(dir, "long.py");
    const body = Array.from({ length: MAX_LINES }, (_, i) => `    x${i} = ${i}\n`).join("");
    writeFileSync(file, `def long():\n${body}\n\ndef short():\n    pass\n`);
    expect(longFunctions([file])).toEqual([`${file}:1 long() ${MAX_LINES + 1} lines`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`is at most ${MAX_LINES} lines, as in TypeScript`, () => {
    expect(longFunctions(shippedPython())).toEqual([]);
  });
});
