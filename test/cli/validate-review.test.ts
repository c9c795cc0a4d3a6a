import { afterAll, describe, expect, it } from "vitest";
import { renderJob, resolveTask } from "../../sdk/src/definitions/index.js";
import { fixtureCatalog } from "../helpers/definition-fixtures.js";
import { runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";
import { caseFolder, removeCaseFolders, validateCase } from "../helpers/review-cases.js";
import { textFindings } from "../helpers/validate-findings.js";

afterAll(removeCaseFolders);
const folder = caseFolder;
const findings = textFindings;
const validate = validateCase;

const metric = (range: string) => `apiVersion: metrics.keptn.sh/v1
kind: KeptnMetric
metadata: { name: latency, namespace: shop }
spec:
  provider: { name: prometheus }
  query: "histogram_quantile(0.9, rate(http_bucket[1m]))"
  fetchIntervalSeconds: 10
  range:
${range}
`;

const analysis = (timeframe: string) => `apiVersion: metrics.keptn.sh/v1
kind: Analysis
metadata: { name: check, namespace: shop }
spec:
  analysisDefinition: { name: slo }
  timeframe:
${timeframe}
`;

const deno = (name: string, extra: string, namespace = "shop") => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  deno:
${extra}
`;

const deployment = (podMetadata: string, own = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
${own}
spec:
  selector: { matchLabels: { app: cart } }
  template:
    metadata:
${podMetadata}
    spec:
      containers:
        - { name: web, image: "ghcr.io/shop/cart:1.2.0" }
        - { name: proxy, image: "envoyproxy/envoy:v1.31" }
`;

const container = (fields: string) => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: ctr, namespace: shop }
spec:
  container:
    name: task
    image: busybox:1.36
${fields}
`;

const python = (cmd: string) => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: py, namespace: shop }
spec:
  python:
    cmdParameters: "${cmd}"
    inline:
      code: |
        assert 1 + 1 == 2, "arithmetic"
        print("ran")
`;

