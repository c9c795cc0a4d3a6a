import { parseJson } from "../contract/parse-json.js";
import type { ConfigIssue } from "../errors/errors.js";
import { defaultSecrets, type SecretRegistry, secretLeaves } from "../masking/secret-registry.js";
import { unwrap, type ZodLike } from "./data.js";
import { isZod4, type SchemaOutput, schemaProblem, type TaskSchema, validate } from "./schema.js";

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
  const result = validateSecret(schema, raw);
  if (result === undefined) {
    const json = parseJson(raw, "SECURE_DATA", true);
    return { value: undefined, issues: json.ok ? [] : [json.issue] };
  }
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

/**
 * The secret validated. A schema whose input is a string (zod 4's `z.string()`, an enum...)
 * takes it as it is; another zod 4 schema takes it as JSON; another library's schema takes it
 * as JSON when it is JSON the schema accepts, else as the plain string (a token, a PIN that
 * looks like a number). `undefined` when it is not JSON and no string is accepted: not JSON is
 * then the issue.
 */
function validateSecret(schema: TaskSchema, raw: string): ReturnType<typeof validate> | undefined {
  const plain = () => validate(schema, raw, "SECURE_DATA", "secureData");
  const wantsString = isZod4(schema) ? zodTakesString(schema) : undefined;
  if (wantsString === true) return plain();
  const json = parseJson(raw, "SECURE_DATA", true);
  const parsed = json.ok ? validate(schema, json.value, "SECURE_DATA", "secureData") : undefined;
  if (wantsString === false || parsed?.ok === true) return parsed;
  const fallback = plain();
  return fallback.ok ? fallback : parsed;
}

/** Whether a zod 4 schema's input is a string, inside its wrappers and pipes. */
function zodTakesString(schema: TaskSchema): boolean {
  const def = unwrap(schema as unknown as ZodLike).inner._zod.def;
  if (def.type === "literal" || def.type === "enum") {
    const values = def.type === "enum" ? Object.values(def.entries ?? {}) : (def.values ?? []);
    return values.length > 0 && values.every((value) => typeof value === "string");
  }
  return def.type === "string" || def.type === "template_literal";
}
