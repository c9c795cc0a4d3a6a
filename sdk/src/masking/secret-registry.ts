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

/** What a registered secret is replaced with. */
export const MASK = "***";

/**
 * Derived pieces of a secret (lines, JSON leaves) and encoded forms shorter than this are not
 * masked on their own: a 1-character base64 fragment would mask that letter everywhere. The whole
 * value is masked at any length.
 */
const MIN_PIECE_LENGTH = 4;

/** `console.log(object)` in Node and Deno prints only this many characters of a string in it. */
const INSPECT_MAX_STRING = 10_000;

/**
 * A set of secret values and every form in which they can appear in output: the whole value (at
 * any length), each JSON leaf (numbers by their exact JSON text) and each line, of the value and
 * of its leaves, of at least 4 characters and not only white space; and for each of those its
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
  #formSet = new Set<string>();
  #forms: string[] = [];
  // The smallest period of each form, computed when the form first matches (0: not yet).
  #periods: number[] = [];
  #longest = 0;

  /**
   * Registers a secret value for masking. Empty or whitespace-only values are ignored.
   *
   * @param value - The secret, as it was read (raw string, possibly JSON or multi-line).
   */
  register(value: string): void {
    if (value.trim() === "" || this.#values.has(value)) return;
    this.#values.add(value);
    this.#add(value);
    for (const piece of piecesOf(value)) {
      for (const form of formsOf(piece)) {
        if (form.length >= MIN_PIECE_LENGTH && form.trim() !== "") this.#add(form);
      }
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
    return this.#longest;
  }

  /**
   * Replaces every registered secret form in `text` with `***`.
   *
   * @param text - Any text about to be written somewhere.
   * @returns The text with no registered secret in it.
   */
  mask(text: string): string {
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
  if (!/[\r\n]/.test(value)) return;
  const lines = [...value.split(/\r?\n|\r/), ...value.split(/\r?\n/)];
  for (const line of new Set(lines)) {
    addPiece(pieces, line);
    addPiece(pieces, line.trim());
  }
}

/**
 * The string and number leaves of a JSON text, or `undefined` when it is not JSON. Numbers are
 * taken as written (`JSON.parse` rounds `98765432109876543210`, which Python prints exactly) and
 * as JavaScript prints them (`1.50` as `1.5`). The text is scanned in a loop: any depth.
 */
export function jsonLeaves(text: string): string[] | undefined {
  if (!isJson(text)) return undefined;
  const leaves: string[] = [];
  const tokens = jsonTokens(text) ?? [];
  for (let t = 0; t < tokens.length; t += 3) {
    const from = tokens[t] as number;
    const to = tokens[t + 1] as number;
    const source = text.slice(from, to);
    if (tokens[t + 2] === STRING) {
      let next = to;
      while (/\s/.test(text[next] ?? "")) next++;
      if (text[next] !== ":") leaves.push(JSON.parse(source) as string);
    } else if (source !== "true" && source !== "false" && source !== "null") {
      leaves.push(source);
      const printed = String(Number(source));
      if (printed !== source) leaves.push(printed);
    }
  }
  return leaves;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const STRING = 0;
const SCALAR = 1;

/**
 * The string and scalar (number, `true`, `false`, `null`) tokens of a JSON text, as a flat list
 * of [start, end, kind]; `undefined` when a string is not closed. Punctuation is skipped, not
 * checked: callers parse the text first or fall back when it is not JSON.
 */
function jsonTokens(text: string): number[] | undefined {
  const tokens: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      for (;;) {
        const k = text.indexOf('"', j);
        if (k === -1) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(k - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) {
          j = k + 1;
          break;
        }
        j = k + 1;
      }
      tokens.push(i, j, STRING);
      i = j;
    } else if (isPunctuation(c)) {
      i++;
    } else {
      let j = i + 1;
      while (j < text.length && !isPunctuation(text.charCodeAt(j)) && text.charCodeAt(j) !== 0x22)
        j++;
      tokens.push(i, j, SCALAR);
      i = j;
    }
  }
  return tokens;
}

/** JSON punctuation and white space: `{}[]:,`, space, tab, line breaks. */
function isPunctuation(c: number): boolean {
  return (
    c === 0x7b ||
    c === 0x7d ||
    c === 0x5b ||
    c === 0x5d ||
    c === 0x3a ||
    c === 0x2c ||
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0a ||
    c === 0x0d
  );
}

/** Adds [start, end) to the sorted masks, merging it with the last one when they overlap. */
function pushMask(masks: number[], start: number, end: number, quoted: number): void {
  const last = masks.length - 3;
  if (last >= 0 && start < (masks[last + 1] as number)) {
    masks[last + 1] = Math.max(masks[last + 1] as number, end);
    masks[last + 2] = Math.max(masks[last + 2] as number, quoted);
  } else masks.push(start, end, quoted);
}

/** The start of the escape sequence of a JSON string that holds `at`, or -1 when none does. */
function escapeAt(text: string, at: number, contentStart: number): number {
  for (let j = at; j >= contentStart && j >= at - 5; j--) {
    if (text.charCodeAt(j) !== 0x5c || !startsEscape(text, j, contentStart)) continue;
    return j + escapeLength(text, j) > at ? j : -1;
  }
  return -1;
}

function escapeLength(text: string, start: number): number {
  return text.charCodeAt(start + 1) === 0x75 ? 6 : 2;
}

/** `at`, moved back to the start of the escape sequence it is inside of. */
function escapeStart(text: string, at: number, contentStart: number): number {
  const start = escapeAt(text, at, contentStart);
  return start === -1 ? at : start;
}

/** `end` (exclusive), moved on to the end of the escape sequence that holds `end - 1`. */
function escapeEnd(text: string, end: number, contentStart: number): number {
  const start = escapeAt(text, end - 1, contentStart);
  return start === -1 ? end : start + escapeLength(text, start);
}

/** Whether the backslash at `at` starts an escape (it is not the second of `\\`). */
function startsEscape(text: string, at: number, contentStart: number): boolean {
  let before = 0;
  while (at - 1 - before >= contentStart && text.charCodeAt(at - 1 - before) === 0x5c) before++;
  return before % 2 === 0;
}

function formsOf(piece: string): string[] {
  const escaped = JSON.stringify(piece).slice(1, -1);
  // Python's json.dumps (ensure_ascii) writes every non-ASCII character as \uXXXX.
  const ascii = escaped.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  // encodeURIComponent throws on a lone surrogate (a JSON leaf may hold one: "\ud800"); URL
  // encoders write it as U+FFFD, as URLSearchParams does.
  const uri = encodeURIComponent(wellFormed(piece));
  // Python's quote() also escapes !*'() and keeps "/" (safe="/"); quote_plus() writes " " as "+".
  const python = uri.replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const forms = [
    piece,
    escaped,
    JSON.stringify(escaped).slice(1, -1),
    ascii,
    // json.dumps(json.dumps(value)), as a Python task writes a JSON document inside another.
    JSON.stringify(ascii).slice(1, -1),
    uri,
    new URLSearchParams({ v: piece }).toString().slice(2),
    python.replace(/%2F/g, "/"),
    python.replace(/%20/g, "+"),
    pythonRepr(piece),
  ];
  // Escape styles of other encoders: `\/` (PHP, some JSON writers), Go's HTML-safe \u003c, \u003e,
  // \u0026, \u2028 and \u2029, and %-escapes in lower case (`%2f`).
  forms.push(escaped.replaceAll("/", "\\/"), ascii.replaceAll("/", "\\/"), goEscape(escaped));
  for (const form of forms.slice()) if (form.includes("%")) forms.push(lowerPercent(form));
  const bytes = new TextEncoder().encode(wellFormed(piece));
  // Hex of the UTF-8 bytes (bytes.hex(), Buffer#toString("hex"), Go's %x and %X); Python's
  // repr of those bytes (b'caf\xc3\xa9').
  const hexForm = [...bytes].map((b) => hex(b, 2)).join("");
  forms.push(hexForm, hexForm.toUpperCase(), pythonBytesRepr(bytes), v8Excerpt(piece));
  const whole = toBase64(bytes);
  forms.push(whole, whole.replace(/=+$/, ""));
  for (let shift = 0; shift < 3; shift++) {
    const base64 = shiftedBase64(bytes, shift);
    forms.push(base64, base64.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  // As `console.log` and `Deno.inspect` print a string inside an object or an array, in each of
  // the quotes Node and Deno pick (backticks for one holding both ' and "), `\` as `\\`.
  for (const quote of ["'", '"', "`"])
    for (const form of inspectForms(piece, quote)) forms.push(form.slice(1, -1));
  // encodeURI keeps ;,/?:@&=+$# (a secret in a URL a task builds and prints).
  forms.push(encodeURI(wellFormed(piece)));
  if (piece.length > INSPECT_MAX_STRING) {
    const prefix = piece.slice(0, INSPECT_MAX_STRING);
    for (const quote of ["'", '"', "`"]) forms.push(...inspectForms(prefix, quote));
  }
  return [...new Set(forms)].filter((form) => form !== "");
}

/** A JSON-escaped text as Go's encoding/json writes it: `<`, `>`, `&`, U+2028, U+2029 as \uXXXX. */
function goEscape(escaped: string): string {
  let out = "";
  for (const c of escaped) {
    const go = GO_ESCAPES[c];
    out += go ?? c;
  }
  return out;
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Every `%XX` escape of `form` in lower case (`%2F` as `%2f`), as some encoders write them. */
function lowerPercent(form: string): string {
  let out = "";
  for (let at = 0; at < form.length; at++) {
    const c = form[at] as string;
    if (c === "%" && at + 2 < form.length && isHexDigit(form[at + 1]) && isHexDigit(form[at + 2])) {
      out += `%${form.slice(at + 1, at + 3).toLowerCase()}`;
      at += 2;
    } else out += c;
  }
  return out;
}

function isHexDigit(c: string | undefined): boolean {
  return (
    c !== undefined && ((c >= "0" && c <= "9") || (c >= "A" && c <= "F") || (c >= "a" && c <= "f"))
  );
}

/** The inside of Python's `repr(bytes)`: printable ASCII as is, the rest as `\xNN` in lower case. */
function pythonBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? 0x22 : 0x27;
  let out = "";
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b >= 0x7f) out += `\\x${hex(b, 2)}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/** How many characters V8's `JSON.parse` error quotes after the position it failed at. */
const V8_EXCERPT_AFTER = 10;

/**
 * What V8 (Node, Deno) quotes of `piece` when `JSON.parse` fails on it, alone or as a bare token
 * inside a larger text: `Unexpected token 'g', "ghp_R4nd0m"... is not valid JSON` shows the 10
 * characters from the failing position on, then `"...`. For a piece that starts like `null`,
 * `true` or `false`, the failing position is where it stops matching. The empty string when V8
 * quotes it whole (masked as the piece) or fails without quoting (a number, a string, an object).
 */
function v8Excerpt(piece: string): string {
  const first = piece[0] ?? "";
  if (first === "" || '"{[-0123456789 \t\n\r'.includes(first)) return "";
  let failsAt = 0;
  const literal = ["null", "true", "false"].find((word) => word[0] === first);
  if (literal !== undefined) while (piece[failsAt] === literal[failsAt]) failsAt++;
  const end = failsAt + V8_EXCERPT_AFTER;
  return piece.length > end ? `${piece.slice(0, end)}"...` : "";
}

/** Characters Python's `str.isprintable` rejects: `repr` escapes them. */
const PYTHON_UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** The inside of Python's `repr(piece)`: the quotes it picks, escapes of control characters. */
function pythonRepr(piece: string): string {
  const quote = piece.includes("'") && !piece.includes('"') ? '"' : "'";
  let out = "";
  for (const c of piece) {
    const code = c.codePointAt(0) as number;
    if (c === quote || c === "\\") out += `\\${c}`;
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || c === " " || !PYTHON_UNPRINTABLE.test(c)) out += c;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out;
}

/** A string as Node's and Deno's `util.inspect` print it inside `quote` (hex in either case). */
function inspectForms(text: string, quote: string): string[] {
  const special: Record<string, string> = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    "\\": "\\\\",
    [quote]: `\\${quote}`,
  };
  // Node writes \xNN in upper case and a lone surrogate's \uXXXX in lower case; Deno writes both
  // in lower case: each casing is taken on its own.
  const escaped = (upperX: boolean, upperU: boolean) => {
    let out = "";
    // By code unit: the 10,000-character cut may split a surrogate pair, printed as \uXXXX.
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      const code = text.charCodeAt(i);
      const named = special[c];
      const lone =
        (code >= 0xd800 && code <= 0xdbff && !isLowSurrogate(text.charCodeAt(i + 1))) ||
        (isLowSurrogate(code) &&
          !(text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff));
      const cased = (digits: string, upper: boolean) => (upper ? digits.toUpperCase() : digits);
      if (named !== undefined) out += named;
      else if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
        out += `\\x${cased(hex(code, 2), upperX)}`;
      else if (lone) out += `\\u${cased(hex(code, 4), upperU)}`;
      else out += c;
    }
    return out;
  };
  const inners = [
    escaped(true, false),
    escaped(false, false),
    escaped(true, true),
    escaped(false, true),
  ];
  return [...new Set(inners)].map((inner) => `${quote}${inner}${quote}`);
}

/** `text` with each lone surrogate replaced by U+FFFD, as `TextEncoder` and `URLSearchParams` do. */
function wellFormed(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    "\ufffd",
  );
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
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

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
