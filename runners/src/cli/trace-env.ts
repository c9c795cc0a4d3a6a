import { OTEL_ENV_VARS, TRACE_ENV_VARS } from "@keptn-task/sdk/internal";

/**
 * The standard OpenTelemetry variables and the trace context set in the command's environment:
 * `keptn-task run` hands them to the runner, which then exports the run's span as in a Job whose
 * image sets them.
 *
 * @param env - The command's environment.
 */
export function traceEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of [...OTEL_ENV_VARS, ...TRACE_ENV_VARS]) {
    const value = env[name];
    if (value !== undefined && value !== "") passed[name] = value;
  }
  return passed;
}
