// `keptn-task validate` as a CI gate on a GitOps repository: references across objects
// (definitions named by workloads and KeptnAppContexts, names Keptn never reads, Pods, folded
// annotation values). Each rule has its own fixtures under test/fixtures/gitops.
import { describe, expect, it } from "vitest";
import { runCliInProcess } from "../helpers/keptn-task-cli.js";
import { FOLDED, POSITIONS, REFERENCES, textFindings } from "./validate-gitops-helpers.js";

describe("keptn-task validate: definitions named by workloads and KeptnAppContexts", () => {
  it("passes when every name is in the object's namespace or Keptn's (annotation winning over label)", async () => {
    const result = await runCliInProcess([
      "validate",
      `${REFERENCES}/definitions.yaml`,
      `${REFERENCES}/valid.yaml`,
    ]);
    expect(result.stdout).toBe("");
    expect(result.stderrLines).toEqual(["keptn-task: checked 7 objects in 2 files: valid"]);
    expect(result.code).toBe(0);
  });

  it("reports each name Keptn would wait for, at its field, with the fix", async () => {
    const invalid = `${REFERENCES}/invalid.yaml`;
    const result = await runCliInProcess(["validate", `${REFERENCES}/definitions.yaml`, invalid]);
    const findings = textFindings(result.stdout);
    const expected: [number, number, string, string, string][] = [
      [
        9,
        5,
        "TASK_DEFINITION_NOT_FOUND",
        'metadata.annotations["keptn.sh/pre-deployment-tasks"]: Deployment "shop/checkout" has pre-deployment task "notfy"',
        'did you mean "notify"?',
      ],
      [
        16,
        9,
        "TASK_DEFINITION_NOT_FOUND",
        'spec.template.metadata.labels["keptn.sh/post-deployment-tasks"]: Deployment "shop/checkout" has post-deployment task "load-test" (label keptn.sh/post-deployment-tasks)',
        'there is one in namespace "perf", where Keptn does not look',
      ],
      [
        33,
        9,
        "TASK_DEFINITION_NOT_FOUND",
        'spec.template.metadata.annotations["keptn.sh/pre-deployment-tasks"]: StatefulSet "shop/cart" has pre-deployment task " smoke-test"',
        'Keptn splits "notify, smoke-test" at commas without trimming: remove the spaces',
      ],
      [
        34,
        9,
        "TASK_DEFINITION_NOT_FOUND",
        'spec.template.metadata.annotations["keptn.sh/post-deployment-tasks"]: StatefulSet "shop/cart" has an empty post-deployment task name',
        "remove the extra comma",
      ],
      [
        35,
        9,
        "EVALUATION_DEFINITION_NOT_FOUND",
        'spec.template.metadata.annotations["keptn.sh/post-deployment-evaluations"]: StatefulSet "shop/cart" has post-deployment evaluation "availabilty"',
        'did you mean "availability"?',
      ],
      [
        48,
        7,
        "TASK_DEFINITION_NOT_FOUND",
        'spec.preDeploymentTasks.1: KeptnAppContext "shop/checkout" has pre-deployment task "database-migration"',
        "create the KeptnTaskDefinition, or fix the name",
      ],
      [
        49,
        20,
        "TASK_DEFINITION_NOT_FOUND",
        'spec.promotionTasks.0: KeptnAppContext "shop/checkout" has promotion task "promote-to-prod"',
        "so the promotion phase never ends and the rollout is blocked",
      ],
      [
        50,
        31,
        "EVALUATION_DEFINITION_NOT_FOUND",
        'spec.postDeploymentEvaluations.0: KeptnAppContext "shop/checkout" has post-deployment evaluation "error-rate"',
        'no KeptnEvaluationDefinition "error-rate" is in namespace "shop" or "keptn-system"',
      ],
    ];
    expect(findings.map((f) => [f.file, f.line, f.column, f.level, f.code])).toEqual(
      expected.map(([line, column, code]) => [invalid, line, column, "error", code]),
    );
    findings.forEach((finding, index) => {
      const [, , , starts, says] = expected[index] ?? [];
      expect(finding.rest.startsWith(starts ?? "?"), finding.rest).toBe(true);
      expect(finding.rest).toContain(says);
    });
    expect(result.stderrLines).toEqual([
      "keptn-task: checked 7 objects in 2 files: 8 errors, 0 warnings",
    ]);
    expect(result.code).toBe(65);
  });

  it("does not take a definition its schema rejected for a missing one", async () => {
    const result = await runCliInProcess(["validate", `${POSITIONS}/invalid.yaml`]);
    const notFound = textFindings(result.stdout).filter((f) => f.code === "DEFINITION_NOT_FOUND");
    // "deploy-check" is invalid (its own error says so); "notfy" is a near miss of "notify".
    expect(notFound.map((f) => f.rest)).toEqual([
      expect.stringMatching(
        /^spec\.taskDefinition: KeptnTask "shop\/deploy-check-1" names KeptnTaskDefinition "notfy", .*; did you mean "notify"\?$/,
      ),
    ]);
  });
});

