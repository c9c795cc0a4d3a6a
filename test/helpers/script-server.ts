// A real HTTP server on 127.0.0.1 serving task code the ways real servers fail: slowly, only
// after N failures, as an HTML 404 page, in a redirect loop, too large, empty, behind Basic auth.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, createServer as createTcpServer, type Socket } from "node:net";

/** The code `/ok.ts` serves. */
export const OK_CODE = 'console.log("hello from the script server");\n';

/** A running script server. */
export interface ScriptServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Requests seen per path (without query), for counting attempts. */
  hits(path: string): number;
  /** Authorization headers seen per path. */
  authorization(path: string): (string | undefined)[];
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

/**
 * Starts the script server on 127.0.0.1, on a free port.
 *
 * @returns The server; close it in `afterAll`.
 */
export async function startScriptServer(): Promise<ScriptServer> {
  const hits = new Map<string, number>();
  const auth = new Map<string, (string | undefined)[]>();
  let origin = "";
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    auth.set(path, [...(auth.get(path) ?? []), req.headers.authorization]);
    route(req, res, origin);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    hits: (path) => hits.get(path) ?? 0,
    authorization: (path) => auth.get(path) ?? [],
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
    "python3",
    [
      "-c",
      "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
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
