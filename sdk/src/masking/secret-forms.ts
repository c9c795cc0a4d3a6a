/**
 * The catalogue of forms a secret is masked in (see `formsOf`), apart from the registry that
 * matches them: a new form goes here, and in its Python twin.
 */

/** `console.log(object)` in Node and Deno prints only this many characters of a string in it. */
const INSPECT_MAX_STRING = 10_000;

/**
 * Every form in which `piece` (a secret, one of its lines or JSON leaves) may be printed: as is,
 * JSON-escaped (once, twice, ASCII-only), URL- and form-encoded (JavaScript's and Python's
 * encoders, `%xx` in either case), Python's `repr` and `ascii` of the text and of its UTF-8
 * bytes, Node's and Deno's `inspect` quoting, Go's and PHP's JSON escapes, hex, base64 and
 * base64url (also shifted 1 or 2 bytes), V8's `JSON.parse` excerpt, and `console.log`'s quoted
 * prefix of a piece over 10,000 characters. The catalogue `docs/security.md` lists; the Python
 * twin is `_forms_of` in `keptn_task/_forms.py`.
 */
export function formsOf(piece: string): string[] {
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
    pythonRepr(piece, true),
  ];
  // Escape styles of other encoders: `\/` (PHP, some JSON writers), Go's HTML-safe \u003c, \u003e,
  // \u0026, \u2028 and \u2029, and %-escapes in lower case (`%2f`).
  forms.push(escaped.replaceAll("/", "\\/"), ascii.replaceAll("/", "\\/"), goEscape(escaped));
  // \uXXXX with upper-case hex digits, as Jackson and .NET's encoders write non-ASCII.
  forms.push(
    ascii.replace(/\\u([0-9a-f]{4})/g, (_, digits: string) => `\\u${digits.toUpperCase()}`),
  );
  for (const form of forms.slice()) if (form.includes("%")) forms.push(lowerPercent(form));
  const bytes = new TextEncoder().encode(wellFormed(piece));
  // Hex of the UTF-8 bytes (bytes.hex(), Buffer#toString("hex"), Go's %x and %X); Python's
  // repr of those bytes (b'caf\xc3\xa9').
  const hexForm = joinBytes(bytes, HEX_PAIRS);
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
  return escaped.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
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
  return form.replace(/%[0-9A-Fa-f]{2}/g, (percent) => percent.toLowerCase());
}

/** The inside of Python's `repr(bytes)`: printable ASCII as is, the rest as `\xNN` in lower case. */
function pythonBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? 0x22 : 0x27;
  return joinBytes(bytes, quote === 0x22 ? BYTES_REPR_DOUBLE : BYTES_REPR_SINGLE);
}

/** Each byte as `repr(bytes)` writes it inside `quote`. */
function bytesReprTable(quote: number): string[] {
  return Array.from({ length: 256 }, (_, b) => {
    if (b === quote || b === 0x5c) return `\\${String.fromCharCode(b)}`;
    if (b === 0x09) return "\\t";
    if (b === 0x0a) return "\\n";
    if (b === 0x0d) return "\\r";
    if (b < 0x20 || b >= 0x7f) return `\\x${hex(b, 2)}`;
    return String.fromCharCode(b);
  });
}

const BYTES_REPR_SINGLE = bytesReprTable(0x27);
const BYTES_REPR_DOUBLE = bytesReprTable(0x22);
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => hex(b, 2));

/**
 * `bytes` written through `table` (one string per byte value), in slices: a character at a time
 * (`out +=`) costs a 1 MiB secret seconds of garbage collection.
 */
function joinBytes(bytes: Uint8Array, table: readonly string[]): string {
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += 8192) {
    parts.push(Array.from(bytes.subarray(at, at + 8192), (b) => table[b] as string).join(""));
  }
  return parts.join("");
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
  // Bounded by both: past their ends both read `undefined`, which would match for ever.
  const same = literal === undefined ? 0 : Math.min(piece.length, literal.length);
  while (failsAt < same && piece[failsAt] === literal?.[failsAt]) failsAt++;
  const end = failsAt + V8_EXCERPT_AFTER;
  return piece.length > end ? `${piece.slice(0, end)}"...` : "";
}

