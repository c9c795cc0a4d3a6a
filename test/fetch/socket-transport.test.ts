// The socket transport (sdk/src/fetch/socket-transport.ts), as the runner fetches httpRef code
// under Deno: raw HTTP/1.x answers, each fetched through it and through Deno's fetch (the web
// transport), by the real deno binary against a raw TCP server on 127.0.0.1.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO, ROOT } from "../helpers/deno.js";
import { selfSignedCertificate, startBlackhole } from "../helpers/script-server.js";

const run = promisify(execFile);
const CODE = "console.log('ok');\n";
const head = (lines: string[]) => `${lines.join("\r\n")}\r\n\r\n`;
const ok = (...fields: string[]) =>
  head(["HTTP/1.1 200 OK", "Content-Type: text/plain", ...fields]);

/** What the raw server answers per path (latin1 text or bytes). */
const ANSWERS: Record<string, string | Buffer> = {
  // The server keeps the connection open: only Content-Length ends the body.
  "/framed": ok(`Content-Length: ${CODE.length}`) + CODE,
  "/chunked": `${ok("Transfer-Encoding: chunked")}7;ext=1\r\nconsole\r\n${(CODE.length - 7).toString(16)}\r\n${CODE.slice(7)}\r\n0\r\nX-Trailer: t\r\n\r\n`,
  "/continue": head(["HTTP/1.1 100 Continue"]) + ok(`Content-Length: ${CODE.length}`) + CODE,
  "/http10": `${head(["HTTP/1.0 200 OK", `Content-Length: ${CODE.length}`])}${CODE}`,
  "/redirect": head(["HTTP/1.1 302 Found", "Location: /chunked", "Content-Length: 0"]),
  "/same-lengths": ok(`Content-Length: ${CODE.length}`, `Content-Length: ${CODE.length}`) + CODE,
  // Read by Deno's fetch instead: an encoded body, a body only the connection's end ends, and a
  // head over 64 KiB.
  "/gzip": Buffer.concat([
    Buffer.from(ok("Content-Encoding: gzip", `Content-Length: ${gzipSync(CODE).length}`), "latin1"),
    gzipSync(CODE),
  ]),
  "/unframed": ok() + CODE,
  // Broken framing: never a success.
  "/cut-length": ok("Content-Length: 100") + CODE,
  "/cut-chunk": `${ok("Transfer-Encoding: chunked")}40\r\n${CODE}`,
  "/bad-chunk-size": `${ok("Transfer-Encoding: chunked")}zz\r\n${CODE}\r\n0\r\n\r\n`,
  "/chunk-overrun": `${ok("Transfer-Encoding: chunked")}3\r\n${CODE}\r\n0\r\n\r\n`,
  "/two-lengths": ok("Content-Length: 5", `Content-Length: ${CODE.length}`) + CODE,
  "/odd-length": `${ok("Content-Length: \u00b2")}${CODE}`,
  "/spaced-name": ok(`Content-Length : ${CODE.length}`) + CODE,
  "/folded": ok("X-A: 1", " folded", `Content-Length: ${CODE.length}`) + CODE,
  "/bad-status": `HTTP/1.1 2000 OK\r\nContent-Length: ${CODE.length}\r\n\r\n${CODE}`,
  "/huge-head": ok(`X-Big: ${"a".repeat(70_000)}`, `Content-Length: ${CODE.length}`) + CODE,
  "/too-large": `${ok("Transfer-Encoding: chunked")}${"1000\r\n".concat("x".repeat(4096), "\r\n").repeat(3)}0\r\n\r\n`,
  "/no-head": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n",
  // A bare LF, CR or NUL in a field line: a header hidden from one reader and not the next.
  "/bare-lf": ok("Content-Length: 7", `X-A: b\nContent-Length: ${CODE.length}`) + CODE,
  "/bare-cr": ok(`Content-Length: ${CODE.length}`, "X-A: b\rX-B: c") + CODE,
  "/nul-value": ok(`Content-Length: ${CODE.length}`, "X-A: b\u0000") + CODE,
  // HTTP/1.0 has no transfer codings: handed to Deno's fetch, which refuses it too.
  "/http10-chunked": `${head(["HTTP/1.0 200 OK", "Transfer-Encoding: chunked"])}${CODE.length.toString(16)}\r\n${CODE}\r\n0\r\n\r\n`,
};
const SUCCESSES = ["/framed", "/chunked", "/continue", "/http10", "/redirect", "/same-lengths"];
const HANDED_OVER = ["/gzip", "/unframed", "/huge-head"];
const BROKEN = Object.keys(ANSWERS).filter(
  (path) => !SUCCESSES.includes(path) && !HANDED_OVER.includes(path),
);

