/**
 * Secret masking. Every secret value is registered once; from then on every text that leaves the
 * process through the SDK (logs, runner output, error messages) has each of its forms replaced.
 *
 * Matching is a literal search for every form, and the union of all matched ranges is replaced:
 * no regular expression is built from secrets (a large secret would make one too large to
 * compile, and the compile error would quote it), and overlapping secrets are masked whole.
 */

/** What a registered secret is replaced with. */
export const MASK = "***";

/** Pieces of a secret (JSON leaves, lines) shorter than this are not masked on their own. */
const MIN_PIECE_LENGTH = 4;

/**
 * A set of secret values and every form in which they can appear in output: the whole value,
 * each JSON leaf and each line (of the value and of its leaves) of at least 4 characters, and
 * for each of those its JSON-escaped (once and twice, and with non-ASCII as `\uXXXX` as Python
 * writes it), URL- and form-encoded, and base64 / base64url forms (also when the secret starts
 * 1 or 2 bytes into the encoded data, as in `Basic user:password`).
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
  #forms = new Set<string>();
  #longest = 0;

  /**
   * Registers a secret value for masking. Empty or whitespace-only values are ignored.
   *
   * @param value - The secret, as it was read (raw string, possibly JSON or multi-line).
   */
  register(value: string): void {
    if (value.trim() === "" || this.#values.has(value)) return;
    this.#values.add(value);
    for (const piece of piecesOf(value)) {
      for (const form of formsOf(piece)) {
        this.#forms.add(form);
        if (form.length > this.#longest) this.#longest = form.length;
      }
    }
  }

  /** How many secret values are registered. */
  get size(): number {
    return this.#values.size;
  }

  /** The longest form of any registered secret, in UTF-16 code units. */
  get longest(): number {
    return this.#longest;
  }

  /**
   * Replaces every registered secret form in `text` with `***`.
   *
   * @param text - Any text about to be written somewhere.
   * @returns The text with no registered secret in it.
   */
  mask(text: string): string {
    if (this.#forms.size === 0 || text === "") return text;
    const ranges = this.#matches(text);
    if (ranges.length === 0) return text;
    let out = "";
    let last = 0;
    for (const [start, end] of ranges) {
      out += `${text.slice(last, start)}${MASK}`;
      last = end;
    }
    return out + text.slice(last);
  }

  /**
   * Where `text` can safely be cut when more text may follow: everything before the returned
   * index masks the same way whatever comes next. The cut is the earliest position from which
   * the rest could still grow into a secret form, moved back to the start of any masked range
   * that crosses it (a longer form may yet match there).
   */
  safeCutIndex(text: string): number {
    if (this.#forms.size === 0) return text.length;
    let cut = text.length;
    for (const form of this.#forms) {
      // A proper prefix of `form` that ends the text starts at one of these positions.
      const from = Math.max(0, text.length - form.length + 1);
      for (let start = text.indexOf(form[0] ?? "", from); start !== -1 && start < cut; ) {
        if (endsWithPrefixOf(text, start, form)) {
          cut = start;
          break;
        }
        start = text.indexOf(form[0] ?? "", start + 1);
      }
    }
    for (const [start, end] of this.#matches(text)) {
      if (start < cut && end > cut) return start;
      if (start >= cut) break;
    }
    return cut;
  }

  /** Every occurrence of every form, merged into sorted, disjoint [start, end) ranges. */
  #matches(text: string): [number, number][] {
    const found: [number, number][] = [];
    for (const form of this.#forms) {
      for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
        found.push([at, at + form.length]);
      }
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: [number, number][] = [];
    for (const range of found) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && range[0] < previous[1])
        previous[1] = Math.max(previous[1], range[1]);
      else merged.push([range[0], range[1]]);
    }
    return merged;
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

/**
 * The string and number leaves of a parsed value: what a `secureData` schema produced, for
 * example, which must be masked as well as the raw secret it came from.
 */
export function secretLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "bigint") return [String(value)];
  if (Array.isArray(value)) return value.flatMap(secretLeaves);
  if (value !== null && typeof value === "object")
    return Object.values(value).flatMap(secretLeaves);
  return [];
}

function piecesOf(value: string): Set<string> {
  const pieces = new Set<string>([value]);
  addLines(pieces, value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return pieces;
  }
  for (const leaf of secretLeaves(parsed)) {
    if (leaf.length >= MIN_PIECE_LENGTH) pieces.add(leaf);
    addLines(pieces, leaf);
  }
  return pieces;
}

/**
 * The value trimmed, and each line of a multi-line value (as is and trimmed) of 4+ characters.
 * Lines are taken both as a terminal shows them (`\r` breaks too) and as line-based output
 * prints them (only `\n` breaks, a bare `\r` stays inside the line).
 */
function addLines(pieces: Set<string>, value: string): void {
  const trimmed = value.trim();
  if (trimmed !== value && trimmed.length >= MIN_PIECE_LENGTH) pieces.add(trimmed);
  if (!/[\r\n]/.test(value)) return;
  const lines = [...value.split(/\r?\n|\r/), ...value.split(/\r?\n/)];
  for (const line of new Set(lines)) {
    for (const candidate of [line, line.trim()]) {
      if (candidate.length >= MIN_PIECE_LENGTH) pieces.add(candidate);
    }
  }
}

function formsOf(piece: string): string[] {
  const escaped = JSON.stringify(piece).slice(1, -1);
  const forms = [
    piece,
    escaped,
    JSON.stringify(escaped).slice(1, -1),
    // Python's json.dumps (ensure_ascii) writes every non-ASCII character as \uXXXX.
    escaped.replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ),
    encodeURIComponent(piece),
    new URLSearchParams({ v: piece }).toString().slice(2),
  ];
  const bytes = new TextEncoder().encode(piece);
  const whole = toBase64(bytes);
  forms.push(whole, whole.replace(/=+$/, ""));
  for (let shift = 0; shift < 3; shift++) {
    const base64 = shiftedBase64(bytes, shift);
    if (base64.length < MIN_PIECE_LENGTH && shift > 0) continue;
    forms.push(base64, base64.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...new Set(forms)].filter((form) => form !== "");
}

/**
 * The base64 characters that depend only on `bytes` when they start `shift` bytes into the
 * encoded data: a secret after `user:` in `Basic ...` is encoded at such an offset.
 */
function shiftedBase64(bytes: Uint8Array, shift: number): string {
  const data = new Uint8Array(shift + bytes.length);
  data.set(bytes, shift);
  const encoded = toBase64(data).replace(/=+$/, "");
  const first = Math.ceil((shift * 8) / 6);
  // The last character also holds bits of whatever follows, unless the data ends on a 3-byte group.
  const last = data.length % 3 === 0 ? encoded.length : encoded.length - 1;
  return encoded.slice(first, last);
}

/** Whether `text` from `start` to its end equals the start of `form` (and is shorter than it). */
function endsWithPrefixOf(text: string, start: number, form: string): boolean {
  const length = text.length - start;
  if (length >= form.length) return false;
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(start + i) !== form.charCodeAt(i)) return false;
  }
  return true;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
