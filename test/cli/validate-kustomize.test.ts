import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/keptn-task-cli.js";
import { findings, folder, PYTHON_LEVEL, removeScratch } from "./validate-keptn-traps-helpers.js";

afterAll(removeScratch);

describe("a kustomization's configMapGenerator holding a task's code", () => {
  const kustomization = (options: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
${options}configMapGenerator:
  - name: check-code
    files:
      - code=check.py
  - name: check-settings
    literals:
      - LEVEL=debug
`;
  const definition = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: check, namespace: shop }
spec:
  python:
    configMapRef: { name: check-code }
`;

  it("is read by validate, which checks the code at its line in the generator's file", async () => {
    const dir = folder({
      "kustomization.yaml": kustomization("generatorOptions: { disableNameSuffixHash: true }\n"),
      "check.py": 'print("checking")\nif True\n    print("broken")\n',
      "task.yaml": definition,
    });
    const result = await runCli(["validate", dir]);
    expect(findings(result.stdout)).toMatchObject([
      { file: join(dir, "check.py"), line: 2, level: PYTHON_LEVEL, code: "CODE_SYNTAX_ERROR" },
    ]);
    expect(result.stdout).toContain('ConfigMap "check-code" (code of "check", python)');
  });

  it("is found by run, as the Job mounts it", async () => {
    const dir = folder({
      "kustomization.yaml": kustomization("generatorOptions: { disableNameSuffixHash: true }\n"),
      "check.py": 'print("checked from a generated ConfigMap")\n',
      "task.yaml": definition,
    });
    const validated = await runCli(["validate", dir]);
    expect(validated.stdout).toBe("");
    expect(validated.code).toBe(0);
    const result = await runCli(["run", "check", "-f", dir]);
    expect(result.stdout).toBe("checked from a generated ConfigMap\n");
    expect(result.code).toBe(0);
  });

  it("says kustomize's name hash keeps Keptn from finding it, since configMapRef is not rewritten", async () => {
    const dir = folder({
      "kustomization.yaml": kustomization(""),
      "check.py": 'print("checked")\n',
      "task.yaml": definition,
    });
    const result = await runCli(["validate", dir]);
    expect(findings(result.stdout)).toMatchObject([
      { level: "warning", code: "CONFIGMAP_NOT_FOUND" },
    ]);
    expect(result.stdout).toMatch(/names it "check-code-[a-z0-9]{10}"/);
    expect(result.stdout).toContain("disableNameSuffixHash: true");
  });
});

describe("kustomize layering, as Keptn's examples/sample-app has it", () => {
  it("reads the base an overlay names and merges the overlay's patches, with no error", async () => {
    const dir = folder({
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - https://example.com/releases/v1/manifest.yaml
  - tasks.yaml
  - appcontext.yaml
patches:
  - path: patches/namespace.yaml
`,
      "base/tasks.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: container-sleep, namespace: shop }
spec:
  container: { name: sleep, image: busybox:1.36, command: [sleep, "1"] }
`,
      "base/appcontext.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnAppContext
metadata: { name: shop, namespace: shop }
`,
      "base/patches/namespace.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: { keptn.sh/lifecycle-toolkit: "enabled" }
`,
      "version-1/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base
patches:
  - path: appcontext.yaml
`,
      "version-1/appcontext.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnAppContext
metadata: { name: shop, namespace: shop }
spec:
  preDeploymentTasks: [container-sleep]
`,
    });
    const result = await runCli(["validate", join(dir, "version-1")]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      'Skipping "https://example.com/releases/v1/manifest.yaml": a remote resource of',
    );
    expect(result.code).toBe(0);
    // The overlay's patch names a definition the base does not have: found, at the patch.
    writeFileSync(
      join(dir, "version-1/appcontext.yaml"),
      "apiVersion: lifecycle.keptn.sh/v1\nkind: KeptnAppContext\nmetadata: { name: shop, namespace: shop }\nspec:\n  preDeploymentTasks: [container-slep]\n",
    );
    const typo = await runCli(["validate", join(dir, "version-1")]);
    expect(findings(typo.stdout)).toMatchObject([
      { file: join(dir, "version-1/appcontext.yaml"), line: 5, code: "TASK_DEFINITION_NOT_FOUND" },
    ]);
    expect(typo.stdout).toContain('did you mean "container-sleep"?');
  });
});
