/**
 * How a fetch fails: `AttemptFailure` for one attempt (internal, carries whether a retry may
 * help), `fetchError` for the whole fetch (the public `FetchError`).
 */

import { isRetryableStatus, retryAfterMs } from "../core/retry.js";
import { FetchError } from "../errors/errors.js";

/** A failure of one attempt; `retry` says whether another attempt may help. */
export class AttemptFailure extends Error {
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

/**
 * A retryable `AttemptFailure` for a network error, named for people:
 * `connection refused (ECONNREFUSED)`.
 *
 * @param error What undici threw.
 * @param connectTimeoutMs The connect timeout, named when it ran out.
 * @param status The status, when the error came while reading a body.
 */
export function networkFailure(
  error: unknown,
  connectTimeoutMs: number,
  status?: number,
): AttemptFailure {
  return new AttemptFailure(networkReason(error, connectTimeoutMs), true, status, undefined, {
    cause: error,
  });
}

/**
 * The failure of an attempt with no connection or no response head within `connectTimeoutMs`,
 * for a transport that bounds both with that one limit (Deno's `fetch`, Deno's sockets):
 * retryable.
 */
export function noAnswerFailure(connectTimeoutMs: number, cause: unknown): AttemptFailure {
  return new AttemptFailure(
    `no connection or response within ${connectTimeoutMs} ms (connectTimeoutMs)`,
    true,
    undefined,
    undefined,
    { cause },
  );
}

/** The failure for a status that is neither 2xx nor a redirect: retryable for 429 and 5xx. */
export function statusFailure(
  status: number,
  retryAfter: string | string[] | undefined,
): AttemptFailure {
  const retry = isRetryableStatus(status);
  return new AttemptFailure(
    `HTTP ${status}`,
    retry,
    status,
    retry ? retryAfterMs(retryAfter) : undefined,
  );
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

/**
 * The `FetchError` that ends a fetch: `Cannot fetch task code from "URL": REASON after N attempts`.
 *
 * @param shown The URL, credentials removed.
 * @param reason Why the fetch failed.
 * @param attempts Attempts made (0: none, and no count in the message).
 * @param status The last HTTP status, when a response arrived.
 * @param cause The underlying error, if any.
 */
export function fetchError(
  shown: string,
  reason: string,
  attempts: number,
  status?: number,
  cause?: unknown,
): FetchError {
  const suffix = attempts > 0 ? ` after ${attempts} attempt${attempts === 1 ? "" : "s"}` : "";
  return new FetchError(
    `Cannot fetch task code from "${shown}": ${reason}${suffix}`,
    status === undefined ? { url: shown, attempts } : { url: shown, attempts, status },
    cause === undefined ? undefined : { cause },
  );
}
