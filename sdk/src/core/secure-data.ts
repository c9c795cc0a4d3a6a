import type { ConfigIssue } from "../errors/errors.js";
import { defaultSecrets, type SecretRegistry, secretLeaves } from "../masking/secret-registry.js";
import { parseJson } from "./issues.js";
import { type SchemaOutput, schemaProblem, type TaskSchema, validate } from "./schema.js";

/**
 * Reads `SECURE_DATA` (the key `SECURE_DATA` of the Secret named in `secureParameters.secret`).
 * The value is registered for masking before anything else happens to it. Without a schema the
 * raw string is returned; with one (any Standard Schema), the value is parsed as JSON and
 * validated. Issues never contain the value.
 *
 * @param raw - The variable's value, `undefined` when no secret is named.
 * @param schema - Optional schema; the value is JSON-parsed first.
 * @param secrets - Where to register the secret (default: the process-wide registry).
 * @example
 * ```ts
 * const { value } = parseSecureData(env.SECURE_DATA, z.object({ token: z.string() }));
 * ```
 */
export function parseSecureData<S extends TaskSchema | undefined = undefined>(
  raw: string | undefined,
  schema?: S,
  secrets: SecretRegistry = defaultSecrets,
): {
  value: (S extends TaskSchema ? SchemaOutput<S> : string | undefined) | undefined;
  issues: ConfigIssue[];
} {
  type T = S extends TaskSchema ? SchemaOutput<S> : string | undefined;
  if (raw !== undefined) secrets.register(raw);
  if (schema === undefined) return { value: raw as T, issues: [] };
  const problem = schemaProblem(schema);
  if (problem !== undefined) {
    return {
      value: undefined,
      issues: [{ source: "options", path: "secureData", message: problem }],
    };
  }
  if (raw === undefined || raw === "") {
    const result = validate(schema, undefined, "SECURE_DATA", "secureData");
    if (result.ok) return { value: result.value as T, issues: [] };
    return {
      value: undefined,
      issues: [
        {
          source: "SECURE_DATA",
          path: "",
          message:
            "is not set: name a Secret with the key SECURE_DATA in the definition's secureParameters.secret",
        },
      ],
    };
  }
  const json = parseJson(raw, "SECURE_DATA", true);
  if (!json.ok) return { value: undefined, issues: [json.issue] };
  const result = validate(schema, json.value, "SECURE_DATA", "secureData");
  if (!result.ok) {
    // Another library's messages may quote the value (valibot's do): masked.
    const issues = result.issues.map((issue) => ({
      ...issue,
      message: secrets.mask(issue.message),
    }));
    return { value: undefined, issues };
  }
  // A schema may transform the secret (decode base64, trim...): its output is secret as well.
  for (const leaf of secretLeaves(result.value)) secrets.register(leaf);
  return { value: result.value as T, issues: [] };
}
