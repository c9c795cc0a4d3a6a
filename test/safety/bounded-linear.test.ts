/**
 * Bounded and linear (issue "Safety by construction", cases 8 to 10): every pattern run on text
 * a task or a repository controls takes time linear in it, and every read of such data has a
 * limit. Each pattern gets 1 MiB of input built against it; a budget of seconds (where the
 * quadratic or exponential forms took minutes or never ended) tells linear from not, on a shared
 * machine.
 */
import { execFileSync } from "node:child_process";
import { symlinkSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redactUrl, urlSecrets } from "../../sdk/src/contract/secret-rule.js";
import { parseManifests } from "../../sdk/src/definitions/parse-manifests.js";
import { importsSdk } from "../../sdk/src/definitions/sdk-imports.js";
import { runCli } from "../helpers/keptn-task-cli.js";
import { runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-linear-");
afterAll(() => tmp.cleanup());

const MiB = 1024 * 1024;
/** Seconds 1 MiB may take: linear scans take milliseconds; the old patterns took minutes. */
const BUDGET_MS = 5000;

/** `unit` repeated to 1 MiB. */
const mib = (unit: string, tail = "") =>
  unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB) + tail;

/**
 * `run`'s CPU time in this process (user and system), not its wall time: on a shared machine a
 * linear parse can wait seconds for a core, which says nothing about its complexity.
 */
function timed<T>(run: () => T): { value: T; ms: number } {
  const started = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(started);
  return { value, ms: (used.user + used.system) / 1000 };
}

