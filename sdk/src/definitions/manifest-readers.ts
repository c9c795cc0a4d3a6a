import type { z } from "zod";
import { containerProblems } from "./container-schema.js";
import { isRecord } from "./is-record.js";
import { keptnSchemaProblems } from "./keptn-schema.js";
import type { KnownObject } from "./model.js";
import {
  isBase64,
  type NormalizeOptions,
  normalizeConfigMap,
  normalizeDefinition,
  normalizeSecret,
  normalizeTask,
} from "./normalize.js";
import { type FieldLocator, formatFieldPath } from "./positions.js";
import {
  configMapSchema,
  DEFINITION_SCHEMAS,
  DEFINITION_VERSIONS,
  type DefinitionVersion,
  KEPTN_GROUP,
  keptnTaskSchema,
  secretSchema,
} from "./schemas.js";

/** A problem with one object, at a field of it (`""`: the object itself). */
interface Problem {
  readonly message: string;
  readonly field: string;
  /** Where to point, when not at the field itself (an unknown key inside it). */
  readonly at?: string;
}

/** What a kind's reader made of an object. */
interface Normalized {
  readonly object: KnownObject | undefined;
  readonly problems: readonly Problem[];
}

export const NO_TEXT: FieldLocator = () => undefined;

export function metadataOf(raw: Record<string, unknown>): { name?: string; namespace?: string } {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  return {
    ...(typeof metadata.name === "string" ? { name: metadata.name } : {}),
    ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
  };
}

export function objectLabel(
  raw: Record<string, unknown>,
  defaultNamespace: string,
): string | undefined {
  const kind = typeof raw.kind === "string" ? raw.kind : undefined;
  const { name, namespace = defaultNamespace } = metadataOf(raw);
  if (kind === undefined || name === undefined) return kind;
  return `${kind}/${namespace}/${name}`;
}

function schemaProblems(error: z.ZodError, kind: string): Problem[] {
  return error.issues.map((issue) => {
    const field = formatFieldPath(issue.path);
    const [unknown] = issue.code === "unrecognized_keys" ? issue.keys : [];
    const message = `Invalid ${kind}: ${issue.message}`;
    // An unknown key is not at its parent's line: point at the key.
    return unknown === undefined
      ? { message, field }
      : { message, field, at: formatFieldPath([...issue.path, unknown]) };
  });
}

/** Problems of `spec.container` against Kubernetes' Container schema, at their fields. */
function containerSchemaProblems(container: Record<string, unknown>): Problem[] {
  return containerProblems(container).map(({ message, path, unknownKey }) => {
    const field = formatFieldPath([
      "spec",
      "container",
      ...(unknownKey ? path.slice(0, -1) : path),
    ]);
    const text = `Invalid KeptnTaskDefinition: ${message}`;
    return unknownKey
      ? { message: text, field, at: formatFieldPath(["spec", "container", ...path]) }
      : { message: text, field };
  });
}

function readDefinition(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  const apiVersion = raw.apiVersion as string;
  const [group, version] = apiVersion.split("/");
  if (group !== KEPTN_GROUP || !DEFINITION_VERSIONS.includes(version as DefinitionVersion)) {
    const served = DEFINITION_VERSIONS.map((v) => `${KEPTN_GROUP}/${v}`).join(", ");
    const message = `Unknown apiVersion "${apiVersion}" for KeptnTaskDefinition: use one of ${served}`;
    return { object: undefined, problems: [{ message, field: "apiVersion" }] };
  }
  const parsed = DEFINITION_SCHEMAS[version as DefinitionVersion].safeParse(raw);
  // Kubernetes' Container schema is checked even when the CRD's own fields are not, so that one
  // run lists every problem; a field both find is reported once.
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const container =
    isRecord(spec.container) && version !== "v1alpha1" && version !== "v1alpha2"
      ? containerSchemaProblems(spec.container)
      : [];
  if (!parsed.success) {
    const problems = schemaProblems(parsed.error, "KeptnTaskDefinition");
    const seen = new Set(problems.map((p) => p.field));
    return {
      object: undefined,
      problems: [...problems, ...container.filter((p) => !seen.has(p.field))],
    };
  }
  if (container.length > 0) return { object: undefined, problems: container };
  return { object: normalizeDefinition(parsed.data, options), problems: [] };
}

function readTask(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  const parsed = keptnTaskSchema.safeParse(raw);
  if (!parsed.success)
    return { object: undefined, problems: schemaProblems(parsed.error, "KeptnTask") };
  return { object: normalizeTask(parsed.data, options), problems: [] };
}

function readConfigMap(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  if (raw.apiVersion !== "v1") return { object: undefined, problems: [] };
  const parsed = configMapSchema.safeParse(raw);
  if (!parsed.success)
    return { object: undefined, problems: schemaProblems(parsed.error, "ConfigMap") };
  return { object: normalizeConfigMap(parsed.data, options), problems: [] };
}

function readSecret(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  if (raw.apiVersion !== "v1") return { object: undefined, problems: [] };
  const parsed = secretSchema.safeParse(raw);
  if (!parsed.success)
    return { object: undefined, problems: schemaProblems(parsed.error, "Secret") };
  // The API server refuses such a Secret (kubectl apply fails): so is it here, by field.
  const problems = Object.entries(parsed.data.data ?? {})
    .filter(([, value]) => !isBase64(value))
    .map(([key]) => ({
      message:
        "Invalid Secret: not valid base64, which the API server refuses: encode the value with base64 (base64 -w0), or give it as text under stringData",
      field: formatFieldPath(["data", key]),
    }));
  if (problems.length > 0) return { object: undefined, problems };
  return { object: normalizeSecret(parsed.data, options), problems: [] };
}

/** The kinds the SDK validates and normalises; any other kind is kept as it is. */
const READERS: Readonly<
  Record<string, (raw: Record<string, unknown>, options: NormalizeOptions) => Normalized>
> = {
  KeptnTaskDefinition: readDefinition,
  KeptnTask: readTask,
  ConfigMap: readConfigMap,
  Secret: readSecret,
};

/**
 * Reads an object: a Keptn object against its CRD's schema (Keptn's own words win where both
 * find a problem at one field), then a kind the SDK knows with its reader.
 */
export function readObject(
  raw: Record<string, unknown> & { kind: string; apiVersion: string },
  options: NormalizeOptions,
): Normalized {
  const keptn = keptnSchemaProblems(raw) ?? [];
  if (keptn.some((p) => p.field === "kind" || p.field === "apiVersion")) {
    return { object: undefined, problems: keptn };
  }
  const read = READERS[raw.kind];
  const result = read?.(raw, options) ?? { object: undefined, problems: [] };
  if (keptn.length === 0) return result;
  const seen = new Set(keptn.flatMap((p) => [p.field, p.at ?? p.field]));
  const rest = result.problems.filter((p) => !seen.has(p.field) && !seen.has(p.at ?? p.field));
  return { object: undefined, problems: [...keptn, ...rest] };
}