describe("keptn-task validate: the review's cases", () => {
  // metrics-operator/api/v1/keptnmetric_webhook.go: interval and a non-empty step must parse as
  // Go durations; step and aggregation come together.
  it("1a. refuses a KeptnMetric range that Keptn's metrics webhook refuses", async () => {
    const bad = await validate(metric('    interval: "5 minutes"\n    step: "1x"'));
    // The webhook reports every rule broken: the step is no duration, and it has no aggregation.
    expect(bad.findings.map((f) => [f.code, f.line])).toEqual([
      ["MANIFEST_INVALID", 9],
      ["MANIFEST_INVALID", 10],
      ["MANIFEST_INVALID", 10],
    ]);
    expect(bad.findings[0]?.rest).toContain("spec.range.interval");
    expect(bad.findings[0]?.rest).toContain("metrics webhook");
    const step = await validate(metric('    interval: "5m"\n    step: "1m"'));
    expect(step.findings.map((f) => f.rest)).toEqual([
      expect.stringContaining("spec.range.step is set without spec.range.aggregation"),
    ]);
    const aggregation = await validate(metric('    interval: "5m"\n    aggregation: avg'));
    expect(aggregation.findings.map((f) => f.rest)).toEqual([
      expect.stringContaining("spec.range.aggregation is set without spec.range.step"),
    ]);
    const good = await validate(
      metric('    interval: "1h30m"\n    step: "1m"\n    aggregation: p90'),
    );
    expect(good.findings).toEqual([]);
    expect(good.code).toBe(0);
  });

  // metrics-operator/api/v1/analysis_webhook.go: recent alone, or from and to with to after from.
  it("1b. refuses an Analysis timeframe that Keptn's metrics webhook refuses", async () => {
    const cases: [string, string][] = [
      ['    recent: 5m\n    from: "2024-01-01T00:00:00Z"', "recent"],
      ['    from: "2024-01-02T00:00:00Z"\n    to: "2024-01-01T00:00:00Z"', "later than"],
      ['    from: "2024-01-02T00:00:00Z"', "both from and to"],
      ["    recent: 0s", "both from and to"],
    ];
    for (const [timeframe, why] of cases) {
      const result = await validate(analysis(timeframe));
      expect(result.findings, timeframe).toMatchObject([
        { level: "error", code: "MANIFEST_INVALID", line: 6 },
      ]);
      expect(result.findings[0]?.rest, timeframe).toContain(why);
    }
    const good = await validate(
      analysis('    from: "2024-01-01T00:00:00Z"\n    to: "2024-01-01T01:00:00Z"'),
    );
    expect(good.findings).toEqual([]);
  });

  // lifecycle-operator/controllers/lifecycle/keptnevaluation/common.go: the first byte is the
  // operator, "<" or ">" only; the rest must parse as a Go float.
  it("2. refuses an evaluationTarget Keptn's evaluation cannot parse, which fails every retry", async () => {
    const objectives = ["<=5", "=5", ">=0.5", "5", "<", "<five", " <5", ">NaN"];
    const result = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnEvaluationDefinition
metadata: { name: slo, namespace: shop }
spec:
  objectives:
${[...objectives, "<5", ">-1.5e3", "<+Inf"]
  .map(
    // One metric each: two objectives on one are EVALUATION_METRIC_REPEATED.
    (target, index) =>
      `    - { keptnMetricRef: { name: m${index}, namespace: shop }, evaluationTarget: "${target}" }`,
  )
  .join("\n")}
`);
    expect(result.findings.map((f) => [f.code, f.line])).toEqual(
      objectives.map((_, index) => ["EVALUATION_TARGET_INVALID", 6 + index]),
    );
    expect(result.findings[0]?.rest).toContain('"<=5"');
    expect(result.findings[0]?.rest).toContain('"<5"');
    expect(result.findings[1]?.rest).toContain('operator "="');
    expect(result.code).toBe(65);
  });

  it("3. says a shared definition's Secret must be in the workload's namespace, not only keptn-system", async () => {
    const secret = (namespace: string) => `---
apiVersion: v1
kind: Secret
metadata: { name: slack-token, namespace: ${namespace} }
stringData: { SECURE_DATA: "{}" }
`;
    // httpRef code: inline code would be a ConfigMap in keptn-system, which the Job in "shop"
    // cannot mount either (CONFIGMAP_OTHER_NAMESPACE, test/cli/validate-review-2.test.ts).
    const shared = `${deno("notify", '    secureParameters: { secret: slack-token }\n    httpRef: { url: "https://example.com/notify.ts#sha256=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }', "keptn-system")}${secret("keptn-system")}---
${deployment("      annotations: { keptn.sh/workload: cart, keptn.sh/pre-deployment-tasks: notify }")}`;
    const result = await validate(shared);
    expect(result.findings).toMatchObject([{ level: "warning", code: "SECRET_OTHER_NAMESPACE" }]);
    expect(result.findings[0]?.rest).toContain('"shop"');
    expect(result.findings[0]?.rest).toContain("keptn-system");
    // With the Secret in the workload's namespace too, nothing is said.
    const both = await validate(`${shared}${secret("shop")}`);
    expect(both.findings).toEqual([]);
  });

  // lifecycle-operator/webhooks/pod_mutator/handlers/objectmeta.go (calculateVersion) and
  // pod_annotation.go: with no version given, a container name matching no container fails the
  // version; on the Deployment's own metadata the pod is then left alone.
  it("4. warns when keptn.sh/container names no container of the pod, on the pod template and on the Deployment", async () => {
    const onPod = await validate(
      deployment("      annotations: { keptn.sh/workload: cart, keptn.sh/container: cart }"),
    );
    expect(onPod.findings).toMatchObject([
      { level: "warning", code: "CONTAINER_ANNOTATION_UNMATCHED", line: 11 },
    ]);
    expect(onPod.findings[0]?.rest).toContain('"web", "proxy"');
    const onDeployment = await validate(
      deployment(
        "      labels: { app: cart }",
        "  annotations: { keptn.sh/workload: cart, keptn.sh/container: cart }",
      ),
    );
    expect(onDeployment.findings).toMatchObject([
      { level: "warning", code: "CONTAINER_ANNOTATION_UNMATCHED", line: 6 },
    ]);
    expect(onDeployment.findings[0]?.rest).toContain("tasks never run");
    // A matching name, or a version given (the annotation is then unused), is fine.
    for (const meta of [
      "      annotations: { keptn.sh/workload: cart, keptn.sh/container: web }",
      "      annotations: { keptn.sh/workload: cart, keptn.sh/version: '1', keptn.sh/container: x }",
    ]) {
      expect((await validate(deployment(meta))).findings, meta).toEqual([]);
    }
  });

  it("5. refuses container fields the API server refuses in the Job's pod template", async () => {
    const result = await validate(
      container(`    restartPolicy: Always
    env:
      - { name: "A=B", value: x }
      - { name: "", value: y }
    envFrom:
      - { prefix: "P=", configMapRef: { name: cfg } }
    volumeMounts:
      - { name: data, mountPath: /data, subPath: ../etc }
    securityContext: { privileged: true, allowPrivilegeEscalation: false }`),
    );
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ["JOB_INVALID", 8],
      ["JOB_INVALID", 10],
      ["JOB_INVALID", 11],
      ["JOB_INVALID", 13],
      ["CONTAINER_VOLUME_TINY", 15],
      ["JOB_INVALID", 15],
      ["JOB_INVALID", 16],
    ]);
    expect(result.findings[0]?.rest).toContain("restartPolicy");
    expect(result.findings[1]?.rest).toContain('"A=B"');
  });

  it("11. blames the Job, not the CRD, for imagePullPolicy and terminationMessagePolicy", async () => {
    const result = await validate(
      container("    imagePullPolicy: Sometimes\n    terminationMessagePolicy: Whatever"),
    );
    expect(result.findings).toMatchObject([
      { level: "error", code: "JOB_INVALID", line: 8 },
      { level: "error", code: "JOB_INVALID", line: 9 },
    ]);
    expect(result.findings[0]?.rest).toContain("is accepted, but the API server refuses the Job");
    expect(result.findings[0]?.rest).toContain('"Always", "IfNotPresent", "Never"');
  });

  it("6. warns when Deno code needs a permission Keptn's deno-runtime does not grant", async () => {
    const code = [
      'const p = new Deno.Command("ls").outputSync();',
      'const home = Deno.env.get("HOME");',
      "const host = Deno.hostname();",
      "// Deno.dlopen in a comment is not a call",
    ].join("\n        ");
    const result = await validate(deno("perm", `    inline:\n      code: |\n        ${code}`));
    expect(result.findings.map((f) => f.code)).toEqual([
      "DENO_PERMISSION_MISSING",
      "DENO_PERMISSION_MISSING",
      "DENO_PERMISSION_MISSING",
    ]);
    expect(result.findings[0]?.rest).toContain("--allow-run");
    expect(result.findings[1]?.rest).toContain('"HOME"');
    expect(result.findings[2]?.rest).toContain("--allow-sys");
    const fine = await validate(
      deno(
        "ok",
        '    inline:\n      code: console.log(Deno.env.get("DATA"), await fetch("https://x"));',
      ),
    );
    expect(fine.findings).toEqual([]);
  });

  it("7. says what -O and -x do to a python task, on Keptn's image and keptn-task alike", async () => {
    for (const [cmd, says] of [
      ["-O", "assert"],
      ["-OO", "docstrings"],
      ["-u -x", "first line"],
      ["-Ox", "first line"],
    ] as const) {
      const result = await validate(python(cmd));
      expect(result.findings, cmd).toMatchObject([
        { level: "warning", code: "PYTHON_CMD_PARAMETERS_CHANGE_CODE", line: 6 },
      ]);
      expect(result.findings.at(-1)?.rest, cmd).toContain(says);
    }
    expect((await validate(python("-u -B -W error"))).findings).toEqual([]);
  });

  it("8. refuses a task list in a label, where a comma is refused by the API server", async () => {
    const defs = `${deno("a", '    inline: { code: "console.log(1)" }')}---
${deno("b", '    inline: { code: "console.log(1)" }')}---
`;
    const result = await validate(
      `${defs}${deployment("      labels: { keptn.sh/workload: cart, keptn.sh/pre-deployment-tasks: 'a,b' }")}`,
    );
    expect(result.findings).toMatchObject([{ level: "error", code: "METADATA_LABEL_INVALID" }]);
    expect(result.findings[0]?.rest).toContain("annotation");
    const one = await validate(
      `${defs}${deployment("      labels: { keptn.sh/workload: cart, keptn.sh/pre-deployment-tasks: a }")}`,
    );
    expect(one.findings).toEqual([]);
  });

  it("12. warns about a KeptnAppContext that no KeptnApp or workload's app is named after", async () => {
    const context = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnAppContext
metadata: { name: shop-app, namespace: shop }
spec:
  metadata: { team: checkout }
---
`;
    const alone = await validate(
      `${context}${deployment("      annotations: { keptn.sh/workload: cart, keptn.sh/app: shopapp }")}`,
    );
    expect(alone.findings).toMatchObject([
      { level: "warning", code: "APP_CONTEXT_UNMATCHED", line: 3 },
    ]);
    expect(alone.findings[0]?.rest).toContain('did you mean "shopapp"?');
    const matched = await validate(
      `${context}${deployment("      labels: { app.kubernetes.io/name: cart, app.kubernetes.io/part-of: shop-app }")}`,
    );
    expect(matched.findings).toEqual([]);
  });

  it("13. says kustomize's namePrefix renames a ConfigMap a configMapRef names, which it does not rewrite", async () => {
    const result = await validate({
      "kustomization.yaml": `namePrefix: dev-
namespace: shop
resources: [task.yaml]
configMapGenerator:
  - name: code
    files: [code=task.ts]
generatorOptions: { disableNameSuffixHash: true }
`,
      "task.yaml": deno("t", "    configMapRef: { name: code }"),
      "task.ts": "console.log(1);\n",
    });
    expect(result.findings.map((f) => f.code)).toContain("KUSTOMIZE_RENAMES_CONFIGMAP");
    const finding = result.findings.find((f) => f.code === "KUSTOMIZE_RENAMES_CONFIGMAP");
    expect(finding?.rest).toContain('"dev-code"');
    expect(finding?.file).toContain("task.yaml");
  });
});

