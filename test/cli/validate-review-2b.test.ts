// The second outside review's cases, continued: sizes, code that never runs, Job lifetimes,
// evaluations, imports, levels, namespaces and owners Keptn's webhook skips. Facts read from
// keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384, named in each test or in
// the check that raises the code; each test was seen failing before its fix.
import { afterAll, describe, expect, it } from "vitest";
import {
  codes,
  deployment,
  NOTIFY,
  removeCaseFolders,
  validateCase as validate,
} from "../helpers/review-cases.js";

afterAll(removeCaseFolders);

const definition = (name: string, spec: string) => `---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: ${name}, namespace: shop }
spec:
${spec}
`;

const inline = (runtime: "deno" | "python", code: string) =>
  `  ${runtime}:\n    inline:\n      code: ${JSON.stringify(code)}`;

describe("H9: keptn.sh/scheduling-gate-removed in a pod template", () => {
  // webhooks/pod_mutator/pod_mutating_webhook.go handleScheduling: "gate of the pod already
  // removed" is answered before Workload.Handle, so no KeptnWorkload and no task.
  it("refuses it: Keptn skips the pods and never runs their tasks", async () => {
    const { findings, code } = await validate(
      NOTIFY +
        deployment({
          "keptn.sh/workload": "cart",
          "keptn.sh/scheduling-gate-removed": "true",
          "keptn.sh/pre-deployment-tasks": "notify",
        }),
    );
    expect(codes(findings)).toEqual(["error SCHEDULING_GATE_REMOVED"]);
    expect(code).toBe(65);
  });
});

describe("H7: sizes the cluster refuses", () => {
  it("refuses DATA over Linux's 128 KiB for one variable, as run does", async () => {
    const big = "x".repeat(200_000);
    const { findings } = await validate(
      definition(
        "big",
        `  deno:\n    parameters: { map: { blob: "${big}" } }\n    inline: { code: "console.log(1)" }`,
      ),
    );
    expect(codes(findings)).toContain("error ENV_TOO_LARGE");
    expect(findings.find((f) => f.code === "ENV_TOO_LARGE")?.rest).toContain("131072");
  });

  it("refuses inline code that makes Keptn's keptnfn- ConfigMap over 1 MiB", async () => {
    const code = "console.log(1);\n".repeat(70_000);
    const { findings } = await validate(definition("huge", inline("deno", code)));
    expect(codes(findings).sort()).toEqual([
      "error CONFIGMAP_TOO_LARGE",
      "warning LAST_APPLIED_TOO_LARGE",
    ]);
    expect(findings.find((f) => f.code === "CONFIGMAP_TOO_LARGE")?.rest).toContain("keptnfn-huge");
  });

  it("refuses a ConfigMap over 1 MiB", async () => {
    const code = "console.log(1);\n".repeat(70_000);
    const { findings } = await validate(`apiVersion: v1
kind: ConfigMap
metadata: { name: code, namespace: shop }
data: { code: ${JSON.stringify(code)} }
${definition("cm", "  deno:\n    configMapRef: { name: code }")}`);
    expect(codes(findings).sort()).toEqual([
      "error CONFIGMAP_TOO_LARGE",
      "warning LAST_APPLIED_TOO_LARGE",
    ]);
  });

  it("warns that 300 kB of inline code is over kubectl's last-applied annotation", async () => {
    const code = "console.log(1);\n".repeat(19_000);
    const { findings, code: exit } = await validate(definition("mid", inline("deno", code)));
    expect(codes(findings)).toEqual(["warning LAST_APPLIED_TOO_LARGE"]);
    expect(findings[0]?.rest).toContain("262144");
    expect(exit).toBe(0);
  });
});

