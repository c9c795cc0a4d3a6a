import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO, ROOT, SDK_BUNDLE } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";
import { cases } from "./api-cases/index.js";

// The same cases as api.node.test.ts, run by the pinned Deno against the SDK's bundle
// (sdk/dist/keptn-task-sdk.js) with Keptn's narrow permissions: no env, no sys access.
const results = new Map<string, { ok: boolean; error?: string }>();
const dir = mkdtempSync(join(tmpdir(), "keptn-sdk-deno-"));

beforeAll(async () => {
  const entry = join(dir, "cases.js");
  await build({
    entryPoints: [`${ROOT}test/sdk/deno-main.ts`],
    outfile: entry,
    bundle: true,
    format: "esm",
    platform: "node",
    logLevel: "warning",
    plugins: [
      {
        name: "use-sdk-bundle",
        setup(b) {
          b.onResolve({ filter: /sdk\/src\/index\.js$/ }, () => ({
            path: SDK_BUNDLE,
            external: true,
          }));
        },
      },
    ],
  });
  const run = await runProcess(DENO, [
    "run",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    `--allow-read=${ROOT}`,
    entry,
  ]);
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith('{"name"')) continue;
    const result = JSON.parse(line) as { name: string; ok: boolean; error?: string };
    results.set(result.name, result);
  }
  if (results.size === 0) throw new Error(`Deno ran no case (exit ${run.code}): ${run.stderr}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SDK API under Deno", () => {
  for (const apiCase of cases) {
    it(apiCase.name, () => {
      const result = results.get(apiCase.name);
      expect(result, "the case did not run under Deno").toBeDefined();
      expect(result?.error).toBeUndefined();
      expect(result?.ok).toBe(true);
    });
  }
});
