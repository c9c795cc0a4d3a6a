import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/keptn-task-cli.js";

const TRAPS = "test/cli/fixtures/contract-traps.yaml";

describe("keptn-task validate", () => {
  it("passes the examples and says how many objects it checked", async () => {
    const result = await runCli(["validate", "examples"]);
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

  it("flags every trap of the Keptn contract as FILE:DOCUMENT: LEVEL CODE MESSAGE", async () => {
    const result = await runCli(["validate", TRAPS]);
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
      const line = result.stdout
        .split("\n")
        .find((l) => l.startsWith(`${TRAPS}:${document}: ${level} ${code} `));
      expect(line, `${code} at document ${document}`).toBeDefined();
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
    const result = await runCli(["validate", TRAPS, "--output", "json"]);
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
    expect(result.stdout).toMatch(
      /^-:1: error NO_RUNTIME "from-stdin" sets only spec.function, which Keptn 2.x ignores/,
    );
    expect(result.code).toBe(65);
  });

  it("fails on warnings with --strict", async () => {
    const result = await runCli(["validate", "examples/secure-parameters", "--strict"]);
    expect(result.stdout).toMatch(/ warning SECRET_NOT_FOUND /);
    expect(result.stderr).toMatch(/: 0 errors, 1 warning \(--strict\)$/m);
    expect(result.code).toBe(65);
  });

  it("reports invalid YAML as one finding naming the file and document", async () => {
    const result = await runCli(["validate", "test/fixtures/definitions/broken.yaml"]);
    expect(result.stdout).toMatch(
      /^test\/fixtures\/definitions\/broken\.yaml:1: error MANIFEST_INVALID Cannot parse YAML: [^\n]*\n$/,
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
    const result = await runCli(["validate", "-"], { input: yaml });
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^-:1: error MANIFEST_INVALID KeptnTaskDefinition\/default\/bad-retries: spec\.retries: Invalid KeptnTaskDefinition: /,
    );
    expect(lines[1]).toMatch(
      /^-:2: error MANIFEST_INVALID KeptnTaskDefinition\/default\/future: apiVersion: Unknown apiVersion "lifecycle.keptn.sh\/v2"/,
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
    const result = await runCli(["validate", "-"], {
      input: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: b }\n",
    });
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot validate "-": no KeptnTaskDefinition or KeptnTask found',
    ]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(65);
  });

  it("needs at least one path", async () => {
    const result = await runCli(["validate"]);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderr).toMatch(/^keptn-task: Cannot run "keptn-task validate" without paths/);
    expect(result.code).toBe(64);
  });
});
