/**
 * The steps of a fetch, whatever carries its requests: options (`prepare-request.ts`), proxy
 * (`proxy.ts`), one attempt at a time through a `Transport` (`transport.ts`: undici's in
 * `undici-transport.ts`, the runtime's own `fetch` in `web-transport.ts`), the retry policy
 * (`retry.ts`) and the checks of the body (`response-checks.ts`). `fetchScript`
 * (`fetch-script.ts`) is this with undici.
 */

import { redactUrl } from "../contract/secret-rule.js";
import { alarm } from "../core/alarm.js";
import { type RetryPolicy, retryDelay, sleep } from "../core/retry.js";
import { AttemptFailure, fetchError } from "./attempt-failure.js";
import {
  type FetchedScript,
  type FetchLimits,
  type FetchScriptOptions,
  fetchLimits,
  type RetryEvent,
} from "./fetch-options.js";
import { type PreparedRequest, prepareRequest } from "./prepare-request.js";
import { type CheckedBody, checkBody } from "./response-checks.js";
import type { AttemptResult, Transport, TransportSession } from "./transport.js";

/**
 * `fetchScript` with the requests carried by `transport`: every other step (options, pin,
 * retries, timeouts, checks, messages) is the same whatever the transport.
 *
 * @param transport Carries each attempt's requests.
 * @param url The `httpRef` URL.
 * @param options Limits, pin, headers, abort signal and retry hook.
 */
export async function fetchScriptWith(
  transport: Transport,
  url: string,
  options: FetchScriptOptions = {},
): Promise<FetchedScript> {
  const shown = redactUrl(url);
  const request = prepareRequest(url, shown, options);
  const limits = fetchLimits(options);
  const deadline = Date.now() + limits.timeoutMs;
  const total = new AbortController();
  const disarm = alarm(limits.timeoutMs, () => total.abort());
  const session = transport.open(request.proxy, limits.connectTimeoutMs);
  const run: FetchRun = {
    shown,
    request,
    limits,
    policy: { ...limits, random: options.random ?? Math.random },
    deadline,
    session,
    timedOut: total.signal,
    caller: options.signal,
    signal:
      options.signal === undefined ? total.signal : AbortSignal.any([total.signal, options.signal]),
    onRetry: options.onRetry,
  };
  try {
    return await fetchWithRetries(run);
  } finally {
    disarm();
    await session.close().catch(() => undefined);
  }
}

/** Everything one fetch needs, fixed before its first attempt. */
interface FetchRun {
  /** The URL, credentials removed, for messages and `onRetry`. */
  readonly shown: string;
  readonly request: PreparedRequest;
  readonly limits: FetchLimits;
  readonly policy: RetryPolicy;
  /** When `timeoutMs` runs out, as a `Date.now()` value. */
  readonly deadline: number;
  readonly session: TransportSession;
  /** Aborted when `timeoutMs` runs out. */
  readonly timedOut: AbortSignal;
  /** The caller's signal. */
  readonly caller: AbortSignal | undefined;
  /** Aborted by either of the two above. */
  readonly signal: AbortSignal;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
}

/** Attempts until one returns a body that passes the checks, or the retry policy gives up. */
async function fetchWithRetries(run: FetchRun): Promise<FetchedScript> {
  let last: AttemptFailure | undefined;
  for (let attempts = 1; ; attempts++) {
    throwIfStopped(
      run,
      attempts - 1,
      last,
      last === undefined ? "" : `; last error: ${last.reason}`,
    );
    const outcome = await attemptOnce(run, attempts);
    if (!(outcome instanceof AttemptFailure)) return await checkedScript(run, outcome, attempts);
    last = outcome;
    const delayMs = delayBeforeRetry(run, attempts, last);
    run.onRetry?.(retryEvent(run.shown, attempts, delayMs, last));
    await sleep(delayMs, run.signal);
  }
}

