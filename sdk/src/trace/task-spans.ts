/**
 * `t.span` and the trace context `t.fetch` sends. With no OTLP endpoint set, `t.span` only runs
 * its function: no OpenTelemetry package is loaded. With one, the SDK's tracing module (a chunk
 * of its own, loaded on the first span) exports each span as it ends, as a child of the runner's
 * span (`TRACEPARENT`) or, without the runner, of Keptn's (`KEPTN_CONTEXT`'s `traceparent`).
 */

import { registerTaskSecrets } from "../contract/secret-rule.js";
import {
  childTraceparent,
  parseTraceparent,
  type TraceContext,
} from "../contract/trace-context.js";
import type { Env } from "../core/runtime.js";
import { readProcessEnv } from "../core/runtime.js";
import type { Logger } from "../log/logger.js";
import type { SecretRegistry } from "../masking/secret-registry.js";
import { OTEL_ENV_VARS, type OtelOn, readOtelConfig, TRACE_ENV_VARS } from "./otel-env.js";

/** What `fn` of `t.span` gets: its span, to describe it further. Masked like every output. */
export interface TaskSpan {
  /** Sets an attribute of the span. */
  setAttribute(key: string, value: string | number | boolean): void;
  /** Adds an event (a point in time with attributes) to the span. */
  addEvent(name: string, attributes?: Record<string, string | number | boolean>): void;
}

/** The spans of one task. */
export interface TaskSpans {
  /** `t.span`. */
  span<T>(name: string, fn: (span: TaskSpan) => T | Promise<T>): Promise<T>;
  /** The `traceparent` `t.fetch` sends: the current span's, else a child of the trace joined. */
  traceparent(): string | undefined;
  /** Waits for the spans' export (bounded by the export timeout). */
  flush(): Promise<void>;
}

/** The module name the Deno bundle rewrites to its own tracing bundle (`sdk/scripts/bundle.mjs`). */
const TRACING_MODULE = "./otel.js";

/** Under Node the OpenTelemetry SDK is an optional peer dependency: what to install. */
const MISSING_PACKAGES =
  "the OpenTelemetry packages did not load; install the SDK's optional peers @opentelemetry/api, context-async-hooks, core, resources, sdk-trace-base, exporter-trace-otlp-proto and exporter-trace-otlp-http";

const ENDPOINT_VARS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
const OFF = { enabled: false, warnings: [] } as const;

const NO_SPAN: TaskSpan = Object.freeze({ setAttribute() {}, addEvent() {} });

/**
 * The spans of a task: off (no cost) unless the standard OpenTelemetry variables ask for export.
 *
 * @param env - The task's environment when given as an option; else the process's is read.
 */
export function createTaskSpans(
  env: Env | undefined,
  keptnTrace: TraceContext | undefined,
  secrets: SecretRegistry,
  log: Logger,
): TaskSpans {
  const read = (names: readonly string[]) => (env === undefined ? readEnv(names) : env);
  const carrier = read(TRACE_ENV_VARS);
  const runnerTrace = parseTraceparent(carrier.TRACEPARENT ?? "");
  const parent = runnerTrace ?? keptnTrace;
  // Both endpoints unset, the usual case: nothing else is read.
  const endpoints = read(ENDPOINT_VARS);
  const config =
    (endpoints.OTEL_EXPORTER_OTLP_ENDPOINT ?? endpoints.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ===
    undefined
      ? OFF
      : readOtelConfig(read(OTEL_ENV_VARS), "keptn-task");
  for (const warning of config.warnings) log.warn(`Cannot export spans as asked: ${warning}`);
  if (!config.enabled) {
    const fallback = () => (parent === undefined ? undefined : childTraceparent(parent));
    return {
      span: async (_name, fn) => await fn(NO_SPAN),
      traceparent: fallback,
      flush: async () => undefined,
    };
  }
  registerTaskSecrets(secrets, { headers: Object.values(config.headers) });
  return onSpans(config, parent, carrier.TRACESTATE, secrets, log);
}

function onSpans(
  config: OtelOn,
  parent: TraceContext | undefined,
  tracestate: string | undefined,
  secrets: SecretRegistry,
  log: Logger,
): TaskSpans {
  type Module = typeof import("./otel.js");
  let tracing: ReturnType<Module["startTracing"]> | undefined;
  let loading: Promise<ReturnType<Module["startTracing"]>> | undefined;
  const load = () => {
    loading ??= (import(TRACING_MODULE) as Promise<Module>).then(({ startTracing }) => {
      tracing = startTracing(config, {
        scope: "@keptn-task/sdk",
        secrets,
        parent: parent?.traceparent,
        tracestate,
      });
      return tracing;
    });
    return loading;
  };
  return {
    span: async (name, fn) => {
      let started: Awaited<ReturnType<typeof load>>;
      try {
        started = await load();
      } catch (error) {
        log.warn({ err: error }, `Cannot export spans: ${MISSING_PACKAGES}`);
        return await fn(NO_SPAN);
      }
      return await started.inSpan(name, (span) =>
        fn({
          setAttribute: (key, value) => span.setAttribute(key, value),
          addEvent: (eventName, attributes) => span.addEvent(eventName, attributes),
        }),
      );
    },
    traceparent: () =>
      tracing?.currentTraceparent() ??
      (parent === undefined ? undefined : childTraceparent(parent)),
    flush: async () => {
      if (loading !== undefined) await (await loading.catch(() => undefined))?.shutdown();
    },
  };
}

/**
 * Reads variables a task may not be allowed to read: under Deno, only those it has the
 * permission for (asking would prompt on a terminal); elsewhere, the process's.
 */
function readEnv(names: readonly string[]): Env {
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  if (deno?.permissions?.querySync === undefined) return readProcessEnv(names);
  const allowed = names.filter((variable) => {
    try {
      return deno.permissions.querySync({ name: "env", variable }).state === "granted";
    } catch {
      return false;
    }
  });
  return readProcessEnv(allowed);
}

interface DenoPermissions {
  permissions: {
    querySync(descriptor: { name: "env"; variable: string }): { state: string };
  };
}
