/**
 * Keptn's own schemas: every object of a Keptn API group (`lifecycle.keptn.sh`,
 * `metrics.keptn.sh`, `options.keptn.sh`) checked with ajv against the JSON Schema generated
 * from its CRD (`keptn-schemas.generated.ts`, by `scripts/generate-keptn-schemas.mjs`), so that
 * unknown fields, types, enums and patterns come from Keptn, not from a hand-written copy.
 */
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import { metricsWebhookProblems } from "./checks/metrics-webhooks.js";
import { isRecord } from "./is-record.js";
import { KEPTN_SCHEMAS } from "./keptn-schemas.generated.js";
import { formatFieldPath } from "./positions.js";
import { closestName } from "./suggest.js";

/** A JSON Schema generated from a CRD's OpenAPI v3 schema. */
export type KeptnSchema = Readonly<Record<string, unknown>>;

/** The API groups whose kinds Keptn's CRDs define. */
export const KEPTN_GROUPS: readonly string[] = [
  "lifecycle.keptn.sh",
  "metrics.keptn.sh",
  "options.keptn.sh",
];

/** A problem with one object, at a field of it (`""`: the object itself). */
export interface SchemaProblem {
  readonly message: string;
  readonly field: string;
  /** Where to point, when not at the field itself (an unknown key inside it). */
  readonly at?: string;
}

/**
 * How the schemas are compiled, here and by the command's build
 * (`runners/scripts/keptn-validators.mjs`). strict: false: the CRDs' schemas are OpenAPI's
 * dialect, not a JSON Schema draft.
 */
export const KEPTN_AJV_OPTIONS: Readonly<Options> = {
  allErrors: true,
  strict: false,
  verbose: true,
  validateFormats: false,
};

/**
 * The file the command's build writes the compiled validator of `key` (`group/version/Kind`)
 * to, in `keptn-validators/` next to the bundle's chunks.
 */
export function precompiledValidatorFile(key: string): string {
  return `keptn-validators/${key.replaceAll("/", "_")}.cjs`;
}

