// `keptn-task validate` as a CI gate on a GitOps repository: --ignore, -n, and folders that hold
// more than manifests (Helm charts, kustomizations, rendered output). Each rule has its own
// fixtures under test/fixtures/gitops.
import { describe, expect, it } from "vitest";
import { runCliInProcess } from "../helpers/keptn-task-cli.js";
import { HELM_REPO, NAMESPACE, REFERENCES, textFindings } from "./validate-gitops-helpers.js";

describe("keptn-task validate --ignore", () => {
  it("lets --strict pass the examples where Secrets are not kept in git", async () => {
    const result = await runCliInProcess([
      "validate",
      "--strict",
      "--ignore",
      "SECRET_NOT_FOUND",
      "--images",
      "keptn-task",
      "examples/",
    ]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^keptn-task: checked \d+ objects in \d+ files: valid \(3 findings ignored\)\n$/,
    );
    expect(result.code).toBe(0);
  });

  it("takes several codes, repeated or separated by commas", async () => {
    const invalid = `${REFERENCES}/invalid.yaml`;
    const definitions = `${REFERENCES}/definitions.yaml`;
    const repeated = await runCliInProcess([
      "validate",
      definitions,
      invalid,
      "--ignore",
      "TASK_DEFINITION_NOT_FOUND",
      "--ignore",
      "EVALUATION_DEFINITION_NOT_FOUND",
    ]);
    const commas = await runCliInProcess([
      "validate",
      definitions,
      invalid,
      "--ignore=TASK_DEFINITION_NOT_FOUND,EVALUATION_DEFINITION_NOT_FOUND",
    ]);
    for (const result of [repeated, commas]) {
      expect(result.stdout).toBe("");
      expect(result.stderrLines).toEqual([
        "keptn-task: checked 7 objects in 2 files: valid (8 findings ignored)",
      ]);
      expect(result.code).toBe(0);
    }
  });

  it.each([
    {
      given: "SECRET_NOT_FOUN",
      line: 'keptn-task: Cannot use --ignore "SECRET_NOT_FOUN" with "keptn-task validate": unknown code: did you mean SECRET_NOT_FOUND? (see keptn-task validate --help for the codes)',
    },
    {
      given: "secret_not_found",
      line: 'keptn-task: Cannot use --ignore "secret_not_found" with "keptn-task validate": unknown code: did you mean SECRET_NOT_FOUND? (see keptn-task validate --help for the codes)',
    },
    {
      given: "NOTHING_LIKE_IT",
      line: 'keptn-task: Cannot use --ignore "NOTHING_LIKE_IT" with "keptn-task validate": unknown code (see keptn-task validate --help for the codes)',
    },
    {
      given: "MANIFEST_INVALID",
      line: 'keptn-task: Cannot use --ignore "MANIFEST_INVALID" with "keptn-task validate": an object that cannot be read is not checked at all; fix it, or leave its file out',
    },
  ])("refuses --ignore $given as bad usage", async ({ given, line }) => {
    const result = await runCliInProcess(["validate", "examples/", "--ignore", given]);
    expect(result.stderrLines).toEqual([line]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(64);
  });
});

describe("keptn-task validate -n", () => {
  it("puts objects that name no namespace in the default namespace without -n", async () => {
    const result = await runCliInProcess(["validate", NAMESPACE]);
    const findings = textFindings(result.stdout);
    expect(findings.map((f) => [f.line, f.column, f.code])).toEqual([
      [8, 5, "TASK_DEFINITION_NOT_FOUND"],
    ]);
    expect(findings[0]?.rest).toContain('there is one in namespace "default"');
    expect(result.code).toBe(65);
  });

  it("puts them in the namespace of -n, as kubectl apply -n does", async () => {
    const result = await runCliInProcess(["validate", "-n", "prod", NAMESPACE]);
    expect(result.stdout).toBe("");
    expect(result.stderrLines).toEqual(["keptn-task: checked 2 objects in 2 files: valid"]);
    expect(result.code).toBe(0);
  });
});

describe("keptn-task validate on a folder with Helm charts and kustomizations", () => {
  it("skips the files that hold no manifest with a note each, and validates the rest", async () => {
    const result = await runCliInProcess(["validate", HELM_REPO]);
    expect(result.stdout).toBe("");
    expect(result.stderrLines).toEqual([
      `keptn-task: Skipping "${HELM_REPO}/chart/Chart.yaml": not a Kubernetes object (no apiVersion and kind): Helm values, a Chart.yaml or other configuration`,
      `keptn-task: Skipping "${HELM_REPO}/chart/templates/deployment.yaml": a template ("{{" at line 4, column 9), not a manifest: render it (helm template) and validate the output`,
      `keptn-task: Skipping "${HELM_REPO}/chart/templates/quoted.yaml": a template ("{{" at line 6, column 11), not a manifest: render it (helm template) and validate the output`,
      `keptn-task: Skipping "${HELM_REPO}/chart/values.yaml": not a Kubernetes object (no apiVersion and kind): Helm values, a Chart.yaml or other configuration`,
      `keptn-task: Skipping "${HELM_REPO}/kustomization.yaml": kustomize's configuration, not a manifest: validate the resources it names (or kustomize build's output)`,
      // tasks.yaml: braces in its inline code (a block scalar) do not make it a template.
      "keptn-task: checked 1 object in 1 file: valid",
    ]);
    expect(result.code).toBe(0);
  });

  it("lists the skipped files in the JSON report", async () => {
    const result = await runCliInProcess(["validate", HELM_REPO, "-o", "json"]);
    const report = JSON.parse(result.stdout) as { valid: boolean; skipped: { file: string }[] };
    expect(report.valid).toBe(true);
    expect(report.skipped.map((s) => s.file)).toEqual([
      `${HELM_REPO}/chart/Chart.yaml`,
      `${HELM_REPO}/chart/templates/deployment.yaml`,
      `${HELM_REPO}/chart/templates/quoted.yaml`,
      `${HELM_REPO}/chart/values.yaml`,
      `${HELM_REPO}/kustomization.yaml`,
    ]);
    expect(result.code).toBe(0);
  });

  it.each([
    {
      file: `${HELM_REPO}/chart/values.yaml`,
      at: "1:1",
      says: "Invalid manifest: expected a Kubernetes object with string fields apiVersion and kind",
    },
    {
      file: `${HELM_REPO}/chart/templates/deployment.yaml`,
      at: "4:9",
      says: 'Cannot read a template as manifests ("{{" at line 4, column 9): render it (helm template) and validate the output',
    },
  ])("reports $file as an error when it is named on its own", async ({ file, at, says }) => {
    const result = await runCliInProcess(["validate", file]);
    expect(result.stdout).toBe(`${file}:${at}: error MANIFEST_INVALID ${says}\n`);
    expect(result.code).toBe(65);
  });
});

describe("keptn-task validate on rendered output (helm template, kustomize build)", () => {
  it("reads template actions inside strings as text, and checks the objects", async () => {
    const file = "test/fixtures/gitops/rendered/all.yaml";
    const result = await runCliInProcess(["validate", file]);
    expect(
      textFindings(result.stdout).map(
        (f) => `${f.file}:${f.line}:${f.column} ${f.level} ${f.code}`,
      ),
    ).toEqual([`${file}:25:9 error TASK_DEFINITION_NOT_FOUND`]);
    expect(result.stdout).toContain('did you mean "notify"?');
    expect(result.code).toBe(65);
  });
});
