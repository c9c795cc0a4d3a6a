/**
 * Reading `KEPTN_CONTEXT` and `DATA` with no schema library: their JSON, the flat string map of
 * `DATA`, and a quick check that a context surely passes `keptnContextSchema`. The bootstrap
 * runner validates both before every task starts; with these it loads zod only for a context
 * that has something to report.
 */
import type { ConfigIssue } from "../errors/errors.js";
import { parseJson } from "./issues.js";

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
        message: `expected a JSON object, received ${kindOf(json.value)}`,
      },
    };
  }
  return { value: json.value as Record<string, unknown> };
}

const NAMES = ["workloadName", "appName", "appVersion", "workloadVersion"] as const;
const TASK_TYPES: readonly unknown[] = ["pre", "post", "promotion", ""];
const OBJECT_TYPES: readonly unknown[] = ["App", "Workload", ""];

/**
 * Whether a context object surely passes `keptnContextSchema` (as every context the operator
 * writes does). `false` only means "ask the schema": it may still pass.
 */
export function isPlainContext(value: Record<string, unknown>): boolean {
  for (const name of NAMES) {
    if (value[name] !== undefined && typeof value[name] !== "string") return false;
  }
  if (!TASK_TYPES.includes(value.taskType) || !OBJECT_TYPES.includes(value.objectType)) {
    return false;
  }
  const { metadata, traceparent } = value;
  if (traceparent !== undefined && typeof traceparent !== "string") return false;
  if (metadata === undefined) return true;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return false;
  return Object.values(metadata).every((entry) => typeof entry === "string");
}

/**
 * Reads `DATA` as the flat string map of `spec.<runtime>.parameters.map` (unset or empty: `{}`),
 * with an issue for each value that is not a string.
 */
export function readDataMap(raw: string | undefined): {
  value: Record<string, string>;
  issues: ConfigIssue[];
} {
  if (raw === undefined || raw.trim() === "") return { value: {}, issues: [] };
  const json = parseJson(raw, "DATA");
  if (!json.ok) return { value: {}, issues: [json.issue] };
  const parsed = json.value;
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return {
      value: {},
      issues: [
        {
          source: "DATA",
          path: "",
          message: `expected a JSON object of string values (parameters.map), received ${kindOf(parsed)}`,
        },
      ],
    };
  }
  const issues: ConfigIssue[] = [];
  const value: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    if (typeof entry === "string") value[key] = entry;
    else if (entry !== null && typeof entry === "object") {
      issues.push({
        source: "DATA",
        path: key,
        message:
          "nested maps are not supported by Keptn: use a flat map of strings (JSON-encode the value if needed)",
      });
    } else {
      issues.push({
        source: "DATA",
        path: key,
        message: `expected a string, received ${kindOf(entry)}: Keptn passes every parameter as a string, so quote the value`,
      });
    }
  }
  return { value, issues };
}
