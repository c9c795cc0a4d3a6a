import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";

const TRAPS = "test/cli/fixtures/contract-traps.yaml";

/** The first and last line of each YAML document of a file (1-based, `---` lines between). */
function documentLines(file: string): [number, number][] {
  const lines = readFileSync(`${ROOT}${file}`, "utf8").split("\n");
  const spans: [number, number][] = [[1, 1]];
  lines.forEach((line, index) => {
    const span = spans[spans.length - 1] as [number, number];
    if (line === "---") spans.push([index + 2, index + 2]);
    else span[1] = index + 1;
  });
  return spans;
}

describe("keptn-task validate", () => {
  it("passes the examples and says how many objects it checked", async () => {
    const result = await runCli(["validate", "--images", "keptn-task", "examples"]);
    expect(result.code).toBe(0);
    // Only the examples whose Secret is created with kubectl are flagged, as warnings
    // (notify-webhook, secure-parameters, slack-notify).
    const lines = result.stdout.trim().split("\n");
    expect(lines.every((line) => / warning SECRET_NOT_FOUND /.test(line))).toBe(true);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^keptn-task: checked \d+ objects in \d+ files: 0 errors, 3 warnings$/m,
    );
  });

  it("flags the examples that need this project's images when checked against Keptn's stock ones", async () => {
    const result = await runCliInProcess(["validate", "examples", "--ignore", "SECRET_NOT_FOUND"]);
    expect(result.code).toBe(0);
    const flagged = result.stdout
      .trim()
      .split("\n")
      .map(
        (line) => /^examples\/([^/]+)\/[^:]+:\d+:\d+: warning SDK_ON_STOCK_IMAGE /.exec(line)?.[1],
      );
    expect(flagged).toEqual([
      "configmap-ref",
      "health-check",
      "notify-webhook",
      "prometheus-query",
      "secure-parameters",
      "slack-notify",
    ]);
    // Each of them says so in its README.
    for (const example of flagged) {
      expect(readFileSync(`examples/${example}/README.md`, "utf8")).toContain(
        "needs this project's runner images",
      );
    }
  });

  it("flags every trap of the Keptn contract as FILE:LINE:COLUMN: LEVEL CODE MESSAGE, inside its document", async () => {
    const result = await runCliInProcess(["validate", TRAPS]);
    const spans = documentLines(TRAPS);
    const expected: [number, string, string, string][] = [
      [1, "error", "NO_RUNTIME", "Keptn 2.x ignores in every apiVersion"],
      [2, "error", "FUNCTIONREF_CHAIN", "chain-top -> chain-middle -> chain-bottom"],
      [5, "warning", "INLINE_AND_HTTPREF", "runs it, ignoring"],
      [6, "error", "MISSING_PARENT", '"no-such-parent"'],
      [7, "warning", "OBJECTTYPE_APPLICATION", 'the operator sends "App"'],
      [9, "error", "SECRET_WITHOUT_KEY", "CreateContainerConfigError"],
      [10, "error", "NO_CODE", "has no code in spec.python"],
      [11, "warning", "HTTPREF_UNPINNED", "without an integrity pin"],
    ];
    for (const [document, level, code, says] of expected) {
      const [first, last] = spans[document - 1] ?? [0, 0];
      const line = result.stdout.split("\n").find((l) => {
        const match = new RegExp(`^${TRAPS}:(\\d+):(\\d+): ${level} ${code} `).exec(l);
        const at = Number(match?.[1]);
        return match !== null && at >= first && at <= last && Number(match[2]) >= 1;
      });
      expect(line, `${code} in document ${document} (lines ${first}-${last})`).toBeDefined();
      expect(line).toContain(says);
    }
    // The Secret's value is never shown, only its key names.
    expect(result.stdout + result.stderr).not.toContain("do-not-print-this-value");
    expect(result.stderrLines).toEqual([
      "keptn-task: checked 11 objects in 1 file: 5 errors, 4 warnings",
    ]);
    expect(result.code).toBe(65);
  });

  it("prints the findings as JSON with --output json", async () => {
    const result = await runCliInProcess(["validate", TRAPS, "--output", "json"]);
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      objects: number;
      errors: number;
      warnings: number;
      findings: { level: string; code: string; file: string; document: number; object: string }[];
    };
    expect(report).toMatchObject({ valid: false, objects: 11, errors: 5, warnings: 4 });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        level: "error",
        code: "MISSING_PARENT",
        file: TRAPS,
        document: 6,
        object: "KeptnTaskDefinition/default/orphan",
      }),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(65);
  });

  it("reads manifests from standard input for -", async () => {
    const yaml = [
      "apiVersion: lifecycle.keptn.sh/v1alpha3",
      "kind: KeptnTaskDefinition",
      "metadata: { name: from-stdin }",
      "spec:",
      "  function:",
      "    inline: { code: 'console.log(1)' }",
    ].join("\n");
    const result = await runCli(["validate", "-"], { input: yaml });
    // The object starts at line 1; the field, when the diagnostic names it, is at line 5.
    expect(result.stdout).toMatch(
      /^-:[15]:[13]: error NO_RUNTIME (spec\.function: )?"from-stdin" sets only spec.function, which Keptn 2.x ignores/,
    );
    expect(result.code).toBe(65);
  });

  it("fails on warnings with --strict", async () => {
    const result = await runCliInProcess([
      "validate",
      "examples/secure-parameters",
      "--strict",
      "--images",
      "keptn-task",
    ]);
    expect(result.stdout).toMatch(/ warning SECRET_NOT_FOUND /);
    expect(result.stderr).toMatch(/: 0 errors, 1 warning \(--strict\)$/m);
    expect(result.code).toBe(65);
  });

  it("reports invalid YAML as one finding naming the file and document", async () => {
    const result = await runCliInProcess(["validate", "test/fixtures/definitions/broken.yaml"]);
    expect(result.stdout).toMatch(
      /^test\/fixtures\/definitions\/broken\.yaml:6:1: error MANIFEST_INVALID Cannot parse YAML: [^\n]*\n$/,
    );
    expect(result.code).toBe(65);
  });

  it("reports an object that does not match its apiVersion's schema", async () => {
    const yaml = [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: { name: bad-retries }",
      "spec:",
      "  retries: many",
      "  deno: { inline: { code: 'console.log(1)' } }",
      "---",
      "apiVersion: lifecycle.keptn.sh/v2",
      "kind: KeptnTaskDefinition",
      "metadata: { name: future }",
      "spec: {}",
    ].join("\n");
    const result = await runCliInProcess(["validate", "-"], { input: yaml });
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^-:5:3: error MANIFEST_INVALID KeptnTaskDefinition\/default\/bad-retries: spec\.retries: Invalid KeptnTaskDefinition: /,
    );
    expect(lines[1]).toMatch(
      /^-:8:1: error MANIFEST_INVALID KeptnTaskDefinition\/default\/future: apiVersion: Unknown apiVersion "lifecycle.keptn.sh\/v2"/,
    );
    expect(result.code).toBe(65);
  });

  it("fails with one line and nothing on stdout when a path does not exist", async () => {
    const result = await runCli(["validate", "examples/hello", "no-such-dir/tasks.yaml"]);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot read "no-such-dir/tasks.yaml": no such file or directory',
    ]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(65);
  });

  it("fails when the paths hold no Keptn object at all", async () => {
    const result = await runCliInProcess(["validate", "-"], {
      input: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: b }\n",
    });
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot validate "-": no Keptn object (KeptnTaskDefinition, KeptnTask, KeptnAppContext, ...) and no workload naming a task or evaluation found',
    ]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(65);
  });

  it("needs at least one path", async () => {
    const result = await runCliInProcess(["validate"]);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderr).toMatch(/^keptn-task: Cannot run "keptn-task validate" without paths/);
    expect(result.code).toBe(64);
  });
});

