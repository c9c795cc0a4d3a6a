/**
 * The runner's span of a task run: a bundle of its own (`dist/tracing.js`), loaded only when the
 * standard OpenTelemetry variables ask for export (see `run-span.ts`). The span is a child of
 * Keptn's (the `traceparent` of `KEPTN_CONTEXT`), carries Keptn's context as attributes (the
 * operator's own attribute names), and is what the task's `TRACEPARENT` names.
 */
import {
  type OtelOn,
  parseTraceparent,
  readOtelConfig,
  startTracing,
} from "@keptn-task/sdk/internal/tracing";
import { ATTR_PROCESS_EXIT_CODE } from "@opentelemetry/semantic-conventions/incubating";
import type { RunTracing, RunTracingInput } from "./run-span.js";

/** Keptn's context keys, as the lifecycle-operator names them on its own spans. */
const CONTEXT_ATTRIBUTES: Readonly<Record<string, string>> = {
  appName: "keptn.deployment.app.name",
  appVersion: "keptn.deployment.app.version",
  workloadName: "keptn.deployment.workload.name",
  workloadVersion: "keptn.deployment.workload.version",
  taskType: "keptn.deployment.task.type",
  objectType: "keptn.deployment.object.type",
};

/**
 * Reads the standard OpenTelemetry variables in full and starts the span of this task run, from
 * the moment the process started: none when they cannot be used (`warnings` say why).
 *
 * @param input - The environment, the secret registry, the runtime.
 */
export function startRunSpan(input: RunTracingInput): {
  tracing: RunTracing | undefined;
  warnings: readonly string[];
} {
  const config = readOtelConfig(input.env, "keptn-task");
  if (!config.enabled) return { tracing: undefined, warnings: config.warnings };
  // Header values are credentials: registered with the settings (otelSecrets of the same
  // environment), so masked in every output, the span's and the task's too.
  return { tracing: runSpan(config, input), warnings: config.warnings };
}

function runSpan(config: OtelOn, input: RunTracingInput): RunTracing {
  const context = readContext(input.env.KEPTN_CONTEXT);
  const keptn =
    context.traceparent === undefined ? undefined : parseTraceparent(context.traceparent);
  const inherited = parseTraceparent(input.env.TRACEPARENT ?? "");
  const parent = keptn ?? inherited;
  const tracing = startTracing(config, {
    scope: "@keptn-task/runners",
    secrets: input.secrets,
    parent: parent?.traceparent,
    tracestate: keptn === undefined ? input.env.TRACESTATE : undefined,
  });
  const taskName = keptnTaskName(input.env.HOSTNAME);
  const attributes: Record<string, string> = { "keptn.task.runtime": input.runtime };
  for (const [key, name] of Object.entries(CONTEXT_ATTRIBUTES)) {
    const value = context.fields[key];
    if (value !== undefined && value !== "") attributes[name] = value;
  }
  if (taskName !== undefined) attributes["keptn.deployment.task.name"] = taskName;
  const span = tracing.startSpan(
    taskName ?? scriptName(input.env.SCRIPT) ?? "keptn-task",
    attributes,
    performance.timeOrigin,
  );
  return {
    traceparent: span.traceparent,
    event: (name, eventAttributes) => span.addEvent(name, eventAttributes),
    end: async (exitCode, reason) => {
      span.setAttributes({ [ATTR_PROCESS_EXIT_CODE]: exitCode });
      span.end(exitCode === 0 ? undefined : (reason ?? `Task exited with ${exitCode}`));
      await tracing.shutdown();
    },
  };
}

/** The string fields of KEPTN_CONTEXT and its `traceparent` (in `metadata`, or at the top). */
function readContext(json: string | undefined): {
  fields: Record<string, string>;
  traceparent: string | undefined;
} {
  let value: unknown;
  try {
    value = JSON.parse(json ?? "{}");
  } catch {
    value = {};
  }
  const object = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const fields: Record<string, string> = {};
  for (const [key, field] of Object.entries(object))
    if (typeof field === "string") fields[key] = field;
  const metadata = object.metadata as Record<string, unknown> | undefined;
  const fromMetadata = typeof metadata === "object" ? metadata?.traceparent : undefined;
  return {
    fields,
    traceparent: typeof fromMetadata === "string" ? fromMetadata : fields.traceparent,
  };
}

/**
 * The KeptnTask's name, from the pod's host name: a Job's pod is `<job>-<5 random>`, and the
 * operator names the Job `<task>-<5 digits>`, the task `<pre|post|promotion>-…`.
 */
function keptnTaskName(hostname: string | undefined): string | undefined {
  const match = /^((?:pre|post|promotion)-.+)-\d{5}-[a-z0-9]{5}$/.exec(hostname ?? "");
  return match?.[1];
}

/** The file name of the task's code (a mount path or a URL). */
function scriptName(script: string | undefined): string | undefined {
  const path = (script ?? "").trim().split(/[?#]/)[0] ?? "";
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name === "" ? undefined : name;
}
