/**
 * A transport on Deno's own sockets (`Deno.connect`, `Deno.connectTls`): one HTTP/1.1 GET per
 * connection (`Connection: close`), read by `http1-response.ts`. Under Deno a process's first
 * `fetch` costs ~27 ms (its HTTP client and streams load on first use), a socket ~3 ms, and an
 * httpRef Job's fetch sits on its start-up path (docs/benchmarks.md, "Where a start-up goes").
 *
 * It carries the plain case, which is what a Job's httpRef meets: an http(s) URL answered with a
 * body framed by `Content-Length` or chunks, after any redirects (each hop checked by
 * `redirects.ts`, as the web transport checks it). Whatever it does not carry plainly goes to
 * the web transport (Deno's `fetch`), from the same URL, so every other case keeps the one
 * implementation: an encoded body (it asks for none), a body that only the end of the connection
 * ends, a head over 64 KiB, a response that is not HTTP/1.x or is HTTP/1.0 with a transfer coding,
 * a header value it would not send as is, a TLS server that takes only HTTP/2, and https when
 * the environment names other trusted certificates (`DENO_CERT`, `DENO_TLS_CA_STORE`, ...). A
 * framing that is broken or ambiguous (a cut body, conflicting lengths, a control character in
 * the head) is a network failure, retried, never read.
 * Like the web transport it takes no proxy, and `connectTimeoutMs` bounds the wait for a
 * response's head.
 */

import { alarm } from "../core/alarm.js";
import {
  AttemptFailure,
  networkFailure,
  noAnswerFailure,
  statusFailure,
} from "./attempt-failure.js";
import {
  type Http1Head,
  Http1Reader,
  Http1Unsupported,
  type ReadFn,
  TOKEN,
} from "./http1-response.js";
import { headersAfterRedirect, isRedirect, nextHop } from "./redirects.js";
import { headerProblem, tooLargeReason } from "./response-checks.js";
import type { AttemptRequest, AttemptResult, Transport, TransportSession } from "./transport.js";
import { WebNetworkError, webTransport } from "./web-transport.js";

/** The parts of Deno's API the transport uses. */
interface Conn {
  read: ReadFn;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}
interface DenoSockets {
  connect(options: { hostname: string; port: number }): Promise<Conn>;
  connectTls(options: { hostname: string; port: number; alpnProtocols: string[] }): Promise<Conn>;
  env: { get(name: string): string | undefined };
  version: { deno: string };
}

/** Variables that change which certificates Deno trusts: https then goes through `fetch`. */
const TRUST_VARIABLES = ["DENO_CERT", "DENO_TLS_CA_STORE", "SSL_CERT_FILE", "SSL_CERT_DIR"];
/** A TLS handshake refused for ALPN (rustls' words): the server takes no HTTP/1.1. */
const NO_COMMON_PROTOCOL = /NoApplicationProtocol|no_application_protocol|application protocol/i;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Deno's sockets, falling back to the web transport for what they do not carry plainly. */
export const socketTransport: Transport = {
  open(proxy, connectTimeoutMs) {
    if (proxy !== undefined) {
      throw new TypeError("the socket transport takes no proxy: fetch through undici's transport");
    }
    const deno = (globalThis as unknown as { Deno?: DenoSockets }).Deno;
    if (deno?.connect === undefined) throw new TypeError("the socket transport needs Deno");
    let web: TransportSession | undefined;
    const fallback = () => {
      web ??= webTransport.open(undefined, connectTimeoutMs);
      return web;
    };
    return {
      attempt: (start, request) =>
        attempt(deno, start, { ...request, connectTimeoutMs }, async (url, headers, taken) => {
          const maxRedirects = request.maxRedirects - taken;
          const rest = { ...request, headers, maxRedirects, connectTimeoutMs };
          const result = await fallback().attempt(url, rest);
          return { ...result, redirects: result.redirects + taken };
        }),
      close: async () => await web?.close(),
    };
  },
};

/** Carries an attempt from `url` through the web transport, after `redirects` hops taken. */
type Fallback = (
  url: URL,
  headers: Record<string, string>,
  redirects: number,
) => Promise<AttemptResult>;

async function attempt(
  deno: DenoSockets,
  start: URL,
  request: AttemptRequest,
  fallback: Fallback,
): Promise<AttemptResult> {
  let url = start;
  let headers = request.headers;
  for (let redirects = 0; ; redirects++) {
    const exchange = plain(deno, url, headers)
      ? await open(deno, url, headers, request)
      : undefined;
    if (exchange === undefined) return await fallback(url, headers, redirects);
    try {
      const { head, reader } = exchange;
      const status = head.status;
      if (isRedirect(status)) {
        const location = head.headers.get("location");
        const next = nextHop({ from: url, status, location, redirects }, request.maxRedirects);
        headers = headersAfterRedirect(url, next, headers);
        url = next;
        continue;
      }
      if (status < 200 || status > 299) {
        throw statusFailure(status, head.headers.get("retry-after"));
      }
      const contentType = head.headers.get("content-type");
      const length = head.headers.get("content-length");
      const problem = headerProblem(contentType, length, request.maxBytes);
      if (problem !== undefined) throw new AttemptFailure(problem, false, status);
      const bytes = await readBody(reader, head, request, url);
      if (bytes === "unsupported") return await fallback(url, headers, redirects);
      return { bytes, url, redirects, contentType };
    } finally {
      exchange.close();
    }
  }
}

