// A real HTTP server on 127.0.0.1 serving task code the ways real servers fail: slowly, only
// after N failures, as an HTML 404 page, in a redirect loop, too large, endless, empty, behind
// Basic auth; the same over TLS; and a forwarding HTTP proxy that counts what it forwards.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, createServer as createTcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PYTHON } from "./python.js";
import { ignorePipeErrors } from "./run-process.js";

/** The code `/ok.ts` serves. */
export const OK_CODE = 'console.log("hello from the script server");\n';

/** Code that mentions `<html` after its first line: code, not an HTML page. */
export const HTML_MENTIONING_CODE =
  'const page = "<html><body>hello</body></html>";\nconsole.log(page);\n';

/** A running script server. */
export interface ScriptServer {
  /** `http://127.0.0.1:<port>` (`https://` for a TLS server). */
  readonly origin: string;
  /** Requests seen per path (without query), for counting attempts. */
  hits(path: string): number;
  /** Authorization headers seen per path. */
  authorization(path: string): (string | undefined)[];
  /** Every request's headers per path, names in lower case. */
  headers(path: string): IncomingHttpHeaders[];
  /** Every request's raw headers per path as `[name, value]` pairs: shows repeated headers. */
  rawHeaders(path: string): [string, string][][];
  close(): Promise<void>;
}

const flaky = new Map<string, number>();