// Synchronous loading, next to this module (the command's bundle) or from node_modules (ajv).
const load = createRequire(import.meta.url);
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * The validator of `group/version/Kind`, once, when first needed: in the command, the one its
 * build compiled (ajv's standalone code: no ajv to load, nothing to compile: ~150 ms less per
 * start); else compiled now (the SDK's dist, the source tree).
 */
function validatorFor(key: string): ValidateFunction | undefined {
  const schema = KEPTN_SCHEMAS[key];
  if (schema === undefined) return undefined;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = precompiled(key) ?? compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

function precompiled(key: string): ValidateFunction | undefined {
  try {
    // ajv's standalone code of one validator: `module.exports = validate`.
    return load(`./${precompiledValidatorFile(key)}`) as ValidateFunction;
  } catch (error) {
    if ((error as { code?: unknown }).code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

function compile(schema: KeptnSchema): ValidateFunction {
  ajv ??= new (load("ajv") as typeof import("ajv")).Ajv(KEPTN_AJV_OPTIONS);
  return ajv.compile(schema);
}

const kindsByGroup = new Map<string, Map<string, string[]>>();

/** The kinds Keptn's CRDs define in `group`, with their served versions (computed once). */
function kindsOf(group: string): Map<string, string[]> {
  const known = kindsByGroup.get(group);
  if (known !== undefined) return known;
  const kinds = new Map<string, string[]>();
  kindsByGroup.set(group, kinds);
  for (const key of Object.keys(KEPTN_SCHEMAS)) {
    const [keyGroup, version = "", kind = ""] = key.split("/");
    if (keyGroup !== group) continue;
    kinds.set(kind, [...(kinds.get(kind) ?? []), version]);
  }
  return kinds;
}

/**
 * Checks an object of a Keptn API group against the schema of its CRD, as the API server does.
 *
 * @param raw The object, `null`s already removed.
 * @returns Its problems (an unknown kind or version is one, at `kind` or `apiVersion`), or
 *   `undefined` when the object is not of a Keptn API group.
 */
export function keptnSchemaProblems(
  raw: Readonly<Record<string, unknown>> & { apiVersion: string; kind: string },
): SchemaProblem[] | undefined {
  const [group = "", version = ""] = raw.apiVersion.split("/");
  if (!KEPTN_GROUPS.includes(group)) return undefined;
  const kinds = kindsOf(group);
  const versions = kinds.get(raw.kind);
  if (versions === undefined) {
    const elsewhere = KEPTN_GROUPS.find((other) => kindsOf(other).has(raw.kind));
    const near = closestName(raw.kind, [...kinds.keys()]);
    const fix =
      elsewhere !== undefined
        ? `${raw.kind} is in ${elsewhere}: use apiVersion ${servedList(
            elsewhere,
            kindsOf(elsewhere).get(raw.kind) ?? [],
          )
            .split(", ")
            .at(-1)}`
        : near === undefined
          ? `use one of ${[...kinds.keys()].join(", ")}`
          : `did you mean "${near}"?`;
    return [
      {
        message: `Invalid ${raw.kind}: no kind "${raw.kind}" is in ${group} (Keptn's CRDs), so kubectl apply refuses it ("no matches for kind"): ${fix}`,
        field: "kind",
      },
    ];
  }
  const validate = validatorFor(`${group}/${version}/${raw.kind}`);
  if (validate === undefined) {
    const served = servedList(group, versions);
    return [
      {
        message: `Unknown apiVersion "${raw.apiVersion}" for ${raw.kind}: use one of ${served}`,
        field: "apiVersion",
      },
    ];
  }
  const { kind } = raw;
  if (validate(raw)) {
    return kind === "AnalysisDefinition"
      ? analysisDefinitionProblems(raw)
      : metricsWebhookProblems(raw);
  }
  return problemsOf(validate.errors ?? [], raw).map((p) => ({
    ...p,
    message: `Invalid ${kind}: ${p.message}`,
  }));
}

/** `group/version` for each served version, oldest first, as a list for a message. */
function servedList(group: string, versions: readonly string[]): string {
  return [...versions]
    .sort((a, b) => versionRank(a) - versionRank(b))
    .map((v) => `${group}/${v}`)
    .join(", ");
}

/** Kubernetes' version order: v1alpha1 < v1alpha2 < v1beta1 < v1 < v2alpha1. */
function versionRank(version: string): number {
  const [, major = "0", stage = "", minor = "0"] = /^v(\d+)(alpha|beta)?(\d*)$/.exec(version) ?? [];
  const level = stage === "alpha" ? 0 : stage === "beta" ? 1 : 2;
  return Number(major) * 10_000 + level * 1000 + Number(minor || 0);
}

/**
 * ajv's errors as problems at their fields, one per field, alternatives (`anyOf`) folded, and a
 * missing required field left out when a misspelt one is there (the suggestion says it).
 */
function problemsOf(errors: readonly ErrorObject[], raw: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === "additionalProperties") {
      const schema = isRecord(error.parentSchema) ? error.parentSchema : {};
      const known = isRecord(schema.properties) ? Object.keys(schema.properties) : [];
      const near = closestName(String(error.params.additionalProperty), known);
      const path = segmentsOf(error.instancePath, raw);
      if (near !== undefined) seen.add(formatFieldPath([...path, near]));
    }
  }
  for (const error of errors) {
    // The branches of an anyOf (int-or-string) are said once, by the anyOf itself.
    if (/\/anyOf\/\d+\//.test(error.schemaPath)) continue;
    const problem = problemOf(error, segmentsOf(error.instancePath, raw));
    const key = error.keyword === "required" ? problem.field : (problem.at ?? problem.field);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

/** A JSON pointer's segments, with list indexes as numbers. */
function segmentsOf(pointer: string, raw: unknown): (string | number)[] {
  const segments: (string | number)[] = [];
  let value: unknown = raw;
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replaceAll("~1", "/").replaceAll("~0", "~");
    const index = Array.isArray(value) ? Number(key) : undefined;
    segments.push(index ?? key);
    value = Array.isArray(value) ? value[index ?? 0] : isRecord(value) ? value[key] : undefined;
  }
  return segments;
}

function problemOf(error: ErrorObject, path: (string | number)[]): SchemaProblem {
  const field = formatFieldPath(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const schema = isRecord(error.parentSchema) ? error.parentSchema : {};
      const known = isRecord(schema.properties) ? Object.keys(schema.properties) : [];
      const near = closestName(key, known);
      const fix =
        near === undefined ? `remove it (known: ${known.join(", ")})` : `did you mean "${near}"?`;
      return {
        message: `unknown field "${key}": kubectl apply refuses it (strict field validation) and the API server would drop it: ${fix}`,
        field,
        at: formatFieldPath([...path, key]),
      };
    }
    case "required":
      return {
        message: "is required by Keptn's CRD, so kubectl apply refuses the object without it",
        field: formatFieldPath([...path, String(params.missingProperty)]),
        at: field,
      };
    case "type":
      return { message: `must be ${String(params.type)}, as Keptn's CRD says`, field };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      return { message: `must be one of ${allowed.join(", ")}, as Keptn's CRD says`, field };
    }
    case "pattern":
      return {
        message: `does not match Keptn's CRD's pattern ${String(params.pattern)}, so kubectl apply refuses it`,
        field,
      };
    case "anyOf":
      return { message: "must be an integer or a string, as Keptn's CRD says", field };
    default:
      return { message: `${error.message ?? "is invalid"}, as Keptn's CRD says`, field };
  }
}

const OPERATORS = [
  "lessThan",
  "lessThanOrEqual",
  "greaterThan",
  "greaterThanOrEqual",
  "equalTo",
  "inRange",
  "notInRange",
];

/**
 * What Keptn's metrics webhook refuses in an AnalysisDefinition that its CRD takes
 * (metrics-operator/api/v1/analysisdefinition_webhook.go): a target with no operator or more than
 * one, and a warning percentage not below the pass percentage.
 */
function analysisDefinitionProblems(raw: Readonly<Record<string, unknown>>): SchemaProblem[] {
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const refuse = (field: string, why: string): SchemaProblem => ({
    message: `Invalid AnalysisDefinition: Keptn's metrics webhook refuses it, so kubectl apply fails: ${why}`,
    field,
  });
  const out: SchemaProblem[] = [];
  const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
  objectives.forEach((objective, index) => {
    const target = isRecord(objective) && isRecord(objective.target) ? objective.target : {};
    for (const level of ["failure", "warning"]) {
      const operator = target[level];
      if (!isRecord(operator)) continue;
      const set = OPERATORS.filter((name) => operator[name] !== undefined);
      const field = formatFieldPath(["spec", "objectives", index, "target", level]);
      if (set.length > 1) {
        out.push(
          refuse(
            field,
            `"${set.join('", "')}" are set, and one operator may be ("multiple operators can not be set"); give each its own objective`,
          ),
        );
      } else if (set.length === 0) {
        out.push(
          refuse(
            field,
            `no operator is set ("no operator set"); set one of ${OPERATORS.join(", ")}`,
          ),
        );
      }
    }
  });
  const score = isRecord(spec.totalScore) ? spec.totalScore : {};
  const pass = Number(score.passPercentage ?? 0);
  const warning = Number(score.warningPercentage ?? 0);
  if (warning >= pass) {
    out.push(
      refuse(
        "spec.totalScore.warningPercentage",
        `warningPercentage ${warning} is not below passPercentage ${pass} ("warn percentage score cannot be higher or equal than Pass percentage score"); lower it`,
      ),
    );
  }
  return out;
}