describe("H5: a folded scalar that makes the program one comment line", () => {
  it("warns for Deno code starting with // and Python code starting with #", async () => {
    const folded = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: folded, namespace: shop }
spec:
  deno:
    inline:
      code: >
        // fail the rollout when the health check fails
        const res = await fetch("http://cart.shop/healthz");
        if (!res.ok) Deno.exit(1);
${definition("folded-py", "  python:\n    inline:\n      code: >\n        # check\n        import sys\n        sys.exit(1)")}`;
    const { findings } = await validate(folded);
    expect(codes(findings)).toEqual(["warning CODE_ALL_COMMENT", "warning CODE_ALL_COMMENT"]);
    expect(findings[0]?.rest).toContain("spec.deno.inline.code");
  });
});

describe("H3: a ttlSecondsAfterFinished under Keptn's poll", () => {
  // controllers/lifecycle/keptntask/controller.go: polls every 10 s (RequeueAfter), and when
  // getJob finds no Job it calls createJob again, whatever the task's status.
  it("warns for 0 and a few seconds, not for the default 300", async () => {
    const ttl = (n: number) =>
      definition(`ttl${n}`, `  ttlSecondsAfterFinished: ${n}\n${inline("deno", "console.log(1)")}`);
    const { findings } = await validate(ttl(0) + ttl(5) + ttl(300));
    expect(codes(findings)).toEqual(["warning TTL_TOO_SHORT", "warning TTL_TOO_SHORT"]);
    expect(findings[0]?.rest).toContain("spec.ttlSecondsAfterFinished");
  });
});

describe("H4: two objectives on one KeptnMetric", () => {
  // controllers/lifecycle/keptnevaluation/controller.go: EvaluationStatus is a map keyed by
  // keptnMetricRef.name, so the second objective's result overwrites the first's.
  it("warns at the second objective", async () => {
    const { findings } = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnEvaluationDefinition
metadata: { name: latency-range, namespace: shop }
spec:
  objectives:
    - keptnMetricRef: { name: latency, namespace: shop }
      evaluationTarget: ">5"
    - keptnMetricRef: { name: latency, namespace: shop }
      evaluationTarget: "<100"
`);
    expect(codes(findings)).toEqual(["warning EVALUATION_METRIC_REPEATED"]);
    expect(findings[0]?.line).toBe(8);
  });
});

describe("H8: imports Keptn's stock images cannot resolve", () => {
  // runtimes/deno-runtime/entrypoint.sh: deno run ... "$SCRIPT", one file mounted with subPath,
  // no import map; runtimes/python-runtime/Dockerfile: pip installs pyyaml, GitPython, requests.
  const defs =
    definition(
      "rel",
      inline("deno", 'import { notify } from "./lib/notify.ts";\nawait notify();\n'),
    ) +
    definition("bare", inline("deno", 'import _ from "lodash";\nconsole.log(_.VERSION);\n')) +
    definition("py", inline("python", "import json, pandas\nimport yaml, requests\nprint(1)\n")) +
    definition(
      "fine",
      inline(
        "deno",
        'import { z } from "npm:zod@3";\nimport * as p from "node:path";\nconsole.log(z, p);\n',
      ),
    );
  it("warns for relative and bare Deno imports and missing Python packages", async () => {
    const { findings } = await validate(defs);
    expect(codes(findings)).toEqual([
      "warning IMPORT_UNRESOLVABLE",
      "warning IMPORT_UNRESOLVABLE",
      "warning IMPORT_UNRESOLVABLE",
    ]);
    expect(findings.map((f) => f.rest).join("\n")).toContain('"pandas"');
  });

  it("says nothing with --images keptn-task", async () => {
    const { findings } = await validate(defs, ["--images", "keptn-task"]);
    expect(findings).toEqual([]);
  });
});

describe("M1: JOB_NAME_TOO_LONG by the phases a definition is named for", () => {
  const post = "b".repeat(47);
  it("refuses a definition named only for post-deployment tasks whose post Job is too long", async () => {
    const { findings, code } = await validate(
      definition(post, inline("deno", "console.log(1)")) +
        deployment({ "keptn.sh/workload": "cart", "keptn.sh/post-deployment-tasks": post }),
    );
    expect(codes(findings)).toEqual(["error JOB_NAME_TOO_LONG"]);
    expect(code).toBe(65);
  });

  it("does not refuse a long definition used only as a functionRef parent", async () => {
    // keptntask/job_utils.go: the Job is named after the child's task (GenerateJobName).
    const parent = "company-standard-slack-notification-base-template";
    const { findings, code } = await validate(
      definition(parent, inline("deno", "console.log(1)")) +
        definition("notify-shop", `  deno:\n    functionRef: { name: ${parent} }`) +
        deployment({ "keptn.sh/workload": "cart", "keptn.sh/pre-deployment-tasks": "notify-shop" }),
    );
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });
});