describe("keptn-task validate: workload names Keptn's pod webhook never reads", () => {
  const ignored = `${REFERENCES}/ignored.yaml`;
  const expected: [number, number, string, string][] = [
    [
      11,
      9,
      'Deployment "shop/unnamed" names pre-deployment tasks "no-workload-name"',
      "neither the Deployment nor its pod template names the workload (keptn.sh/workload or app.kubernetes.io/name), so the pod webhook leaves its pods alone; add keptn.sh/workload to spec.template.metadata.annotations",
    ],
    [
      24,
      5,
      'Deployment "shop/mixed" names pre-deployment tasks "on-the-deployment"',
      "its pod template names the workload (annotation keptn.sh/workload), so the pod webhook reads the pod's annotations and labels and never the Deployment's own; move it to spec.template.metadata.annotations",
    ],
    [
      53,
      9,
      'StatefulSet "shop/both" names pre-deployment tasks "overridden"',
      "the StatefulSet's own metadata sets keptn.sh/pre-deployment-tasks too",
    ],
    [66, 9, 'Job "shop/migrate" names pre-deployment tasks "job-task"', "not a Job's"],
    [
      83,
      13,
      'CronJob "shop/nightly" names post-deployment evaluations "cron-check"',
      "not a CronJob's Jobs'",
    ],
    [
      96,
      5,
      'Pod "shop/bare" names pre-deployment tasks "bare-pod-task"',
      "this Pod has no such owner",
    ],
    [
      108,
      5,
      'ReplicaSet "shop/replicas" names pre-deployment tasks "replicaset-task"',
      "never the ReplicaSet's own metadata",
    ],
  ];

  it("refuses (TASKS_IGNORED) names Keptn never reads, instead of reporting them missing", async () => {
    const result = await runCliInProcess(["validate", `${REFERENCES}/definitions.yaml`, ignored]);
    const findings = textFindings(result.stdout);
    expect(findings.map((f) => [f.file, f.line, f.column, f.level, f.code])).toEqual(
      expected.map(([line, column]) => [ignored, line, column, "error", "TASKS_IGNORED"]),
    );
    findings.forEach((finding, index) => {
      const [, , starts, says] = expected[index] ?? [];
      expect(finding.rest).toContain(`${starts ?? "?"} (`);
      expect(finding.rest).toContain("but Keptn never runs them: ");
      expect(finding.rest).toContain(says);
    });
    expect(result.stderrLines).toEqual([
      "keptn-task: checked 11 objects in 2 files: 7 errors, 0 warnings",
    ]);
    expect(result.code).toBe(65);
  });

  it("fails on them with --strict", async () => {
    const result = await runCliInProcess([
      "validate",
      "--strict",
      `${REFERENCES}/definitions.yaml`,
      ignored,
    ]);
    expect(textFindings(result.stdout).map((f) => f.code)).toEqual(
      expected.map(() => "TASKS_IGNORED"),
    );
    expect(result.code).toBe(65);
  });

  it("reports a missing name on the pod template, not the one on the Deployment Keptn ignores", async () => {
    const yaml = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "  annotations: { keptn.sh/pre-deployment-tasks: not-read }",
      "spec:",
      "  template:",
      "    metadata:",
      "      labels: { app.kubernetes.io/name: web }",
      "      annotations: { keptn.sh/post-deployment-tasks: missing }",
      "",
    ].join("\n");
    const result = await runCliInProcess(["validate", "-"], { input: yaml });
    expect(textFindings(result.stdout).map((f) => [f.line, f.column, f.level, f.code])).toEqual([
      [5, 18, "error", "TASKS_IGNORED"],
      [10, 22, "error", "TASK_DEFINITION_NOT_FOUND"],
    ]);
    expect(result.stdout).toContain(
      "its pod template names the workload (label app.kubernetes.io/name)",
    );
    expect(result.code).toBe(65);
  });
});

describe("keptn-task validate: a Pod", () => {
  it("is read when its ownerReferences name an owner Keptn handles, and warned about when not", async () => {
    const pod = (name: string, owner: string) =>
      [
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        `  name: ${name}`,
        `  ownerReferences: [{ apiVersion: apps/v1, kind: ${owner}, name: o, uid: u }]`,
        "  annotations: { keptn.sh/workload: w, keptn.sh/pre-deployment-tasks: missing }",
        "spec: { containers: [{ name: c, image: i }] }",
      ].join("\n");
    const input = `${pod("owned", "ReplicaSet")}\n---\n${pod("job-pod", "Job")}\n`;
    const result = await runCliInProcess(["validate", "-"], { input });
    expect(
      textFindings(result.stdout).map((f) => [f.line, f.level, f.code, f.rest.split(" names")[0]]),
    ).toEqual([
      [6, "error", "TASK_DEFINITION_NOT_FOUND", expect.stringContaining('Pod "default/owned" has')],
      [14, "error", "TASKS_IGNORED", expect.stringContaining('Pod "default/job-pod"')],
    ]);
    expect(result.code).toBe(65);
  });
});

describe("keptn-task validate: a folded annotation value", () => {
  it("prints one line per finding, the name escaped, and says how to drop the line break", async () => {
    const result = await runCliInProcess(["validate", FOLDED]);
    const lines = result.stdout.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    const [finding] = textFindings(result.stdout);
    expect([finding?.line, finding?.column, finding?.level, finding?.code]).toEqual([
      13,
      9,
      "error",
      "TASK_DEFINITION_NOT_FOUND",
    ]);
    expect(finding?.rest).toContain('has pre-deployment task "check\\n" (annotation');
    expect(finding?.rest).toContain(
      'the value "notify,check\\n" holds a line break (a YAML block scalar ">" or "|" keeps the last one), which Keptn keeps in the name: write the value on one line, or use ">-"',
    );
    expect(finding?.rest).not.toContain("remove the spaces");
    expect(result.code).toBe(65);
  });

  it("keeps the message on one line in JSON too, as a JSON string", async () => {
    const result = await runCliInProcess(["validate", FOLDED, "-o", "json"]);
    const report = JSON.parse(result.stdout) as { findings: { message: string; line: number }[] };
    expect(report.findings.map((f) => f.line)).toEqual([13]);
    expect(report.findings[0]?.message).not.toMatch(/[\r\n]/);
    expect(result.code).toBe(65);
  });
});