// Where the review was wrong: what Keptn does, stated as tests of render, run and validate.
describe("keptn-task render and run: the review's cases where Keptn does what we do", () => {
  // lifecycle-operator/controllers/lifecycle/keptntask/runtime_builder.go (handleParent): with a
  // functionRef, the parent's httpRef URL and the parent's ConfigMap replace the child's, and the
  // parent's image and mount path too; the child's own code is never used.
  const functionRefWithCode = `${deno("parent", '    inline: { code: console.log("parent ran"); }')}---
${deno("child", '    functionRef: { name: parent }\n    inline: { code: console.log("child ran"); }')}`;

  it("9. runs the parent's code for a child with functionRef and code of its own, and says so", async () => {
    const dir = folder({ "defs.yaml": functionRefWithCode });
    const rendered = await runCliInProcess(["render", "child", "-f", dir, "-o", "json"]);
    const job = JSON.parse(rendered.stdout).items.find((o: { kind: string }) => o.kind === "Job");
    expect(job.spec.template.spec.volumes).toEqual([
      { name: "function-mount", configMap: { name: "keptnfn-parent" } },
    ]);
    const validated = await runCliInProcess(["validate", dir]);
    expect(findings(validated.stdout)).toMatchObject([
      { level: "warning", code: "FUNCTIONREF_WITH_CODE" },
    ]);
    const ran = await runCli(["run", "child", "-f", dir]);
    expect(ran.stdout).toContain("parent ran");
    expect(ran.stdout).not.toContain("child ran");
    expect(ran.code).toBe(0);
  });

  // runtime_builder.go (getParams): mergo.Merge(&params.Parameters, task.Spec.Parameters.Inline)
  // without WithOverride: a KeptnTask's value fills a key the definition lacks or leaves "", and
  // never replaces one it sets.
  it("10. renders a KeptnTask's parameters under the definition's, as mergo without override", async () => {
    const catalog = await fixtureCatalog("empty-values");
    const { objects } = renderJob(resolveTask(catalog, { task: "empty-run", namespace: "shop" }));
    const job = objects.find((o) => o.kind === "Job") as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = job.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "DATA")?.value).toBe(
      '{"a":"parent","b":"parent","c":"task","d":"child","e":"","g":""}',
    );
  });
});