let server: Server;
/** TLS servers: one that takes HTTP/1.1 too, one that takes only HTTP/2. */
let tls: Http2SecureServer[];
const tlsHits = [0, 0];
let dir: string;
let bundle: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.once("data", (request) => {
      const path = request.toString("latin1").split(" ")[1] ?? "";
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const answer = ANSWERS[path] ?? head(["HTTP/1.1 404 Not Found", "Content-Length: 0"]);
      socket.write(typeof answer === "string" ? Buffer.from(answer, "latin1") : answer);
      if (path !== "/framed") socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const certificate = await selfSignedCertificate();
  tls = [true, false].map((allowHTTP1, index) =>
    createSecureServer({ ...certificate, allowHTTP1 }, (_request, response) => {
      tlsHits[index] = (tlsHits[index] ?? 0) + 1;
      response.writeHead(200, { "content-type": "text/plain" }).end(CODE);
    }),
  );
  for (const each of tls)
    await new Promise<void>((resolve) => each.listen(0, "127.0.0.1", resolve));
  dir = await mkdtemp(join(tmpdir(), "socket-transport-"));
  bundle = join(dir, "bundle.js");
  await build({
    entryPoints: [join(ROOT, "test/fetch/socket-entry.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: bundle,
    logLevel: "silent",
  });
});

afterAll(async () => {
  for (const each of tls) await new Promise((resolve) => each.close(resolve));
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** This process's environment without what sends https to Deno's fetch (SSL_CERT_FILE, ...). */
function socketEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const name of ["DENO_CERT", "DENO_TLS_CA_STORE", "SSL_CERT_FILE", "SSL_CERT_DIR"])
    delete env[name];
  return env;
}

type Outcome = { ok: boolean; code?: string; message?: string; attempts?: number };
type Pair = { socket: Outcome; web: Outcome };

describe("the socket transport, as the runner fetches httpRef code under Deno", () => {
  it("reads what the web transport reads, hands over what it does not carry, never calls a broken answer a success", async () => {
    const hole = await startBlackhole();
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let stdout = "";
    try {
      ({ stdout } = await run(
        DENO,
        [
          "run",
          "-A",
          // The servers' certificate is self-signed (DENO_CERT would send https to fetch).
          "--unsafely-ignore-certificate-errors=127.0.0.1",
          bundle,
          origin,
          Object.keys(ANSWERS).join(","),
          String(hole.port),
          ...tls.map((each) => `https://127.0.0.1:${(each.address() as AddressInfo).port}`),
        ],
        { env: { ...socketEnv(), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000 },
      ));
    } finally {
      hole.close();
    }
    const report = JSON.parse(stdout) as Record<string, Pair> & {
      pendingBefore: boolean;
      pendingAfter: boolean;
      blackhole: Outcome;
      tlsHttp1: Outcome;
      tlsHttp2Only: Outcome;
    };
    for (const path of [...SUCCESSES, ...HANDED_OVER]) {
      expect(report[path]?.socket, path).toEqual(report[path]?.web);
      expect(report[path]?.socket.code, path).toBe(CODE);
    }
    expect(report["/redirect"]?.socket).toMatchObject({ ok: true, redirects: 1 });
    // Handed over: the socket transport's request, then Deno's fetch's (and the web run's own).
    for (const path of HANDED_OVER) expect(hits.get(path), path).toBe(3);
    for (const path of BROKEN) {
      const { socket } = report[path] as Pair;
      expect(socket.ok, path).toBe(false);
      expect(socket.message, path).toMatch(/^Cannot fetch task code from "http:\/\/127\.0\.0\.1:/);
    }
    // A cut body is a network failure, retried; a body past maxBytes is not.
    expect(report["/cut-length"]?.socket.message).toMatch(/connection closed.*after 2 attempts$/);
    expect(report["/too-large"]?.socket.message).toMatch(
      /larger than 2000 bytes.*after 1 attempt$/,
    );
    // A header value the sockets would not send as is goes to Deno's fetch, which refuses it
    // before sending anything: /framed was only fetched by the two successful runs.
    expect(report.injected?.socket).toEqual(report.injected?.web);
    expect(report.injected?.socket.ok).toBe(false);
    expect(hits.get("/framed")).toBe(2);
    // Over TLS; a server that takes only HTTP/2 is read by Deno's fetch instead.
    expect(report.tlsHttp1).toMatchObject({ ok: true, code: CODE });
    expect(report.tlsHttp2Only).toMatchObject({ ok: true, code: CODE });
    expect(tlsHits).toEqual([1, 1]);
    // A connection that timed out is still being made (Deno cannot cancel it): said, so the
    // runner gives such a task a process of its own and ends itself.
    expect(report.pendingBefore).toBe(false);
    expect(report.blackhole.message).toMatch(/no connection or response within 150 ms/);
    expect(report.pendingAfter).toBe(true);
  });
});
