/**
 * Fetches task code from an `httpRef` URL, safely: timeouts, retries with backoff and jitter,
 * a size cap, bounded redirects with the scheme checked on every hop, HTML error pages and
 * empty bodies refused as code, and an optional sha256 pin checked before the code is returned.
 * Honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY as curl and Deno's fetch do.
 *
 * Uses undici on every platform: it also works under Deno when bundled with esbuild for
 * `platform: "node"` (checked by the tests).
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent, request } from "undici";
import { type Env, readProcessEnv } from "../core/runtime.js";
import { ConfigError, type ConfigIssue, FetchError } from "../errors/errors.js";
import { digestProblem, parseIntegrityPin, VALID_PIN } from "./integrity-pin.js";
import { redactUrl } from "./redact-url.js";

/** Default limits of `fetchScript`. */
export const FETCH_DEFAULTS = Object.freeze({
  connectTimeoutMs: 10_000,
  timeoutMs: 60_000,
  retries: 3,
  retryDelayMs: 500,
  maxRetryDelayMs: 10_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
});

/** What `onRetry` is told before each wait. */
export interface RetryEvent {
  /** The URL, credentials removed. */
  readonly url: string;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  /** How long the next attempt waits. */
  readonly delayMs: number;
  /** Why the attempt failed, for example `HTTP 503` or `connection refused (ECONNREFUSED)`. */
  readonly reason: string;
  /** The HTTP status, when a response arrived. */
  readonly status?: number;
}

/** Options of `fetchScript`. */
export interface FetchScriptOptions {
  /**
   * Time to establish a TCP/TLS connection, per attempt (default 10 s). undici checks it with a
   * coarse timer, so a connection may be given up to about a second more.
   */
  connectTimeoutMs?: number;
  /**
   * Total time for the whole fetch: every attempt, redirect and wait between attempts
   * (default 60 s). When it runs out, no further attempt starts.
   */
  timeoutMs?: number;
  /** Time for one attempt, headers and body (default: no limit beyond `timeoutMs`). */
  attemptTimeoutMs?: number;
  /** Extra attempts after a network error, a timeout of one attempt, HTTP 5xx or 429 (default 3). Never after another 4xx. */
  retries?: number;
  /** First wait between attempts; doubles each time, with jitter (default 500 ms). */
  retryDelayMs?: number;
  /** Longest wait between attempts, also the cap for `Retry-After` (default 10 s). */
  maxRetryDelayMs?: number;
  /** Largest body accepted (default 5 MiB). */
  maxBytes?: number;
  /** Redirects followed (default 5); each hop must be http or https. */
  maxRedirects?: number;
  /**
   * Expected sha256 of the body: exactly 64 hex digits, any case. `#sha256=<hex>` in the URL
   * does the same. A malformed pin is a `ConfigError`, never ignored.
   */
  sha256?: string;
  /**
   * Extra request headers (for example an `Authorization` for a private repository). Names are
   * case-insensitive; an `Authorization` here wins over user info in the URL. After a redirect
   * to another origin only `accept`, `accept-encoding` and `user-agent` are sent on.
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * The environment to read `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` from (either case, the
   * lower-case one first; default: the process's). A proxy without a scheme is taken as
   * `http://`; http targets are sent to an HTTP proxy as plain requests, https targets through a
   * CONNECT tunnel.
   */
  env?: Env;
  /** Aborts the fetch. */
  signal?: AbortSignal;
  /** Called before each wait, for structured logs. Never receives a credential. */
  onRetry?: (event: RetryEvent) => void;
  /** Jitter source, a function like `Math.random` (the default). */
  random?: () => number;
}

/** Fetched, checked task code. */
export interface FetchedScript {
  /** The code, decoded as UTF-8. */
  readonly code: string;
  /** The URL the code was finally read from (after redirects), credentials removed. */
  readonly url: string;
  /** The body's sha256, hex. */
  readonly sha256: string;
  /** The body's size in bytes. */
  readonly bytes: number;
  /** Attempts made. */
  readonly attempts: number;
  /** Redirects followed in the successful attempt. */
  readonly redirects: number;
  /** The response's content type, if any. */
  readonly contentType: string | undefined;
}

/** A failure of one attempt; `retry` says whether another attempt may help. */
class AttemptFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retry: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CLOSED: "connection closed",
};

function checkOptions(options: FetchScriptOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const numbers = [
    "connectTimeoutMs",
    "timeoutMs",
    "attemptTimeoutMs",
    "retries",
    "retryDelayMs",
    "maxRetryDelayMs",
    "maxBytes",
    "maxRedirects",
  ] as const;
  for (const name of numbers) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0 || !Number.isInteger(value))) {
      issues.push({ source: "options", path: name, message: "must be a non-negative integer" });
    }
  }
  return issues;
}

