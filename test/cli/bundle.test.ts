import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { runCli } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-task-bundle-test-"));
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer({
    "/lib/greet.ts":
      'import { shout } from "./util.ts";\nexport const greet = (name: string): string => shout("hello " + name);\n',
    "/lib/util.ts":
      'export function shout(text: string): string {\n  return text.toUpperCase() + "!";\n}\n',
  });
  writeFileSync(
    join(dir, "task.ts"),
    `import { task } from "@keptn-task/sdk";\nimport { greet } from "${server.origin}/lib/greet.ts";\n\nconst t = task();\nconsole.log(greet(t.context.workloadName || "keptn"));\n`,
  );
  writeFileSync(
    join(dir, "plain.ts"),
    `import { greet } from "${server.origin}/lib/greet.ts";\nconsole.log(greet("offline"));\n`,
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a file with Deno, network and remote modules denied, from an empty DENO_DIR. */
function runOffline(file: string) {
  const denoDir = mkdtempSync(join(dir, "deno-dir-"));
  return runProcess(
    DENO,
    ["run", "--no-remote", "--cached-only", "--no-config", "--no-prompt", file],
    { env: { DENO_DIR: denoDir, NO_COLOR: "1" } },
  );
}

describe("keptn-task bundle", () => {
  it("removes every network fetch from a task that had remote imports", async () => {
    const before = await runOffline(join(dir, "plain.ts"));
    expect(before.code).not.toBe(0);
    expect(before.stderr).toContain("--no-remote");

    const out = join(dir, "plain.bundle.js");
    const result = await runCli(["bundle", join(dir, "plain.ts"), "--outfile", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderrLines).toEqual([
      expect.stringMatching(
        /^keptn-task: bundled ".*plain\.ts": \d+ B importing 2 remote modules \(\d+ B fetched on every run\) -> \d+ B in one file, no network fetch \(.*plain\.bundle\.js\)$/,
      ),
    ]);
    const bundle = readFileSync(out, "utf8");
    expect(bundle).not.toMatch(/^\s*import\b/m);

    const hits = server.hits("/lib/greet.ts") + server.hits("/lib/util.ts");
    const after = await runOffline(out);
    expect(after.stderr).toBe("");
    expect(after.stdout).toBe("HELLO OFFLINE!\n");
    expect(after.code).toBe(0);
    expect(server.hits("/lib/greet.ts") + server.hits("/lib/util.ts")).toBe(hits);
  });

  it("keeps @keptn-task/sdk, which the runner provides, and the bundle runs as inline code", async () => {
    const result = await runCli(["bundle", join(dir, "task.ts"), "--minify"]);
    expect(result.code).toBe(0);
    const bundle = result.stdout;
    expect(bundle).toMatch(
      /^\/\/ Bundled by keptn-task bundle from .*task\.ts: 2 remote modules inlined/,
    );
    expect(bundle).toMatch(/from"@keptn-task\/sdk"/);
    expect(bundle).not.toContain(server.origin);

    const indented = bundle
      .split("\n")
      .map((line) => `        ${line}`)
      .join("\n");
    const manifest = join(dir, "bundled.yaml");
    writeFileSync(
      manifest,
      `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: bundled }
spec:
  deno:
    inline:
      code: |
${indented}
`,
    );
    const hits = server.hits("/lib/greet.ts");
    const run = await runCli(["run", "bundled", "-f", manifest, "--workload", "cart"]);
    expect(run.stdout).toBe("HELLO CART!\n");
    expect(run.code).toBe(0);
    expect(server.hits("/lib/greet.ts")).toBe(hits);
  });

  it("keeps no credentials of an import URL in the bundle or its messages", async () => {
    const url = server.origin.replace("http://", "http://deploy:tok3n-s3cret@");
    const input = join(dir, "credentials.ts");
    writeFileSync(
      input,
      `import { greet } from "${url}/lib/greet.ts?token=qu3ry-s3cret";\nconsole.log(greet("x"));\n`,
    );
    const result = await runCli(["bundle", input]);
    expect(result.code).toBe(0);
    // esbuild names each module in a comment; the URL stays, its credentials go.
    expect(result.stdout).toContain(`// remote:${server.origin}/lib/greet.ts?token=***\n`);
    expect(result.stdout).toContain(`// remote:${server.origin}/lib/util.ts\n`);
    expect(result.stdout + result.stderr).not.toMatch(/tok3n-s3cret|qu3ry-s3cret|deploy/);
  });

  it("fails with exit code 1 when it cannot write OUT", async () => {
    const out = join(dir, "no-such-folder", "plain.bundle.js");
    const result = await runCli(["bundle", join(dir, "plain.ts"), "--outfile", out]);
    expect(result.stderrLines).toEqual([
      `keptn-task: Cannot write "${out}": no such file or directory`,
    ]);
    expect(result.code).toBe(1);
  });

  it("warns of an import it cannot follow and does not claim the bundle needs no network", async () => {
    const input = join(dir, "computed.ts");
    writeFileSync(
      input,
      `import { greet } from "${server.origin}/lib/greet.ts";\nconst name = Deno.env.get("PLUGIN") ?? "./plugin.ts";\nawait import(name);\nconsole.log(greet("x"));\n`,
    );
    const result = await runCli(["bundle", input]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^\/\/ Bundled by keptn-task bundle from .*computed\.ts: 2 remote modules inlined\.\n/,
    );
    expect(result.stderrLines).toEqual([
      expect.stringMatching(
        /^keptn-task: warning: .*computed\.ts:3:6: This "import" expression will not be bundled because the argument is not a string literal$/,
      ),
      expect.stringMatching(
        /^keptn-task: bundled ".*computed\.ts": .* in one file, but it still imports at run time: 1 import of a computed name$/,
      ),
    ]);
  });

  it.each([
    {
      case: "a missing file",
      file: "missing.ts",
      source: undefined,
      code: 66,
      line: /^keptn-task: Cannot read ".*missing\.ts": no such file or directory$/,
    },
    {
      case: "an npm: import",
      file: "npm.ts",
      source: 'import chalk from "npm:chalk@5";\nconsole.log(chalk.red("x"));\n',
      code: 66,
      line: /^keptn-task: Cannot bundle ".*npm\.ts": .*npm\.ts:1:\d+: "npm:chalk@5" is an npm: import, which Deno downloads at run time: import it from an https URL \(for example https:\/\/esm\.sh\/chalk@5\), or keep it with --external npm:chalk@5$/,
    },
    {
      case: "a bare import",
      file: "bare.ts",
      source: 'import "lodash";\n',
      code: 66,
      line: /^keptn-task: Cannot bundle ".*bare\.ts": .*bare\.ts:1:7: "lodash" is a bare import/,
    },
    {
      case: "a remote module that answers 404",
      file: "gone.ts",
      source: 'import "SERVER/lib/missing.ts";\n',
      code: 69,
      line: /^keptn-task: Cannot fetch task code from "http:\/\/127\.0\.0\.1:\d+\/lib\/missing\.ts": HTTP 404 after 1 attempt$/,
    },
    {
      case: "invalid code",
      file: "invalid.ts",
      source: "const x = ;\n",
      code: 66,
      line: /^keptn-task: Cannot bundle ".*invalid\.ts": .*invalid\.ts:1:10: Unexpected ";"$/,
    },
  ])("fails with one line and writes nothing for $case", async ({ file, source, code, line }) => {
    const input = join(dir, file);
    if (source !== undefined) writeFileSync(input, source.replace("SERVER", server.origin));
    const out = join(dir, "out", `${file}.js`);
    mkdirSync(join(dir, "out"), { recursive: true });
    const result = await runCli(["bundle", input, "--outfile", out]);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toMatch(line);
    expect(result.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    expect(result.code).toBe(code);
  });
});