describe("the runner's code inspection", () => {
  it("starts a task whose comment mentions import before 30 one-line /* */ comments", async () => {
    const code = `// import\n${"/* */\n".repeat(30)}console.log("started");\n`;
    const script = tmp.file("comments.ts", code);
    const result = await runRunner("deno", { SCRIPT: script }, { timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("started\n");
  });

  it.each<[string, string]>([
    ["import followed by a run of comments", `import${mib("/**/ ")}`],
    ["imports inside one unclosed comment", `/*${mib("import /* ")}`],
    ["import words", mib("import ")],
    ["import then white space without a quote", `import${mib(" ")}`],
    ["from then white space and an open parenthesis", `from${mib(" ")}(`],
  ])("inspects 1 MiB of %s within the budget", async (_what, body) => {
    const script = tmp.file(`adversarial-${Math.random().toString(36).slice(2)}.ts`, `${body}\n`);
    const started = performance.now();
    // What counts is that the runner got past its inspection and Deno ended the module (most
    // of these are no valid module), not killed at the test's time-out.
    const result = await runRunner("deno", { SCRIPT: script }, { timeoutMs: 60_000 });
    expect(performance.now() - started).toBeLessThan(BUDGET_MS * 3);
    expect([0, 1]).toContain(result.code);
    expect(result.stderr).not.toContain("Runner failed");
  });
});

describe("validate's SDK-import scan", () => {
  it.each<[string, string, "deno" | "python"]>([
    ["import x lines (540 KB took 28 s)", mib("import x\n"), "deno"],
    ["unclosed block comments", mib("/* "), "deno"],
    ["the SDK's literal without an import", mib('"@keptn-task/sdk" '), "deno"],
    ["import ... with no from", `import {${mib(" a,")}`, "deno"],
    ["python import lists without keptn_task", mib("import a, b, c, d as e, "), "python"],
  ])("scans 1 MiB of %s within the budget", (_what, code, runner) => {
    const { ms } = timed(() => importsSdk(code, runner));
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it("still finds the import after the adversarial text", () => {
    expect(importsSdk(`${mib("/**/ ")}\nimport { task } from "@keptn-task/sdk";`, "deno")).toBe(
      true,
    );
    expect(
      importsSdk(`${mib('"@keptn-task/sdk" ')}\nimport type { X } from "@keptn-task/sdk";`, "deno"),
    ).toBe(false);
  });
});

describe("validate's template detection", () => {
  it.each<[string, string]>([
    [
      "a line of {{ without }}",
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: "${mib("{{")}"\n`,
    ],
    [
      "many actions on one line after a #",
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: "1" # ${mib("{{ x }} ")}\n`,
    ],
    [
      "an action per line in a block of comments",
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n${mib("# {{ .Values.x }}\n")}`,
    ],
  ])("reads 1 MiB of %s within the budget", (_what, text) => {
    const { ms } = timed(() => parseManifests(text, "big.yaml", { onError: "collect" }));
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

describe("the URL rule", () => {
  it.each<[string, string]>([
    ["slashes without an @", mib("//")],
    ["@ signs after //", `//${mib("@/")}`],
    ["a query of = signs", `x?${mib("token=&")}`],
  ])("reads 1 MiB of %s within the budget", (_what, url) => {
    const { ms } = timed(() => {
      redactUrl(url);
      urlSecrets(url);
    });
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

describe("validate reads nothing unbounded", () => {
  const repo = join(tmp.dir, "repo");
  const good = tmp.file(
    "repo/k8s/task.yaml",
    [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata:",
      "  name: hello",
      "spec:",
      "  deno:",
      "    inline:",
      "      code: console.log('hello')",
      "",
    ].join("\n"),
  );
  symlinkSync("/dev/zero", join(repo, "k8s/zero.yaml"));
  symlinkSync(good, join(repo, "k8s/link.yaml"));
  execFileSync("mkfifo", [join(repo, "k8s/fifo.yaml")]);

  it("does not follow links in a folder, nor read a FIFO there", async () => {
    const result = await runCli(["validate", join(repo, "k8s")], { timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("checked 1 object");
  });

  it("refuses a named FIFO in one line with exit code 65", async () => {
    const result = await runCli(["validate", join(repo, "k8s/fifo.yaml")], { timeoutMs: 30_000 });
    expect(result.code).toBe(65);
    expect(result.stderr).toContain("not a regular file");
    expect(result.stderr).not.toContain("    at ");
  });

  it("refuses a file over 16 MiB in one line with exit code 65", async () => {
    const big = tmp.file("repo/big.yaml", "");
    truncateSync(big, 17 * MiB);
    const result = await runCli(["validate", big], { timeoutMs: 30_000 });
    expect(result.code).toBe(65);
    expect(result.stderr).toContain("larger than 16 MiB");
    expect(result.stderr).not.toContain("Invalid string length");
  });

  it("refuses a Secret whose data.SECURE_DATA is not base64, as kubectl does", async () => {
    const secret = tmp.file(
      "repo/secret.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  SECURE_DATA: not-base64!\n",
    );
    const result = await runCli(["validate", secret]);
    expect(result.code).toBe(65);
    expect(`${result.stdout}${result.stderr}`).toContain("not valid base64");
  });
});

describe("validate's YAML parse", () => {
  it.each<[string, string]>([
    ["stray } characters (each one a parse error)", `b: ${"} ".repeat(40_000)}\n`],
    [
      "a map of 40,000 keys",
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n${Array.from({ length: 40_000 }, (_, i) => `  k${i}: v`).join("\n")}\n`,
    ],
  ])("reads %s within the budget", (_what, text) => {
    const { ms } = timed(() => parseManifests(text, "big.yaml", { onError: "collect" }));
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it("still refuses a repeated key, at its line", () => {
    const set = parseManifests(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  k: w\n",
      "dup.yaml",
      { onError: "collect" },
    );
    expect(set.errors.map((e) => e.message)).toEqual([
      "dup.yaml:7:3: Cannot parse YAML: Map keys must be unique",
    ]);
  });
});

describe("validate's refusal of shapes that cost the parser far more than their size", () => {
  it.each<[string, string, string]>([
    ["4 MB of [", "[".repeat(4 * MiB), "nested [ or {"],
    ["a million empty documents", "---\n".repeat(1_000_000), "documents in one file"],
  ])("refuses %s in one line, within the budget", (_what, text, why) => {
    const { value, ms } = timed(() => parseManifests(text, "big.yaml", { onError: "collect" }));
    expect(ms).toBeLessThan(BUDGET_MS);
    expect(value.errors.map((e) => e.message)).toEqual([expect.stringContaining(why)]);
  });
});
