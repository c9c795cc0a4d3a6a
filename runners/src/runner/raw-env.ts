/**
 * Variables whose value is not valid UTF-8. A Secret's data is bytes, and `Deno.env.toObject()`
 * leaves such a variable out as if it were unset: the runner reads them from
 * `/proc/self/environ` instead (Linux; elsewhere there are none to find).
 */

/** The variables the runner must see even when they are not valid UTF-8. */
export const RAW_ENV_NAMES: readonly string[] = [
  "SECURE_DATA",
  "DATA",
  "KEPTN_CONTEXT",
  "SCRIPT",
  "CMD_ARGS",
];

/**
 * The raw bytes of each variable in `names` whose value is not valid UTF-8.
 *
 * @param environ - The process's environment block (default: read from `/proc/self/environ`).
 */
export function readRawEnv(
  names: readonly string[] = RAW_ENV_NAMES,
  environ: Uint8Array | undefined = readEnviron(),
): Record<string, Uint8Array> {
  const found: Record<string, Uint8Array> = {};
  if (environ === undefined) return found;
  const strict = new TextDecoder("utf-8", { fatal: true });
  for (let start = 0; start < environ.length; ) {
    let end = environ.indexOf(0, start);
    if (end === -1) end = environ.length;
    const entry = environ.subarray(start, end);
    start = end + 1;
    const equals = entry.indexOf(0x3d);
    if (equals <= 0) continue;
    const value = entry.subarray(equals + 1);
    // Only a value with a byte above ASCII can be invalid UTF-8.
    if (!value.some((byte) => byte > 0x7f)) continue;
    const name = String.fromCharCode(...entry.subarray(0, equals));
    if (!names.includes(name)) continue;
    try {
      strict.decode(value);
    } catch {
      found[name] = value.slice();
    }
  }
  return found;
}

function readEnviron(): Uint8Array | undefined {
  try {
    return Deno.readFileSync("/proc/self/environ");
  } catch {
    return undefined;
  }
}

/**
 * The forms in which bytes that are not UTF-8 show up in output, to be masked: decoded with
 * replacement characters (as the runner's masking stream itself decodes the task's output, so
 * raw bytes printed by the task arrive in this form), as Latin-1, escaped as Rust (Deno's own
 * errors: `\xFF`) and Python (`b'\xff'`, and `'\udcff'` for `os.environ`'s surrogate escapes)
 * print them, and base64.
 */
export function rawSecretForms(bytes: Uint8Array): string[] {
  const latin1 = String.fromCharCode(...bytes);
  const rust = escapeInvalid(bytes, (b) => `\\x${hex(b).toUpperCase()}`, rustEscape);
  const base64 = btoa(latin1);
  const forms = [
    new TextDecoder().decode(bytes),
    latin1,
    rust,
    escapeInvalid(bytes, (b) => `\\x${hex(b)}`, rustEscape),
    escapeInvalid(bytes, (b) => `\\udc${hex(b)}`, pythonEscape),
    pythonBytesRepr(bytes),
    base64,
    base64.replace(/=+$/, ""),
    base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
  ];
  return [...new Set(forms)];
}

const hex = (byte: number) => byte.toString(16).padStart(2, "0");

function rustEscape(char: string): string {
  if (char === "\\" || char === '"') return `\\${char}`;
  return char;
}

function pythonEscape(char: string): string {
  return char === "\\" || char === "'" ? `\\${char}` : char;
}

/** Valid UTF-8 sequences as their characters (through `escape`), every other byte as `invalid`. */
function escapeInvalid(
  bytes: Uint8Array,
  invalid: (byte: number) => string,
  escapeChar: (char: string) => string,
): string {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i] ?? 0;
    const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 0;
    if (length > 0 && i + length <= bytes.length) {
      try {
        out += escapeChar(strict.decode(bytes.subarray(i, i + length)));
        i += length;
        continue;
      } catch {
        // not a valid sequence: the lead byte alone is escaped
      }
    }
    out += invalid(byte);
    i += 1;
  }
  return out;
}

/** The body of Python's `repr(bytes)` (between the quotes). */
function pythonBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (char === "\\" || char === quote) out += `\\${char}`;
    else if (char === "\t") out += "\\t";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (byte >= 0x20 && byte < 0x7f) out += char;
    else out += `\\x${hex(byte)}`;
  }
  return out;
}
