/**
 * Fetches task code from an `httpRef` URL, safely: timeouts, retries with backoff and jitter,
 * a size cap, bounded redirects with the scheme checked on every hop, HTML error pages and
 * empty bodies refused as code, and an optional sha256 pin checked before the code is returned.
 * Honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY as curl and Deno's fetch do.
 *
 * The steps are in `fetch-core.ts`; here they carry their requests with undici
 * (`undici-transport.ts`), on every platform: it also works under Deno when bundled with esbuild
 * for `platform: "node"` (checked by the tests).
 */
import { readProcessEnv } from "../core/runtime.js";
import { fetchScriptWith } from "./fetch-core.js";
import type { FetchedScript, FetchScriptOptions } from "./fetch-options.js";
import { PROXY_VARIABLES } from "./proxy.js";
import { undiciTransport } from "./undici-transport.js";

export {
  FETCH_DEFAULTS,
  type FetchedScript,
  type FetchScriptOptions,
  type RetryEvent,
} from "./fetch-options.js";

/**
 * Fetches task code from an http(s) URL and checks it before it is used.
 *
 * - Timeouts: `connectTimeoutMs` per connection, `attemptTimeoutMs` per attempt, `timeoutMs` for
 *   everything (attempts, redirects and waits together).
 * - Retries (`retries`, default 3) with exponential backoff and jitter on network errors,
 *   timeouts of one attempt, HTTP 5xx and 429 (honouring `Retry-After`); never on other 4xx.
 * - Redirects are followed up to `maxRedirects`, each hop checked for an http(s) scheme; an
 *   https URL never redirects to http; only `accept`, `accept-encoding` and `user-agent` are
 *   carried to another origin (no credentials, cookies or tokens).
 * - The body must be non-empty UTF-8, at most `maxBytes`, and not an HTML page (by content type
 *   or by its first characters).
 * - `#sha256=<hex>` on the URL (stripped before the request) or `sha256` pins the content; a
 *   malformed pin is a `ConfigError` and nothing is fetched.
 * - `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` in `env` (default: the process's) are honoured.
 *
 * @param url The `httpRef` URL; user info becomes a Basic `Authorization` header (UTF-8), unless
 *   `headers` has one.
 * @param options Limits, pin, headers, abort signal and retry hook.
 * @returns The code with its final URL, hash, size and attempt count.
 * @throws {FetchError} When the code cannot be fetched or fails a check. The message names the
 *   URL (credentials removed), the attempt count and the cause, for example
 *   `Cannot fetch task code from "https://host/x.ts": HTTP 404 after 1 attempt`.
 * @throws {ConfigError} When an option is invalid, a pin is malformed or two different pins are
 *   given, the URL's user info has a bad `%` escape, or a proxy variable is not a URL.
 * @example
 * ```ts
 * const { code } = await fetchScript("https://example.com/task.ts#sha256=9f86d0...", {
 *   timeoutMs: 30_000,
 *   onRetry: (e) => logger.warn(e, "retrying task code fetch"),
 * });
 * ```
 */
export async function fetchScript(
  url: string,
  options: FetchScriptOptions = {},
): Promise<FetchedScript> {
  const env = options.env ?? readProcessEnv(PROXY_VARIABLES);
  return await fetchScriptWith(undiciTransport, url, { ...options, env });
}
