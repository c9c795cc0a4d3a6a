import type * as zc from "zod/v4/core";
import type { ConfigIssue, ConfigSource } from "../errors/errors.js";

/** Turns zod's issues into config issues with dot paths; zod's messages carry no input values. */
export function issuesFromZod(source: ConfigSource, error: zc.$ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({
    source,
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