/** Characters Python's `str.isprintable` rejects: `repr` escapes them. */
const PYTHON_UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/**
 * The inside of Python's `repr(piece)`: the quotes it picks, escapes of control characters; with
 * `ascii`, of Python's `ascii(piece)` (`%a`, `!a`): every non-ASCII character escaped too.
 */
function pythonRepr(piece: string, ascii = false): string {
  const quote = piece.includes("'") && !piece.includes('"') ? '"' : "'";
  // Only what may need an escape is matched; every other character is kept as it is.
  // The Unicode classes cost V8 ~1 ms to compile: only for a piece that needs them.
  const escapes =
    ascii || !/[\u0080-\uffff]/.test(piece) ? PYTHON_ASCII_ESCAPED : PYTHON_REPR_ESCAPED;
  return piece.replace(escapes, (c) => {
    const code = c.codePointAt(0) as number;
    if (c === quote || c === "\\") return `\\${c}`;
    if (c === "\t") return "\\t";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
    if (code < 0x7f || (!ascii && (c === " " || !PYTHON_UNPRINTABLE.test(c)))) return c;
    if (code <= 0xff) return `\\x${hex(code, 2)}`;
    if (code <= 0xffff) return `\\u${hex(code, 4)}`;
    return `\\U${hex(code, 8)}`;
  });
}

/** The characters `repr` may escape, and those `ascii` may (every one outside ASCII too). */
const PYTHON_REPR_ESCAPED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what repr escapes
  /['"\\\x00-\x1f\x7f]|[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what ascii escapes
const PYTHON_ASCII_ESCAPED = /['"\\\x00-\x1f\x7f]|[^\x00-\x7f]/gu;

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
  // in lower case: each casing is taken on its own. By code unit: the 10,000-character cut may
  // split a surrogate pair, printed as \uXXXX.
  const escaped = (upperX: boolean, upperU: boolean) =>
    text.replace(INSPECT_ESCAPED[quote] as RegExp, (c) => {
      const named = special[c];
      if (named !== undefined) return named;
      const code = c.charCodeAt(0);
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${cased(hex(code, 2), upperX)}`;
      return `\\u${cased(hex(code, 4), upperU)}`;
    });
  const inners = [
    escaped(true, false),
    escaped(false, false),
    escaped(true, true),
    escaped(false, true),
  ];
  return [...new Set(inners)].map((inner) => `${quote}${inner}${quote}`);
}

function cased(digits: string, upper: boolean): string {
  return upper ? digits.toUpperCase() : digits;
}

/** What `inspect` escapes inside each quote: control characters, `\`, the quote, lone surrogates. */
const INSPECT_ESCAPED: Record<string, RegExp> = Object.fromEntries(
  ["'", '"', "`"].map((quote) => [
    quote,
    new RegExp(
      `[\\\\${quote}\\x00-\\x1f\\x7f-\\x9f]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`,
      "g",
    ),
  ]),
);

/** `text` with each lone surrogate replaced by U+FFFD, as `TextEncoder` and `URLSearchParams` do. */
function wellFormed(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    "\ufffd",
  );
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
 * Standard base64 with padding, written here: Deno loads its `btoa` on first use, which costs a
 * runner's start-up ~5 ms for each secret it registers.
 */
function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let out = "";
  let at = 0;
  for (; at + 2 < bytes.length; at += 3) {
    const n =
      ((bytes[at] as number) << 16) | ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
    out += `${BASE64[n >> 18]}${BASE64[(n >> 12) & 63]}${BASE64[(n >> 6) & 63]}${BASE64[n & 63]}`;
    if (out.length >= 16_384) {
      parts.push(out);
      out = "";
    }
  }
  if (at < bytes.length) {
    const two = at + 1 < bytes.length;
    const n = ((bytes[at] as number) << 16) | (two ? (bytes[at + 1] as number) << 8 : 0);
    out += `${BASE64[n >> 18]}${BASE64[(n >> 12) & 63]}${two ? BASE64[(n >> 6) & 63] : "="}=`;
  }
  parts.push(out);
  return parts.join("");
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