describe("keptn-task validate: what the API server refuses", () => {
  const REJECTS = "test/fixtures/definitions/api-server-rejects.yaml";

  it("reports names, CRD fields and Kubernetes' Container schema at their line and column", async () => {
    const result = await runCliInProcess(["validate", REJECTS]);
    const found = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => {
        const [, where, field, message] =
          /^[^:]+:(\d+:\d+): error MANIFEST_INVALID [^:]+: ([^:]+): Invalid KeptnTaskDefinition: (.*)$/.exec(
            line,
          ) ?? [];
        return [where, field, message];
      });
    const expected: [string, string, string][] = [
      ["6:3", "metadata.name", "must be a DNS-1123 subdomain"],
      ["17:3", "metadata.namespace", "must be a DNS-1123 label"],
      ["29:3", "spec.automountServiceAccountToken.type", "is required by Keptn's CRD"],
      // imagePullPolicy "Sometimes" (line 43): Keptn's CRD has no enum there, so the definition
      // is applied and only the Job is refused (JOB_INVALID, test/cli/validate-review.test.ts).
      ["44:5", "spec.container", 'unknown field "imagePullPolicyy" of a Kubernetes Container'],
      ["48:9", "spec.container.env.1", "duplicate entry (name=TARGET) of env, also at env.0"],
      [
        "51:9",
        "spec.container.ports.0.containerPort",
        "is required by Kubernetes' Container schema",
      ],
      [
        "53:9",
        "spec.container.ports.2",
        "duplicate entry (containerPort=8080, protocol=TCP) of ports",
      ],
      [
        "57:9",
        "spec.container.resources.limits.memory",
        'must be a Kubernetes quantity such as "512Mi", "1Gi", "500m" or 2, received "lots"',
      ],
      [
        "62:9",
        "spec.container.livenessProbe.httpGet",
        'unknown field "pathh" of a Kubernetes HTTPGetAction',
      ],
      ["99:5", 'metadata.labels["bad key!"]', "the label key must be a name of letters"],
      ["100:5", "metadata.labels.app", "the label value must be empty or letters"],
      ["101:5", "metadata.labels.tier", "the label value must be at most 63 characters, not 70"],
      ["103:5", 'metadata.annotations["-keptn.sh/owner"]', "must be a DNS-1123 subdomain"],
    ];
    expect(found.map(([where, field]) => [where, field])).toEqual(
      expected.map(([where, field]) => [where, field]),
    );
    found.forEach(([, , message], index) => {
      expect(message).toContain(expected[index]?.[2]);
    });
    expect(result.stdout).toContain('did you mean "imagePullPolicy"?');
    expect(result.stdout).toContain('did you mean "path"?');
    // The last definition (a container Kubernetes takes: UDP and TCP on one port, quantities as
    // numbers and exponents, a named probe port) is checked without a finding.
    expect(result.stderr).toContain("checked 6 objects in 1 file: 13 errors, 0 warnings");
    expect(result.code).toBe(65);
  });

  it("lists the CRD's and the Container schema's problems of one object in one run", async () => {
    const yaml = [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: {name: p4}",
      "spec:",
      "  retries: many",
      "  container:",
      "    name: x",
      "    image: busybox",
      "    command: [sh, -c, 1]",
      "    resources: {limits: {memory: lots}}",
    ].join("\n");
    const result = await runCliInProcess(["validate", "-"], { input: yaml });
    expect(result.stdout.split("\n").map((line) => line.split(" ").slice(0, 5).join(" "))).toEqual([
      "-:5:3: error MANIFEST_INVALID KeptnTaskDefinition/default/p4: spec.retries:",
      "-:9:23: error MANIFEST_INVALID KeptnTaskDefinition/default/p4: spec.container.command.2:",
      "-:10:26: error MANIFEST_INVALID KeptnTaskDefinition/default/p4: spec.container.resources.limits.memory:",
      "",
    ]);
    expect(result.code).toBe(65);
  });

  it("takes what the API server takes: nulls as no value, an empty namespace as none, qualified label keys", async () => {
    const result = await runCliInProcess([
      "validate",
      "test/fixtures/definitions/api-server-accepts.yaml",
    ]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("keptn-task: checked 2 objects in 1 file: valid\n");
    expect(result.code).toBe(0);
  });

  it("refuses to render a definition whose container the API server would refuse", async () => {
    const result = await runCliInProcess(["render", "container-rejected", "-f", REJECTS]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/api-server-rejects\.yaml:6:3: .*metadata\.name/);
    expect(result.code).toBe(65);
  });

  it("has the container field tree that kubernetes-models' types give (not stale)", async () => {
    const { execFileSync } = await import("node:child_process");
    expect(() =>
      execFileSync(process.execPath, ["scripts/generate-container-fields.mjs", "--check"], {
        cwd: ROOT,
        stdio: "pipe",
      }),
    ).not.toThrow();
    const generated = readFileSync(
      `${ROOT}/sdk/src/definitions/container-fields.generated.ts`,
      "utf8",
    );
    expect(generated).toContain('"source": "kubernetes-models@4.5.1 v1/Container"');
  });
});
