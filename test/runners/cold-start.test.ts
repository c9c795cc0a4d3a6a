// Every Job starts with an empty /tmp, so the runner's DENO_DIR holds nothing: Deno analyses each
// module it loads from scratch. What the runner makes it analyse before the task starts is what
// every Job pays for: only its tiny entry module (bootstrap.js), which loads the runner itself
// (runner.js) as a script, never analysed, and never undici unless a proxy is named (the runner
// fetches on Deno's own sockets).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFileServer } from "../helpers/file-server.js";
import { runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-cold-start-");
afterAll(() => tmp.cleanup());

/** Every byte Deno's module analysis cache holds, database and write-ahead log together. */
function analysisCache(denoDir: string): string {
  return readdirSync(denoDir)
    .filter((name) => name.startsWith("dep_analysis_cache"))
    .map((name) => readFileSync(join(denoDir, name)).toString("latin1"))
    .join("");
}

describe("the runner's start with an empty DENO_DIR, as in every Job", () => {
  it("analyses its entry module and the task, not the runner's script or the HTTP client, for a task from a file", async () => {
    const denoDir = join(tmp.dir, "deno-dir-file");
    const result = await runRunner("deno", {
      SCRIPT: tmp.file("hello.ts", 'console.log("hello");\n'),
      DENO_DIR: denoDir,
    });
    expect(result.stdout).toBe("hello\n");
    expect(result.code).toBe(0);
    const cache = analysisCache(denoDir);
    expect(cache).toContain("runners/dist/bootstrap.js");
    expect(cache).toContain("/hello.ts");
    expect(cache).not.toContain("runner.js");
    expect(cache).not.toContain("fetch-loader");
  });

  it("fetches a URL on Deno's own sockets: analyses neither the runner's script nor the HTTP client", async () => {
    const server = await startFileServer({ "/hello.ts": 'console.log("fetched");\n' });
    try {
      const denoDir = join(tmp.dir, "deno-dir-url");
      const result = await runRunner("deno", {
        SCRIPT: `${server.origin}/hello.ts`,
        DENO_DIR: denoDir,
      });
      expect(result.stdout).toBe("fetched\n");
      expect(result.code).toBe(0);
      const cache = analysisCache(denoDir);
      expect(cache).toContain("runners/dist/bootstrap.js");
      expect(cache).not.toContain("runner.js");
      expect(cache).not.toContain("fetch-loader");
    } finally {
      await server.close();
    }
  });

  it("loads the HTTP client (undici) when the environment names a proxy", async () => {
    const server = await startFileServer({ "/hello.ts": 'console.log("fetched");\n' });
    try {
      const denoDir = join(tmp.dir, "deno-dir-proxy");
      const result = await runRunner("deno", {
        SCRIPT: `${server.origin}/hello.ts`,
        DENO_DIR: denoDir,
        // Named, and bypassed for the loopback server: undici's proxy agent reads both.
        HTTP_PROXY: "http://127.0.0.1:9",
        NO_PROXY: "127.0.0.1",
      });
      expect(result.stdout).toBe("fetched\n");
      expect(result.code).toBe(0);
      expect(analysisCache(denoDir)).toContain("fetch-loader");
    } finally {
      await server.close();
    }
  });
});
