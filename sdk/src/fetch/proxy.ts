/**
 * The proxy step of a fetch: `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` read as curl and Deno read
 * them (the dispatcher that sends through them is undici's, in `undici-transport.ts`).
 */

import { redactUrl } from "../contract/secret-rule.js";
import type { Env } from "../core/runtime.js";
import type { ConfigIssue } from "../errors/errors.js";

/** The variables `proxySettings` reads, for `readProcessEnv`. */
export const PROXY_VARIABLES = [
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
] as const;

/** Proxy URLs for undici's `EnvHttpProxyAgent`; `""` for unset. */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

interface ProxyVariable {
  name: string;
  value: string;
}

/**
 * The proxies `env` names, or `undefined` when it names none. Every value is passed to undici
 * explicitly (`""` for unset), so undici never reads the process environment itself.
 *
 * @param env The environment to read.
 * @param issues Receives one issue per variable that is not a proxy URL.
 */
export function proxySettings(env: Env, issues: ConfigIssue[]): ProxySettings | undefined {
  const https = pickVariable(env, "https_proxy", "HTTPS_PROXY");
  const http = pickVariable(env, "http_proxy", "HTTP_PROXY");
  const no = pickVariable(env, "no_proxy", "NO_PROXY");
  if (https === undefined && http === undefined && no === undefined) return undefined;
  return {
    httpsProxy: proxyUrl(https, issues),
    httpProxy: proxyUrl(http, issues),
    noProxy: no?.value ?? "",
  };
}

/** The lower-case variable when it is set and not blank, else the upper-case one. */
function pickVariable(env: Env, lower: string, upper: string): ProxyVariable | undefined {
  const name = env[lower]?.trim() ? lower : env[upper]?.trim() ? upper : undefined;
  return name === undefined ? undefined : { name, value: (env[name] ?? "").trim() };
}

/** A proxy variable's URL, `http://` added when it has no scheme; `""` and an issue when invalid. */
function proxyUrl(variable: ProxyVariable | undefined, issues: ConfigIssue[]): string {
  if (variable === undefined) return "";
  // curl and Deno take a proxy without a scheme as http://.
  const value = /^[a-z][a-z0-9+.-]*:\/\//i.test(variable.value)
    ? variable.value
    : `http://${variable.value}`;
  const protocol = parseUrl(value)?.protocol;
  if (protocol !== "http:" && protocol !== "https:") {
    issues.push({
      source: "options",
      path: `env.${variable.name}`,
      message: `"${redactUrl(variable.value)}" is not a proxy URL: use http://host:port or https://host:port`,
    });
    return "";
  }
  return value;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
