/**
 * A transport on the runtime's own `fetch` (WHATWG), for a runtime where undici is expensive to
 * load: under Deno, undici runs on the Node compatibility layer, which costs an `httpRef` Job
 * ~190 ms to wake, while Deno's `fetch` is part of the runtime. Redirects are followed here (one
 * hop at a time, `redirect: "manual"`), so every hop gets the checks of `redirects.ts`.
 *
 * Two differences from undici's transport, both of the `fetch` API: it takes no proxy (the caller
 * uses undici's transport when the environment names one), and it cannot tell a connection from
 * a response, so `connectTimeoutMs` bounds the wait for the response's headers (a server must
 * start answering within it).
 */

import { redactUrl } from "../contract/secret-rule.js";
import { alarm } from "../core/alarm.js";
import {
  AttemptFailure,
  networkFailure,
  noAnswerFailure,
  statusFailure,
} from "./attempt-failure.js";
import { headersAfterRedirect, isRedirect, nextHop } from "./redirects.js";
import { headerProblem, joinChunks, tooLargeReason } from "./response-checks.js";
import type { AttemptRequest, AttemptResult, Transport } from "./transport.js";

/** Deno's HTTP client, when the runtime has one: closed with the session. */
interface HttpClient {
  close(): void;
}
type DenoLike = { createHttpClient?: (options: object) => HttpClient };

/** The runtime's `fetch`, one HTTP client per fetch where the runtime can make one (Deno). */
export const webTransport: Transport = {
  open(proxy, connectTimeoutMs) {
    if (proxy !== undefined) {
      throw new TypeError("the web transport takes no proxy: fetch through undici's transport");
    }
    const deno = (globalThis as { Deno?: DenoLike }).Deno;
    const client = deno?.createHttpClient?.({});
    const init = client === undefined ? {} : { client };
    return {
      attempt: (start, request) => attempt(start, { ...request, connectTimeoutMs }, init),
      close: async () => client?.close(),
    };
  },
};

async function attempt(
  start: URL,
  request: AttemptRequest,
  init: Record<string, unknown>,
): Promise<AttemptResult> {
  let url = start;
  let headers = request.headers;
  for (let redirects = 0; ; redirects++) {
    const response = await send(url, headers, request, init);
    const status = response.status;
    if (isRedirect(status)) {
      await discard(response);
      const location = response.headers.get("location") ?? undefined;
      const next = nextHop({ from: url, status, location, redirects }, request.maxRedirects);
      headers = headersAfterRedirect(url, next, headers);
      url = next;
      continue;
    }
    if (status < 200 || status > 299) {
      await discard(response);
      throw statusFailure(status, response.headers.get("retry-after") ?? undefined);
    }
    const contentType = response.headers.get("content-type") ?? undefined;
    const contentLength = response.headers.get("content-length") ?? undefined;
    const problem = headerProblem(contentType, contentLength, request.maxBytes);
    if (problem !== undefined) {
      await discard(response);
      throw new AttemptFailure(problem, false, status);
    }
    const bytes = await readBody(response, request);
    return { bytes, url, redirects, contentType };
  }
}

/** Sends one GET; a network error, or no response within `connectTimeoutMs`, is retryable. */
async function send(
  url: URL,
  headers: Record<string, string>,
  request: AttemptRequest,
  init: Record<string, unknown>,
): Promise<Response> {
  const answer = new AbortController();
  const disarm = alarm(request.connectTimeoutMs, () => answer.abort());
  try {
    return await fetch(url, {
      ...init,
      method: "GET",
      headers: { ...headers },
      redirect: "manual",
      signal: AbortSignal.any([request.signal, answer.signal]),
    });
  } catch (error) {
    if (answer.signal.aborted && !request.signal.aborted) {
      throw noAnswerFailure(request.connectTimeoutMs, error);
    }
    throw networkFailure(new WebNetworkError(error, url), request.connectTimeoutMs);
  } finally {
    disarm();
  }
}

/** Reads the whole body, giving up as soon as it grows past `maxBytes`. */
async function readBody(response: Response, request: AttemptRequest): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const next = await reader?.read();
      if (next === undefined || next.done) break;
      size += next.value.byteLength;
      if (size > request.maxBytes) {
        await reader?.cancel().catch(() => undefined);
        throw new AttemptFailure(tooLargeReason(request.maxBytes), false, response.status);
      }
      chunks.push(next.value);
    }
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    throw networkFailure(
      new WebNetworkError(error, new URL(response.url || "http://unknown")),
      request.connectTimeoutMs,
      response.status,
    );
  }
  return joinChunks(chunks, size);
}

/** Drops a body we will not read. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** Network errors by the words of Deno's (hyper's, the system's) messages, as undici's codes. */
const CODES: readonly [RegExp, string][] = [
  [/connection refused/i, "ECONNREFUSED"],
  [/connection reset/i, "ECONNRESET"],
  [/temporary failure in name resolution/i, "EAI_AGAIN"],
  [/dns error|failed to lookup address|name or service not known/i, "ENOTFOUND"],
  [/no route to host/i, "EHOSTUNREACH"],
  [/network is unreachable/i, "ENETUNREACH"],
  [/timed out/i, "ETIMEDOUT"],
  [/broken pipe/i, "EPIPE"],
  [/connection closed|incomplete ?message|unexpected eof/i, "UND_ERR_SOCKET"],
];

/**
 * A `fetch` failure with undici's code for it, so the reason reads as undici's transport words
 * it (`connection refused (ECONNREFUSED)`). Its message never names the URL's query or user info.
 */
export class WebNetworkError extends Error {
  readonly code: string | undefined;

  constructor(error: unknown, url: URL) {
    const words: string[] = [];
    for (let e: unknown = error; e instanceof Error && words.length < 4; e = e.cause)
      words.push(e.message);
    const text = words
      .join(": ")
      .split(url.href)
      .join(redactUrl(url.href))
      .replace(/error sending request for url \([^)]*\):\s*/gi, "");
    super(text, { cause: error });
    this.name = "WebNetworkError";
    this.code = CODES.find(([pattern]) => pattern.test(text))?.[1];
  }
}
