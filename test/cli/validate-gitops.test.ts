// `keptn-task validate` as a CI gate on a GitOps repository: references across objects,
// findings at the line and column of their field, the output formats, --ignore, -n, and folders
// that hold more than manifests. Each rule has its own fixtures under test/fixtures/gitops.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess } from "../helpers/keptn-task-cli.js";

const GITOPS = "test/fixtures/gitops";
const REFERENCES = `${GITOPS}/references`;
const POSITIONS = `${GITOPS}/positions`;
const NAMESPACE = `${GITOPS}/namespace`;
const HELM_REPO = `${GITOPS}/helm-repo`;
const FOLDED = `${GITOPS}/folded/folded.yaml`;

/** A text finding: `FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE`. */
interface TextFinding {
  file: string;
  line: number;
  column: number;
  level: string;
  code: string;
  rest: string;
}

function textFindings(stdout: string): TextFinding[] {
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
