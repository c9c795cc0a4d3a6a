/**
 * The `KEPTN_CONTEXT` contract, written once: its keys in the operator's order, the values of its
 * two enums, the messages about them, the operator's encoding, and a schema-free quick check.
 *
 * Everything else derives from this module: the SDK's zod schema (`context.ts`), the runner's
 * start-up check, the definitions model and `KeptnTask` schema, the `keptn-task` command's
 * `--context`, and the Job rendering. It imports no schema library, so the runner's start-up path
 * can use it. The operator's source of truth is `KeptnContext` in the lifecycle-operator's
 * `apis/lifecycle/v1/common` package (Go field order, `metadata` with `omitempty`).
 */

import type { ConfigIssue } from "../errors/errors.js";
import { goJsonString, goJsonStringMap } from "./go-compat.js";
import { parseJson } from "./parse-json.js";

/** The four name and version keys, in the operator's order. Always present, `""` when unknown. */
export const CONTEXT_NAME_KEYS = [
  "workloadName",
  "appName",
  "appVersion",
  "workloadVersion",
] as const;

/** Every key of `KEPTN_CONTEXT`, in the order the operator writes them. */
export const CONTEXT_KEYS = [...CONTEXT_NAME_KEYS, "taskType", "objectType", "metadata"] as const;

/** The phases a task runs in (`KEPTN_CONTEXT.taskType`). */
export const TASK_TYPES = ["pre", "post", "promotion"] as const;

/** The kinds of object a task belongs to (`KEPTN_CONTEXT.objectType`). Never `Application`. */
export const OBJECT_TYPES = ["App", "Workload"] as const;

/** The phase a task runs in: `pre`, `post` or `promotion`. */
export type TaskType = (typeof TASK_TYPES)[number];
/** `App` or `Workload`. */
export type ObjectType = (typeof OBJECT_TYPES)[number];
/** A name or version key of `KEPTN_CONTEXT`. */
export type ContextNameKey = (typeof CONTEXT_NAME_KEYS)[number];

/**
 * The fields of `KEPTN_CONTEXT`. With the default type arguments, as a task receives them from
 * the operator (`""` in both enums for a hand-made `KeptnTask`); the definitions tooling uses
 * `KeptnContextFields<string, string>`, since the operator copies a `KeptnTask`'s strings as they
 * are written.
 */
export interface KeptnContextFields<
  T extends string = TaskType | "",
  O extends string = ObjectType | "",
> {
  readonly workloadName: string;
  readonly appName: string;
  readonly appVersion: string;
  readonly workloadVersion: string;
  readonly taskType: T;
  readonly objectType: O;
  /** Omitted from the operator's JSON when empty. */
  readonly metadata?: Readonly<Record<string, string>>;
}

function oneOf(values: readonly string[]): string {
  const quoted = values.map((value) => `"${value}"`);
  return quoted.length === 1
    ? (quoted[0] ?? "")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** What the messages about the context say, so the schema, the runner and the command agree. */
export const CONTEXT_MESSAGES = Object.freeze({
  /** A `taskType` outside the enum. */
  taskType: `expected ${oneOf(TASK_TYPES)}`,
  /** An `objectType` outside the enum. */
  objectType: `expected ${oneOf(OBJECT_TYPES)}`,
  /** Added when `""` is also accepted (what a hand-made KeptnTask leaves in both enums). */
  handMade: ' ("" for a hand-made KeptnTask)',
  /** `objectType: "Application"`, the common mistake. */
  application: `expected ${oneOf(OBJECT_TYPES)}: Keptn sends "App" for applications, not "Application"`,
  /** A name key or `traceparent` that is not a string. */
  string: "expected a string",
  /** `metadata` that is not an object of strings. */
  metadata: "expected an object of strings",
  /** The whole value when it is JSON but not an object. */
  notObject: (kind: string) => `expected a JSON object, received ${kind}`,
});

/** A short name of a JSON value's kind, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/**
 * Reads `KEPTN_CONTEXT` as JSON: its object, nothing (unset or empty: not provided), or the one
 * issue that makes it unusable (not JSON, or JSON but not an object).
 */
export function readContextJson(raw: string | undefined): {
  value?: Record<string, unknown>;
  issue?: ConfigIssue;
} {
  if (raw === undefined || raw.trim() === "") return {};
  const json = parseJson(raw, "KEPTN_CONTEXT");
  if (!json.ok) return { issue: json.issue };
  if (json.value === null || typeof json.value !== "object" || Array.isArray(json.value)) {
    return {
      issue: {
        source: "KEPTN_CONTEXT",
        path: "",
        message: CONTEXT_MESSAGES.notObject(kindOf(json.value)),
      },
    };
  }
  return { value: json.value as Record<string, unknown> };
}

const TASK_TYPE_VALUES: readonly unknown[] = [...TASK_TYPES, ""];
const OBJECT_TYPE_VALUES: readonly unknown[] = [...OBJECT_TYPES, ""];

/**
 * Whether a context object surely passes `keptnContextSchema` (as every context the operator
 * writes does), without loading a schema library. `false` only means "ask the schema": it may
 * still pass. Its agreement with the schema is property-tested.
 */
export function isPlainContext(value: Record<string, unknown>): boolean {
  for (const name of CONTEXT_NAME_KEYS) {
    if (value[name] !== undefined && typeof value[name] !== "string") return false;
  }
  if (
    !TASK_TYPE_VALUES.includes(value.taskType) ||
    !OBJECT_TYPE_VALUES.includes(value.objectType)
  ) {
    return false;
  }
  const { metadata, traceparent } = value;
  if (traceparent !== undefined && typeof traceparent !== "string") return false;
  if (metadata === undefined) return true;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return false;
  return Object.values(metadata).every((entry) => typeof entry === "string");
}

/**
 * Encodes `KEPTN_CONTEXT` exactly as the operator does: Go's `encoding/json` (HTML-safe escapes),
 * the keys in the Go struct's order, `metadata` omitted when empty and its keys sorted.
 *
 * @param context The fields.
 * @returns The JSON text.
 * @example
 * ```ts
 * encodeKeptnContext({ workloadName: "", appName: "shop", appVersion: "1", workloadVersion: "",
 *   taskType: "pre", objectType: "App" });
 * // {"workloadName":"","appName":"shop","appVersion":"1","workloadVersion":"","taskType":"pre","objectType":"App"}
 * ```
 */
export function encodeKeptnContext(context: KeptnContextFields<string, string>): string {
  const parts: string[] = [];
  for (const key of CONTEXT_KEYS) {
    if (key === "metadata") {
      const { metadata } = context;
      if (metadata !== undefined && Object.keys(metadata).length > 0) {
        parts.push(`"metadata":${goJsonStringMap(metadata)}`);
      }
    } else {
      parts.push(`${goJsonString(key)}:${goJsonString(context[key])}`);
    }
  }
  return `{${parts.join(",")}}`;
}
