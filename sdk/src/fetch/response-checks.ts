/**
 * The checks a response passes before its body is task code: not an HTML page, within the size
 * limit, not empty, valid UTF-8, and matching the sha256 pin when there is one.
 */
import { AttemptFailure } from "./attempt-failure.js";

const HTML_PAGE = "check that the URL points at the raw file";

/**
 * Why the headers of a 2xx response already show it is not code: an HTML content type, or a
 * `Content-Length` above `maxBytes`. `undefined` when they look fine.
 *
 * @param contentType The `Content-Type` header.
 * @param contentLength The `Content-Length` header.
 * @param maxBytes The size limit.
 */
export function headerProblem(
  contentType: string | undefined,
  contentLength: string | undefined,
  maxBytes: number,
): string | undefined {
  const htmlType = htmlSign(contentType, "");
  if (htmlType !== undefined) {
    return `the server sent an HTML page, not code (${htmlType}); ${HTML_PAGE}`;
  }
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return `the body is larger than ${maxBytes} bytes (maxBytes): Content-Length ${declared}`;
  }
  return undefined;
}

/** The reason for a body that grew past `maxBytes` while it was read. */
export function tooLargeReason(maxBytes: number): string {
  return `the body is larger than ${maxBytes} bytes (maxBytes)`;
}

/** A body that passed every check. */
export interface CheckedBody {
  /** The body decoded as UTF-8. */
  readonly code: string;
  /** Its sha256, hex. */
  readonly sha256: string;
}

/**
 * Checks a complete body: not empty, matching the pin, UTF-8, not only whitespace, not an HTML
 * page by its first characters.
 *
 * @param bytes The body.
 * @param expected The pinned sha256 (lower-case hex), if any.
 * @throws {AttemptFailure} Not retryable, with status 200 and the reason.
 */
export async function checkBody(
  bytes: Uint8Array,
  expected: string | undefined,
): Promise<CheckedBody> {
  if (bytes.byteLength === 0) throw bodyFailure("the body is empty, not code");
  const sha256 = await sha256Hex(bytes);
  if (expected !== undefined && sha256 !== expected) {
    throw bodyFailure(`sha256 mismatch: expected ${expected}, got ${sha256}`);
  }
  let code: string;
  try {
    code = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw bodyFailure("the body is not UTF-8 text", error);
  }
  if (code.trim() === "") throw bodyFailure("the body is only whitespace, not code");
  const html = htmlSign(undefined, code);
  if (html !== undefined) {
    throw bodyFailure(`the server sent an HTML page, not code (${html}); ${HTML_PAGE}`);
  }
  return { code, sha256 };
}

function bodyFailure(reason: string, cause?: unknown): AttemptFailure {
  return new AttemptFailure(
    reason,
    false,
    200,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/** What shows a response is an HTML page: its content type, or the start of its text. */
function htmlSign(contentType: string | undefined, text: string): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type === "text/html" || type === "application/xhtml+xml") return `content-type "${type}"`;
  const start = text
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 14)
    .toLowerCase();
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
    return `the body starts with "${text.trimStart().slice(0, start.startsWith("<html") ? 5 : 14)}"`;
  }
  return undefined;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The chunks of a body read within its size limit, as one array of `size` bytes. */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