/** Whether the sockets carry a request to `url` with `headers` as is. */
function plain(deno: DenoSockets, url: URL, headers: Record<string, string>): boolean {
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (url.protocol === "https:" && TRUST_VARIABLES.some((name) => deno.env.get(name) !== undefined))
    return false;
  return Object.entries(headers).every(
    ([name, value]) =>
      TOKEN.test(name) && FIELD_VALUE.test(value) && !/^(host|connection)$/i.test(name),
  );
}

/** An open connection whose response head has been read. */
interface Exchange {
  readonly head: Http1Head;
  readonly reader: Http1Reader;
  close(): void;
}

/**
 * Connects, sends the GET and reads the response's head, within `connectTimeoutMs`; the
 * request's signal closes the connection. Network errors and a malformed head are retryable.
 */
async function open(
  deno: DenoSockets,
  url: URL,
  headers: Record<string, string>,
  request: AttemptRequest,
): Promise<Exchange | undefined> {
  const answer = new AbortController();
  const connection = new Connection();
  const stop = () => connection.close(request.signal.reason);
  request.signal.addEventListener("abort", stop);
  const disarm = alarm(request.connectTimeoutMs, () => {
    answer.abort();
    connection.close(answer.signal.reason);
  });
  const done = () => {
    disarm();
    request.signal.removeEventListener("abort", stop);
    connection.close(undefined);
  };
  try {
    if (request.signal.aborted) throw request.signal.reason;
    const conn = await connection.open(connect(deno, url));
    await connection.until(writeAll(conn, requestHead(deno, url, headers)));
    const reader = new Http1Reader((into) => connection.until(conn.read(into)));
    const head = await reader.head();
    disarm();
    return { head, reader, close: done };
  } catch (error) {
    done();
    // Not HTTP/1.x, or a TLS server that takes only HTTP/2 (no protocol in common): for fetch.
    if (error instanceof Http1Unsupported || NO_COMMON_PROTOCOL.test(String(error)))
      return undefined;
    if (answer.signal.aborted && !request.signal.aborted) {
      throw noAnswerFailure(request.connectTimeoutMs, error);
    }
    throw networkFailure(new WebNetworkError(error, url), request.connectTimeoutMs);
  }
}

/** Connections still being made after their attempt gave up on them (see `Connection`). */
let abandoned = 0;

/**
 * Whether a connection this transport gave up on is still being made. Deno cannot cancel a
 * `Deno.connect` (to a host that drops the packets it waits for the system's own timeout, about
 * two minutes on Linux), and until it ends Deno's event loop stays alive: a caller whose process
 * should end when its work does (the runner, running a task in its own process) ends it itself.
 */
export function socketConnectsPending(): boolean {
  return abandoned > 0;
}

/** One connection of an attempt: every wait on it ends when it is closed. */
class Connection {
  #conn: Conn | undefined;
  #closed = false;
  #reject: (reason: unknown) => void = () => undefined;
  readonly #stopped = new Promise<never>((_, reject) => (this.#reject = reject));

  constructor() {
    this.#stopped.catch(() => undefined);
  }

  /** Waits for `making`; a connection made after the close is closed at once. */
  async open(making: Promise<Conn>): Promise<Conn> {
    let settled = false;
    void making.then(
      (conn) => {
        settled = true;
        if (this.#closed) conn.close();
        else this.#conn = conn;
      },
      () => (settled = true),
    );
    try {
      return await this.until(making);
    } finally {
      if (!settled) {
        abandoned++;
        void making.then(
          () => abandoned--,
          () => abandoned--,
        );
      }
    }
  }

  /** `pending`, unless the connection is closed first (then the close's reason is thrown). */
  until<T>(pending: Promise<T>): Promise<T> {
    return Promise.race([pending, this.#stopped]);
  }

  /** Closes the connection (if made), and ends every wait on it with `reason`. */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn?.close();
    } catch {
      // closed already
    }
    this.#reject(reason ?? new Error("connection closed"));
  }
}

async function connect(deno: DenoSockets, url: URL): Promise<Conn> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const tls = url.protocol === "https:";
  const port = url.port === "" ? (tls ? 443 : 80) : Number(url.port);
  return tls
    ? await deno.connectTls({ hostname, port, alpnProtocols: ["http/1.1"] })
    : await deno.connect({ hostname, port });
}

/**
 * The request's head: a GET of the URL's path and query, asking for the body as it is, with
 * the User-Agent Deno's `fetch` sends unless the caller names one.
 */
function requestHead(deno: DenoSockets, url: URL, headers: Record<string, string>): Uint8Array {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  if (headers["user-agent"] === undefined) lines.push(`User-Agent: Deno/${deno.version.deno}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push("Connection: close", "", "");
  return Uint8Array.from(lines.join("\r\n"), (c) => c.charCodeAt(0) & 0xff);
}

async function writeAll(conn: Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += await conn.write(bytes.subarray(offset));
}

/** The body within `maxBytes`; "unsupported" when its framing is one `fetch` must read. */
async function readBody(
  reader: Http1Reader,
  head: Http1Head,
  request: AttemptRequest,
  url: URL,
): Promise<Uint8Array | "unsupported"> {
  try {
    const bytes = await reader.body(head, request.maxBytes);
    if (bytes === undefined) {
      throw new AttemptFailure(tooLargeReason(request.maxBytes), false, head.status);
    }
    return bytes;
  } catch (error) {
    if (error instanceof Http1Unsupported) return "unsupported";
    if (error instanceof AttemptFailure) throw error;
    throw networkFailure(new WebNetworkError(error, url), request.connectTimeoutMs, head.status);
  }
}
