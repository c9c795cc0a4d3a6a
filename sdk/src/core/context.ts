import * as z from "zod/mini";
import type { ConfigIssue } from "../errors/errors.js";
import { readContextJson } from "./env-json.js";
import { issuesFromZod } from "./issues.js";
import { parseTraceparent, type TraceContext } from "./trace-context.js";
import { ENGLISH } from "./zod-messages.js";

/** The phase a task runs in. */
export const taskTypeSchema = z.enum(["pre", "post", "promotion"], {
  error: () => 'expected "pre", "post" or "promotion"',
});

/** The kind of object a task belongs to. Keptn sends `App`, never `Application`. */
export const objectTypeSchema = z.enum(["App", "Workload"], {
  error: (issue) =>
    issue.input === "Application"
      ? 'expected "App" or "Workload": Keptn sends "App" for applications, not "Application"'
      : 'expected "App" or "Workload"',
});

/**
 * `KEPTN_CONTEXT` as the lifecycle-operator writes it. The six string keys are always present
 * (empty when unknown); `metadata` carries `traceparent` and the user's app / workload metadata.
 * Unknown keys are kept, so newer operators' additions pass through. Built with `zod/mini` (small
 * and fast to load); use `z.safeParse(keptnContextSchema, value)` to apply it.
 */
export const keptnContextSchema = z.looseObject({
  workloadName: z._default(z.string(), ""),
  appName: z._default(z.string(), ""),
  appVersion: z._default(z.string(), ""),
  workloadVersion: z._default(z.string(), ""),
  // "" is what a hand-made KeptnTask (as in Keptn's docs) leaves in both fields.
  taskType: z.enum(["pre", "post", "promotion", ""], {
    error: () => 'expected "pre", "post" or "promotion" ("" for a hand-made KeptnTask)',
  }),
  objectType: z.enum(["App", "Workload", ""], {
    error: (issue) =>
      issue.input === "Application"
        ? 'expected "App" or "Workload": Keptn sends "App" for applications, not "Application"'
        : 'expected "App" or "Workload" ("" for a hand-made KeptnTask)',
  }),
  metadata: z._default(z.record(z.string(), z.string()), {}),
  traceparent: z.optional(z.string()),
});

/** `KEPTN_CONTEXT` after validation. */
export type KeptnContext = z.output<typeof keptnContextSchema>;
/** The phase a task runs in: `pre`, `post` or `promotion`. */
export type TaskType = z.output<typeof taskTypeSchema>;
/** `App` or `Workload`. */
export type ObjectType = z.output<typeof objectTypeSchema>;

/** The task's context: `KEPTN_CONTEXT` validated, with its trace context parsed. */
export type TaskContext =
  | (KeptnContext & {
      /** `true`: `KEPTN_CONTEXT` was set (the task runs as Keptn runs it). */
      readonly provided: true;
      /** The parsed `traceparent` (from `metadata` or the top level), when valid. */
      readonly trace: TraceContext | undefined;
    })
  | {
      /** `false`: no `KEPTN_CONTEXT` (a local run); every key is empty. */
      readonly provided: false;
      readonly workloadName: "";
      readonly appName: "";
      readonly appVersion: "";
      readonly workloadVersion: "";
      readonly taskType: "";
      readonly objectType: "";
      readonly metadata: Readonly<Record<string, string>>;
      readonly trace: undefined;
    };

const EMPTY_CONTEXT: TaskContext = Object.freeze({
  provided: false,
  workloadName: "",
  appName: "",
  appVersion: "",
  workloadVersion: "",
  taskType: "",
  objectType: "",
  metadata: Object.freeze({}),
  trace: undefined,
});

/**
 * Parses and validates a `KEPTN_CONTEXT` value.
 *
 * @param raw - The variable's value; `undefined` or empty gives the empty, not-provided context.
 * @returns The context, or the issues found (every invalid field).
 * @example
 * ```ts
 * const { context, issues } = parseContext(process.env.KEPTN_CONTEXT);
 * ```
 */
export function parseContext(raw: string | undefined): {
  context: TaskContext;
  issues: ConfigIssue[];
} {
  const json = readContextJson(raw);
  if (json.issue !== undefined) return { context: EMPTY_CONTEXT, issues: [json.issue] };
  if (json.value === undefined) return { context: EMPTY_CONTEXT, issues: [] };
  const result = z.safeParse(keptnContextSchema, json.value, ENGLISH);
  if (!result.success) {
    return { context: EMPTY_CONTEXT, issues: issuesFromZod("KEPTN_CONTEXT", result.error) };
  }
  const value = result.data;
  // The operator puts traceparent in metadata; Keptn's docs show it at the top level.
  const traceparent = value.metadata.traceparent ?? value.traceparent;
  const context = {
    ...value,
    metadata: Object.freeze({ ...value.metadata }),
    provided: true as const,
    trace: traceparent === undefined ? undefined : parseTraceparent(traceparent),
  };
  return { context: Object.freeze(context), issues: [] };
}