function route(req: IncomingMessage, res: ServerResponse, origin: string) {
  const url = new URL(req.url ?? "/", origin);
  const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
  const path = url.pathname;
  const text = (status: number, body: string, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  };
  if (path === "/ok.ts") return text(200, OK_CODE, "application/typescript");
  if (path === "/slow.ts") {
    // Headers only after `ms`: an attempt timeout or the total timeout must cut it.
    setTimeout(() => text(200, OK_CODE), q("ms", 1000));
    return;
  }
  if (path.startsWith("/flaky/")) {
    // Fails the first `fail` requests for this path with `status`, then serves the code.
    const seen = (flaky.get(path) ?? 0) + 1;
    flaky.set(path, seen);
    if (seen <= q("fail", 2)) {
      const status = q("status", 503);
      const headers: Record<string, string> = { "content-type": "text/plain" };
      const retryAfter = url.searchParams.get("retryAfter");
      if (retryAfter !== null) headers["retry-after"] = retryAfter;
      res.writeHead(status, headers);
      res.end(`failure ${seen}`);
      return;
    }
    return text(200, OK_CODE);
  }
  if (path === "/missing.ts") {
    return text(
      404,
      "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
      "text/html",
    );
  }
  if (path.startsWith("/status/")) return text(Number(path.slice(8)), "status page");
  if (path === "/loop") {
    res.writeHead(302, { location: "/loop" });
    res.end();
    return;
  }
  if (path === "/hops") {
    // `n` redirects, relative Locations, then the code.
    const n = q("n", 1);
    res.writeHead(n > 0 ? 301 : 302, { location: n > 1 ? `/hops?n=${n - 1}` : "/ok.ts" });
    res.end();
    return;
  }
  if (path === "/redirect") {
    res.writeHead(302, { location: url.searchParams.get("to") ?? "/ok.ts" });
    res.end();
    return;
  }
  if (path === "/big.ts") {
    // Streams `bytes` bytes without a Content-Length, so only counting can stop it.
    res.writeHead(200, { "content-type": "text/plain" });
    const total = q("bytes", 1_000_000);
    const chunk = "a".repeat(16 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = chunk.slice(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!res.write(piece)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    res.on("error", () => undefined);
    pump();
    return;
  }
  if (path === "/endless.ts") {
    // A chunked body that never ends: only counting bytes can stop the client.
    res.writeHead(200, { "content-type": "text/plain" });
    const chunk = "a".repeat(16 * 1024);
    let open = true;
    res.on("close", () => {
      open = false;
    });
    res.on("error", () => undefined);
    const pump = () => {
      while (open) {
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
    };
    pump();
    return;
  }
  if (path === "/mentions-html.ts") return text(200, HTML_MENTIONING_CODE, "text/javascript");
  if (path === "/declared-big.ts") {
    res.writeHead(200, {
      "content-type": "text/plain",
      "content-length": String(q("bytes", 1_000_000)),
    });
    res.end("a".repeat(q("bytes", 1_000_000)));
    return;
  }
  if (path === "/page.html") {
    return text(
      200,
      "<!doctype html><html><body>Sign in</body></html>",
      "text/html; charset=utf-8",
    );
  }
  if (path === "/sneaky.ts") {
    return text(200, "\n  <HTML><body>Login required</body></HTML>", "text/plain");
  }
  if (path === "/empty.ts") return text(200, "");
  if (path === "/blank.ts") return text(200, "  \n\t\n");
  if (path === "/binary.ts") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(Buffer.from([0xff, 0xfe, 0x00, 0xc3]));
    return;
  }
  if (path === "/private.ts") {
    if (req.headers.authorization !== `Basic ${Buffer.from("user:s3cret").toString("base64")}`) {
      return text(401, "unauthorized");
    }
    return text(200, OK_CODE);
  }
  text(404, "not found");
}

/** A self-signed certificate for 127.0.0.1, made by the openssl command for one test run. */
export async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), "script-server-tls-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ]);
    return { key: await readFile(key, "utf8"), cert: await readFile(cert, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the script server on 127.0.0.1, on a free port.
 *
 * @param options `https: true` serves the same routes over TLS with a self-signed certificate
 *   (clients must be told not to verify it).
 * @returns The server; close it in `afterAll`.
 */
export async function startScriptServer(options: { https?: boolean } = {}): Promise<ScriptServer> {
  const hits = new Map<string, number>();
  const auth = new Map<string, (string | undefined)[]>();
  const seen = new Map<string, IncomingHttpHeaders[]>();
  const raw = new Map<string, [string, string][][]>();
  let origin = "";
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    auth.set(path, [...(auth.get(path) ?? []), req.headers.authorization]);
    seen.set(path, [...(seen.get(path) ?? []), req.headers]);
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      pairs.push([req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? ""]);
    }
    raw.set(path, [...(raw.get(path) ?? []), pairs]);
    route(req, res, origin);
  };
  const server: Server = options.https
    ? createHttpsServer(await selfSignedCertificate(), handle)
    : createServer(handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  origin = `${options.https ? "https" : "http"}://127.0.0.1:${address.port}`;
  return {
    origin,
    hits: (path) => hits.get(path) ?? 0,
    authorization: (path) => auth.get(path) ?? [],
    headers: (path) => seen.get(path) ?? [],
    rawHeaders: (path) => raw.get(path) ?? [],
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

/** A TCP port whose accept queue is full: a new connection never completes. */
export interface BlackholePort {
  readonly port: number;
  close(): void;
}

/**
 * Opens a listening socket (in a python3 process) with a backlog of 0 that never accepts, and
 * fills its queue with one connection, so the next SYN is dropped and a connect times out.
 */
export async function startBlackhole(): Promise<BlackholePort> {
  const child = spawn(
    PYTHON,
    [
      "-c",
      "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  ignorePipeErrors(child);
  const [data] = (await once(child.stdout, "data")) as [Buffer];
  const port = Number(data.toString().trim());
  const filler: Socket = connect(port, "127.0.0.1");
  filler.on("error", () => undefined);
  await once(filler, "connect");
  return {
    port,
    close: () => {
      filler.destroy();
      child.stdin.end();
      child.kill();
    },
  };
}

/** A loopback port nothing listens on (it was free a moment ago), so connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  server.close();
  await once(server, "close");
  return address.port;
}

/** A running forward proxy. */
export interface LoopbackProxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY. */
  readonly origin: string;
  /** The absolute URLs of the requests it forwarded, in order. */
  requests(): readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a tiny HTTP forward proxy on 127.0.0.1: it takes absolute-form requests for http://
 * targets (`GET http://host/path HTTP/1.1`), as curl and undici send them to an HTTP proxy,
 * forwards them and counts them. Anything else gets 400; CONNECT is not served.
 *
 * @returns The proxy; close it after the test.
 */
export async function startProxy(): Promise<LoopbackProxy> {
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    const target = req.url ?? "";
    if (!target.startsWith("http://")) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end("absolute-form http:// requests only");
      return;
    }
    forwarded.push(target);
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const upstream = httpRequest(target, { method: req.method, headers }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests: () => [...forwarded],
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
