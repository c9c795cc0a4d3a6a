/**
 * Reading one HTTP/1.1 response from a byte stream (RFC 9112), for the socket transport
 * (`socket-transport.ts`): its head, then its body framed by `Content-Length` or by chunks. Only
 * what a GET with `Connection: close` needs; anything it does not read plainly is an
 * `Http1Unsupported` (the caller lets Deno's `fetch` carry that request) or an `Http1Malformed`
 * (a network failure, retried as one).
 */
import { joinChunks } from "./response-checks.js";

/** Reads from a connection: `null` at its end (`Deno.Conn.read`). */
export type ReadFn = (into: Uint8Array) => Promise<number | null>;

/** The response is not HTTP/1.x as this reader takes it (the request goes to `fetch`). */
export class Http1Unsupported extends Error {
  override readonly name = "Http1Unsupported";
}

/** The response breaks HTTP/1.1's framing: a network failure. */
export class Http1Malformed extends Error {
  override readonly name = "Http1Malformed";
}

/** A response's status line and header fields. */
export interface Http1Head {
  /** The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: number;
  readonly status: number;
  /** Lower-case names; repeated fields joined with ", ", as `Headers.get` joins them. */
  readonly headers: ReadonlyMap<string, string>;
}

/** The largest response head taken (fetch's client takes about as much). */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = [0x0d, 0x0a] as const;
/** An HTTP token (RFC 9110, 5.6.2): what a field name is made of. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const latin1 = new TextDecoder("latin1");

/** Buffered reading of one connection. */
export class Http1Reader {
  readonly #read: ReadFn;
  #buffer = new Uint8Array(0);
  #ended = false;

  constructor(read: ReadFn) {
    this.#read = read;
  }

