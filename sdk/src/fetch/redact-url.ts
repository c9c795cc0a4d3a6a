/**
 * URLs as they may appear in messages and logs: no credentials, no secret-looking query values,
 * no fragment.
 */

// Query parameters that commonly carry credentials (GitHub `token`, S3 `X-Amz-Signature`, ...).
const SECRET_PARAM = /token|key|secret|sig|signature|pass|auth|credential|session/i;

/**
 * Removes credentials from a URL for display: user info is dropped, the values of query
 * parameters that look like credentials are replaced by `***`, the fragment is dropped.
 *
 * @param url The URL. Text that does not parse as a URL loses everything from `?` or `#` on, and
 *   everything from `//` up to the last `@` before that (user info may itself hold `/` or `@`).
 * @returns The URL, safe to print.
 * @example
 * ```ts
 * redactUrl("https://user:pw@host/x.ts?token=abc#sha256=00"); // "https://host/x.ts?token=***"
 * ```
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Still no credentials: a malformed URL is echoed in error messages. Cut the query and
    // fragment first, then take the greedy match up to the last "@" that is left.
    return String(url)
      .replace(/[?#].*$/s, "")
      .replace(/\/\/.*@/s, "//");
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  let redacted = false;
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (SECRET_PARAM.test(name)) {
      parsed.searchParams.set(name, "***");
      redacted = true;
    }
  }
  // URLSearchParams re-encodes `***` as `%2A%2A%2A`; keep it readable.
  return redacted ? parsed.href.replaceAll("%2A%2A%2A", "***") : parsed.href;
}
