// Helpers of the validate-keptn-traps tests: manifests written to a scratch folder, validated by
// the real command, its text findings parsed.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PYTHON, runCli } from "../helpers/keptn-task-cli.js";

/**
 * A Python syntax error is an error when the python3 at hand is as new as Keptn's image's (3.13),
 * and a warning when it is older (it may refuse newer syntax the image runs).
 */
export const PYTHON_LEVEL =
  execFileSync(PYTHON, ["-c", "import sys; print(sys.version_info >= (3, 13))"], {
    encoding: "utf8",
  }).trim() === "True"
    ? "error"
    : "warning";

/** This test file's scratch folder (each file that imports this module has its own). */
const scratch = mkdtempSync(join(tmpdir(), "keptn-task-traps-"));

/** Removes the scratch folder: each test file calls it in its afterAll. */
export const removeScratch = () => rmSync(scratch, { recursive: true, force: true });

let folders = 0;

/** Writes files into a new folder of the scratch directory and returns the folder. */
export function folder(files: Record<string, string>): string {
  folders += 1;
  const dir = join(scratch, `case-${folders}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A text finding: `FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE`. */
export interface Finding {
  file: string;
  line: number;
  column: number;
  level: string;
  code: string;
  rest: string;
}

export function findings(stdout: string): Finding[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^(.+?):(\d+):(\d+): (error|warning) ([A-Z_]+) (.*)$/.exec(line);
      if (match === null) throw new Error(`not a finding: ${line}`);
      const [, file = "", at = "", column = "", level = "", code = "", rest = ""] = match;
      return { file, line: Number(at), column: Number(column), level, code, rest };
    });
}

/** Validates one manifest file (more files beside it when given) and parses the findings. */
export async function validate(
  yaml: string,
  args: string[] = [],
  extra: Record<string, string> = {},
) {
  const dir = folder({ "manifests.yaml": yaml, ...extra });
  const result = await runCli(["validate", ...args, dir]);
  return { ...result, findings: findings(result.stdout), dir };
}

export const python = (cmdParameters: string) => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: py-task, namespace: shop }
spec:
  python:
    cmdParameters: "${cmdParameters}"
    inline:
      code: |
        print("task ran")
`;
