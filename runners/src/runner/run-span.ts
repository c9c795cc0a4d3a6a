/**
 * The runner's span of a task run, as the runner's main path sees it: nothing at all unless the
 * standard OpenTelemetry variables ask for export (`otelWanted`, a few string checks). Only then
 * is the tracing bundle (`tracing.ts`: the variables read in full, the OpenTelemetry SDK) loaded,
 * by a specifier computed at run time, so Deno never analyses it on the default path.
 */
import type { SecretRegistry } from "@keptn-task/sdk";

/** The span of a task run. */
export interface RunTracing {
  /** The span as a `traceparent`: the task's `TRACEPARENT`. */
  readonly traceparent: string | undefined;
  /** Adds an event (resolve, fetch, start) at this moment. */
  event(name: string, attributes?: Record<string, string | number>): void;
  /** Ends the span with the task's exit code (status ERROR and `reason` when not 0), and sends it. */
  end(exitCode: number, reason?: string): Promise<void>;
}

/** No span: what every run without an endpoint gets. */
export const NO_TRACING: RunTracing = Object.freeze({
  traceparent: undefined,
  event: () => undefined,
  end: async () => undefined,
});

/** What the span is made from. */
export interface RunTracingInput {
  readonly env: Readonly<Record<string, string>>;
  /** Where the collector's header values are registered, and what masks the span. */
  readonly secrets: SecretRegistry;
  readonly runtime: string;
}

/**
 * Starts the span of this run when the variables ask for export.
 *
 * @param wanted - `otelWanted(env)`: an endpoint is set and export is not turned off.
 * @param tracingUrl - URL of the tracing bundle (`dist/tracing.js`).
 * @param warn - Where bad variables and a span that cannot be started are reported (one line
 *   each; the task runs all the same).
 */
export async function startRunTracing(
  wanted: boolean,
  input: RunTracingInput,
  tracingUrl: string,
  warn: (message: string) => Promise<void>,
): Promise<RunTracing> {
  if (!wanted) return NO_TRACING;
  try {
    const { startRunSpan } = (await import(tracingUrl)) as typeof import("./tracing.js");
    const { tracing, warnings } = startRunSpan(input);
    for (const warning of warnings)
      await warn(`Cannot export the task's span as asked: ${warning}`);
    return tracing ?? NO_TRACING;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    await warn(`Cannot export the task's span: ${why}`);
    return NO_TRACING;
  }
}
