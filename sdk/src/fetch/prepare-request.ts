/**
 * The options step of a fetch: the URL parsed, its pin and user info taken out, the request
 * headers built, the proxy read. Every invalid option is reported at once, as one `ConfigError`.
 */
import { ConfigError, type ConfigIssue } from "../errors/errors.js";
import { type AttemptFailure, fetchError } from "./attempt-failure.js";
import { type FetchScriptOptions, numberOptionIssues } from "./fetch-options.js";
import { digestProblem, parseIntegrityPin, VALID_PIN } from "./integrity-pin.js";
import { type ProxySettings, proxySettings } from "./proxy.js";
import { checkScheme } from "./redirects.js";

/** What every attempt of one fetch sends, and what the body must hash to. */
export interface PreparedRequest {
  /** The URL to request: no fragment, no user info. */
  readonly target: URL;
  /** Request headers, names in lower case. */
  readonly headers: Record<string, string>;
  /** The sha256 the body must have (lower-case hex), when pinned. */
  readonly expected: string | undefined;
  /** The proxies to send through, when the environment names any. */
  readonly proxy: ProxySettings | undefined;
}

/**
 * Checks the options and builds the request of a fetch.
 *
 * @param url The `httpRef` URL as given.
 * @param shown The same URL, credentials removed, for messages.
 * @param options The caller's options.
 * @throws {FetchError} When `url` is not a URL, or not an http(s) one.
 * @throws {ConfigError} Listing every invalid option, pin, user info or proxy variable.
 */
export function prepareRequest(
  url: string,
  shown: string,
  options: FetchScriptOptions,
): PreparedRequest {
  const issues = numberOptionIssues(options);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw fetchError(shown, "not a valid URL", 0, undefined, error);
  }
  const target = new URL(parsed.href);
  target.hash = "";
  const expected = expectedSha256(parsed.hash, options.sha256, shown, issues);
  const headers = requestHeaders(target, options.headers, shown, issues);
  // fetchScript fills `env` from the process's (fetch-script.ts); here nothing reads the process.
  const proxy = proxySettings(options.env ?? {}, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  try {
    checkScheme(target, "");
  } catch (error) {
    throw fetchError(shown, (error as AttemptFailure).reason, 0);
  }
  return { target, headers, expected, proxy };
}

/**
 * The pin of a fetch, from the URL's `#sha256=` or the `sha256` option (lower case); an issue
 * when either is malformed or they differ.
 */
function expectedSha256(
  hash: string,
  option: string | undefined,
  shown: string,
  issues: ConfigIssue[],
): string | undefined {
  const pin = parseIntegrityPin(hash);
  const pinned = pin.kind === "pinned" ? pin.sha256 : undefined;
  if (pin.kind === "invalid") {
    issues.push({
      source: "options",
      path: "sha256",
      message: `the #sha256 pin of "${shown}" is not valid: ${pin.problem}; write #sha256= and ${VALID_PIN}`,
    });
  }
  const optionProblem = option === undefined ? undefined : digestProblem(option);
  if (optionProblem !== undefined) {
    issues.push({
      source: "options",
      path: "sha256",
      message: `the pin for "${shown}" is not valid: ${optionProblem}; give ${VALID_PIN}`,
    });
  }
  const optionPin = optionProblem === undefined ? option?.toLowerCase() : undefined;
  if (pinned !== undefined && optionPin !== undefined && pinned !== optionPin) {
    issues.push({
      source: "options",
      path: "sha256",
      message: `differs from the #sha256= pin of "${shown}"; give one pin`,
    });
  }
  return optionPin ?? pinned;
}

/**
 * The request headers: `accept`, the caller's, and a Basic `Authorization` from the URL's user
 * info, which is then removed from `target`.
 */
function requestHeaders(
  target: URL,
  extra: Readonly<Record<string, string>> | undefined,
  shown: string,
  issues: ConfigIssue[],
): Record<string, string> {
  // Names in lower case, so a caller's header replaces ours whatever its case.
  const headers: Record<string, string> = { accept: "*/*" };
  for (const [name, value] of Object.entries(extra ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (target.username === "" && target.password === "") return headers;
  try {
    // An explicit Authorization header wins over the URL's user info.
    headers.authorization ??= basicAuth(target);
  } catch {
    // No cause: the URIError would only say "URI malformed", and the text is a credential.
    issues.push({
      source: "options",
      path: "url",
      message: `the user info of "${shown}" has an invalid % escape: percent-encode reserved characters as %XX (for example @ as %40)`,
    });
  }
  target.username = "";
  target.password = "";
  return headers;
}

/** The `Authorization` header for user info in a URL, as browsers and curl build it. */
function basicAuth(url: URL): string {
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  // btoa only takes Latin-1: encode the UTF-8 bytes, as RFC 7617 recommends.
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
