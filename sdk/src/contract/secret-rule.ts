/**
 * The one rule of what is secret in a task's run, for the SDK, the bootstrap runner and the
 * `keptn-task` command alike:
 *
 * - `SECURE_DATA`, whole, each line, each JSON leaf, and the value of each `KEY=value` or
 *   `key: value` line (the forms of each: `SecretRegistry`);
 * - in a URL (an `httpRef`, a proxy): the user info, and the value of every query parameter whose
 *   name looks like a credential (`SECRET_QUERY_PARAM`), as written and %-decoded;
 * - any value given as secret: `--secret`, a container's `secretKeyRef` values, `registerSecret`;
 * - a request header's value given as secret (`OTEL_EXPORTER_OTLP_HEADERS`): whole, and the
 *   credentials after an authentication scheme (`Bearer <token>`; for `Basic`, also decoded);
 * - in a task's environment, whether or not spans are exported (a task may read them): the
 *   OpenTelemetry exporter's header values and the URL secrets of its endpoints.
 *
 * `redactUrl` shows a URL without exactly what `urlSecrets` registers. Pure: no I/O, nothing loaded
 * (the runner reads it before a task starts).
 */
import type { SecretRegistry } from "../masking/secret-registry.js";

/** Query parameters that commonly carry credentials (GitHub `token`, S3 `X-Amz-Signature`, ...). */
export const SECRET_QUERY_PARAM = /token|key|secret|sig|signature|pass|auth|credential|session/i;

/** What is secret in a task's run (see the module's doc). */
export interface TaskSecrets {
  /** `SECURE_DATA`, as the task receives it. */
  readonly secureData?: string | undefined;
  /** URLs whose user info and secret-looking query values are secret: `SCRIPT`, proxies. */
  readonly urls?: readonly string[];
  /** Values that are secret whole: `--secret`, a container's `secretKeyRef` values. */
  readonly values?: readonly string[];
  /** Request header values that carry credentials: `OTEL_EXPORTER_OTLP_HEADERS`'. */
  readonly headers?: readonly string[];
  /** A task's environment: what `otelSecrets` finds in it is secret. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Registers everything the rule calls secret, so that every output masks it from then on.
 *
 * @example
 * ```ts
 * registerTaskSecrets(secrets, { secureData: env.SECURE_DATA, urls: [env.SCRIPT ?? ""] });
 * ```
 */
export function registerTaskSecrets(secrets: SecretRegistry, from: TaskSecrets): void {
  if (from.secureData !== undefined) secrets.register(from.secureData);
  for (const value of from.values ?? []) secrets.register(value);
  for (const url of from.urls ?? []) for (const value of urlSecrets(url)) secrets.register(value);
  const otel = from.env === undefined ? { headers: [], urls: [] } : otelSecrets(from.env);
  for (const header of [...(from.headers ?? []), ...otel.headers])
    for (const value of headerSecrets(header)) secrets.register(value);
  for (const url of otel.urls) for (const value of urlSecrets(url)) secrets.register(value);
}

/** The OpenTelemetry exporter's variables that hold credentials. */
const OTEL_HEADERS = ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"];
const OTEL_ENDPOINTS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

/**
 * The exporter's header values (`key=value,…`, each value as written and URL-decoded) and
 * endpoint URLs in `env`, set or not export: the task can read them either way.
 *
 * @example
 * ```ts
 * otelSecrets({ OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc" });
 * // { headers: ["Bearer%20abc", "Bearer abc"], urls: [] }
 * ```
 */
export function otelSecrets(env: Readonly<Record<string, string | undefined>>): {
  headers: string[];
  urls: string[];
} {
  const headers = new Set<string>();
  for (const name of OTEL_HEADERS) {
    for (const entry of (env[name] ?? "").split(",")) {
      const equals = entry.indexOf("=");
      const value = (equals < 0 ? entry : entry.slice(equals + 1)).trim();
      if (value === "") continue;
      headers.add(value);
      try {
        headers.add(decodeURIComponent(value));
      } catch {
        // Not URL-encoded: as written only.
      }
    }
  }
  const urls = OTEL_ENDPOINTS.map((name) => env[name] ?? "").filter((url) => url !== "");
  return { headers: [...headers], urls };
}

/** An authentication scheme (RFC 9110's token) and the credentials after it. */
const AUTH_SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S.*)$/;

/**
 * The secret values of a request header's value: the value whole and, after an authentication
 * scheme (`Bearer abc`, `ApiKey abc`), the credentials alone, which a task is as likely to print;
 * for `Basic`, also `user:password` decoded and the password.
 *
 * @example
 * ```ts
 * headerSecrets("Basic dXNlcjpwYXNz");
 * // ["Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "user:pass", "pass"]
 * ```
 */
