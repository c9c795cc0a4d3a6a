import { safeParse } from "zod/mini";
import type * as zc from "zod/v4/core";
import type { ConfigIssue } from "../errors/errors.js";
import { readDataMap } from "./env-json.js";
import { issuesFromZod } from "./issues.js";
import { ENGLISH } from "./zod-messages.js";

/** `DATA` without a schema: the flat string map of `spec.<runtime>.parameters.map`. */
export type TaskData = Readonly<Record<string, string>>;

/**
 * Parses `DATA`: a JSON object of string values (Keptn omits the variable when there are no
 * parameters, which gives `{}`). Given a zod schema, string values are coerced where the schema
 * expects a number or a boolean, then the schema is applied.
 *
 * @param raw - The variable's value.
 * @param schema - Optional schema for the typed value.
 * @returns The value, or every issue found.
 * @example
 * ```ts
 * const { value } = parseData('{"port":"8080"}', z.object({ port: z.number() })); // { port: 8080 }
 * ```
 */
export function parseData<T = TaskData>(
  raw: string | undefined,
  schema?: zc.$ZodType<T>,
): { value: T | undefined; issues: ConfigIssue[] } {
  const map = readDataMap(raw);
  if (map.issues.length > 0) return { value: undefined, issues: map.issues };
  if (schema === undefined) return { value: Object.freeze(map.value) as T, issues: [] };
  const result = safeParse(schema, coerceForSchema(map.value, schema), ENGLISH);
  if (!result.success) return { value: undefined, issues: issuesFromZod("DATA", result.error) };
  return { value: freezeShallow(result.data), issues: [] };
}

interface ZodDef {
  type: string;
  innerType?: ZodLike;
  in?: ZodLike;
  shape?: Record<string, ZodLike>;
  values?: unknown[];
}
interface ZodLike {
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

function unwrap(schema: ZodLike): ZodLike {
  let current = schema;
  for (let depth = 0; depth < 16; depth++) {
    const def = current._zod.def;
    const next = WRAPPERS.has(def.type) ? def.innerType : def.type === "pipe" ? def.in : undefined;
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

/** Converts the strings Keptn passes into numbers or booleans where the schema's field wants one. */
function coerceForSchema(
  map: Record<string, string>,
  schema: zc.$ZodType,
): Record<string, unknown> {
  const root = unwrap(schema as unknown as ZodLike)._zod.def;
  if (root.type !== "object" || root.shape === undefined) return map;
  const out: Record<string, unknown> = { ...map };
  for (const [key, fieldSchema] of Object.entries(root.shape)) {
    const raw = map[key];
    if (raw === undefined) continue;
    const def = unwrap(fieldSchema)._zod.def;
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
