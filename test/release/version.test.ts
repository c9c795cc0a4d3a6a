// One version, continued where processes must start (test/packages/version.test.ts is in the
// unit project, which starts none): what `keptn-task --version` prints and what the Python
// package's own backend builds.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/python.js";
import { runProcess } from "../helpers/run-process.js";

const version = (
  JSON.parse(readFileSync(`${ROOT}runners/package.json`, "utf8")) as { version: string }
).version;

describe("the project's version", () => {
  it("is what keptn-task --version prints", async () => {
    const result = await runProcess(process.execPath, [
      `${ROOT}runners/bin/keptn-task.js`,
      "--version",
    ]);
    expect(result.stdout).toMatch(
      new RegExp(`^keptn-task ${version.replaceAll(".", "\\.")} \\(deno `),
    );
  });

  it("is the version of the wheel and sdist the package's own backend builds", () => {
    const out = mkdtempSync(join(tmpdir(), "keptn-task-wheel-"));
    try {
      const built = execFileSync(
        PYTHON,
        [
          "-c",
          "import sys; sys.path.insert(0, sys.argv[1]); import backend; print(backend.build_wheel(sys.argv[2])); print(backend.build_sdist(sys.argv[2]))",
          `${ROOT}sdk-python/_build`,
          out,
        ],
        { encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } },
      );
      expect(built.trim().split("\n")).toEqual([
        `keptn_task-${version}-py3-none-any.whl`,
        `keptn_task-${version}.tar.gz`,
      ]);
      const metadata = execFileSync(
        PYTHON,
        [
          "-c",
          "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
          join(out, `keptn_task-${version}-py3-none-any.whl`),
          `keptn_task-${version}.dist-info/METADATA`,
        ],
        { encoding: "utf8" },
      );
      expect(metadata).toMatch(new RegExp(`^Version: ${version.replaceAll(".", "\\.")}$`, "m"));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