describe("M4: namespaces Keptn's pod webhook never sees", () => {
  // lifecycle-operator/chart/templates/lifecycle-mutating-webhook-configuration.yaml
  it("refuses tasks named in keptn-system, kube-system and a namespace labelled control-plane", async () => {
    const { findings } = await validate(
      deployment(
        { "keptn.sh/workload": "a", "keptn.sh/pre-deployment-tasks": "notify" },
        "nginx:1",
        "keptn-system",
      ) +
        deployment(
          { "keptn.sh/workload": "b", "keptn.sh/pre-deployment-tasks": "nothing" },
          "nginx:1",
          "kube-system",
        ) +
        `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: infra\n  labels: { control-plane: lifecycle-operator }\n  annotations: { keptn.sh/lifecycle-toolkit: enabled }\n` +
        deployment(
          { "keptn.sh/workload": "c", "keptn.sh/pre-deployment-tasks": "notify" },
          "nginx:1",
          "infra",
        ) +
        `---\n${NOTIFY.replace("namespace: shop", "namespace: keptn-system")}`,
    );
    expect(codes(findings)).toEqual([
      "error NAMESPACE_EXCLUDED",
      "error NAMESPACE_EXCLUDED",
      "error NAMESPACE_EXCLUDED",
    ]);
  });
});

describe("L3, L6, L8", () => {
  it("L3: refuses a timeout beyond Go's duration range", async () => {
    const { findings } = await validate(
      definition("slow", `  timeout: "3000000h"\n${inline("deno", "console.log(1)")}`),
    );
    expect(codes(findings)).toEqual(["error TIMEOUT_INVALID"]);
  });

  it("L6: says a ReplicationController's tasks never run (IsOwnerSupported)", async () => {
    const { findings } = await validate(`${NOTIFY}---
apiVersion: v1
kind: ReplicationController
metadata: { name: legacy, namespace: shop }
spec:
  selector: { app: legacy }
  template:
    metadata:
      labels: { app: legacy }
      annotations: { keptn.sh/workload: legacy, keptn.sh/pre-deployment-tasks: notify }
    spec:
      containers: [{ name: c, image: "nginx:1.27" }]
`);
    expect(codes(findings)).toEqual(["error TASKS_IGNORED"]);
  });

  it("L8: accepts Keptn's own chainsaw workload that names no task", async () => {
    // The workload of Keptn's chainsaw test
    // test/chainsaw/integration/simple-deployment-container-annotation/00-install.yaml at
    // keptn/lifecycle-toolkit 40e195d78dd1886166e17d2e9c69b75a249fc384, restated: a Deployment
    // with keptn.sh/workload, keptn.sh/container and keptn.sh/metadata and no task annotation.
    const { code, stderr } = await validate(`apiVersion: apps/v1
kind: Deployment
metadata:
  labels: { app: test }
  name: test
spec:
  replicas: 1
  selector:
    matchLabels: { app: test }
  strategy: {}
  template:
    metadata:
      labels: { app: test }
      annotations:
        keptn.sh/workload: waiter
        keptn.sh/container: busybox
        keptn.sh/metadata: "commit-id=1234,stage=dev"
    spec:
      containers:
        - { image: "busybox:1.36", name: busybox, command: [sh, -c, "echo The app is running! && sleep infinity"] }
        - { name: init-myservice, image: "busybox:1.36", command: [sh, -c, "sleep 10"] }
`);
    expect(stderr).toContain("valid");
    expect(code).toBe(0);
  });
});
