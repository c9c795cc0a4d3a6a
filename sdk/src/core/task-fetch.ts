/**
 * `t.fetch`: the platform `fetch` with a child `traceparent`, aborted with the task's signal, a
 * timeout per attempt (bounded by the deadline) and an opt-in retry with backoff for idempotent
 * requests.
 */
import { setTimeout as setTimer } from "node:timers";
import { clampTimerMs } from "../contract/process-policy.js";
import { redactUrl } from "../contract/secret-rule.js";
import type { Logger } from "../log/logger.js";
import { retryAfterMs, retryDelay, sleep } from "./retry.js";

/** How long one attempt of `t.fetch` may take by default, response body included. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

/** Statuses retried by default: 408, 429, 500, 502, 503, 504. */
export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = Object.freeze([
  408, 429, 500, 502, 503, 504,
]);

/** The methods a retry may repeat: those that change nothing more when sent twice. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/** The retry of `t.fetch` (idempotent requests only). */
export interface FetchRetry {
  /** Attempts after the first one (0 for none). */
  limit: number;
  /** Statuses that are retried (default 408, 429, 500, 502, 503, 504). Network errors and timeouts always are. */
  statusCodes?: readonly number[];
  /** Wait before the first retry, doubled after each (with jitter); `Retry-After` wins (default 500 ms). */
  delayMs?: number;
  /** Longest wait, also the cap of `Retry-After` (default 10 s). */
  maxDelayMs?: number;
}

/** `RequestInit` with what `t.fetch` adds. */
export interface TaskFetchInit extends RequestInit {
  /**
   * How long one attempt may take, reading the response body included (default 30 s, always
   * bounded by the time left until the deadline); `Infinity` for no timeout but the deadline.
   */
  timeoutMs?: number;
  /** Retry on network errors, timeouts and some statuses, with exponential backoff. */
  retry?: FetchRetry;
}

/** What `t.fetch` needs from its task. */
export interface FetchDeps {
  /** The `traceparent` to send (the current span's, or a child of the task's trace), if any. */
  readonly traceparent: () => string | undefined;
  readonly signal: AbortSignal;
  readonly remainingMs: () => number;
  readonly log: Logger;
}

/** A settled attempt: its response, or what it threw. */
type Attempt = { response: Response; error?: undefined } | { response?: undefined; error: unknown };

/**
 * `t.fetch`. With `retry`, an answer whose status is listed, a network error or a timeout is
 * retried up to `limit` times while the deadline leaves time for the wait; the last answer is
 * returned as it is (check `response.ok`), the last error thrown.
 *
 * @throws {TypeError} for a retry of a request that is not idempotent, or a bad option.
 */
export async function taskFetch(
  input: string | URL | Request,
  init: TaskFetchInit,
  deps: FetchDeps,
): Promise<Response> {
  const { timeoutMs = DEFAULT_FETCH_TIMEOUT_MS, retry, ...rest } = init;
  const method = (rest.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const limit = checkOptions(timeoutMs, retry, method, rest.body);
  const headers = new Headers(
    rest.headers ?? (input instanceof Request ? input.headers : undefined),
  );
  const traceparent = headers.has("traceparent") ? undefined : deps.traceparent();
  if (traceparent !== undefined) headers.set("traceparent", traceparent);
  const url = redactUrl(input instanceof Request ? input.url : String(input));
  const statusCodes = new Set(retry?.statusCodes ?? DEFAULT_RETRY_STATUS_CODES);
  const policy = {
    retries: limit,
    retryDelayMs: retry?.delayMs ?? 500,
    maxRetryDelayMs: retry?.maxDelayMs ?? 10_000,
    random: Math.random,
  };
  for (let attempt = 1; ; attempt++) {
    const request = input instanceof Request && attempt <= limit ? input.clone() : input;
    const signal = attemptSignal(rest.signal, deps, timeoutMs, `${method} ${url}`);
    const outcome: Attempt = await globalThis.fetch(request, { ...rest, headers, signal }).then(
      (response) => ({ response }),
      (error: unknown) => ({ error }),
    );
    const retryable = outcome.response
      ? statusCodes.has(outcome.response.status)
      : !deps.signal.aborted && !rest.signal?.aborted;
    if (attempt > limit || !retryable) return settle(outcome);
    const wait = retryDelay(
      policy,
      attempt,
      retryAfterMs(outcome.response?.headers.get("retry-after") ?? undefined),
    );
    if (wait >= deps.remainingMs()) return settle(outcome);
    await outcome.response?.body?.cancel().catch(() => undefined);
    deps.log.warn(
      {
        url,
        attempt,
        attempts: limit + 1,
        waitMs: wait,
        ...(outcome.response
          ? { status: outcome.response.status }
          : { error: messageOf(outcome.error) }),
      },
      `${method} ${url} failed: retrying`,
    );
    await sleep(wait, deps.signal);
  }
}

/** The retry limit, after checking the options. */
function checkOptions(
  timeoutMs: number,
  retry: FetchRetry | undefined,
  method: string,
  body: RequestInit["body"],
): number {
  if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(
      `t.fetch: timeoutMs must be a positive number of ms, received ${String(timeoutMs)}`,
    );
  }
  if (retry === undefined) return 0;
  const { limit } = retry;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new TypeError(
      `t.fetch: retry.limit must be an integer of 0 or more, received ${String(limit)}`,
    );
  }
  if (limit > 0 && !IDEMPOTENT.has(method)) {
    throw new TypeError(
      `t.fetch: retry is for idempotent requests (${[...IDEMPOTENT].join(", ")}), not ${method}: a repeated ${method} may act twice`,
    );
  }
  if (limit > 0 && body instanceof ReadableStream) {
    throw new TypeError(
      "t.fetch: a request with a stream body cannot be retried: pass a string or bytes",
    );
  }
  return limit;
}

/**
 * The signal of one attempt: the task's, the caller's, and a timer that aborts with a
 * `TimeoutError` after `timeoutMs` or at the deadline, whichever is first.
 */
function attemptSignal(
  own: AbortSignal | null | undefined,
  deps: FetchDeps,
  timeoutMs: number,
  what: string,
): AbortSignal {
  const signals = [deps.signal];
  if (own) signals.push(own);
  const remaining = deps.remainingMs();
  const ms = Math.min(timeoutMs, remaining);
  if (Number.isFinite(ms)) {
    const timeout = new AbortController();
    const reason =
      ms < timeoutMs
        ? `${what}: the task deadline came before an answer`
        : `${what} timed out after ${ms} ms`;
    // Unref'd: a timeout must not keep a finished task's process alive.
    setTimer(
      () => timeout.abort(new DOMException(reason, "TimeoutError")),
      clampTimerMs(ms),
    ).unref();
    signals.push(timeout.signal);
  }
  return AbortSignal.any(signals);
}

function settle(outcome: Attempt): Response {
  if (outcome.response) return outcome.response;
  throw outcome.error;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici's "fetch failed" says little: its cause says what (ECONNREFUSED...).
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
