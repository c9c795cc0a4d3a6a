/**
 * `spec.container` against Kubernetes' own `Container` schema, as the API server checks it when a
 * KeptnTaskDefinition is applied (Keptn's CRD embeds that schema): types, required fields, enums
 * and quantity formats through the `kubernetes-models` package (validators generated from
 * Kubernetes' OpenAPI schema); unknown fields (refused by kubectl's strict field validation)
 * through the field tree generated from the same package's types
 * (`container-fields.generated.ts`); and the lists the schema declares as maps, whose keys must
 * be unique (`env` names, `ports`, `volumeMounts`' paths).
 */
import { createRequire } from "node:module";
import { CONTAINER_FIELDS } from "./container-fields.generated.js";
import { isRecord } from "./is-record.js";
import { closestName } from "./suggest.js";

type ContainerModel = typeof import("kubernetes-models/v1/Container").Container;
let containerModel: ContainerModel | undefined;

/**
 * kubernetes-models' Container, loaded on first use: its validators take about 45 ms to load,
 * which only definitions with a container pay.
 */
function loadContainerModel(): ContainerModel {
  containerModel ??= (
    createRequire(import.meta.url)("kubernetes-models/v1/Container") as {
      Container: ContainerModel;
    }
  ).Container;
  return containerModel;
}

/** A field's type: `null` for a scalar, a type's name for an object, or a list or map of either. */
export type FieldNode = null | string | { readonly list: FieldNode } | { readonly map: FieldNode };

/** The fields of a type and of every type inside it. */
export interface FieldTree {
  readonly source: string;
  readonly root: string;
  readonly types: Readonly<Record<string, Readonly<Record<string, FieldNode>>>>;
}

/** A problem with a container, at a path from the container. */
export interface ContainerProblem {
  readonly message: string;
  readonly path: readonly (string | number)[];
  /** Whether the path names an unknown key (point at the key, not at its parent). */
  readonly unknownKey?: boolean;
  /**
   * An enum of Kubernetes' schema, which Keptn's CRD leaves out: the definition is applied, and
   * the API server refuses the Job built from it (`containerJobOnlyProblems`).
   */
  readonly jobOnly?: boolean;
}

/**
 * The lists of a Container that Kubernetes declares as maps (`x-kubernetes-list-type: map`), with
 * their keys and the default of a key the API server fills in before comparing.
 */
const LIST_MAP_KEYS: Readonly<Record<string, readonly (readonly [string, string?])[]>> = {
  env: [["name"]],
  ports: [["containerPort"], ["protocol", "TCP"]],
  volumeMounts: [["mountPath"]],
  volumeDevices: [["devicePath"]],
};

interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function received(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** One message per field: a format error says more than the `type` and `oneOf` noise beside it. */
function describeErrors(container: unknown, errors: readonly SchemaError[]): ContainerProblem[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const error of errors) {
    const path =
      error.keyword === "required"
        ? `${error.instancePath}/${String(error.params.missingProperty)}`
        : error.instancePath;
    byPath.set(path, [...(byPath.get(path) ?? []), error]);
  }
  return [...byPath].map(([path, found]) => {
    const best =
      found.find((e) => e.keyword === "format") ??
      found.find((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf") ??
      (found[0] as SchemaError);
    const at = pathOf(path);
    const message = describeError(best, valueAt(container, at));
    return best.keyword === "enum" ? { message, path: at, jobOnly: true } : { message, path: at };
  });
}

function describeError(error: SchemaError, value: unknown): string {
  switch (error.keyword) {
    case "required":
      return "is required by Kubernetes' Container schema";
    case "format":
      return error.params.format === "quantity"
        ? `must be a Kubernetes quantity such as "512Mi", "1Gi", "500m" or 2, received ${received(value)}`
        : `must match the format "${String(error.params.format)}", received ${received(value)}`;
    case "enum":
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, received ${received(value)}`;
    default:
      return `${error.message ?? "is invalid"}, received ${received(value)}`;
  }
}

function schemaProblems(container: unknown): ContainerProblem[] {
  try {
    const Container = loadContainerModel();
    new Container(container as ConstructorParameters<ContainerModel>[0]).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    return describeErrors(container, errors);
  }
}

function unknownFields(
  value: unknown,
  node: FieldNode,
  path: (string | number)[],
  out: ContainerProblem[],
): void {
  if (node === null) return;
  if (typeof node !== "string") {
    const inner = "list" in node ? node.list : node.map;
    const entries =
      "list" in node
        ? Array.isArray(value)
          ? value.entries()
          : []
        : isRecord(value)
          ? Object.entries(value)
          : [];
    for (const [key, item] of entries) unknownFields(item, inner, [...path, key], out);
    return;
  }
  if (!isRecord(value)) return;
  const fields = CONTAINER_FIELDS.types[node] ?? {};
  const known = Object.keys(fields);
  for (const [key, item] of Object.entries(value)) {
    const field = fields[key];
    if (field === undefined) {
      const near = closestName(key, known);
      out.push({
        message: `unknown field "${key}" of a Kubernetes ${node}: the API server refuses it (kubectl's strict field validation) or drops it; ${near === undefined ? "remove it" : `did you mean "${near}"?`}`,
        path: [...path, key],
        unknownKey: true,
      });
    } else {
      unknownFields(item, field, [...path, key], out);
    }
  }
}

function duplicateKeys(container: Record<string, unknown>): ContainerProblem[] {
  const out: ContainerProblem[] = [];
  for (const [list, keys] of Object.entries(LIST_MAP_KEYS)) {
    const items = container[list];
    if (!Array.isArray(items)) continue;
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      if (!isRecord(item)) return;
      const id = keys
        .map(([key, fallback]) => `${key}=${String(item[key] ?? fallback)}`)
        .join(", ");
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, index);
        return;
      }
      out.push({
        message: `duplicate entry (${id}) of ${list}, also at ${list}.${first}: Kubernetes keys this list by ${keys.map(([k]) => k).join(" and ")}, so the API server refuses the definition; keep one`,
        path: [list, index],
      });
    });
  }
  return out;
}

/**
 * Checks a container against Kubernetes' Container schema.
 *
 * @param container `spec.container` as written.
 * @returns The problems, each at its path from the container; empty when the API server would
 *   take it.
 * @example
 * ```ts
 * containerProblems({ name: "t", resources: { limits: { memory: "lots" } } });
 * // [{ path: ["resources", "limits", "memory"], message: 'must be a Kubernetes quantity ...' }]
 * ```
 */
export function containerProblems(container: unknown): ContainerProblem[] {
  const unknown: ContainerProblem[] = [];
  unknownFields(container, CONTAINER_FIELDS.root, [], unknown);
  return [
    ...schemaProblems(container).filter((problem) => problem.jobOnly !== true),
    ...unknown,
    ...(isRecord(container) ? duplicateKeys(container) : []),
  ];
}

/**
 * What Kubernetes' Container schema refuses that Keptn's CRD takes (its enums), so that only the
 * Job built from the definition is refused.
 *
 * @param container `spec.container` as written.
 * @returns The problems, each at its path from the container.
 */
export function containerJobOnlyProblems(container: unknown): ContainerProblem[] {
  return schemaProblems(container).filter((problem) => problem.jobOnly === true);
}
