/**
 * The runner's span of a task run, as the runner's main path sees it: nothing at all unless the
 * standard OpenTelemetry variables ask for export. Only then is the tracing bundle
 * (`tracing.ts`, the OpenTelemetry SDK) loaded, by a specifier computed at run time, so Deno
 * never analyses it on the default path.
 */
import type { OtelConfig } from "@keptn-task/sdk/internal";

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

/**
 * Starts the span of this run when `config` asks for export.
 *
 * @param tracingUrl - URL of the tracing bundle (`dist/tracing.js`).
 * @param warn - Where a span that cannot be started is reported (the task runs all the same).
 */
export async function startRunTracing(
  config: OtelConfig,
  input: {
    env: Readonly<Record<string, string>>;
    secrets: { mask(text: string): string };
    runtime: string;
  },
  tracingUrl: string,
  warn: (message: string) => Promise<void>,
): Promise<RunTracing> {
  if (!config.enabled) return NO_TRACING;
  try {
    const { startRunSpan } = (await import(tracingUrl)) as typeof import("./tracing.js");
    return startRunSpan({ config, ...input });
  } catch (error) {
    await warn(
      `Cannot export the task's span: ${error instanceof Error ? error.message : String(error)}`,
    );
    return NO_TRACING;
  }
}
