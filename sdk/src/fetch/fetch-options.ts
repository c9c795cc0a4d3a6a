/**
 * The options of `fetchScript`, their defaults and their checks: the first step of a fetch, before
 * any URL is read.
 */
import type { Env } from "../core/runtime.js";
import type { ConfigIssue } from "../errors/errors.js";

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

/** The numeric options with their defaults applied. */
export interface FetchLimits {
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number | undefined;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
}

const NUMBER_OPTIONS = [
  "connectTimeoutMs",
  "timeoutMs",
  "attemptTimeoutMs",
  "retries",
  "retryDelayMs",
  "maxRetryDelayMs",
  "maxBytes",
  "maxRedirects",
] as const;

/**
 * One issue per numeric option that is not a non-negative integer.
 *
 * @param options The caller's options.
 */
export function numberOptionIssues(options: FetchScriptOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of NUMBER_OPTIONS) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0 || !Number.isInteger(value))) {
      issues.push({ source: "options", path: name, message: "must be a non-negative integer" });
    }
  }
  return issues;
}

/**
 * The limits of one fetch: each numeric option, or its default from `FETCH_DEFAULTS`.
 *
 * @param options The caller's options, already checked by `numberOptionIssues`.
 */
export function fetchLimits(options: FetchScriptOptions): FetchLimits {
  return {
    connectTimeoutMs: options.connectTimeoutMs ?? FETCH_DEFAULTS.connectTimeoutMs,
    timeoutMs: options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs,
    attemptTimeoutMs: options.attemptTimeoutMs,
    retries: options.retries ?? FETCH_DEFAULTS.retries,
    retryDelayMs: options.retryDelayMs ?? FETCH_DEFAULTS.retryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? FETCH_DEFAULTS.maxRetryDelayMs,
    maxBytes: options.maxBytes ?? FETCH_DEFAULTS.maxBytes,
    maxRedirects: options.maxRedirects ?? FETCH_DEFAULTS.maxRedirects,
  };
}
