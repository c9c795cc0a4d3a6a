/**
 * Reading JSON text as the masker needs it: whether a text is JSON, its string and scalar
 * tokens, its leaves (numbers as written), and the escape sequences a mask must not cut.
 */

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

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export const STRING = 0;
export const SCALAR = 1;

/**
 * The string and scalar (number, `true`, `false`, `null`) tokens of a JSON text, as a flat list
 * of [start, end, kind]; `undefined` when a string is not closed. Punctuation is skipped, not
 * checked: callers parse the text first or fall back when it is not JSON.
 */
export function jsonTokens(text: string): number[] | undefined {
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
export function escapeStart(text: string, at: number, contentStart: number): number {
  const start = escapeAt(text, at, contentStart);
  return start === -1 ? at : start;
}

/** `end` (exclusive), moved on to the end of the escape sequence that holds `end - 1`. */
export function escapeEnd(text: string, end: number, contentStart: number): number {
  const start = escapeAt(text, end - 1, contentStart);
  return start === -1 ? end : start + escapeLength(text, start);
}

/** Whether the backslash at `at` starts an escape (it is not the second of `\\`). */
function startsEscape(text: string, at: number, contentStart: number): boolean {
  let before = 0;
  while (at - 1 - before >= contentStart && text.charCodeAt(at - 1 - before) === 0x5c) before++;
  return before % 2 === 0;
}
