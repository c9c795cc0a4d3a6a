/**
 * Secret masking. Every secret value is registered once; from then on every text that leaves the
 * process through the SDK (logs, runner output, error messages) has each of its forms replaced.
 *
 * Matching is a literal search for every form, and the union of all matched ranges is replaced:
 * no regular expression is built from secrets (a large secret would make one too large to
 * compile, and the compile error would quote it), and overlapping secrets are masked whole.
 * A run of overlapping matches of one form (`aaaa` in a long run of `a`) is followed along the
 * form's period, so masking costs time linear in the text and memory bounded by the longest form.
 */

import { escapeEnd, escapeStart, isJson, jsonLeaves, jsonTokens, SCALAR } from "./json-text.js";
import { formsOf } from "./secret-forms.js";

/** What a registered secret is replaced with. */
export const MASK = "***";

/**
 * Derived pieces of a secret (lines, JSON leaves) and encoded forms shorter than this are not
 * masked on their own: a 1-character base64 fragment would mask that letter everywhere. The whole
 * value is masked at any length.
 */
const MIN_PIECE_LENGTH = 4;

/**
 * A set of secret values and every form in which they can appear in output: the whole value (at
 * any length), each JSON leaf (numbers by their exact JSON text), each line and the value of a
 * `KEY=value` or `key: value` line, of the value and of its leaves, of at least 4 characters and
 * not only white space; and for each of those its
 * JSON-escaped (once and twice, also with non-ASCII as `\uXXXX` as Python writes it), URL- and
 * form-encoded (as JavaScript and as Python's `quote` / `quote_plus` write them), Python `repr`,
 * base64 / base64url forms (also when the secret starts 1 or 2 bytes into the encoded data, as in
 * `Basic user:password`), and for a piece over 10,000 characters the quoted prefix that
 * `console.log` prints of it. Encoded forms shorter than 4 characters are left out.
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
  // Values registered whose forms are not computed yet: every read of the forms settles them
  // first (`#settle`), so a registered value is masked from the first text masked after it.
  #pending: string[] = [];
  #formSet = new Set<string>();
  #forms: string[] = [];
  // The smallest period of each form, computed when the form first matches (0: not yet).
  #periods: number[] = [];
  #longest = 0;

  /**
   * Registers a secret value for masking. Empty or whitespace-only values are ignored. Its forms
   * are computed when the registry is next read (any masking, `longest`, or `settle()`): a
   * process that registers a secret and then starts a task computes them while the task starts.
   *
   * @param value - The secret, as it was read (raw string, possibly JSON or multi-line).
   */
  register(value: string): void {
    if (value.trim() === "" || this.#values.has(value)) return;
    this.#values.add(value);
    this.#pending.push(value);
  }

  /** Computes the forms of every value registered since the last read (see `register`). */
  settle(): void {
    // A value leaves the list only once all its forms are in: should computing them throw, every
    // later read throws too, and nothing is written unmasked.
    for (let value = this.#pending[0]; value !== undefined; value = this.#pending[0]) {
      this.#add(value);
      for (const piece of piecesOf(value)) {
        for (const form of formsOf(piece)) {
          if (form.length >= MIN_PIECE_LENGTH && form.trim() !== "") this.#add(form);
        }
      }
      this.#pending.shift();
    }
  }

  #add(form: string): void {
    if (this.#formSet.has(form)) return;
    this.#formSet.add(form);
    this.#forms.push(form);
    this.#periods.push(0);
    if (form.length > this.#longest) this.#longest = form.length;
  }

  /** How many secret values are registered. */
  get size(): number {
    return this.#values.size;
  }

  /** The longest form of any registered secret, in UTF-16 code units. */
  get longest(): number {
    this.settle();
    return this.#longest;
  }

  /**
   * Replaces every registered secret form in `text` with `***`.
   *
   * @param text - Any text about to be written somewhere.
   * @returns The text with no registered secret in it.
   */
  mask(text: string): string {
    this.settle();
    if (this.#forms.length === 0 || text === "") return text;
    return this.maskPart(text, true, 0).out;
  }

  /**
   * Like `mask`, for a line of JSON such as a log line: a mask never replaces the JSON's own
   * punctuation, a masked number, `true`, `false` or `null` becomes the string `"***"`, and a
   * mask inside a string covers whole escape sequences, so the line stays valid JSON. Text that
   * is not JSON is masked as by `mask`.
   *
   * @param text - One JSON text, optionally followed by a line break.
   * @returns The masked text.
   */
  maskJson(text: string): string {
    this.settle();
    if (this.#forms.length === 0 || text === "") return text;
    const ranges = this.#ranges(text);
    if (ranges.length === 0) return text;
    const tokens = isJson(text) ? jsonTokens(text) : undefined;
    if (tokens === undefined) return this.maskPart(text, true, 0).out;
    // Each range becomes masks on the tokens it touches: [start, end, quoted] triples.
    const masks: number[] = [];
    let token = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      const start = ranges[r] as number;
      const end = ranges[r + 1] as number;
      while (token < tokens.length && (tokens[token + 1] as number) <= start) token += 3;
      for (let t = token; t < tokens.length && (tokens[t] as number) < end; t += 3) {
        const from = tokens[t] as number;
        const to = tokens[t + 1] as number;
        if (tokens[t + 2] === SCALAR) {
          pushMask(masks, from, to, 1);
          continue;
        }
        // Inside a string: the mask widens to whole escape sequences, never to the quotes.
        const a = Math.max(start, from + 1);
        const b = Math.min(end, to - 1);
        if (a >= b) continue;
        pushMask(masks, escapeStart(text, a, from + 1), escapeEnd(text, b, from + 1), 0);
      }
    }
    let out = "";
    let last = 0;
    for (let m = 0; m < masks.length; m += 3) {
      out += `${text.slice(last, masks[m])}${masks[m + 2] === 1 ? `"${MASK}"` : MASK}`;
      last = masks[m + 1] as number;
    }
    return out + text.slice(last);
  }

  /**
   * The earliest position from which the end of `text` could still grow into a secret form when
   * more text follows: text before it is settled, text from it on must be held back.
   */
  safeCutIndex(text: string): number {
    this.settle();
    let cut = text.length;
    for (const form of this.#forms) {
      // A proper prefix of `form` that ends the text starts at one of these positions.
      const from = Math.max(0, text.length - form.length + 1);
      const first = form[0] ?? "";
      for (let start = text.indexOf(first, from); start !== -1 && start < cut; ) {
        if (endsWithPrefixOf(text, start, form)) {
          cut = start;
          break;
        }
        start = text.indexOf(first, start + 1);
      }
    }
    return cut;
  }

  /**
   * One step of streaming masking (what `SecretMasker` does with each write). `open` is how many
   * characters at the start of `text` a mask already written covers (0 for none). Returns the
   * masked text that is settled, the index in `text` from which it must be kept for the next
   * step, and how many characters from that index the mask just written covers.
   *
   * @internal Not part of the public API.
   */
  maskPart(
    text: string,
    final: boolean,
    open: number,
  ): { out: string; keep: number; open: number } {
    this.settle();
    const cut = final ? text.length : this.safeCutIndex(text);
    const ranges = this.#ranges(text);
    let out = "";
    let last = 0;
    // The range being merged: [start, end), and whether its mask is already written.
    let start = 0;
    let end = open;
    let written = open > 0;
    let any = open > 0;
    for (let r = 0; r <= ranges.length; r += 2) {
      const next = ranges[r];
      if (next !== undefined && any && next < end) {
        end = Math.max(end, ranges[r + 1] as number);
        continue;
      }
      if (any) {
        // Not settled yet; a mask already written (start 0, cut 0) stays open.
        if (start >= cut)
          return { out: out + text.slice(last, cut), keep: cut, open: written ? end : 0 };
        if (!written) out += `${text.slice(last, start)}${MASK}`;
        if (end > cut) return { out, keep: cut, open: end - cut };
        last = end;
      }
      if (next === undefined) break;
      start = next;
      end = ranges[r + 1] as number;
      written = false;
      any = true;
    }
    return { out: out + text.slice(last, cut), keep: cut, open: 0 };
  }

  /**
   * Every occurrence of every form, merged into sorted, disjoint [start, end) ranges (overlapping
   * ones merge, adjacent ones do not), as a flat list of starts and ends.
   */
  #ranges(text: string): number[] {
    this.settle();
    const lists: number[][] = [];
    for (let f = 0; f < this.#forms.length; f++) {
      const form = this.#forms[f] as string;
      let at = text.indexOf(form);
      if (at === -1) continue;
      const length = form.length;
      const period = this.#period(f);
      const found: number[] = [];
      while (at !== -1) {
        let end = at + length;
        if (period < length) {
          // Occurrences one period apart overlap: follow them without searching again.
          const j = periodicEnd(text, end, period);
          end += Math.floor((j - end) / period) * period;
        }
        const previous = found.length - 1;
        if (previous > 0 && at < (found[previous] as number)) {
          found[previous] = Math.max(found[previous] as number, end);
        } else found.push(at, end);
        at = text.indexOf(form, end - length + 1);
      }
      lists.push(found);
    }
    if (lists.length === 0) return [];
    if (lists.length === 1) return lists[0] as number[];
    const starts: number[] = [];
    const ends: number[] = [];
    for (const list of lists) {
      for (let i = 0; i < list.length; i += 2) {
        starts.push(list[i] as number);
        ends.push(list[i + 1] as number);
      }
    }
    const order = starts.map((_, i) => i);
    order.sort(
      (a, b) =>
        (starts[a] as number) - (starts[b] as number) || (ends[b] as number) - (ends[a] as number),
    );
    const merged: number[] = [];
    for (const i of order) {
      const s = starts[i] as number;
      const e = ends[i] as number;
      const previous = merged.length - 1;
      if (previous > 0 && s < (merged[previous] as number)) {
        merged[previous] = Math.max(merged[previous] as number, e);
      } else merged.push(s, e);
    }
    return merged;
  }

  #period(index: number): number {
    const known = this.#periods[index] as number;
    if (known !== 0) return known;
    const period = smallestPeriod(this.#forms[index] as string);
    this.#periods[index] = period;
    return period;
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
 * example, which must be masked as well as the raw secret it came from. A loop, not recursion,
 * so that any depth of nesting is walked.
 */
export function secretLeaves(value: unknown): string[] {
  const leaves: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") leaves.push(item);
    else if (typeof item === "number" || typeof item === "bigint") leaves.push(String(item));
    else if (Array.isArray(item)) for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    else if (item !== null && typeof item === "object") {
      const values = Object.values(item);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
  return leaves;
}

function piecesOf(value: string): Set<string> {
  const pieces = new Set<string>([value]);
  addLines(pieces, value);
  for (const leaf of jsonLeaves(value) ?? []) {
    addPiece(pieces, leaf);
    addLines(pieces, leaf);
  }
  return pieces;
}

function addPiece(pieces: Set<string>, piece: string): void {
  if (piece.length >= MIN_PIECE_LENGTH && piece.trim() !== "") pieces.add(piece);
}

/**
 * The value trimmed, and each line of a multi-line value (as is and trimmed) of 4+ characters.
 * Lines are taken both as a terminal shows them (`\r` breaks too) and as line-based output
 * prints them (only `\n` breaks, a bare `\r` stays inside the line).
 */
function addLines(pieces: Set<string>, value: string): void {
  const trimmed = value.trim();
  if (trimmed !== value) addPiece(pieces, trimmed);
  if (!/[\r\n]/.test(value)) {
    addAssigned(pieces, value);
    return;
  }
  const lines = [...value.split(/\r?\n|\r/), ...value.split(/\r?\n/)];
  for (const line of new Set(lines)) {
    addPiece(pieces, line);
    addPiece(pieces, line.trim());
    addAssigned(pieces, line);
  }
}

/** The start of a line of a dotenv, properties or YAML file: `KEY=`, `export KEY=`, `key: `. */
const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*[=:][ \t]*/;

/**
 * The value of a `KEY=value` (or `key: value`) line, trimmed and without its quotes: a secret
 * holding a dotenv or YAML file is read and printed a value at a time.
 */
function addAssigned(pieces: Set<string>, line: string): void {
  const start = ASSIGNMENT.exec(line);
  if (start === null) return;
  let value = line.slice(start[0].length).trim();
  const quote = value[0];
  if (value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote))
    value = value.slice(1, -1);
  addPiece(pieces, value);
}

/** Adds [start, end) to the sorted masks, merging it with the last one when they overlap. */
function pushMask(masks: number[], start: number, end: number, quoted: number): void {
  const last = masks.length - 3;
  if (last >= 0 && start < (masks[last + 1] as number)) {
    masks[last + 1] = Math.max(masks[last + 1] as number, end);
    masks[last + 2] = Math.max(masks[last + 2] as number, quoted);
  } else masks.push(start, end, quoted);
}

/**
 * How far from `from` the text keeps repeating with `period` (`text[j] === text[j - period]`):
 * compared in growing blocks, then character by character.
 */
function periodicEnd(text: string, from: number, period: number): number {
  let j = from;
  for (let step = 64; step >= 64; ) {
    if (j + step <= text.length && text.startsWith(text.slice(j - period, j - period + step), j)) {
      j += step;
      step *= 2;
    } else step /= 2;
  }
  while (j < text.length && text.charCodeAt(j) === text.charCodeAt(j - period)) j++;
  return j;
}

/** The smallest p such that `form[i] === form[i + p]` for every i (KMP's failure function). */
function smallestPeriod(form: string): number {
  const border = new Int32Array(form.length);
  let k = 0;
  for (let i = 1; i < form.length; i++) {
    while (k > 0 && form.charCodeAt(i) !== form.charCodeAt(k)) k = border[k - 1] as number;
    if (form.charCodeAt(i) === form.charCodeAt(k)) k++;
    border[i] = k;
  }
  return form.length - (border[form.length - 1] ?? 0);
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

export { jsonLeaves };
