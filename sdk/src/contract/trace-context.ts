/**
 * W3C Trace Context (`traceparent`) parsing and child span creation.
 * Format: `version-traceid-parentid-flags`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
 */

/** A parsed `traceparent` header. */
export interface TraceContext {
  /** Two lowercase hex digits; `00` today. */
  readonly version: string;
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the span that started this task. */
  readonly parentId: string;
  /** Two lowercase hex digits of trace flags. */
  readonly flags: string;
  /** Whether the `sampled` flag is set. */
  readonly sampled: boolean;
  /** The header as received. */
  readonly traceparent: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a W3C `traceparent` value.
 *
 * @param value - The header value.
 * @returns The trace context, or `undefined` when the value is not a valid traceparent.
 * @example
 * ```ts
 * parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.traceId;
 * ```
 */
export function parseTraceparent(value: string): TraceContext | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, version = "", traceId = "", parentId = "", flags = "", rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields. Later versions may add fields.
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return Object.freeze({
    version,
    traceId,
    parentId,
    flags,
    sampled: (Number.parseInt(flags, 16) & 1) === 1,
    traceparent: value.trim(),
  });
}

/**
 * A `traceparent` for a new span that is a child of `parent`: same trace id and flags, a fresh
 * random span id.
 *
 * @param parent - The task's trace context.
 * @example
 * ```ts
 * headers.set("traceparent", childTraceparent(ctx.trace));
 * ```
 */
export function childTraceparent(parent: TraceContext): string {
  const bytes = new Uint8Array(8);
  do crypto.getRandomValues(bytes);
  while (bytes.every((byte) => byte === 0));
  const spanId = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `00-${parent.traceId}-${spanId}-${parent.flags}`;
}
