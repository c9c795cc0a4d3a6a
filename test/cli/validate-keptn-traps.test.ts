import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/keptn-task-cli.js";
import { PYTHON_LEVEL, python, removeScratch, validate } from "./validate-keptn-traps-helpers.js";

afterAll(removeScratch);

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
