/**
 * The redirect checks of an attempt: a bounded number of hops, each to an http(s) URL, never
 * from https down to http, and no credential carried to another origin.
 */

import { redactUrl } from "../contract/secret-rule.js";
import { AttemptFailure } from "./attempt-failure.js";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// Request headers that may follow a redirect to another origin: nothing that can identify or
// authorise the caller (Authorization, Cookie, PRIVATE-TOKEN, X-Api-Key, ...).
const CROSS_ORIGIN_HEADERS = new Set(["accept", "accept-encoding", "user-agent"]);

/** Whether `status` is a redirect this client follows. */
export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status);
}

/**
 * Refuses a URL whose scheme is not http or https.
 *
 * @param url The URL to check.
 * @param what A prefix of the reason, naming the hop (`""` for the first URL).
 * @throws {AttemptFailure} Not retryable.
 */
export function checkScheme(url: URL, what: string): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AttemptFailure(
      `${what}scheme "${url.protocol}" is not allowed, only http: and https:`,
      false,
    );
  }
}

/** One redirect response, as `nextHop` needs it. */
export interface RedirectHop {
  /** The URL that answered with the redirect. */
  readonly from: URL;
  readonly status: number;
  /** The `Location` header. */
  readonly location: string | undefined;
  /** Redirects followed before this one. */
  readonly redirects: number;
}

/**
 * The URL a redirect leads to, once every check passed.
 *
 * @param hop The redirect response.
 * @param maxRedirects Redirects allowed in one attempt.
 * @throws {AttemptFailure} Not retryable: no or an invalid `Location`, too many redirects, a
 *   scheme other than http(s), or a downgrade from https to http.
 */
export function nextHop(hop: RedirectHop, maxRedirects: number): URL {
  const { from, status, location } = hop;
  if (location === undefined) {
    throw new AttemptFailure(`HTTP ${status} without a Location header`, false, status);
  }
  if (hop.redirects >= maxRedirects) {
    throw new AttemptFailure(`more than ${maxRedirects} redirects (maxRedirects)`, false, status);
  }
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new AttemptFailure(`HTTP ${status} to an invalid Location`, false, status);
  }
  checkScheme(next, `redirected to "${redactUrl(next)}": `);
  if (from.protocol === "https:" && next.protocol === "http:") {
    throw new AttemptFailure(
      `redirected from https to "${redactUrl(next)}": refusing to downgrade to plain http, where the code could be changed in transit`,
      false,
      status,
    );
  }
  return next;
}

/**
 * The headers to send to `to` after a redirect from `from`: all of them on the same origin, only
 * harmless ones (never credentials, cookies or tokens) to another origin.
 */
export function headersAfterRedirect(
  from: URL,
  to: URL,
  headers: Record<string, string>,
): Record<string, string> {
  if (to.origin === from.origin) return headers;
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name)),
  );
}
