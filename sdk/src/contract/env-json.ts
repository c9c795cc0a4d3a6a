/**
 * Reading `DATA` with no schema library: the flat string map of `spec.<runtime>.parameters.map`.
 * The bootstrap runner validates it before every task starts (`KEPTN_CONTEXT`'s counterpart is in
 * `keptn-context.ts`).
 */

import type { ConfigIssue } from "../errors/errors.js";
import { kindOf } from "./keptn-context.js";
import { parseJson } from "./parse-json.js";

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
