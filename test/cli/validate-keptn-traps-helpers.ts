// Helpers of the validate-keptn-traps tests: manifests written to a scratch folder, validated by
// the real command, its text findings parsed.
import { execFileSync } from "node:child_process";
import { PYTHON, runCli } from "../helpers/keptn-task-cli.js";
import { caseFolders, type TextFinding, textFindings } from "../helpers/validate-findings.js";

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

/** This test file's case folders (each file that imports this module has its own). */
const cases = caseFolders("keptn-task-traps-");

/** Removes the scratch folder: each test file calls it in its afterAll. */
export const removeScratch = cases.remove;

/** Writes files into a new folder of the scratch directory and returns the folder. */
export const folder = cases.folder;

export { type TextFinding as Finding, textFindings as findings };

/** Validates one manifest file (more files beside it when given) and parses the findings. */
export async function validate(
  yaml: string,
  args: string[] = [],
  extra: Record<string, string> = {},
) {
  const dir = folder({ "manifests.yaml": yaml, ...extra });
  const result = await runCli(["validate", ...args, dir]);
  return { ...result, findings: textFindings(result.stdout), dir };
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
