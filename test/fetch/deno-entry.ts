// Bundled by deno-bundle.test.ts with esbuild (platform node, format esm) and run by the npm
// deno binary: runs fetchScript against the loopback script server and prints one JSON report,
// with undici as the transport (fetchScript) or Deno's own fetch (the runner's web transport).
import process from "node:process";
import { FetchError } from "../../sdk/src/errors/errors.js";
import { fetchScriptWith } from "../../sdk/src/fetch/fetch-core.js";
import { fetchScript } from "../../sdk/src/fetch/index.js";
import { socketTransport } from "../../sdk/src/fetch/socket-transport.js";
import { webTransport } from "../../sdk/src/fetch/web-transport.js";

const [origin = "", pin = "", closed = "", transport = "undici", hole = ""] = process.argv.slice(2);
const fast = { retryDelayMs: 5, maxRetryDelayMs: 20 };
const transports = { web: webTransport, socket: socketTransport };
const chosen = transports[transport as keyof typeof transports];
const fetchWith: typeof fetchScript =
  chosen === undefined ? fetchScript : (url, options) => fetchScriptWith(chosen, url, options);

async function outcome(url: string, options: Parameters<typeof fetchScript>[1] = {}) {
  try {
    const result = await fetchWith(url, { env: {}, ...fast, ...options });
    return { ok: true, code: result.code, attempts: result.attempts, sha256: result.sha256 };
  } catch (error) {
    if (error instanceof FetchError) {
      return {
        ok: false,
        message: error.message,
        attempts: error.attempts,
        status: error.status ?? null,
      };
    }
    return { ok: false, unexpected: String(error) };
  }
}

const report = {
  runtime: typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "deno" : "node",
  ok: await outcome(`${origin}/ok.ts#sha256=${pin}`),
  flaky: await outcome(`${origin}/flaky/deno-${transport}?fail=2&status=503`),
  notFound: await outcome(`${origin}/missing.ts`),
  pinMismatch: await outcome(`${origin}/ok.ts#sha256=${"0".repeat(64)}`),
  loop: await outcome(`${origin}/loop`, { maxRedirects: 2 }),
  tooLarge: await outcome(`${origin}/big.ts?bytes=100000`, { maxBytes: 1000 }),
  html: await outcome(`${origin}/page.html`),
  slow: await outcome(`${origin}/slow.ts?ms=3000`, { timeoutMs: 200 }),
  refused: await outcome(`http://127.0.0.1:${closed}/x.ts`, { retries: 1 }),
  scheme: await outcome("file:///etc/passwd"),
  blackhole: await outcome(`http://127.0.0.1:${hole}/x.ts`, { retries: 1, connectTimeoutMs: 150 }),
  credentials: await outcome(
    `http://user:s3cret@${origin.slice("http://".length)}/ok.ts?token=t0ps3cret`,
  ),
  crossOrigin: await outcome(
    `${origin}/redirect?to=${encodeURIComponent(`http://localhost:${origin.split(":")[2]}/ok.ts`)}`,
    {
      headers: { authorization: "Bearer t0ps3cret", "x-api-key": "k3y" },
    },
  ),
  aborted: await outcome(`${origin}/slow.ts?ms=3000`, { signal: AbortSignal.timeout(100) }),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
// The socket transport's connection to the blackhole cannot be cancelled (Deno.connect): it would
// keep the process alive until the system gives up on it.
process.exit(0);
