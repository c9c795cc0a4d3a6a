import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli } from "../helpers/keptn-task-cli.js";
import { findings, folder, removeScratch, validate } from "./validate-keptn-traps-helpers.js";

afterAll(removeScratch);

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