/**
 * Throws when the caller aborted or `timeoutMs` ran out.
 *
 * @param failure The failure of the attempt that just ended, or of the last one.
 * @param detail Added to the timeout's reason.
 */
function throwIfStopped(
  run: FetchRun,
  attempts: number,
  failure: AttemptFailure | undefined,
  detail: string,
): void {
  if (run.caller?.aborted) {
    throw fetchError(run.shown, "aborted", attempts, failure?.status, run.caller.reason);
  }
  if (run.timedOut.aborted) {
    const reason = `timed out after ${run.limits.timeoutMs} ms (timeoutMs)${detail}`;
    throw fetchError(run.shown, reason, attempts, failure?.status, failure);
  }
}

/**
 * One attempt within `attemptTimeoutMs`: its body, or the failure to weigh for a retry.
 *
 * @throws {FetchError} When the caller aborted or `timeoutMs` ran out during the attempt.
 */
async function attemptOnce(
  run: FetchRun,
  attempts: number,
): Promise<AttemptResult | AttemptFailure> {
  const { attemptTimeoutMs } = run.limits;
  const controller = new AbortController();
  const disarm =
    attemptTimeoutMs === undefined ? undefined : alarm(attemptTimeoutMs, () => controller.abort());
  try {
    return await run.session.attempt(run.request.target, {
      signal: AbortSignal.any([run.signal, controller.signal]),
      headers: run.request.headers,
      maxBytes: run.limits.maxBytes,
      maxRedirects: run.limits.maxRedirects,
      connectTimeoutMs: run.limits.connectTimeoutMs,
    });
  } catch (error) {
    if (!(error instanceof AttemptFailure)) throw error;
    throwIfStopped(run, attempts, error, "");
    if (!controller.signal.aborted) return error;
    return new AttemptFailure(
      `no complete response within ${attemptTimeoutMs} ms (attemptTimeoutMs)`,
      true,
    );
  } finally {
    disarm?.();
  }
}

/**
 * The wait before the next attempt.
 *
 * @throws {FetchError} When the failure is not retryable, no retry is left, or the wait would
 *   end after `timeoutMs`.
 */
function delayBeforeRetry(run: FetchRun, attempts: number, last: AttemptFailure): number {
  if (!last.retry || attempts > run.policy.retries) {
    throw fetchError(run.shown, last.reason, attempts, last.status, last.cause ?? undefined);
  }
  const delayMs = retryDelay(run.policy, attempts, last.retryAfterMs);
  if (Date.now() + delayMs >= run.deadline) {
    const reason = `timed out after ${run.limits.timeoutMs} ms (timeoutMs) before the next attempt; last error: ${last.reason}`;
    throw fetchError(run.shown, reason, attempts, last.status, last);
  }
  return delayMs;
}

/** The `onRetry` event; `status` only when a response arrived. */
function retryEvent(
  url: string,
  attempt: number,
  delayMs: number,
  last: AttemptFailure,
): RetryEvent {
  const event = { url, attempt, delayMs, reason: last.reason };
  return last.status === undefined ? event : { ...event, status: last.status };
}

/**
 * The fetched script, once its body passed the checks.
 *
 * @throws {FetchError} When the body is empty, not UTF-8, an HTML page, or does not match the pin.
 */
async function checkedScript(
  run: FetchRun,
  result: AttemptResult,
  attempts: number,
): Promise<FetchedScript> {
  let body: CheckedBody;
  try {
    body = await checkBody(result.bytes, run.request.expected);
  } catch (error) {
    if (!(error instanceof AttemptFailure)) throw error;
    throw fetchError(run.shown, error.reason, attempts, error.status, error.cause ?? undefined);
  }
  return Object.freeze({
    code: body.code,
    url: redactUrl(result.url),
    sha256: body.sha256,
    bytes: result.bytes.byteLength,
    attempts,
    redirects: result.redirects,
    contentType: result.contentType,
  });
}
