// keptn-task init NAME: a task, its definition, its unit test and a CI workflow, in the folder
// it runs in; `keptn-task run NAME -f .` and `keptn-task test` pass at once. (From packed
// tarballs in an empty project: test/packages/init.test.ts.)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { SCHEMA_MODELINE, WORKFLOW_PATH } from "../../runners/src/cli/init-templates.js";
import { runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An empty folder for one test. */
function emptyFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "keptn-task-init-"));
  dirs.push(dir);
  return dir;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

describe("keptn-task init NAME", () => {
  it("writes a Deno task, its definition, its test and a workflow that run and pass", async () => {
    const dir = emptyFolder();
    const init = await runCli(["init", "check-threshold"], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stderrLines.slice(0, 4)).toEqual([
      "keptn-task: Wrote check-threshold.ts",
      "keptn-task: Wrote check-threshold.yaml",
      "keptn-task: Wrote check-threshold.test.ts",
      `keptn-task: Wrote ${WORKFLOW_PATH}`,
    ]);
    const run = await runCli(["run", "check-threshold", "-f", "."], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderrLines.at(-1)).toMatch(
      /^keptn-task: check-threshold \(inline, deno, local\) succeeded in .*: threshold 5 accepted$/,
    );
    const test = await runCli(["test"], { cwd: dir });
    expect(test.stdout).toMatch(/ok \| 2 passed \| 0 failed/);
    expect(test.code).toBe(0);
  });

  it("writes a Python task with --python, whose run and test pass", async () => {
    const dir = emptyFolder();
    const init = await runCli(["init", "notify-team", "--python"], { cwd: dir });
    expect(init.code).toBe(0);
    expect(existsSync(join(dir, "notify_team.py"))).toBe(true);
    expect(existsSync(join(dir, "test_notify_team.py"))).toBe(true);
    const run = await runCli(["run", "notify-team", "-f", "."], { cwd: dir });
    expect(run.stderrLines.at(-1)).toMatch(
      /^keptn-task: notify-team \(inline, python, local\) succeeded in .*: threshold 5 accepted$/,
    );
    const test = await runCli(["test"], { cwd: dir });
    expect(test.stderr).toMatch(/Ran 2 tests in .*\n\nOK\n/);
    expect(test.code).toBe(0);
  });

  it("puts the task's own code inline in a definition whose first line names the schema", async () => {
    const dir = emptyFolder();
    await runCliInProcess(["init", "gate"], { cwd: dir });
    const yaml = read(dir, "gate.yaml");
    expect(yaml.split("\n")[0]).toBe(SCHEMA_MODELINE);
    expect(SCHEMA_MODELINE).toBe(
      "# yaml-language-server: $schema=./node_modules/@keptn-task/sdk/schemas/keptn-task-definition.schema.json",
    );
    const [document] = parseAllDocuments(yaml);
    expect(document?.toJS()).toMatchObject({
      kind: "KeptnTaskDefinition",
      metadata: { name: "gate" },
      spec: { deno: { inline: { code: read(dir, "gate.ts") } } },
    });
  });

  it("writes a workflow that validates for GitHub and runs the tests, kept for a second task", async () => {
    const dir = emptyFolder();
    await runCliInProcess(["init", "first"], { cwd: dir });
    const workflow = read(dir, WORKFLOW_PATH);
    expect(workflow).toContain("- run: npx keptn-task validate --images keptn-task -o github .\n");
    expect(workflow).toContain("- run: npx keptn-task test\n");
    writeFileSync(join(dir, WORKFLOW_PATH), `${workflow}# edited\n`);
    const second = await runCliInProcess(["init", "second", "--python"], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stderrLines).toContain(
      `keptn-task: Kept ${WORKFLOW_PATH}: it checks every task of this folder`,
    );
    expect(read(dir, WORKFLOW_PATH)).toBe(`${workflow}# edited\n`);
    // A project's own files and installed packages are no manifests: left out without a word.
    writeFileSync(join(dir, "package.json"), '{"name": "tasks"}\n');
    writeFileSync(join(dir, "package-lock.json"), '{"lockfileVersion": 3}\n');
    mkdirSync(join(dir, "node_modules/some-package"), { recursive: true });
    writeFileSync(join(dir, "node_modules/some-package/action.yml"), "name: not a manifest\n");
    const validate = await runCli(["validate", "--images", "keptn-task", "-o", "github", "."], {
      cwd: dir,
    });
    expect(validate.stdout).toBe("");
    expect(validate.stderrLines).toEqual(["keptn-task: checked 2 objects in 2 files: valid"]);
    const test = await runCli(["test"], { cwd: dir });
    expect(test.code).toBe(0);
  });

  it("writes nothing over an existing file, naming it, with exit code 64", async () => {
    const dir = emptyFolder();
    writeFileSync(join(dir, "gate.ts"), "// mine\n");
    const result = await runCliInProcess(["init", "gate"], { cwd: dir });
    expect(result.code).toBe(64);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot write the task: "gate.ts" exists: remove it, or pick another name',
    ]);
    expect(read(dir, "gate.ts")).toBe("// mine\n");
    expect(existsSync(join(dir, "gate.yaml"))).toBe(false);
  });

  it("refuses a name Kubernetes would refuse, saying what a name is", async () => {
    const dir = emptyFolder();
    const result = await runCliInProcess(["init", "Check_Threshold"], { cwd: dir });
    expect(result.code).toBe(64);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot use "Check_Threshold" as a task name with "keptn-task init": a task name is lower-case letters, digits and -, starting and ending with a letter or digit (metadata.name)',
    ]);
  });

  it("refuses test files that do not exist, naming them, with exit code 64", async () => {
    const dir = emptyFolder();
    const result = await runCliInProcess(["test", "nope.test.ts", "test_nope.py"], { cwd: dir });
    expect(result.stderrLines).toEqual([
      `keptn-task: Cannot test "nope.test.ts", "test_nope.py" with "keptn-task test": no such file: give the path of a test file, from "${dir}"`,
    ]);
    expect(result.code).toBe(64);
  });

  it("fails the test command when a generated test fails, with the test runner's code", async () => {
    const dir = emptyFolder();
    await runCliInProcess(["init", "gate"], { cwd: dir });
    writeFileSync(join(dir, "gate.ts"), read(dir, "gate.ts").replace("> 10", "> 20"));
    const test = await runCli(["test"], { cwd: dir });
    expect(test.stdout).toMatch(/1 passed \| 1 failed/);
    expect(test.code).toBe(1);
  });

  it("fails the test command when a Python test ends the process with os._exit(256)", async () => {
    const dir = emptyFolder();
    writeFileSync(
      join(dir, "test_exit.py"),
      "import os, unittest\n\nclass T(unittest.TestCase):\n    def test_exit(self):\n        os._exit(256)\n",
    );
    const test = await runCli(["test"], { cwd: dir });
    expect(test.code).toBe(1);
  });

  it("fails the test command on a type error in the task's own code, as deno test does", async () => {
    const dir = emptyFolder();
    await runCliInProcess(["init", "gate"], { cwd: dir });
    writeFileSync(
      join(dir, "gate.ts"),
      `${read(dir, "gate.ts")}\nexport const limit: number = "ten";\n`,
    );
    const test = await runCli(["test"], { cwd: dir });
    expect(test.stderr).toMatch(
      /TS2322 \[ERROR\]: Type 'string' is not assignable to type 'number'/,
    );
    expect(test.code).toBe(1);
  });
});
