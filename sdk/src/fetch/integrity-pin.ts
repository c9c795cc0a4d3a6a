/**
 * The `#sha256=<hex>` integrity pin of an `httpRef` URL, parsed strictly: a pin that is silently
 * ignored lets unverified code run, so anything that looks like a pin but is not a valid one is
 * an error. Shared by `fetchScript` and the definition checks, so both read a URL the same way.
 */

/** What the fragment of a URL says about its pin. */
export type IntegrityPin =
  | { readonly kind: "none" }
  | { readonly kind: "pinned"; readonly sha256: string }
  | { readonly kind: "invalid"; readonly problem: string };

/** How a valid pin looks, for the end of a message. */
export const VALID_PIN = 'exactly 64 hex digits, as "sha256sum <file>" prints them';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Why a sha256 value is not a hex digest, or `undefined` when it is one.
 *
 * @param value The value, as given.
 * @returns A short reason naming the value (a digest is not a secret).
 */
export function digestProblem(value: string): string | undefined {
  if (SHA256_HEX.test(value)) return undefined;
  if (value === "") return "it is empty";
  const shown = `"${value.length > 80 ? `${value.slice(0, 80)}...` : value}"`;
  if (/^sha(?:256|384|512)-/i.test(value)) {
    return `${shown} is a Subresource Integrity hash (base64), not a hex digest`;
  }
  if (/^[0-9a-f]+$/i.test(value)) return `${shown} has ${value.length} hex digits, not 64`;
  return `${shown} is not 64 hex digits`;
}

/**
 * Reads the pin from a URL fragment: its `sha256` parameter (the name in any case), parsed as
 * URL parameters so `#sha256=<hex>&x=y` works too.
 *
 * @param hash The fragment, with or without its leading `#` (`URL.hash`).
 * @returns `none` without a `sha256` parameter; `pinned` with the digest in lower case; `invalid`
 *   for a value that is not exactly 64 hex digits, or for more than one `sha256` parameter.
 * @example
 * ```ts
 * parseIntegrityPin(new URL("https://h/x.ts#SHA256=ABC").hash).kind; // "invalid"
 * ```
 */
export function parseIntegrityPin(hash: string): IntegrityPin {
  const fragment = hash.startsWith("#") ? hash.slice(1) : hash;
  const values = [...new URLSearchParams(fragment)]
    .filter(([name]) => name.toLowerCase() === "sha256")
    .map(([, value]) => value);
  const [first] = values;
  if (first === undefined) return { kind: "none" };
  if (values.length > 1) {
    return { kind: "invalid", problem: `it has ${values.length} sha256 pins, not one` };
  }
  const problem = digestProblem(first);
  if (problem !== undefined) return { kind: "invalid", problem };
  return { kind: "pinned", sha256: first.toLowerCase() };
}
