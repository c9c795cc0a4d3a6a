/**
 * The retry policy of a fetch: which failures are retried, how long to wait (exponential backoff
 * with jitter, or the server's `Retry-After`), and the wait itself.
 */

/** The retry options of one fetch, defaults applied. */
export interface RetryPolicy {
  /** Extra attempts allowed. */
  readonly retries: number;
  /** First wait; doubles after each attempt. */
  readonly retryDelayMs: number;
  /** Longest wait, also the cap of `Retry-After`. */
  readonly maxRetryDelayMs: number;
  /** Jitter source, like `Math.random`. */
  readonly random: () => number;
}

/** Whether an HTTP error status may go away on another attempt: 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The wait after failed attempt number `attempts`: the server's `Retry-After` when it sent one,
 * else exponential backoff with jitter (between half and all of the backoff), both capped.
 *
 * @param policy The retry options.
 * @param attempts Attempts made so far (1-based).
 * @param retryAfterMs The server's `Retry-After`, in ms.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempts: number,
  retryAfterMs: number | undefined,
): number {
  const backoff = Math.min(policy.maxRetryDelayMs, policy.retryDelayMs * 2 ** (attempts - 1));
  // Drawn even when Retry-After wins, so a seeded jitter source stays in step.
  const jittered = Math.round(backoff * (0.5 + policy.random() / 2));
  return retryAfterMs === undefined ? jittered : Math.min(policy.maxRetryDelayMs, retryAfterMs);
}

/**
 * A `Retry-After` header in ms: delay-seconds or an HTTP date (0 when past).
 *
 * @param header The header as undici gives it.
 * @returns `undefined` when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
