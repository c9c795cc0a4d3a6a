/**
 * Secret masking. Every secret value is registered once; from then on every text that leaves the
 * process through the SDK (logs, runner output, error messages) has each of its forms replaced.
 */

/** What a registered secret is replaced with. */
export const MASK = "***";

/** Pieces of a secret (JSON leaves, lines) shorter than this are not masked on their own. */
const MIN_PIECE_LENGTH = 4;

/**
 * A set of secret values and every form in which they can appear in output: the whole value,
 * each JSON leaf and each line of at least 4 characters, and for each of those its JSON-escaped
 * (once and twice), URL-encoded and base64 / base64url forms.
 *
 * @example
 * ```ts
 * const secrets = new SecretRegistry();
 * secrets.register('{"token":"abcd1234"}');
 * secrets.mask("token=abcd1234"); // "token=***"
 * ```
 */
export class SecretRegistry {
  #values = new Set<string>();
  #patterns = new Set<string>();
  #regex: RegExp | undefined;
  #sorted: string[] = [];

  /**
   * Registers a secret value for masking. Empty or whitespace-only values are ignored.
   *
   * @param value - The secret, as it was read (raw string, possibly JSON or multi-line).
   */
  register(value: string): void {
    if (value.trim() === "" || this.#values.has(value)) return;
    this.#values.add(value);
    for (const piece of piecesOf(value)) {
      for (const form of formsOf(piece)) this.#patterns.add(form);
    }
    this.#sorted = [...this.#patterns].sort((a, b) => b.length - a.length);
    this.#regex = new RegExp(this.#sorted.map(escapeRegExp).join("|"), "g");
  }

  /** Whether any secret is registered. */
  get size(): number {
    return this.#values.size;
  }

  /** The longest form of any registered secret, in UTF-16 code units. */
  get longest(): number {
    return this.#sorted[0]?.length ?? 0;
  }

  /**
   * Replaces every registered secret form in `text` with `***`.
   *
   * @param text - Any text about to be written somewhere.
   * @returns The text with no registered secret in it.
   */
  mask(text: string): string {
    if (this.#regex === undefined || text === "") return text;
    return text.replace(this.#regex, MASK);
  }

  /**
   * Where `text` can safely be cut when more text may follow: everything before the returned
   * index masks the same way whatever comes next. The cut is the earliest position from which
   * the rest could still grow into a secret form, moved back to the start of any match that
   * crosses it (a longer form may yet win there).
   */
  safeCutIndex(text: string): number {
    if (this.#regex === undefined) return text.length;
    let cut = text.length;
    for (let start = Math.max(0, text.length - this.longest + 1); start < text.length; start++) {
      const tail = text.slice(start);
      if (this.#sorted.some((form) => form.length > tail.length && form.startsWith(tail))) {
        cut = start;
        break;
      }
    }
    for (const match of text.matchAll(this.#regex)) {
      const end = match.index + match[0].length;
      if (match.index < cut && end > cut) return match.index;
      if (match.index >= cut) break;
    }
    return cut;
  }
}

/** The registry the SDK uses unless told otherwise: one per process, like the process's env. */
export const defaultSecrets: SecretRegistry = new SecretRegistry();

/**
 * Registers a secret value with the process-wide registry, so that the SDK's logger, its
 * masking streams and `maskSecrets` hide it from now on. `task()` does this for `SECURE_DATA`.
 *
 * @param value - A secret value (token, password, JSON document of secrets...).
 * @example
 * ```ts
 * registerSecret(apiToken);
 * ```
 */
export function registerSecret(value: string): void {
  defaultSecrets.register(value);
}

/**
 * Replaces every registered secret in `text` with `***`.
 *
 * @param text - Text about to be printed.
 * @returns The masked text.
 * @example
 * ```ts
 * console.log(maskSecrets(`calling with ${token}`)); // "calling with ***"
 * ```
 */
export function maskSecrets(text: string): string {
  return defaultSecrets.mask(text);
}

function piecesOf(value: string): Set<string> {
  const pieces = new Set<string>([value]);
  const trimmed = value.trim();
  if (trimmed !== value) pieces.add(trimmed);
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n/)) {
      for (const candidate of [line, line.trim()]) {
        if (candidate.length >= MIN_PIECE_LENGTH) pieces.add(candidate);
      }
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return pieces;
  }
  for (const leaf of jsonLeaves(parsed)) {
    if (leaf.length >= MIN_PIECE_LENGTH) pieces.add(leaf);
  }
  return pieces;
}

function jsonLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "bigint") return [String(value)];
  if (Array.isArray(value)) return value.flatMap(jsonLeaves);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(jsonLeaves);
  return [];
}

function formsOf(piece: string): string[] {
  const forms = [piece];
  const escaped = JSON.stringify(piece).slice(1, -1);
  forms.push(escaped, JSON.stringify(escaped).slice(1, -1));
  forms.push(encodeURIComponent(piece));
  // With and without padding: the padded form is longer, so it is replaced first when present.
  const padded = toBase64(piece);
  const base64 = padded.replace(/=+$/, "");
  forms.push(padded, base64, base64.replace(/\+/g, "-").replace(/\//g, "_"));
  return forms.filter((form) => form !== "");
}

function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
