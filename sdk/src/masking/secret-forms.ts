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

/**
 * The inside of Python's `repr(piece)`: the quotes it picks, escapes of control characters; with
 * `ascii`, of Python's `ascii(piece)` (`%a`, `!a`): every non-ASCII character escaped too.
 */
function pythonRepr(piece: string, ascii = false): string {
  const quote = piece.includes("'") && !piece.includes('"') ? '"' : "'";
  let out = "";
  for (const c of piece) {
    const code = c.codePointAt(0) as number;
    if (c === quote || c === "\\") out += `\\${c}`;
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || (!ascii && (c === " " || !PYTHON_UNPRINTABLE.test(c)))) out += c;
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

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
