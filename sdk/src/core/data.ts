import type * as zc from "zod/v4/core";
import { readDataMap } from "../contract/env-json.js";
import type { ConfigIssue } from "../errors/errors.js";
import {
  isZod4,
  type SchemaOutput,
  schemaProblem,
  type TaskSchema,
  type Validation,
  validate,
} from "./schema.js";

/** `DATA` without a schema: the flat string map of `spec.<runtime>.parameters.map`. */
export type TaskData = Readonly<Record<string, string>>;

/**
 * Parses `DATA`: a JSON object of string values (Keptn omits the variable when there are no
 * parameters, which gives `{}`). Given a schema (any Standard Schema), string values are coerced
 * where the schema expects a number or a boolean, an empty value of a field with a default takes
 * the default, then the schema is applied. Each issue about a value quotes it.
 *
 * A zod 4 schema is read to know what each field expects; another library's schema is applied
 * to the strings first, then once more with the values it rejected coerced.
 *
 * @param raw - The variable's value.
 * @param schema - Optional schema for the typed value.
 * @returns The value, or every issue found.
 * @example
 * ```ts
 * const { value } = parseData('{"port":"8080"}', z.object({ port: z.number() })); // { port: 8080 }
 * ```
 */
export function parseData<S extends TaskSchema | undefined = undefined>(
  raw: string | undefined,
  schema?: S,
): {
  value: (S extends TaskSchema ? SchemaOutput<S> : TaskData) | undefined;
  issues: ConfigIssue[];
} {
  type T = S extends TaskSchema ? SchemaOutput<S> : TaskData;
  const map = readDataMap(raw);
  if (map.issues.length > 0) return { value: undefined, issues: map.issues };
  if (schema === undefined) return { value: Object.freeze(map.value) as T, issues: [] };
  const problem = schemaProblem(schema);
  if (problem !== undefined) {
    return { value: undefined, issues: [{ source: "options", path: "data", message: problem }] };
  }
  const result = isZod4(schema)
    ? validate(schema, coerceForSchema(map.value, schema), SOURCE, "data")
    : validateCoercingRejected(schema, map.value);
  if (!result.ok) {
    return { value: undefined, issues: result.issues.map((i) => quoteReceived(i, map.value)) };
  }
  return { value: freezeShallow(result.value) as T, issues: [] };
}

const SOURCE = "DATA";

/**
 * Applies a schema the SDK cannot read: to Keptn's strings, then (when it rejects some) once more
 * with each rejected value coerced (a number, a boolean, or left out when empty).
 */
function validateCoercingRejected(schema: TaskSchema, map: Record<string, string>): Validation {
  const first = validate(schema, map, SOURCE, "data");
  if (first.ok) return first;
  const retry: Record<string, unknown> = { ...map };
  let changed = false;
  for (const issue of first.issues) {
    const key = issue.path;
    if (issue.source !== SOURCE || !Object.hasOwn(map, key)) continue;
    const coerced = coerceString(map[key] ?? "");
    if (coerced === map[key]) continue;
    changed = true;
    if (coerced === undefined) delete retry[key];
    else retry[key] = coerced;
  }
  return changed ? validate(schema, retry, SOURCE, "data") : first;
}

function coerceString(raw: string): unknown {
  if (raw === "") return undefined;
  const number = toNumber(raw);
  if (number !== undefined) return number;
  const lower = raw.trim().toLowerCase();
  return lower === "true" || lower === "false" ? lower === "true" : raw;
}

/** The longest part of a value an issue quotes, in characters. */
const QUOTE_MAX = 64;

/**
 * An issue about a parameter, with the value received quoted (`DATA` holds no secret: those go
 * in `SECURE_DATA`): in place of zod's "received string", or added.
 */
export function quoteReceived(issue: ConfigIssue, map: Record<string, string>): ConfigIssue {
  if (issue.source !== SOURCE || !Object.hasOwn(map, issue.path)) return issue;
  const chars = Array.from(map[issue.path] ?? "");
  const cut = chars.length > QUOTE_MAX ? `${chars.slice(0, QUOTE_MAX).join("")}…` : chars.join("");
  const quoted = JSON.stringify(cut);
  if (issue.message.includes(quoted)) return issue;
  // zod says what it received as a kind ("received string"): the value says more.
  const message = /, received [a-z]+$/.test(issue.message)
    ? issue.message.replace(/[a-z]+$/, quoted)
    : `${issue.message}, received ${quoted}`;
  return { ...issue, message };
}

interface ZodDef {
  type: string;
  innerType?: ZodLike;
  in?: ZodLike;
  shape?: Record<string, ZodLike>;
  values?: unknown[];
  entries?: Record<string, unknown>;
}
export interface ZodLike {
  _zod: { def: ZodDef };
}

const WRAPPERS = new Set([
  "optional",
  "nullable",
  "default",
  "prefault",
  "readonly",
  "catch",
  "nonoptional",
]);

/**
 * The schema inside wrappers and pipes, and whether a wrapper gives a default or makes it
 * optional.
 */
export function unwrap(schema: ZodLike): {
  inner: ZodLike;
  hasDefault: boolean;
  optional: boolean;
} {
  let current = schema;
  let hasDefault = false;
  let optional = false;
  for (let depth = 0; depth < 16; depth++) {
    const def = current._zod.def;
    if (def.type === "default" || def.type === "prefault") hasDefault = true;
    if (def.type === "optional") optional = true;
    const next = WRAPPERS.has(def.type) ? def.innerType : def.type === "pipe" ? def.in : undefined;
    if (next === undefined) break;
    current = next;
  }
  return { inner: current, hasDefault, optional };
}

/**
 * Converts the strings Keptn passes into numbers or booleans where the schema's field wants one;
 * leaves out an empty value (`--data attempts=`) where the field has a default, or is optional
 * and not a string.
 */
function coerceForSchema(
  map: Record<string, string>,
  schema: zc.$ZodType,
): Record<string, unknown> {
  const root = unwrap(schema as unknown as ZodLike).inner._zod.def;
  if (root.type !== "object" || root.shape === undefined) return map;
  const out: Record<string, unknown> = { ...map };
  for (const [key, fieldSchema] of Object.entries(root.shape)) {
    const raw = map[key];
    if (raw === undefined) continue;
    const field = unwrap(fieldSchema);
    const def = field.inner._zod.def;
    if (raw === "" && (field.hasDefault || (field.optional && def.type !== "string"))) {
      delete out[key];
      continue;
    }
    const wants = def.type === "literal" ? typeof def.values?.[0] : def.type;
    if (wants === "number") {
      const number = toNumber(raw);
      if (number !== undefined) out[key] = number;
    } else if (wants === "boolean") {
      const lower = raw.trim().toLowerCase();
      if (lower === "true" || lower === "false") out[key] = lower === "true";
    }
  }
  return out;
}

function toNumber(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function freezeShallow<T>(value: T): T {
  return value !== null && typeof value === "object" ? Object.freeze(value) : value;
}
