/**
 * The schemas `task()` takes for `DATA` and `SECURE_DATA`: any Standard Schema
 * (https://standardschema.dev: zod 4, zod 3.24+ and `zod/v3`, valibot 1, arktype 2...). A zod 4
 * schema is parsed with English messages whatever zod's global configuration says; any other
 * through its `~standard.validate`.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { safeParse } from "zod/mini";
import type * as zc from "zod/v4/core";
import type { ConfigIssue, ConfigSource } from "../errors/errors.js";
import { ENGLISH } from "./zod-messages.js";

/** A schema `task()` accepts: any Standard Schema. */
export type TaskSchema = StandardSchemaV1;

/** The type a schema gives. */
export type SchemaOutput<S extends TaskSchema> = StandardSchemaV1.InferOutput<S>;

/** The outcome of a validation: the value, or the issues (paths inside the value). */
export type Validation =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Whether `schema` is a zod 4 schema (classic or mini), which the SDK parses itself. */
export function isZod4(schema: unknown): schema is zc.$ZodType {
  return (
    schema !== null &&
    (typeof schema === "object" || typeof schema === "function") &&
    "_zod" in schema &&
    typeof (schema as { _zod?: { def?: unknown } })._zod?.def === "object"
  );
}

/**
 * What is wrong with a schema given as the `data` or `secureData` option, in one line; `undefined`
 * when the SDK can use it.
 */
export function schemaProblem(schema: unknown): string | undefined {
  if (isZod4(schema)) return undefined;
  const isObject = schema !== null && (typeof schema === "object" || typeof schema === "function");
  const standard = isObject
    ? (schema as { "~standard"?: { validate?: unknown } })["~standard"]
    : undefined;
  if (typeof standard?.validate === "function") return undefined;
  const what =
    isObject && "_def" in (schema as object)
      ? "a zod 3 schema older than zod 3.24, which has no Standard Schema interface: upgrade zod"
      : `${describe(schema)}, which has no "~standard" property`;
  return `expected a Standard Schema (zod 4 or 3.24+, valibot 1, arktype 2...), received ${what}`;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Validates `value` with `schema`, synchronously (`task()` returns at once): a schema that
 * validates asynchronously gives an issue naming the option.
 *
 * @param source - The variable the value came from, to name in the issues.
 * @param option - The option that gave the schema (`data`, `secureData`).
 */
export function validate(
  schema: TaskSchema,
  value: unknown,
  source: ConfigSource,
  option: string,
): Validation {
  if (isZod4(schema)) {
    const result = safeParse(schema, value, ENGLISH);
    if (result.success) return { ok: true, value: result.data };
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({
        source,
        path: issue.path.map(String).join("."),
        message: issue.message,
      })),
    };
  }
  const result = schema["~standard"].validate(value);
  if (result instanceof Promise) {
    // The rejection, if any, must not surface as an unhandled one.
    result.catch(() => undefined);
    const message = `the ${schema["~standard"].vendor} schema validates asynchronously: task() needs a synchronous one`;
    return { ok: false, issues: [{ source: "options", path: option, message }] };
  }
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      source,
      path: (issue.path ?? [])
        .map((segment) => String(typeof segment === "object" ? segment.key : segment))
        .join("."),
      message: issue.message,
    })),
  };
}
