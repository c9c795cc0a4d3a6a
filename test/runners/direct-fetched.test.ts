// httpRef code runs in the runner's own process, as code from a file does, when nothing in it
// resolves against its URL: no relative import (those resolve against the URL through an import
// map, which only a process of its own can be started with) and no import.meta.resolve.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { runRunner } from "../helpers/runner.js";

let server: FileServer;
beforeAll(async () => {
  server = await startFileServer({
    "/plain.ts": "console.log(Deno.pid, import.meta.url.startsWith('file:'));\n",
    "/relative.ts": 'import { word } from "./word.ts";\nconsole.log(Deno.pid, word);\n',
    "/word.ts": 'export const word = "relative";\n',
    "/resolves.ts": 'console.log(Deno.pid, import.meta.resolve("./word.ts").startsWith("http"));\n',
  });
});
afterAll(async () => {
  await server.close();
});

/** Runs the task at `path` on the server; `pid` is the runner's own process id. */
async function runFetched(path: string, env: Record<string, string> = {}) {
  let pid: number | undefined;
  const result = await runRunner(
    "deno",
    { SCRIPT: `${server.origin}${path}`, ...env },
    { onSpawn: (child) => (pid = child.pid) },
  );
  const [taskPid, rest] = result.stdout.trim().split(" ");
  return { ...result, inRunner: Number(taskPid) === pid, rest };
}

describe("fetched code in the runner's own process", () => {
  it("runs code with no relative import in the runner's process, from its verified copy", async () => {
    const result = await runFetched("/plain.ts");
    expect(result.code).toBe(0);
    expect(result.inRunner).toBe(true);
    expect(result.rest).toBe("true");
  });

  it("runs code with a relative import as a child, resolving it against the URL", async () => {
    const result = await runFetched("/relative.ts");
    expect(result.code).toBe(0);
    expect(result.inRunner).toBe(false);
    expect(result.rest).toBe("relative");
  });

  it("runs code that resolves a specifier itself as a child, against the URL", async () => {
    const result = await runFetched("/resolves.ts");
    expect(result.code).toBe(0);
    expect(result.inRunner).toBe(false);
    expect(result.rest).toBe("true");
  });

  it("runs code from a URL with a secret in it as a child, its output masked", async () => {
    const result = await runFetched("/plain.ts?token=s3cr3t-t0ken");
    expect(result.code).toBe(0);
    expect(result.inRunner).toBe(false);
  });
});