// Request headers that may follow a redirect to another origin: nothing that can identify or
// authorise the caller (Authorization, Cookie, PRIVATE-TOKEN, X-Api-Key, ...).
const CROSS_ORIGIN_HEADERS = new Set(["accept", "accept-encoding", "user-agent"]);

const PROXY_VARIABLES = [
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
] as const;

interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/**
 * The proxies `env` names, or `undefined` when it names none. Every value is passed to undici
 * explicitly (`""` for unset), so undici never reads the process environment itself.
 */
function proxySettings(env: Env, issues: ConfigIssue[]): ProxySettings | undefined {
  const pick = (lower: string, upper: string) => {
    const name = env[lower]?.trim() ? lower : env[upper]?.trim() ? upper : undefined;
    return name === undefined ? undefined : { name, value: (env[name] ?? "").trim() };
  };
  const https = pick("https_proxy", "HTTPS_PROXY");
  const http = pick("http_proxy", "HTTP_PROXY");
  const no = pick("no_proxy", "NO_PROXY");
  if (https === undefined && http === undefined && no === undefined) return undefined;
  const proxyUrl = (variable: { name: string; value: string } | undefined): string => {
    if (variable === undefined) return "";
    // curl and Deno take a proxy without a scheme as http://.
    const value = /^[a-z][a-z0-9+.-]*:\/\//i.test(variable.value)
      ? variable.value
      : `http://${variable.value}`;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      issues.push({
        source: "options",
        path: `env.${variable.name}`,
        message: `"${redactUrl(variable.value)}" is not a proxy URL: use http://host:port or https://host:port`,
      });
      return "";
    }
    return value;
  };
  return { httpsProxy: proxyUrl(https), httpProxy: proxyUrl(http), noProxy: no?.value ?? "" };
}

