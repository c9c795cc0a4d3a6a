/**
 * One attempt of a fetch: the request, its redirects, the status and header checks, and the body
 * read within the size limit. Every failure is an `AttemptFailure` saying whether to retry.
 */
import { type Dispatcher, request } from "undici";
import { AttemptFailure, networkFailure, statusFailure } from "./attempt-failure.js";
import { headersAfterRedirect, isRedirect, nextHop } from "./redirects.js";
import { headerProblem, joinChunks, tooLargeReason } from "./response-checks.js";
import type { AttemptRequest, AttemptResult } from "./transport.js";

/** What every attempt of one fetch shares: its request, and undici's dispatcher. */
export interface AttemptSettings extends AttemptRequest {
  dispatcher: Dispatcher;
}

type Response = Dispatcher.ResponseData;

/**
 * Requests `start`, follows its redirects, and reads a 2xx body.
 *
 * @param start The URL, without user info or fragment.
 * @param settings Dispatcher, signal, headers and limits.
 * @throws {AttemptFailure} For every failure; `retry` tells whether another attempt may help.
 */
export async function attempt(start: URL, settings: AttemptSettings): Promise<AttemptResult> {
  let url = start;
  let headers = settings.headers;
  for (let redirects = 0; ; redirects++) {
    const response = await send(url, headers, settings);
    const status = response.statusCode;
    if (isRedirect(status)) {
      await response.body.dump().catch(() => undefined);
      const location = headerValue(response.headers.location);
      const next = nextHop({ from: url, status, location, redirects }, settings.maxRedirects);
      headers = headersAfterRedirect(url, next, headers);
      url = next;
      continue;
    }
    if (status < 200 || status > 299) {
      await response.body.dump().catch(() => undefined);
      throw statusFailure(status, response.headers["retry-after"]);
    }
    const contentType = headerValue(response.headers["content-type"]);
    const contentLength = headerValue(response.headers["content-length"]);
    const problem = headerProblem(contentType, contentLength, settings.maxBytes);
    if (problem !== undefined) {
      discard(response.body);
      throw new AttemptFailure(problem, false, status);
    }
    const bytes = await readBody(response, settings);
    return { bytes, url, redirects, contentType };
  }
}

/** Sends one GET; a network error becomes a retryable `AttemptFailure`. */
async function send(
  url: URL,
  headers: Record<string, string>,
  settings: AttemptSettings,
): Promise<Response> {
  try {
    return await request(url, {
      method: "GET",
      // A copy: a proxy dispatcher adds a Host header to the object it is given.
      headers: { ...headers },
      signal: settings.signal,
      dispatcher: settings.dispatcher,
    });
  } catch (error) {
    throw networkFailure(error, settings.connectTimeoutMs);
  }
}

/** Reads the whole body, giving up as soon as it grows past `maxBytes`. */
async function readBody(response: Response, settings: AttemptSettings): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      const bytes = chunk as Uint8Array;
      size += bytes.byteLength;
      if (size > settings.maxBytes) {
        discard(response.body);
        throw new AttemptFailure(tooLargeReason(settings.maxBytes), false, response.statusCode);
      }
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    throw networkFailure(error, settings.connectTimeoutMs, response.statusCode);
  }
  return joinChunks(chunks, size);
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/** Drops a body we will not read; the destroy error it emits is expected. */
function discard(body: {
  on(event: "error", listener: () => void): unknown;
  destroy(): unknown;
}): void {
  body.on("error", () => undefined);
  body.destroy();
}