  /** Reads the next head, skipping informational (1xx) responses. */
  async head(): Promise<Http1Head> {
    for (;;) {
      const end = await this.#find([...CRLF, ...CRLF], MAX_HEAD_BYTES);
      if (end < 0 && this.#ended) {
        throw new Http1Malformed("connection closed before the end of the response's head");
      }
      // A head this large is for fetch's client to take or refuse.
      if (end < 0) throw new Http1Unsupported("the response's head is larger than 64 KiB");
      const text = latin1.decode(this.#take(end + 4)).slice(0, -4);
      const head = parseHead(text);
      if (head.status === 101) throw new Http1Unsupported("the server switches protocols");
      if (head.status >= 200) return head;
    }
  }

  /**
   * Reads the body `head` frames, at most `maxBytes` of it.
   *
   * @returns The body, or `undefined` once it grew past `maxBytes` (reading stops there).
   */
  async body(head: Http1Head, maxBytes: number): Promise<Uint8Array | undefined> {
    const framing = bodyFraming(head);
    if (framing === "chunked") return await this.#chunked(maxBytes);
    if (framing > maxBytes) return undefined;
    if (!(await this.#fill(framing))) {
      throw new Http1Malformed("connection closed before the end of the body (Content-Length)");
    }
    return this.#take(framing);
  }

  async #chunked(maxBytes: number): Promise<Uint8Array | undefined> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const line = await this.#line();
      const match = /^([0-9A-Fa-f]{1,15})[ \t]*(?:;.*)?$/.exec(line);
      if (match === null) throw new Http1Malformed("invalid chunk size in a chunked body");
      const length = Number.parseInt(match[1] ?? "", 16);
      if (length === 0) break;
      size += length;
      if (size > maxBytes) return undefined;
      if (!(await this.#fill(length + 2))) {
        throw new Http1Malformed("connection closed before the end of a chunk");
      }
      const chunk = this.#take(length + 2);
      if (chunk[length] !== CRLF[0] || chunk[length + 1] !== CRLF[1]) {
        throw new Http1Malformed("a chunk does not end where its size says");
      }
      parts.push(chunk.subarray(0, length));
    }
    // Trailer fields, if any, up to the empty line that ends the message.
    let trailer = await this.#line();
    while (trailer !== "") trailer = await this.#line();
    return joinChunks(parts, size);
  }

  /** One CRLF-ended line (without its CRLF), within 8 KiB. */
  async #line(): Promise<string> {
    const end = await this.#find(CRLF, 8 * 1024);
    if (end < 0) throw new Http1Malformed("a line of the chunked body is too long or cut");
    return latin1.decode(this.#take(end + 2)).slice(0, -2);
  }

  /** Where `pattern` starts in the buffer, reading more as needed; -1 past `limit` or the end. */
  async #find(pattern: readonly number[], limit: number): Promise<number> {
    let from = 0;
    for (;;) {
      const at = indexOf(this.#buffer, pattern, from);
      if (at >= 0) return at > limit ? -1 : at;
      if (this.#buffer.length > limit + pattern.length || this.#ended) return -1;
      from = Math.max(0, this.#buffer.length - pattern.length + 1);
      await this.#more();
    }
  }

  /** Whether `count` bytes are buffered, reading until they are or the connection ends. */
  async #fill(count: number): Promise<boolean> {
    while (this.#buffer.length < count && !this.#ended) await this.#more();
    return this.#buffer.length >= count;
  }

  async #more(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    const count = await this.#read(chunk);
    if (count === null) {
      this.#ended = true;
      return;
    }
    const next = new Uint8Array(this.#buffer.length + count);
    next.set(this.#buffer);
    next.set(chunk.subarray(0, count), this.#buffer.length);
    this.#buffer = next;
  }

  #take(count: number): Uint8Array {
    const taken = this.#buffer.slice(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return taken;
  }
}

/** The status line and fields of a response head (without its final CRLF CRLF). */
export function parseHead(text: string): Http1Head {
  // A control character other than a tab (a bare CR or LF, a NUL) anywhere in the head: a line
  // that hides another from one reader and not from the next. Refused, as fetch's clients do.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters refused
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text.split("\r\n").join(""))) {
    throw new Http1Malformed("a control character in the response's head");
  }
  const [statusLine = "", ...lines] = text.split("\r\n");
  const status = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/.exec(statusLine);
  if (status === null) {
    if (/^HTTP\/\d/.test(statusLine)) throw new Http1Unsupported("not an HTTP/1.x response");
    throw new Http1Malformed("invalid HTTP response status line");
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    // A folded line (obs-fold) or a name that is not a token: refused, as fetch's client does.
    if (colon <= 0 || !TOKEN.test(name)) throw new Http1Malformed("invalid HTTP response header");
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    const before = headers.get(key);
    headers.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  return { minor: Number(status[1]), status: Number(status[2]), headers };
}

/**
 * How the body of a 2xx response is framed: by chunks or by a length. A body that only the end
 * of the connection would end (which a cut connection cannot be told from) and a coding other
 * than `chunked` (which this reader does not decode) are unsupported.
 */
export function bodyFraming(head: Http1Head): "chunked" | number {
  const encoding = head.headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
    throw new Http1Unsupported(`the body is encoded (${encoding})`);
  }
  if (head.status === 204 || head.status === 304) return 0;
  const transfer = head.headers.get("transfer-encoding");
  // HTTP/1.0 has no transfer codings (RFC 9112, 6.1): a faulty framing, for fetch to judge.
  if (transfer !== undefined && head.minor === 0) {
    throw new Http1Unsupported("an HTTP/1.0 response with a transfer coding");
  }
  if (transfer !== undefined) {
    if (transfer.trim().toLowerCase() !== "chunked") {
      throw new Http1Unsupported(`the body's transfer coding is ${transfer}`);
    }
    return "chunked";
  }
  const length = head.headers.get("content-length");
  if (length === undefined) throw new Http1Unsupported("the body has no length");
  const values = new Set(length.split(",").map((value) => value.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new Http1Malformed("invalid Content-Length in the response");
  }
  return Number(only);
}

function indexOf(bytes: Uint8Array, pattern: readonly number[], from: number): number {
  const first = pattern[0];
  for (let at = bytes.indexOf(first ?? 0, from); at >= 0; at = bytes.indexOf(first ?? 0, at + 1)) {
    if (at + pattern.length > bytes.length) return -1;
    if (pattern.every((byte, offset) => bytes[at + offset] === byte)) return at;
  }
  return -1;
}
