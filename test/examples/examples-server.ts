// The loopback server the examples talk to, in place of the services their READMEs name (a health
// endpoint, a webhook, Slack, Prometheus, the http-ref example's repository), with what it saw.
// A test file calls serveExamples() once at its top level.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { ROOT } from "../helpers/deno.js";

export const EXAMPLES = join(ROOT, "examples");
// One per process running tests (test files may share one, and this module), removed when it ends.
export const dir = mkdtempSync(join(tmpdir(), "keptn-task-examples-"));
process.once("exit", () => rmSync(dir, { recursive: true, force: true }));

/** A request the loopback server received. */
interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  authorization: string | undefined;
}

const seen: Seen[] = [];
let server: Server;
export let origin = "";
/** The bot token the fake Slack knows. */
export const SLACK_TOKEN = "xoxb-example-token-1234";
/** The value the fake Prometheus answers with. */
export const ERROR_RATE = "0.02";

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

/** Starts the loopback server before the file's tests; stops it and removes `dir` after them. */
export function serveExamples(): void {
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push({
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        body: await body(req),
        authorization: req.headers.authorization,
      });
      const send = (status: number, text: string, type = "text/plain") => {
        res.writeHead(status, { "content-type": type });
        res.end(text);
      };
      if (url.pathname === "/healthz") return send(200, "ok");
      if (url.pathname === "/unhealthy") return send(503, "starting");
      // 503 at the first request, 200 after.
      if (url.pathname === "/starting")
        return send(requests("/starting").length > 1 ? 200 : 503, "");
      if (url.pathname === "/hooks/deployments" && req.method === "POST") return send(200, "ok");
      // Slack's Web API: 200 with { ok: false } for a token it does not know.
      if (url.pathname === "/api/chat.postMessage" && req.method === "POST") {
        const known = req.headers.authorization === `Bearer ${SLACK_TOKEN}`;
        return send(
          200,
          JSON.stringify(
            known ? { ok: true, ts: "1700000000.000100" } : { ok: false, error: "invalid_auth" },
          ),
          "application/json",
        );
      }
      if (url.pathname === "/api/v1/query") {
        return send(
          200,
          JSON.stringify({
            status: "success",
            data: {
              resultType: "vector",
              result: [{ metric: {}, value: [1_700_000_000, ERROR_RATE] }],
            },
          }),
          "application/json",
        );
      }
      // The http-ref example's files, as its repository URL serves them.
      const file = /^\/examples\/(http-ref|change-freeze)\/(task|describe|handler)\.ts$/.exec(
        url.pathname,
      );
      if (file !== null) {
        return send(
          200,
          readFileSync(join(EXAMPLES, file[1] ?? "", `${file[2]}.ts`), "utf8"),
          "application/typescript",
        );
      }
      send(404, "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
}

export const requests = (path: string) => seen.filter((s) => s.path === path);
export const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
export const summary = (stderr: string) => stderr.trim().split("\n").pop() ?? "";
