import type { ConfigIssue, ConfigSource } from "../errors/errors.js";

/**
 * `JSON.parse` with an issue instead of a throw. With `secret`, the parser's message (which
 * quotes the input) is left out.
 */
export function parseJson(
  raw: string,
  source: ConfigSource,
  secret = false,
): { ok: true; value: unknown } | { ok: false; issue: ConfigIssue } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    const detail =
      secret || !(error instanceof Error)
        ? "the value is secret, so it is not shown: check the Secret's key SECURE_DATA"
        : error.message;
    return { ok: false, issue: { source, path: "", message: `is not valid JSON: ${detail}` } };
  }
}
