// `keptn-task validate` as a CI gate on a GitOps repository: input without Keptn
// objects, and findings at the line and column of their field in each output format.
// Each rule has its own fixtures under test/fixtures/gitops.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess } from "../helpers/keptn-task-cli.js";
import { NAMESPACE, POSITIONS, textFindings } from "./validate-gitops-helpers.js";

describe("keptn-task validate: input without Keptn objects", () => {
  it("reports the definitions a workload names when there are none at all", async () => {
    const yaml = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "  namespace: shop",
      "  annotations: { keptn.sh/workload: web, keptn.sh/pre-deployment-tasks: notify }",
      "",
    ].join("\n");
    const result = await runCliInProcess(["validate", "-o", "json", "-"], { input: yaml });
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      objects: number;
      findings: { line: number; code: string }[];
    };
    expect(report.valid).toBe(false);
    expect(report.objects).toBe(1);
    expect(report.findings.map((f) => [f.line, f.code])).toEqual([
      [6, "TASK_DEFINITION_NOT_FOUND"],
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(65);
  });

  it("fails with nothing Keptn reads, and still prints the JSON document", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { a: b }\n";
    const line =
      'keptn-task: Cannot validate "-": no Keptn object (KeptnTaskDefinition, KeptnTask, KeptnAppContext, ...) and no workload naming a task or evaluation found';
    const json = await runCliInProcess(["validate", "-o", "json", "-"], { input: yaml });
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      objects: 1,
      errors: 0,
      warnings: 0,
      ignored: 0,
      skipped: [],
      findings: [],
      error: line.slice("keptn-task: ".length),
    });
    expect(json.stderrLines).toEqual([line]);
    expect(json.code).toBe(65);
    const text = await runCliInProcess(["validate", "-"], { input: yaml });
    expect(text.stdout).toBe("");
    expect(text.stderrLines).toEqual([line]);
    expect(text.code).toBe(65);
  });

  it("counts the objects it read when every one is invalid", async () => {
    const yaml = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata: { name: a }",
      "data: { key: not base64! }",
      "---",
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: { name: b }",
      "spec: { retries: many, deno: { inline: { code: x } } }",
      "",
    ].join("\n");
    const result = await runCliInProcess(["validate", "-"], { input: yaml });
    expect(textFindings(result.stdout).map((f) => [f.line, f.code])).toEqual([
      [4, "MANIFEST_INVALID"],
      [9, "MANIFEST_INVALID"],
    ]);
    expect(result.stderrLines).toEqual([
      "keptn-task: checked 2 objects in 1 file: 2 errors, 0 warnings",
    ]);
    expect(result.code).toBe(65);
  });
});

describe("keptn-task validate: where each finding is", () => {
  it("points at the field of each problem, not at its document", async () => {
    const file = `${POSITIONS}/invalid.yaml`;
    const result = await runCliInProcess(["validate", file]);
    expect(
      textFindings(result.stdout).map((f) => [
        f.line,
        f.column,
        f.code,
        f.rest.split(": Invalid")[0],
      ]),
    ).toEqual([
      [8, 3, "MANIFEST_INVALID", "KeptnTaskDefinition/shop/notify: spec.retries"],
      // An unknown key: at the key, under the field that holds it.
      [19, 5, "MANIFEST_INVALID", "KeptnTaskDefinition/shop/deploy-check: spec.deno"],
      // A key with a dot is written in brackets.
      [25, 3, "MANIFEST_INVALID", 'Secret/shop/webhook: data["config.json"]'],
      [33, 3, "DEFINITION_NOT_FOUND", expect.stringMatching(/^spec\.taskDefinition: KeptnTask/)],
    ]);
    expect(result.code).toBe(65);
  });

  it("passes the same objects once they are fixed", async () => {
    const result = await runCliInProcess(["validate", `${POSITIONS}/valid.yaml`]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  it("prints one finding as JSON with its file, line, column, path, code, level and message", async () => {
    const result = await runCliInProcess(["validate", NAMESPACE, "--output", "json"]);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      objects: 2,
      errors: 1,
      warnings: 0,
      ignored: 0,
      skipped: [],
      findings: [
        {
          file: `${NAMESPACE}/workload.yaml`,
          line: 8,
          column: 5,
          path: 'metadata.annotations["keptn.sh/pre-deployment-tasks"]',
          code: "TASK_DEFINITION_NOT_FOUND",
          level: "error",
          message:
            'Deployment "prod/checkout" has pre-deployment task "hello" (annotation keptn.sh/pre-deployment-tasks), but no KeptnTaskDefinition "hello" is in namespace "prod" or "keptn-system": Keptn waits for it forever, so the pre-deployment phase never ends and the rollout is blocked; there is one in namespace "default", where Keptn does not look: move it, or create it in "prod"',
          document: 1,
          object: "Deployment/prod/checkout",
        },
      ],
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(65);
  });

  it("prints one finding as a GitHub Actions workflow command with --output github", async () => {
    const result = await runCliInProcess(["validate", NAMESPACE, "--output", "github"]);
    expect(result.stdout).toBe(
      `::error file=${NAMESPACE}/workload.yaml,line=8,col=5,title=TASK_DEFINITION_NOT_FOUND::metadata.annotations["keptn.sh/pre-deployment-tasks"]: Deployment "prod/checkout" has pre-deployment task "hello" (annotation keptn.sh/pre-deployment-tasks), but no KeptnTaskDefinition "hello" is in namespace "prod" or "keptn-system": Keptn waits for it forever, so the pre-deployment phase never ends and the rollout is blocked; there is one in namespace "default", where Keptn does not look: move it, or create it in "prod"\n`,
    );
    expect(result.stderrLines).toEqual([
      "keptn-task: checked 2 objects in 2 files: 1 error, 0 warnings",
    ]);
    expect(result.code).toBe(65);
  });

  it("escapes what GitHub's workflow commands would read as syntax", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keptn-task-github-"));
    try {
      // A comma and a colon in the file name (property separators), a percent sign in the message.
      const file = join(dir, "a,b:c.yaml");
      writeFileSync(
        file,
        'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\ndata:\n  "100%": not base64!\n',
      );
      const result = await runCliInProcess(["validate", file, "-o", "github"]);
      const escaped = file.replaceAll(",", "%2C").replaceAll(":", "%3A");
      expect(result.stdout).toBe(
        `::error file=${escaped},line=5,col=3,title=MANIFEST_INVALID::Secret/default/s: data.100%25: Invalid Secret: not valid base64, which the API server refuses: encode the value with base64 (base64 -w0), or give it as text under stringData\n`,
      );
      expect(result.code).toBe(65);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
