import type { ConfigIssue } from "../errors/errors.js";

/**
 * Parses a deadline given as an RFC 3339 timestamp (`2026-11-21T15:00:00Z`) or as milliseconds
 * since the Unix epoch.
 *
 * @returns The deadline in epoch milliseconds, `undefined` when unset, or an issue.
 */
export function parseDeadline(raw: string | undefined): {
  value: number | undefined;
  issues: ConfigIssue[];
} {
  if (raw === undefined || raw.trim() === "") return { value: undefined, issues: [] };
  const text = raw.trim();
  const value = /^\d+$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}T/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isFinite(value)) {
    return {
      value: undefined,
      issues: [
        {
          source: "KEPTN_TASK_DEADLINE",
          path: "",
          message: `expected an RFC 3339 timestamp or epoch milliseconds, received "${text}"`,
        },
      ],
    };
  }
  return { value, issues: [] };
}
