/**
 * Byte-for-byte reproductions of what the operator's Go code produces: `encoding/json` output
 * (sorted map keys, HTML-safe escaping), `time.ParseDuration`, and the resource-name shortening.
 * The runner sees these exact strings in `DATA` and `KEPTN_CONTEXT`.
 */

const GO_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Encodes a string as Go's `json.Marshal` does: `<`, `>` and `&` become `\u003c`, `\u003e`,
 * `\u0026`, U+2028/2029 are escaped, lone surrogates become U+FFFD.
 */
export function goJsonString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += "\\ufffd";
      continue;
    }
    const escaped = GO_ESCAPES[char];
    if (escaped !== undefined) out += escaped;
    else if (char < " ") out += `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/** Encodes a `map[string]string` as Go does: keys sorted bytewise. */
export function goJsonStringMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort(compareBytes);
  return `{${keys.map((key) => `${goJsonString(key)}:${goJsonString(map[key] ?? "")}`).join(",")}}`;
}

function compareBytes(a: string, b: string): number {
  const encoder = new TextEncoder();
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** 2^63 - 1 nanoseconds, the longest Go duration (as a double: the check is not exact at the edge). */
const MAX_DURATION_NANOS = 2 ** 63 - 1;

/**
 * Parses a Go duration as `time.ParseDuration` does (`90s`, `5m`, `1h30m`, `1.5h`, `+90s`,
 * `.5m`, `-5m`) into nanoseconds.
 *
 * @returns The duration in nanoseconds (negative for a leading `-`), or `undefined` when Go
 *   refuses the text.
 */
export function parseGoDuration(text: string): number | undefined {
  const sign = text.startsWith("-") ? -1 : 1;
  const rest = /^[-+]/.test(text) ? text.slice(1) : text;
  if (rest === "0") return 0;
  // Each part: digits, a dot, digits (at least one digit on either side), a unit.
  const part = /([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < rest.length) {
    part.lastIndex = index;
    const match = part.exec(rest);
    const [, whole = "", fraction = "", unit = ""] = match ?? [];
    if (match === null || (whole === "" && fraction === "")) return undefined;
    total += Number(`${whole || "0"}.${fraction || "0"}`) * (UNIT_NANOS[unit] ?? 0);
    index = part.lastIndex;
  }
  if (index === 0) return undefined;
  // Go's Duration is an int64 of nanoseconds: ParseDuration refuses anything beyond (about
  // 2562047h), as it refuses "3000000h".
  return total > MAX_DURATION_NANOS ? undefined : sign * total;
}

/** `whole` and, when `fraction` (of `digits` digits) is not 0, a dot and its digits, zeros trimmed. */
function withFraction(whole: number, fraction: number, digits: number): string {
  if (fraction === 0) return String(whole);
  return `${whole}.${String(fraction).padStart(digits, "0").replace(/0+$/, "")}`;
}

/**
 * Formats nanoseconds as Go's `time.Duration.String()` does, which is how the API server shows a
 * `metav1.Duration`: `0s`, `500ms`, `1.5s`, `1m30s`, `5m0s`, `1h0m0s`.
 *
 * @param nanos A duration in nanoseconds (rounded to a whole number).
 * @returns Go's text for it.
 * @example
 * ```ts
 * formatGoDuration(parseGoDuration("90s") ?? 0); // "1m30s"
 * ```
 */
export function formatGoDuration(nanos: number): string {
  const total = Math.round(Math.abs(nanos));
  const sign = nanos < 0 ? "-" : "";
  if (total === 0) return "0s";
  if (total < 1e3) return `${sign}${total}ns`;
  if (total < 1e6) return `${sign}${withFraction(Math.floor(total / 1e3), total % 1e3, 3)}µs`;
  if (total < 1e9) return `${sign}${withFraction(Math.floor(total / 1e6), total % 1e6, 6)}ms`;
  const hours = Math.floor(total / 3600e9);
  const minutes = Math.floor((total % 3600e9) / 60e9);
  const rest = total % 60e9;
  const seconds = `${withFraction(Math.floor(rest / 1e9), rest % 1e9, 9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}

/**
 * Joins name parts with `-`, shortening the leading parts (never below a minimum) until the
 * result fits `maxLength`, then lower-cases it: the operator's rule for task and Job names.
 */
export function createResourceName(
  maxLength: number,
  minPartLength: number,
  ...parts: string[]
): string {
  let min = minPartLength;
  while (parts.length * min > maxLength) min = Math.floor(min / 2);
  const work = [...parts];
  for (let i = 0; i < work.length - 1; i++) {
    const joined = work.join("-");
    if (joined.length <= maxLength) return joined.toLowerCase();
    const current = work[i] ?? "";
    if (current.length <= min) continue;
    const cut = joined.length - maxLength;
    work[i] =
      cut > current.length - min ? current.slice(0, min) : current.slice(0, current.length - cut);
  }
  return work.join("-").toLowerCase();
}
