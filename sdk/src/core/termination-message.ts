/**
 * The termination message, as Kubernetes reads it: where, and how much. No I/O here, so the
 * bootstrap runner can use it without Deno's Node layer.
 */

/** Where Kubernetes reads a container's termination message (`terminationMessagePath`). */
export const DEFAULT_TERMINATION_LOG = "/dev/termination-log";

/** Kubernetes keeps at most 4096 bytes of a termination message. */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;

/**
 * At most `bytes` bytes of `text` as UTF-8, never cutting a character in two.
 *
 * @example
 * ```ts
 * truncateUtf8("héllo", 2); // "h"
 * ```
 */
export function truncateUtf8(text: string, bytes: number): string {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length <= bytes) return text;
  return new TextDecoder().decode(encoded.slice(0, bytes)).replace(/\uFFFD$/, "");
}