export function headerSecrets(value: string): string[] {
  const secrets = new Set<string>([value.trim()]);
  const match = AUTH_SCHEME.exec(value.trim());
  const credentials = match?.[2]?.trim();
  if (match === null || credentials === undefined) return [...secrets];
  secrets.add(credentials);
  if (match[1]?.toLowerCase() === "basic" && /^[A-Za-z0-9+/]+={0,2}$/.test(credentials)) {
    try {
      const decoded = new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(atob(credentials), (c) => c.charCodeAt(0)),
      );
      secrets.add(decoded);
      const colon = decoded.indexOf(":");
      if (colon >= 0) secrets.add(decoded.slice(colon + 1));
    } catch {
      // Not base64 of UTF-8 text: the encoded credentials are registered as they are.
    }
  }
  return [...secrets].filter((secret) => secret !== "");
}

/**
 * The secret values of `url`, in the forms they may be printed: user info (`user:password` and
 * the password, or the user alone) and the values of secret-looking query parameters, each as
 * written and %-decoded (`+` as a space too). Text with a scheme that does not parse as a URL:
 * everything after `//` up to the last `@` before the query, and every query value. Text without
 * a scheme (a file path) holds no URL secret.
 *
 * @example
 * ```ts
 * urlSecrets("http://alice:p%40ss@host/x.ts?token=abc&ref=main");
 * // ["alice:p%40ss", "alice:p@ss", "p%40ss", "p@ss", "abc"]
 * ```
 */
export function urlSecrets(url: string): string[] {
  // Most values are paths (`/var/data/q?x.ts` is a file name) or URLs without credentials: no
  // parse for them (~3 ms at start-up). Only text with a scheme is a URL.
  if ((!url.includes("@") && !url.includes("?")) || !/^[a-z][a-z0-9+.-]*:/i.test(url)) return [];
  const secrets = new Set<string>();
  const add = (raw: string) => {
    if (raw === "") return;
    secrets.add(raw);
    secrets.add(decode(raw));
    secrets.add(decode(raw.replaceAll("+", " ")));
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // As redactUrl cuts it: the user info is up to the last "@" before the query, and the query
    // is dropped whole, so every value in it is treated as a secret.
    const { userInfo, query } = splitUnparsed(url);
    if (userInfo !== undefined) add(userInfo);
    for (const pair of query.split("&")) add(pair.slice(pair.indexOf("=") + 1));
    return [...secrets];
  }
  if (parsed.password !== "") {
    add(`${parsed.username}:${parsed.password}`);
    add(parsed.password);
  } else {
    add(parsed.username);
  }
  for (const pair of parsed.search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    if (SECRET_QUERY_PARAM.test(decode(pair.slice(0, at).replaceAll("+", " "))))
      add(pair.slice(at + 1));
  }
  return [...secrets];
}

/**
 * Removes what `urlSecrets` calls secret from a URL for display: user info is dropped, the values
 * of query parameters that look like credentials are replaced by `***`, the fragment is dropped.
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
    // Still no credentials: a malformed URL is echoed in error messages.
    const { head, rest } = splitUnparsed(String(url));
    return head + rest;
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  let redacted = false;
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (SECRET_QUERY_PARAM.test(name)) {
      parsed.searchParams.set(name, "***");
      redacted = true;
    }
  }
  // URLSearchParams re-encodes `***` as `%2A%2A%2A`; keep it readable.
  return redacted ? parsed.href.replaceAll("%2A%2A%2A", "***") : parsed.href;
}

/**
 * Text that does not parse as a URL, cut as `redactUrl` shows it and `urlSecrets` reads it: the
 * query and fragment go (from the first `?` or `#`), and the user info is everything after the
 * first `//` up to the last `@` before them (it may itself hold `/` or `@`). Index searches only,
 * no regular expression: linear in the text, whatever it holds.
 */
function splitUnparsed(text: string): {
  /** Up to and with the `//`, or the whole text before the query when there is no user info. */
  head: string;
  userInfo: string | undefined;
  /** What follows the user info, up to the query. */
  rest: string;
  query: string;
} {
  const cut = [text.indexOf("?"), text.indexOf("#")].filter((i) => i >= 0);
  const end = cut.length === 0 ? text.length : Math.min(...cut);
  const question = text.indexOf("?");
  const query = question < 0 ? "" : text.slice(question + 1, nextHash(text, question));
  const before = text.slice(0, end);
  const slashes = before.indexOf("//");
  const at = before.lastIndexOf("@");
  if (slashes < 0 || at < slashes + 2)
    return { head: before, userInfo: undefined, rest: "", query };
  return {
    head: before.slice(0, slashes + 2),
    userInfo: before.slice(slashes + 2, at),
    rest: before.slice(at + 1),
    query,
  };
}

function nextHash(text: string, from: number): number {
  const hash = text.indexOf("#", from);
  return hash < 0 ? text.length : hash;
}

/** `decodeURIComponent`, or the text itself when it holds a malformed %-escape. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
