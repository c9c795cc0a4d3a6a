// `keptn-task validate` against what silently breaks or skips tasks on a real Keptn cluster
// (checked against keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384): one
// test per case, each written before its fix and seen failing.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { PYTHON, runCli } from "../helpers/keptn-task-cli.js";

/**
 * A Python syntax error is an error when the python3 at hand is as new as Keptn's image's (3.13),
 * and a warning when it is older (it may refuse newer syntax the image runs).
 */
const PYTHON_LEVEL =
  execFileSync(PYTHON, ["-c", "import sys; print(sys.version_info >= (3, 13))"], {
    encoding: "utf8",
  }).trim() === "True"
    ? "error"
    : "warning";

const scratch = mkdtempSync(join(tmpdir(), "keptn-task-traps-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;

/** Writes files into a new folder of the scratch directory and returns the folder. */
function folder(files: Record<string, string>): string {
  folders += 1;
  const dir = join(scratch, `case-${folders}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A text finding: `FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE`. */
interface Finding {
  file: string;
  line: number;
  column: number;
  level: string;
  code: string;
  rest: string;
}

function findings(stdout: string): Finding[] {
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
async function validate(yaml: string, args: string[] = [], extra: Record<string, string> = {}) {
  const dir = folder({ "manifests.yaml": yaml, ...extra });
  const result = await runCli(["validate", ...args, dir]);
  return { ...result, findings: findings(result.stdout), dir };
}

const python = (cmdParameters: string) => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: py-task, namespace: shop }
spec:
  python:
    cmdParameters: "${cmdParameters}"
    inline:
      code: |
        print("task ran")
`;

describe("keptn-task validate: what Keptn breaks or skips is not called valid", () => {
  it("1. refuses python cmdParameters with --, which make Keptn's image run the next word as the script", async () => {
    const result = await validate(python("-u -- --env prod"));
    expect(result.findings).toMatchObject([
      { level: "error", code: "PYTHON_CMD_PARAMETERS", line: 6, column: 5 },
    ]);
    expect(result.findings[0]?.rest).toContain('"--env"');
    expect(result.findings[0]?.rest).toContain("fails on every retry");
    expect(result.code).toBe(65);
  });

  it("2. refuses python cmdParameters that make Keptn's image skip the script and succeed", async () => {
    for (const cmd of ["-h", "-V", "-c print(1)", "-m http.server", "-", "-i", "-ui", "main.py"]) {
      const result = await validate(python(cmd));
      expect(result.findings, cmd).toMatchObject([
        { level: "error", code: "PYTHON_CMD_PARAMETERS" },
      ]);
      expect(result.code, cmd).toBe(65);
    }
    // Options that leave the script alone stay valid.
    const plain = await validate(python("-u -B -W error -X dev"));
    expect(plain.findings).toEqual([]);
    expect(plain.code).toBe(0);
  });

  it("3. warns that Keptn's deno-runtime ignores cmdParameters, which run passes as Deno.args", async () => {
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: deno-task, namespace: shop }
spec:
  deno:
    cmdParameters: "--verbose"
    inline:
      code: console.log(Deno.args);
`);
    expect(result.findings).toMatchObject([
      { level: "warning", code: "DENO_CMD_PARAMETERS_IGNORED", line: 6 },
    ]);
    // This project's images pass them on as Deno.args.
    const ours = await runCli(["validate", "--images", "keptn-task", result.dir]);
    expect(ours.stdout).toBe("");
  });

  it("4. refuses a mistyped kind of Keptn's API groups, with the kind it meant", async () => {
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefiniton
metadata: { name: hello, namespace: shop }
spec:
  deno:
    inline: { code: "console.log(1)" }
`);
    expect(result.findings).toMatchObject([{ level: "error", code: "MANIFEST_INVALID", line: 2 }]);
    expect(result.findings[0]?.rest).toContain('did you mean "KeptnTaskDefinition"?');
    expect(result.stderr).not.toContain("valid");
    expect(result.code).toBe(65);
    // A kind of another Keptn group: the group it is in.
    const group = await validate(`apiVersion: metrics.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: hello, namespace: shop }
`);
    expect(group.findings[0]?.rest).toContain(
      "KeptnTaskDefinition is in lifecycle.keptn.sh: use apiVersion lifecycle.keptn.sh/v1",
    );
  });

  it("5. checks every Keptn kind against the schema of Keptn's CRD: unknown fields with a suggestion, types, enums", async () => {
    const yaml = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnAppContext
metadata: { name: shop, namespace: shop }
spec:
  preDeploymentTask: [notify]
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnApp
metadata: { name: shop, namespace: shop }
spec:
  version: "1"
  workloads:
    - { name: cart, version: 2 }
---
apiVersion: metrics.keptn.sh/v1
kind: KeptnMetricsProvider
metadata: { name: prom, namespace: shop }
spec:
  type: prometheus
  targetServer: http://prometheus:9090
  secretKeyRef: { name: prom-token, keyy: token }
---
apiVersion: metrics.keptn.sh/v1
kind: KeptnMetric
metadata: { name: rate, namespace: shop }
spec:
  provider: { name: prom }
  query: rate(x[1m])
  fetchIntervalSeconds: "ten"
  range: { interval: 5m, aggregation: p50 }
---
apiVersion: metrics.keptn.sh/v1
kind: AnalysisDefinition
metadata: { name: slo, namespace: shop }
spec:
  objectives:
    - analysisValueTemplateRef: { name: rate }
      target: { failure: { lessThan: { fixedValue: 1 } } }
      weight: 1
  totalScore: { passPercentage: 90, warningPercentage: 75 }
---
apiVersion: metrics.keptn.sh/v1
kind: AnalysisValueTemplate
metadata: { name: rate, namespace: shop }
spec:
  provider: { name: prom }
  querry: rate(x[1m])
---
apiVersion: metrics.keptn.sh/v1
kind: Analysis
metadata: { name: run, namespace: shop }
spec:
  timeframe: { recent: 5m }
  analysisDefinition: { name: slo }
  argz: { env: prod }
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnEvaluationDefinition
metadata: { name: eval, namespace: shop }
spec:
  objectives:
    - keptnMetricRef: { name: rate, namespace: shop }
      evaluationTarget: "<1"
      extra: true
`;
    const result = await validate(yaml);
    const lineOf = (text: string) => yaml.split("\n").findIndex((l) => l.includes(text)) + 1;
    const at = result.findings.map((f) => [f.line, f.code, f.rest.slice(0, f.rest.indexOf(":"))]);
    expect(at).toEqual([
      [lineOf("preDeploymentTask:"), "MANIFEST_INVALID", "KeptnAppContext/shop/shop"],
      [lineOf("version: 2"), "MANIFEST_INVALID", "KeptnApp/shop/shop"],
      [lineOf("keyy"), "MANIFEST_INVALID", "KeptnMetricsProvider/shop/prom"],
      [lineOf("fetchIntervalSeconds"), "MANIFEST_INVALID", "KeptnMetric/shop/rate"],
      [lineOf("aggregation: p50"), "MANIFEST_INVALID", "KeptnMetric/shop/rate"],
      [lineOf("querry"), "MANIFEST_INVALID", "AnalysisValueTemplate/shop/rate"],
      [lineOf("argz"), "MANIFEST_INVALID", "Analysis/shop/run"],
      [lineOf("extra: true"), "MANIFEST_INVALID", "KeptnEvaluationDefinition/shop/eval"],
    ]);
    const text = result.stdout;
    expect(text).toContain('spec: Invalid KeptnAppContext: unknown field "preDeploymentTask"');
    expect(text).toContain('did you mean "preDeploymentTasks"?');
    expect(text).toContain('did you mean "key"?');
    expect(text).toContain('did you mean "query"?');
    expect(text).toContain('did you mean "args"?');
    expect(text).toContain("spec.workloads.0.version: Invalid KeptnApp: must be string");
    expect(text).toContain("spec.fetchIntervalSeconds: Invalid KeptnMetric: must be integer");
    expect(text).toContain(
      'spec.range.aggregation: Invalid KeptnMetric: must be one of "p90", "p95", "p99"',
    );
    expect(result.code).toBe(65);
  });

  it("6. warns about an annotation or label key near one Keptn reads, which it ignores", async () => {
    const result = await validate(
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: shop }
spec:
  selector: { matchLabels: { app: cart } }
  template:
    metadata:
      labels:
        app: cart
        app.kubernetes.io/name: cart
        app.kubernetes.io/part-off: shop
      annotations:
        keptn.sh/pre-deployment-task: notify
    spec:
      containers: [{ name: cart, image: cart:1 }]
`,
      [],
      {
        "tasks.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: notify, namespace: shop }
spec:
  deno: { inline: { code: "console.log(1)" } }
`,
      },
    );
    expect(result.findings.map((f) => [f.line, f.level, f.code])).toEqual([
      [11, "warning", "METADATA_KEY_NEAR_MISS"],
      [13, "warning", "METADATA_KEY_NEAR_MISS"],
    ]);
    expect(result.stdout).toContain('did you mean "app.kubernetes.io/part-of"?');
    expect(result.stdout).toContain('did you mean "keptn.sh/pre-deployment-tasks"?');
  });

  it("7. reports a syntax error in inline Deno and Python code at its line inside the manifest", async () => {
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: deno-broken, namespace: shop }
spec:
  deno:
    inline:
      code: |
        const a = 1;
        console.log(a +);
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: py-broken, namespace: shop }
spec:
  python:
    inline:
      code: |
        print("ok")
        def broken(:
            pass
---
apiVersion: v1
kind: ConfigMap
metadata: { name: py-code, namespace: shop }
data:
  code: |
    import os
    if True
        print(os.name)
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: py-from-configmap, namespace: shop }
spec:
  python:
    configMapRef: { name: py-code }
`);
    expect(result.findings.map((f) => [f.line, f.level, f.code])).toEqual([
      [9, "error", "CODE_SYNTAX_ERROR"],
      [19, PYTHON_LEVEL, "CODE_SYNTAX_ERROR"],
      [28, PYTHON_LEVEL, "CODE_SYNTAX_ERROR"],
    ]);
    expect(result.findings[0]?.column).toBeGreaterThan(9);
    expect(result.findings[1]?.rest).toContain("py-broken");
    expect(result.code).toBe(65);
  });

  it("8. refuses spec.function in a v1 object, which kubectl apply refuses as an unknown field", async () => {
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: old-style, namespace: shop }
spec:
  deno:
    inline: { code: "console.log(1)" }
  function:
    inline: { code: "console.log(2)" }
`);
    expect(result.findings).toMatchObject([{ level: "error", code: "MANIFEST_INVALID", line: 7 }]);
    expect(result.findings[0]?.rest).toContain('unknown field "function"');
    expect(result.code).toBe(65);
  });
});

describe("keptn-task validate: what Keptn runs is not refused, and the right component is blamed", () => {
  it("9. warns, not refuses, a functionRef cycle whose parent has code: Keptn follows one level and runs it", async () => {
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: self, namespace: shop }
spec:
  deno:
    functionRef: { name: self }
    inline: { code: "console.log('self')" }
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: a, namespace: shop }
spec:
  deno:
    functionRef: { name: b }
    inline: { code: "console.log('a')" }
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: b, namespace: shop }
spec:
  deno:
    functionRef: { name: a }
    inline: { code: "console.log('b')" }
`);
    expect(result.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(result.findings.map((f) => f.code)).not.toContain("CYCLE");
    expect(result.code).toBe(0);
  });

  it("10. takes the timeouts the CRD and Go take, and blames the operator for those only it refuses", async () => {
    const timeout = (value: string) => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: timed, namespace: shop }
spec:
  timeout: "${value}"
  deno: { inline: { code: "console.log(1)" } }
`;
    for (const value of ["+90s", ".5m", "1h30m"]) {
      const result = await validate(timeout(value));
      expect(result.findings, value).toEqual([]);
    }
    for (const value of ["-5m", "abc5m"]) {
      const result = await validate(timeout(value));
      expect(result.findings, value).toMatchObject([{ level: "error", code: "TIMEOUT_INVALID" }]);
      expect(result.stdout, value).not.toContain("kubectl apply");
      expect(result.stdout, value).toContain("the API server accepts it");
    }
  });

  it("11. says a definition without spec passes the CRD and is refused by Keptn's webhook", async () => {
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: empty, namespace: shop }
`);
    expect(result.findings).toMatchObject([{ level: "error", code: "NO_RUNTIME" }]);
    expect(result.findings[0]?.rest).toContain("admission webhook");
    expect(result.findings[0]?.rest).toContain("no spec");
  });

  it("12. takes a file: httpRef URL for Keptn's stock images, which run it, but not for this project's", async () => {
    const yaml = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: baked-in, namespace: shop }
spec:
  deno:
    httpRef: { url: "file:///opt/tasks/check.ts" }
`;
    const stock = await validate(yaml);
    expect(stock.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(stock.code).toBe(0);
    const ours = await runCli(["validate", "--images", "keptn-task", stock.dir]);
    expect(findings(ours.stdout)).toMatchObject([{ level: "error", code: "HTTPREF_FILE" }]);
  });

  it("13. says tasks in a namespace without keptn.sh/lifecycle-toolkit: enabled never run, instead of blocking the rollout", async () => {
    const result = await validate(`apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { keptn.sh/lifecycle-toolkit: enabled }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: shop }
spec:
  selector: { matchLabels: { app: cart } }
  template:
    metadata:
      annotations:
        keptn.sh/workload: cart
        keptn.sh/pre-deployment-tasks: not-there
    spec:
      containers: [{ name: cart, image: cart:1 }]
`);
    expect(result.findings.map((f) => [f.level, f.code])).toEqual([
      ["error", "NAMESPACE_NOT_ENABLED"],
    ]);
    expect(result.stdout).toContain("annotation");
    expect(result.stdout).not.toContain("rollout is blocked");
  });

  it("14. renders an emptyDir sizeLimit as the API server stores it (0.5Gi is 512Mi)", async () => {
    const dir = folder({
      "container.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: sized, namespace: shop }
spec:
  container:
    name: sized
    image: busybox:1.36
    resources: { limits: { memory: 0.5Gi } }
    volumeMounts: [{ name: scratch, mountPath: /scratch }]
`,
    });
    const result = await runCli(["render", "sized", "-f", dir]);
    const job = parseAllDocuments(result.stdout)
      .map((d) => d.toJS() as { kind: string; spec: { template: { spec: unknown } } })
      .find((o) => o.kind === "Job");
    expect(job?.spec.template.spec).toMatchObject({
      volumes: [{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "512Mi" } }],
    });
  });
});

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
