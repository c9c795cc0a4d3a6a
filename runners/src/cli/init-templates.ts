/**
 * What `keptn-task init NAME` writes: a task, its KeptnTaskDefinition, a unit test of it with the
 * SDK's testing entry point, and a CI workflow. Pure text; `init.ts` writes the files.
 */

/** The JSON schema of KeptnTaskDefinitions that `@keptn-task/sdk` ships, for editors. */
export const DEFINITION_SCHEMA_PATH =
  "./node_modules/@keptn-task/sdk/schemas/keptn-task-definition.schema.json";

/** The first line of a generated definition: editors with the YAML language server check it. */
export const SCHEMA_MODELINE = `# yaml-language-server: $schema=${DEFINITION_SCHEMA_PATH}`;

/** Where the CI workflow goes, from the folder `init` runs in. */
export const WORKFLOW_PATH = ".github/workflows/keptn-task.yml";

/** The files of one task, by runtime. */
export interface TaskFiles {
  /** The task's code (`NAME.ts`, `NAME_WITH_UNDERSCORES.py`). */
  readonly task: string;
  /** Its unit test. */
  readonly test: string;
  /** Its definition. */
  readonly definition: string;
}

/** The file names of task `name`: Python modules cannot have a `-` in their name. */
export function taskFiles(name: string, runtime: "deno" | "python"): TaskFiles {
  if (runtime === "deno") {
    return { task: `${name}.ts`, test: `${name}.test.ts`, definition: `${name}.yaml` };
  }
  const module = name.replace(/[-.]/g, "_");
  return { task: `${module}.py`, test: `test_${module}.py`, definition: `${name}.yaml` };
}

/** The Deno task: options and handler exported for its test, run when Keptn runs the file. */
export function denoTask(name: string): string {
  return `// The "${name}" Keptn task. Run it:  npx keptn-task run ${name} -f . --code ${name}.ts
// Test it:  npx keptn-task test
import { run, type TaskHandler, z } from "@keptn-task/sdk";

/** DATA (the definition's parameters, strings as Keptn passes them), typed and checked. */
export const options = {
  data: z.object({ threshold: z.number().int().min(0).default(5) }),
};

/** Return to succeed (the string is the reason Kubernetes shows); throw to fail. */
export const handler: TaskHandler<typeof options> = (t) => {
  const { threshold } = t.data;
  t.log.info({ threshold }, \`Checking \${t.context.workloadName || "a local run"}\`);
  if (threshold > 10) throw new Error(\`threshold \${threshold} is over 10\`);
  return \`threshold \${threshold} accepted\`;
};

// Keptn runs this file; a test imports the handler without running the task.
if (import.meta.main) await run(options, handler);
`;
}

/** The Deno task's unit test, for `deno test` (through `keptn-task test`). */
export function denoTest(name: string): string {
  return `import assert from "node:assert/strict";
import { runHandler } from "@keptn-task/sdk/testing";
import { handler, options } from "./${name}.ts";

Deno.test("${name} accepts a threshold up to 10", async () => {
  const result = await runHandler(options, handler, { data: { threshold: 7 } });
  assert.equal(result.exitCode, 0);
  assert.equal(result.reason, "threshold 7 accepted");
});

Deno.test("${name} fails above 10, saying why", async () => {
  const result = await runHandler(options, handler, { data: { threshold: 12 } });
  assert.equal(result.exitCode, 1);
  assert.equal(result.reason, "threshold 12 is over 10");
});
`;
}

/** The Python task: OPTIONS and handler for its test, run when Keptn runs the file. */
export function pythonTask(name: string, file: string): string {
  return `"""The "${name}" Keptn task. Run it:  npx keptn-task run ${name} -f . --code ${file}
Test it:  npx keptn-task test
"""

from typing import Any, Dict

from keptn_task import Task, run

#: DATA's fields and their types: Keptn passes strings, converted here.
DATA = {"threshold": int}


def handler(t: Task[Dict[str, Any]]) -> str:
    """Return to succeed (the string is the reason Kubernetes shows); raise to fail."""
    threshold = t.data["threshold"]
    t.log.info("Checking %s", t.context.workload_name or "a local run")
    if threshold > 10:
        raise ValueError(f"threshold {threshold} is over 10")
    return f"threshold {threshold} accepted"


# Keptn runs this file; a test imports the handler without running the task.
if __name__ == "__main__":
    run(handler, data=DATA)
`;
}

/** The Python task's unit test, for `python3 -m unittest` (through `keptn-task test`). */
export function pythonTest(name: string, module: string): string {
  return `import unittest

from keptn_task.testing import run_handler

from ${module} import DATA, handler


class ${className(name)}Test(unittest.TestCase):
    def test_accepts_a_threshold_up_to_10(self) -> None:
        result = run_handler(handler, {"data": DATA}, data={"threshold": 7})
        self.assertEqual(result.exit_code, 0)
        self.assertEqual(result.reason, "threshold 7 accepted")

    def test_fails_above_10_saying_why(self) -> None:
        result = run_handler(handler, {"data": DATA}, data={"threshold": 12})
        self.assertEqual(result.exit_code, 1)
        self.assertEqual(result.reason, "threshold 12 is over 10")


if __name__ == "__main__":
    unittest.main()
`;
}

/** `check-threshold` -> `CheckThreshold`. */
function className(name: string): string {
  return name
    .split(/[-.]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** The definition, with the task's code inline (Keptn stores it in a ConfigMap). */
export function definition(name: string, runtime: "deno" | "python", code: string): string {
  const indented = code
    .split("\n")
    .map((line) => (line === "" ? "" : `        ${line}`))
    .join("\n");
  return `${SCHEMA_MODELINE}
# The "${name}" task, as Keptn runs it. The inline code is a copy of ${taskFiles(name, runtime).task}:
# while editing, run the file itself with --code; copy it here again before you deploy.
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: ${name}
spec:
  ${runtime}:
    parameters:
      map:
        threshold: "5"
    inline:
      code: |
${indented.replace(/\n+$/, "")}
`;
}

/**
 * The CI workflow, one for every task of the folder: each definition checked as the operator
 * reads it, then every unit test.
 */
export function workflow(): string {
  return `# Checks the Keptn tasks of this folder on every push and pull request: each definition as
# the Keptn operator reads it (findings shown on the pull request's lines), then the unit tests.
name: keptn-task
on: [push, pull_request]
jobs:
  tasks:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - run: npm ci
      - run: npx keptn-task validate --images keptn-task -o github .
      - run: npx keptn-task test
`;
}
