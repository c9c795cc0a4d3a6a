import * as z from "zod/mini";
import {
  CONTEXT_MESSAGES,
  type KeptnContextFields,
  OBJECT_TYPES,
  readContextJson,
  TASK_TYPES,
} from "../contract/keptn-context.js";
import { parseTraceparent, type TraceContext } from "../contract/trace-context.js";
import type { ConfigIssue } from "../errors/errors.js";
import { issuesFromZod } from "./issues.js";
import { ENGLISH } from "./zod-messages.js";

export type { ObjectType, TaskType } from "../contract/keptn-context.js";

/**
 * `KEPTN_CONTEXT` as the lifecycle-operator writes it (the contract is in `keptn-context.ts`).
 * The four name keys are always present (empty when unknown); `metadata` carries `traceparent`
 * and the user's app / workload metadata. Unknown keys are kept, so newer operators' additions
 * pass through. Built with `zod/mini` (small and fast to load); use
 * `z.safeParse(keptnContextSchema, value)` to apply it.
 */
export const keptnContextSchema = z.looseObject({
  workloadName: z._default(z.string(), ""),
  appName: z._default(z.string(), ""),
  appVersion: z._default(z.string(), ""),
  workloadVersion: z._default(z.string(), ""),
  // "" is what a hand-made KeptnTask (as in Keptn's docs) leaves in both fields.
  taskType: z.enum([...TASK_TYPES, ""], {
    error: () => CONTEXT_MESSAGES.taskType + CONTEXT_MESSAGES.handMade,
  }),
  objectType: z.enum([...OBJECT_TYPES, ""], {
    error: (issue) =>
      issue.input === "Application"
        ? CONTEXT_MESSAGES.application
        : CONTEXT_MESSAGES.objectType + CONTEXT_MESSAGES.handMade,
  }),
  metadata: z._default(z.record(z.string(), z.string()), {}),
  traceparent: z.optional(z.string()),
});

/** `KEPTN_CONTEXT` after validation. */
export type KeptnContext = z.output<typeof keptnContextSchema>;

// The schema's output has the contract's shape: a change to either that breaks it fails the build.
type Conforms<T extends KeptnContextFields> = T;
export type _KeptnContextConforms = Conforms<KeptnContext>;

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
