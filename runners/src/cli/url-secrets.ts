/**
 * The secrets an `httpRef` URL carries, as `keptn-task run` registers them before it prints
 * anything: what `redactUrl` hides (user info, secret-looking query values) is what is masked.
 */
import { redactUrl } from "@keptn-task/sdk/fetch";

/**
 * The values of `url` that `redactUrl` hides, in the forms they may be printed: user info
 * (`user:password` and the password, or the user alone, each as written and %-decoded, as the
 * runner registers them) and the values of secret-looking query parameters (as written and
 * decoded).
 *
 * @param url - An `httpRef` URL, as the definition writes it.
 * @returns The values to register as secrets; none for a URL without credentials.
 * @example
 * ```ts
 * urlSecrets("http://alice:p%40ss@host/x.ts?token=abc&ref=main");
 * // ["alice:p%40ss", "alice:p@ss", "p%40ss", "p@ss", "abc"]
 * ```
 */
export function urlSecrets(url: string): string[] {
  const secrets = new Set<string>();
  const add = (raw: string) => {
    if (raw === "") return;
    secrets.add(raw);
    secrets.add(decode(raw));
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // As redactUrl cuts it: the user info is up to the last "@" before the query, and the query
    // is dropped whole, so every value in it is treated as a secret.
    const [, userInfo = ""] = /^[^?#]*?\/\/([^?#]*)@/s.exec(url) ?? [];
    add(userInfo);
    const query = /\?([^#]*)/s.exec(url)?.[1] ?? "";
    for (const pair of query.split("&")) add(pair.slice(pair.indexOf("=") + 1));
    return [...secrets];
  }
  if (parsed.password !== "") {
    add(`${parsed.username}:${parsed.password}`);
    add(parsed.password);
  } else {
    add(parsed.username);
  }
  // A value redactUrl shows as *** is a secret; the raw query keeps the form the URL writes.
  const hidden = new URL(redactUrl(parsed)).searchParams;
  for (const pair of parsed.search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    const name = decode(pair.slice(0, at).replaceAll("+", " "));
    if (hidden.get(name) !== "***") continue;
    const value = pair.slice(at + 1);
    add(value);
    secrets.add(decode(value.replaceAll("+", " ")));
  }
  return [...secrets];
}

/** `decodeURIComponent`, or the text itself when it holds a malformed %-escape. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
