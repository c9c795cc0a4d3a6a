// Bundled by socket-transport.test.ts with esbuild and run by the npm deno binary: fetches each
// path of the raw test server through the socket transport (as the runner fetches httpRef code)
// and through the web transport (Deno's fetch), and prints one JSON report of both.
import process from "node:process";
import { FetchError } from "../../sdk/src/errors/errors.js";
import { fetchScriptWith } from "../../sdk/src/fetch/fetch-core.js";
import { socketConnectsPending, socketTransport } from "../../sdk/src/fetch/socket-transport.js";
import { webTransport } from "../../sdk/src/fetch/web-transport.js";

const [origin = "", paths = "", hole = "", tlsHttp1 = "", tlsHttp2Only = ""] =
  process.argv.slice(2);
const options = { env: {}, retries: 1, retryDelayMs: 5, maxRetryDelayMs: 20, maxBytes: 2000 };

async function outcome(transport: typeof webTransport, url: string, extra: object = {}) {
  try {
    const result = await fetchScriptWith(transport, url, { ...options, ...extra });
    return { ok: true, code: result.code, attempts: result.attempts, redirects: result.redirects };
  } catch (error) {
    if (error instanceof FetchError)
      return { ok: false, message: error.message, attempts: error.attempts };
    return { ok: false, unexpected: String(error) };
  }
}

const report: Record<string, unknown> = {};
for (const path of paths.split(",")) {
  report[path] = {
    socket: await outcome(socketTransport, `${origin}${path}`),
    web: await outcome(webTransport, `${origin}${path}`),
  };
}
report.injected = {
  socket: await outcome(socketTransport, `${origin}/framed`, { headers: { "x-a": "1\r\nx-b: 2" } }),
  web: await outcome(webTransport, `${origin}/framed`, { headers: { "x-a": "1\r\nx-b: 2" } }),
};
// TLS: read on the sockets, and from a server that takes only HTTP/2 (no protocol in common)
// through Deno's fetch.
report.tlsHttp1 = await outcome(socketTransport, `${tlsHttp1}/x.ts`);
report.tlsHttp2Only = await outcome(socketTransport, `${tlsHttp2Only}/x.ts`);
report.pendingBefore = socketConnectsPending();
report.blackhole = await outcome(socketTransport, `http://127.0.0.1:${hole}/x.ts`, {
  retries: 0,
  connectTimeoutMs: 150,
});
report.pendingAfter = socketConnectsPending();
process.stdout.write(`${JSON.stringify(report)}\n`);
// The connection to the blackhole cannot be cancelled (Deno.connect): end here, not when it does.
process.exit(0);