/** The `Authorization` header for user info in a URL, as browsers and curl build it. */
function basicAuth(url: URL): string {
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  // btoa only takes Latin-1: encode the UTF-8 bytes, as RFC 7617 recommends.
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

function networkReason(error: unknown, connectTimeoutMs: number): string {
  const code = (error as { code?: unknown })?.code;
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return `no connection within ${connectTimeoutMs} ms (connectTimeoutMs)`;
  }
  if (typeof code === "string") return `${NETWORK_REASONS[code] ?? "network error"} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return `network error: ${message}`;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

function isHtml(contentType: string | undefined, text: string): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type === "text/html" || type === "application/xhtml+xml") return `content-type "${type}"`;
  const start = text
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 14)
    .toLowerCase();
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
    return `the body starts with "${text.trimStart().slice(0, start.startsWith("<html") ? 5 : 14)}"`;
  }
  return undefined;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Drops a body we will not read; the destroy error it emits is expected. */
function discard(body: {
  on(event: "error", listener: () => void): unknown;
  destroy(): unknown;
}): void {
  body.on("error", () => undefined);
  body.destroy();
}

function plural(n: number): string {
  return `${n} attempt${n === 1 ? "" : "s"}`;
}

interface AttemptResult {
  bytes: Uint8Array;
  url: URL;
  redirects: number;
  contentType: string | undefined;
}

interface AttemptSettings {
  dispatcher: Dispatcher;
  signal: AbortSignal;
  headers: Record<string, string>;
  maxBytes: number;
  maxRedirects: number;
  connectTimeoutMs: number;
}

function checkScheme(url: URL, what: string): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AttemptFailure(
      `${what}scheme "${url.protocol}" is not allowed, only http: and https:`,
      false,
    );
  }
}

async function attempt(start: URL, settings: AttemptSettings): Promise<AttemptResult> {
  let url = start;
  let headers = settings.headers;
  for (let redirects = 0; ; redirects++) {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: "GET",
        // A copy: a proxy dispatcher adds a Host header to the object it is given.
        headers: { ...headers },
        signal: settings.signal,
        dispatcher: settings.dispatcher,
      });
    } catch (error) {
      throw new AttemptFailure(
        networkReason(error, settings.connectTimeoutMs),
        true,
        undefined,
        undefined,
        {
          cause: error,
        },
      );
    }
    const status = response.statusCode;
    if (REDIRECTS.has(status)) {
      await response.body.dump().catch(() => undefined);
      const location = headerValue(response.headers.location);
      if (location === undefined) {
        throw new AttemptFailure(`HTTP ${status} without a Location header`, false, status);
      }
      if (redirects >= settings.maxRedirects) {
        throw new AttemptFailure(
          `more than ${settings.maxRedirects} redirects (maxRedirects)`,
          false,
          status,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new AttemptFailure(`HTTP ${status} to an invalid Location`, false, status);
      }
      checkScheme(next, `redirected to "${redactUrl(next)}": `);
      if (url.protocol === "https:" && next.protocol === "http:") {
        throw new AttemptFailure(
          `redirected from https to "${redactUrl(next)}": refusing to downgrade to plain http, where the code could be changed in transit`,
          false,
          status,
        );
      }
      // Never carry credentials (Authorization, cookies, API tokens) to another origin.
      if (next.origin !== url.origin) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name)),
        );
      }
      url = next;
      continue;
    }
    if (status < 200 || status > 299) {
      await response.body.dump().catch(() => undefined);
      const retry = status === 429 || status >= 500;
      throw new AttemptFailure(
        `HTTP ${status}`,
        retry,
        status,
        retry ? retryAfterMs(response.headers["retry-after"]) : undefined,
      );
    }
    const contentType = headerValue(response.headers["content-type"]);
    const htmlType = isHtml(contentType, "");
    if (htmlType !== undefined) {
      discard(response.body);
      throw new AttemptFailure(
        `the server sent an HTML page, not code (${htmlType}); check that the URL points at the raw file`,
        false,
        status,
      );
    }
    const declared = Number(headerValue(response.headers["content-length"]));
    if (Number.isFinite(declared) && declared > settings.maxBytes) {
      discard(response.body);
      throw new AttemptFailure(
        `the body is larger than ${settings.maxBytes} bytes (maxBytes): Content-Length ${declared}`,
        false,
        status,
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        const bytes = chunk as Uint8Array;
        size += bytes.byteLength;
        if (size > settings.maxBytes) {
          discard(response.body);
          throw new AttemptFailure(
            `the body is larger than ${settings.maxBytes} bytes (maxBytes)`,
            false,
            status,
          );
        }
        chunks.push(bytes);
      }
    } catch (error) {
      if (error instanceof AttemptFailure) throw error;
      throw new AttemptFailure(
        networkReason(error, settings.connectTimeoutMs),
        true,
        status,
        undefined,
        {
          cause: error,
        },
      );
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { bytes, url, redirects, contentType };
  }
}

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
  const issues = checkOptions(options);
  const shown = redactUrl(url);
  const fail = (reason: string, attempts: number, status?: number, cause?: unknown): never => {
    const suffix = attempts > 0 ? ` after ${plural(attempts)}` : "";
    throw new FetchError(
      `Cannot fetch task code from "${shown}": ${reason}${suffix}`,
      status === undefined ? { url: shown, attempts } : { url: shown, attempts, status },
      cause === undefined ? undefined : { cause },
    );
  };

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    return fail("not a valid URL", 0, undefined, error);
  }
  const target = new URL(parsed.href);
  target.hash = "";
  const pin = parseIntegrityPin(parsed.hash);
  const pinned = pin.kind === "pinned" ? pin.sha256 : undefined;
  if (pin.kind === "invalid") {
    issues.push({
      source: "options",
      path: "sha256",
      message: `the #sha256 pin of "${shown}" is not valid: ${pin.problem}; write #sha256= and ${VALID_PIN}`,
    });
  }
  const optionProblem = options.sha256 === undefined ? undefined : digestProblem(options.sha256);
  if (optionProblem !== undefined) {
    issues.push({
      source: "options",
      path: "sha256",
      message: `the pin for "${shown}" is not valid: ${optionProblem}; give ${VALID_PIN}`,
    });
  }
  const optionPin = optionProblem === undefined ? options.sha256?.toLowerCase() : undefined;
  if (pinned !== undefined && optionPin !== undefined && pinned !== optionPin) {
    issues.push({
      source: "options",
      path: "sha256",
      message: `differs from the #sha256= pin of "${shown}"; give one pin`,
    });
  }

  // Names in lower case, so a caller's header replaces ours whatever its case.
  const headers: Record<string, string> = { accept: "*/*" };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (target.username !== "" || target.password !== "") {
    try {
      // An explicit Authorization header wins over the URL's user info.
      headers.authorization ??= basicAuth(target);
    } catch {
      // No cause: the URIError would only say "URI malformed", and the text is a credential.
      issues.push({
        source: "options",
        path: "url",
        message: `the user info of "${shown}" has an invalid % escape: percent-encode reserved characters as %XX (for example @ as %40)`,
      });
    }
    target.username = "";
    target.password = "";
  }
  const proxy = proxySettings(options.env ?? readProcessEnv(PROXY_VARIABLES), issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const expected = optionPin ?? pinned;
  try {
    checkScheme(target, "");
  } catch (error) {
    return fail((error as AttemptFailure).reason, 0);
  }

  const connectTimeoutMs = options.connectTimeoutMs ?? FETCH_DEFAULTS.connectTimeoutMs;
  const timeoutMs = options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  const retries = options.retries ?? FETCH_DEFAULTS.retries;
  const retryDelayMs = options.retryDelayMs ?? FETCH_DEFAULTS.retryDelayMs;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? FETCH_DEFAULTS.maxRetryDelayMs;
  const random = options.random ?? Math.random;
  const deadline = Date.now() + timeoutMs;

  const total = new AbortController();
  const totalTimer = setTimeout(() => total.abort(), timeoutMs);
  const outer =
    options.signal === undefined ? total.signal : AbortSignal.any([total.signal, options.signal]);
  const connect = { timeout: connectTimeoutMs };
  // With a proxy the connect timeout applies to the proxy and, through a tunnel, to the target.
  const dispatcher: Dispatcher =
    proxy === undefined
      ? new Agent({ connect })
      : new EnvHttpProxyAgent({
          ...proxy,
          connect,
          proxyTls: connect,
          requestTls: connect,
          proxyTunnel: false,
        });

  let attempts = 0;
  let last: AttemptFailure | undefined;
  try {
    while (true) {
      if (options.signal?.aborted) fail("aborted", attempts, last?.status, options.signal.reason);
      if (total.signal.aborted) {
        const after = last === undefined ? "" : `; last error: ${last.reason}`;
        fail(`timed out after ${timeoutMs} ms (timeoutMs)${after}`, attempts, last?.status, last);
      }
      attempts += 1;
      const attemptController = new AbortController();
      const attemptTimer =
        options.attemptTimeoutMs === undefined
          ? undefined
          : setTimeout(() => attemptController.abort(), options.attemptTimeoutMs);
      try {
        const result = await attempt(target, {
          dispatcher,
          signal: AbortSignal.any([outer, attemptController.signal]),
          headers,
          maxBytes: options.maxBytes ?? FETCH_DEFAULTS.maxBytes,
          maxRedirects: options.maxRedirects ?? FETCH_DEFAULTS.maxRedirects,
          connectTimeoutMs,
        });
        return await check(result, expected, attempts, fail);
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        if (options.signal?.aborted) fail("aborted", attempts, error.status, options.signal.reason);
        if (total.signal.aborted) {
          fail(`timed out after ${timeoutMs} ms (timeoutMs)`, attempts, error.status, error);
        }
        last = attemptController.signal.aborted
          ? new AttemptFailure(
              `no complete response within ${options.attemptTimeoutMs} ms (attemptTimeoutMs)`,
              true,
            )
          : error;
        if (!last.retry || attempts > retries) {
          fail(last.reason, attempts, last.status, last.cause ?? undefined);
        }
        const backoff = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (attempts - 1));
        let delayMs = Math.round(backoff * (0.5 + random() / 2));
        if (last.retryAfterMs !== undefined) delayMs = Math.min(maxRetryDelayMs, last.retryAfterMs);
        if (Date.now() + delayMs >= deadline) {
          fail(
            `timed out after ${timeoutMs} ms (timeoutMs) before the next attempt; last error: ${last.reason}`,
            attempts,
            last.status,
            last,
          );
        }
        const event: RetryEvent =
          last.status === undefined
            ? { url: shown, attempt: attempts, delayMs, reason: last.reason }
            : { url: shown, attempt: attempts, delayMs, reason: last.reason, status: last.status };
        options.onRetry?.(event);
        await sleep(delayMs, outer);
      } finally {
        if (attemptTimer !== undefined) clearTimeout(attemptTimer);
      }
    }
  } finally {
    clearTimeout(totalTimer);
    await dispatcher.destroy().catch(() => undefined);
  }
}

async function check(
  result: AttemptResult,
  expected: string | undefined,
  attempts: number,
  fail: (reason: string, attempts: number, status?: number, cause?: unknown) => never,
): Promise<FetchedScript> {
  if (result.bytes.byteLength === 0) fail("the body is empty, not code", attempts, 200);
  const sha256 = await sha256Hex(result.bytes);
  if (expected !== undefined && sha256 !== expected) {
    fail(`sha256 mismatch: expected ${expected}, got ${sha256}`, attempts, 200);
  }
  let code: string;
  try {
    code = new TextDecoder("utf-8", { fatal: true }).decode(result.bytes);
  } catch (error) {
    return fail("the body is not UTF-8 text", attempts, 200, error);
  }
  if (code.trim() === "") fail("the body is only whitespace, not code", attempts, 200);
  const html = isHtml(undefined, code);
  if (html !== undefined) {
    fail(
      `the server sent an HTML page, not code (${html}); check that the URL points at the raw file`,
      attempts,
      200,
    );
  }
  return Object.freeze({
    code,
    url: redactUrl(result.url),
    sha256,
    bytes: result.bytes.byteLength,
    attempts,
    redirects: result.redirects,
    contentType: result.contentType,
  });
}
