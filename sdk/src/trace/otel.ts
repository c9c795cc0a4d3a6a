/**
 * `@keptn-task/sdk/internal/tracing`: span export with the OpenTelemetry JS API and SDK, loaded
 * only when the standard variables ask for it (see `otel-env.ts`). The SDK's `t.span` and the
 * runner's span of a task run both start here. Not public API.
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type TimeInput,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { MaskingExporter } from "./masking-exporter.js";
import type { OtelOn } from "./otel-env.js";

export { parseTraceparent } from "../contract/trace-context.js";
export type { OtelOn } from "./otel-env.js";
export { readOtelConfig } from "./otel-env.js";

/** What masks a text: the secret registry's `mask`. */
export interface TextMasker {
  mask(text: string): string;
}

/** Options of `startTracing`. */
export interface TracingOptions {
  /** The instrumentation scope: who made the spans (`@keptn-task/sdk`, `@keptn-task/runners`). */
  readonly scope: string;
  /** Masks every name, attribute, event and status message before it leaves the process. */
  readonly secrets: TextMasker;
  /** The `traceparent` to join (`TRACEPARENT`, else Keptn's); a new trace without one. */
  readonly parent?: string | undefined;
  readonly tracestate?: string | undefined;
}

/** A span a caller ends itself (the runner's span of a task run). */
export interface RunSpan {
  /** The span as a `traceparent`, for the task's `TRACEPARENT`. */
  readonly traceparent: string;
  addEvent(name: string, attributes?: Attributes): void;
  setAttributes(attributes: Attributes): void;
  /** Ends the span: status ERROR with `reason` when given. */
  end(reason?: string): void;
}

/** Span export, started: spans are sent as each one ends. */
export interface Tracing {
  /** Runs `fn` inside a child span of the current one; ends it when `fn` settles. */
  inSpan<T>(name: string, fn: (span: Span) => T | Promise<T>): Promise<T>;
  /** The current span as a `traceparent`, or `undefined` outside any span. */
  currentTraceparent(): string | undefined;
  /** Starts a span that is not made current, as a child of the parent. */
  startSpan(name: string, attributes: Attributes, startTime?: TimeInput): RunSpan;
  /** Sends what is left and stops, within the export timeout; never throws. */
  shutdown(): Promise<void>;
}

/**
 * Starts span export to the URL of `config`, with the OpenTelemetry SDK.
 *
 * @param config - What the standard variables asked for (`readOtelConfig`).
 * @param options - The scope, the masker, the trace to join.
 * @example
 * ```ts
 * const tracing = startTracing(config, { scope: "@keptn-task/sdk", secrets: defaultSecrets });
 * await tracing.inSpan("load", async () => load());
 * ```
 */
export function startTracing(config: OtelOn, options: TracingOptions): Tracing {
  const exporterConfig = {
    url: config.url,
    headers: { ...config.headers },
    timeoutMillis: config.timeoutMs,
    keepAlive: false,
  };
  const exporter =
    config.protocol === "http/json"
      ? new JsonExporter(exporterConfig)
      : new ProtoExporter(exporterConfig);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(config.resource),
    spanProcessors: [new SimpleSpanProcessor(new MaskingExporter(exporter, options.secrets))],
  });
  const contexts = new AsyncLocalStorageContextManager().enable();
  const tracer = provider.getTracer(options.scope);
  const root = parentContext(options.parent, options.tracestate);
  return {
    inSpan: (name, fn) => inSpan(tracer, contexts, root, name, fn),
    currentTraceparent: () => {
      const span = trace.getSpan(contexts.active());
      return span === undefined ? undefined : traceparentOf(span);
    },
    startSpan: (name, attributes, startTime) => {
      const span = tracer.startSpan(
        name,
        { attributes, ...(startTime === undefined ? {} : { startTime }) },
        root,
      );
      return runSpan(span);
    },
    shutdown: () => bounded(provider.shutdown(), config.timeoutMs + 500),
  };
}

/** The context holding the remote parent named by a `traceparent`, or the empty one. */
function parentContext(traceparent: string | undefined, tracestate: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent };
  if (tracestate !== undefined) carrier.tracestate = tracestate;
  return new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, {
    get: (c, key) => c[key],
    keys: (c) => Object.keys(c),
  });
}

/**
 * Runs `fn` in a new span. The context manager is ours, not registered globally: a task's own
 * OpenTelemetry setup stays its own (and joins through `TRACEPARENT`).
 */
async function inSpan<T>(
  tracer: Tracer,
  contexts: AsyncLocalStorageContextManager,
  root: Context,
  name: string,
  fn: (span: Span) => T | Promise<T>,
): Promise<T> {
  const active = contexts.active();
  // Outside any span of ours, the parent is the trace we joined.
  const parent = trace.getSpan(active) === undefined ? root : active;
  const span = tracer.startSpan(name, {}, parent);
  try {
    const result = await contexts.with(trace.setSpan(parent, span), () => fn(span));
    span.end();
    return result;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    span.end();
    throw error;
  }
}

function runSpan(span: Span): RunSpan {
  return {
    traceparent: traceparentOf(span),
    addEvent: (name, attributes) => span.addEvent(name, attributes),
    setAttributes: (attributes) => span.setAttributes(attributes),
    end: (reason) => {
      if (reason !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      span.end();
    },
  };
}

function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** Waits for `promise`, at most `ms`; never throws (an export that fails loses spans, no more). */
async function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
