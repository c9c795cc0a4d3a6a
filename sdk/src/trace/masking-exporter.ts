/**
 * A span exporter in front of the OTLP one: every text a span carries (its name, attribute
 * values, event names and attributes, status message, exception messages and stacks) passes
 * through the secret registry, as every other output of a task does.
 */
import type { Attributes, AttributeValue } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

/** What masks a text: the secret registry's `mask`. */
interface Masker {
  mask(text: string): string;
}

/** Masks each span, then hands it to `inner`. */
export class MaskingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #secrets: Masker;

  constructor(inner: SpanExporter, secrets: Masker) {
    this.#inner = inner;
    this.#secrets = secrets;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#inner.export(
      spans.map((span) => maskSpan(span, this.#secrets)),
      done,
    );
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A copy of `span` with every text masked (the span itself is left as it is). */
export function maskSpan(span: ReadableSpan, secrets: Masker): ReadableSpan {
  const mask = (text: string) => secrets.mask(text);
  return {
    name: mask(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      span.status.message === undefined
        ? span.status
        : { ...span.status, message: mask(span.status.message) },
    attributes: maskAttributes(span.attributes, mask),
    links: span.links.map((link) => ({
      ...link,
      ...(link.attributes === undefined
        ? {}
        : { attributes: maskAttributes(link.attributes, mask) }),
    })),
    events: span.events.map((event) => ({
      ...event,
      name: mask(event.name),
      ...(event.attributes === undefined
        ? {}
        : { attributes: maskAttributes(event.attributes, mask) }),
    })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function maskAttributes(attributes: Attributes, mask: (text: string) => string): Attributes {
  const masked: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) masked[mask(key)] = maskValue(value, mask);
  return masked;
}

function maskValue(
  value: AttributeValue | undefined,
  mask: (text: string) => string,
): AttributeValue | undefined {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value))
    return value.map((item) => (typeof item === "string" ? mask(item) : item)) as AttributeValue;
  return value;
}
