import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  OK_CODE,
  type ScriptServer,
  startBlackhole,
  startScriptServer,
} from "../helpers/script-server.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO = join(ROOT, "node_modules/.bin/deno");
const OK_SHA = createHash("sha256").update(OK_CODE).digest("hex");

let server: ScriptServer;
let dir: string;
let bundle: string;

beforeAll(async () => {
  server = await startScriptServer();
  dir = await mkdtemp(join(tmpdir(), "fetch-deno-"));
  bundle = join(dir, "bundle.js");
  // The bootstrap runner's own build settings.
  await build({
    entryPoints: [join(ROOT, "test/fetch/deno-entry.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: bundle,
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
    logLevel: "silent",
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("fetchScript bundled by esbuild and run by deno", () => {
  it.each([
    ["undici", "fetchScript"],
    ["web", "Deno's own fetch, where the socket transport hands over"],
    ["socket", "Deno's own sockets, as the runner fetches"],
  ])("keeps every fetch behaviour under Deno with the %s transport (%s)", async (transport) => {
    const closed = await closedPort();
    const hole = await startBlackhole();
    let stdout = "";
    try {
      ({ stdout } = await run(
        DENO,
        ["run", "-A", bundle, server.origin, OK_SHA, String(closed), transport, String(hole.port)],
        { env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000 },
      ));
    } finally {
      hole.close();
    }
    expect(JSON.parse(stdout)).toEqual(expectedReport(transport, closed, hole.port));
    expect(server.hits(`/flaky/deno-${transport}`)).toBe(3);
    // User info went as Basic auth; nothing secret crossed to the other origin.
    const basic = `Basic ${Buffer.from("user:s3cret").toString("base64")}`;
    expect(server.authorization("/ok.ts")).toContain(basic);
    const crossed = server.headers("/ok.ts").filter((h) => h.host?.startsWith("localhost"));
    expect(crossed.length).toBeGreaterThan(0);
    for (const headers of crossed) {
      expect(headers.authorization).toBeUndefined();
      expect(headers["x-api-key"]).toBeUndefined();
    }
  });
});

/** What the entry reports: the same with both transports, but for the connect timeout's words. */
function expectedReport(transport: string, closed: number, hole: number) {
  const o = server.origin;
  const connect =
    transport !== "undici"
      ? "no connection or response within 150 ms (connectTimeoutMs)"
      : "no connection within 150 ms (connectTimeoutMs)";
  return {
    runtime: "deno",
    ok: { ok: true, code: OK_CODE, attempts: 1, sha256: OK_SHA },
    flaky: { ok: true, code: OK_CODE, attempts: 3, sha256: OK_SHA },
    notFound: {
      ok: false,
      message: `Cannot fetch task code from "${o}/missing.ts": HTTP 404 after 1 attempt`,
      attempts: 1,
      status: 404,
    },
    pinMismatch: {
      ok: false,
      message: `Cannot fetch task code from "${o}/ok.ts": sha256 mismatch: expected ${"0".repeat(64)}, got ${OK_SHA} after 1 attempt`,
      attempts: 1,
      status: 200,
    },
    loop: {
      ok: false,
      message: `Cannot fetch task code from "${o}/loop": more than 2 redirects (maxRedirects) after 1 attempt`,
      attempts: 1,
      status: 302,
    },
    tooLarge: {
      ok: false,
      message: `Cannot fetch task code from "${o}/big.ts?bytes=100000": the body is larger than 1000 bytes (maxBytes) after 1 attempt`,
      attempts: 1,
      status: 200,
    },
    html: {
      ok: false,
      message: `Cannot fetch task code from "${o}/page.html": the server sent an HTML page, not code (content-type "text/html"); check that the URL points at the raw file after 1 attempt`,
      attempts: 1,
      status: 200,
    },
    slow: {
      ok: false,
      message: `Cannot fetch task code from "${o}/slow.ts?ms=3000": timed out after 200 ms (timeoutMs) after 1 attempt`,
      attempts: 1,
      status: null,
    },
    refused: {
      ok: false,
      message: `Cannot fetch task code from "http://127.0.0.1:${closed}/x.ts": connection refused (ECONNREFUSED) after 2 attempts`,
      attempts: 2,
      status: null,
    },
    scheme: {
      ok: false,
      message: `Cannot fetch task code from "file:///etc/passwd": scheme "file:" is not allowed, only http: and https:`,
      attempts: 0,
      status: null,
    },
    blackhole: {
      ok: false,
      message: `Cannot fetch task code from "http://127.0.0.1:${hole}/x.ts": ${connect} after 2 attempts`,
      attempts: 2,
      status: null,
    },
    credentials: { ok: true, code: OK_CODE, attempts: 1, sha256: OK_SHA },
    crossOrigin: { ok: true, code: OK_CODE, attempts: 1, sha256: OK_SHA },
    aborted: {
      ok: false,
      message: `Cannot fetch task code from "${o}/slow.ts?ms=3000": aborted after 1 attempt`,
      attempts: 1,
      status: null,
    },
  };
}
