/**
 * What carries the requests of a fetch: a `Transport` opens one session per fetch (its
 * connections, its proxy), which makes the attempts. Everything else of a fetch (options, pin,
 * retries, timeouts, checks of the body) is `fetch-core.ts`, the same for every transport.
 */
import type { ProxySettings } from "./proxy.js";

/** The raw body of a successful attempt, not yet checked as code. */
export interface AttemptResult {
  bytes: Uint8Array;
  url: URL;
  redirects: number;
  contentType: string | undefined;
}

/** What every attempt of one fetch shares, and its abort signal. */
export interface AttemptRequest {
  signal: AbortSignal;
  headers: Record<string, string>;
  maxBytes: number;
  maxRedirects: number;
  connectTimeoutMs: number;
}

/** The requests of one fetch. */
export interface TransportSession {
  /**
   * Requests `start`, follows its redirects (`redirects.ts`), checks the status and headers
   * (`response-checks.ts`) and reads a 2xx body within `maxBytes`.
   *
   * @throws {AttemptFailure} For every failure; `retry` tells whether another attempt may help.
   */
  attempt(start: URL, request: AttemptRequest): Promise<AttemptResult>;
  /** Releases the session's connections. */
  close(): Promise<void>;
}

/** Carries the requests of fetches. */
export interface Transport {
  /**
   * Opens the session of one fetch.
   *
   * @param proxy The proxies the environment names, if any.
   * @param connectTimeoutMs Time to establish each connection.
   */
  open(proxy: ProxySettings | undefined, connectTimeoutMs: number): TransportSession;
}
