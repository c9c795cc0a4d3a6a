/**
 * A catalog: the objects resolution may look at (definitions, tasks, ConfigMaps, Secrets),
 * indexed by kind, namespace and name, as the operator finds them in the cluster.
 */
import { createDiagnostic, type Diagnostic, objectId } from "./diagnostics.js";
import type { LoadedManifest, ManifestSet } from "./load-manifests.js";
import type { ConfigMap, KeptnTask, KnownObject, Secret, TaskDefinition } from "./model.js";

/** Objects indexed for lookups. */
export interface Catalog {
  /** Every known object, in the order given (a later duplicate replaces an earlier one). */
  readonly objects: readonly KnownObject[];
  /** Problems found while indexing (duplicates). */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The manifests it was made from, when made from a `ManifestSet`: every object, of any kind
   * (workloads, app contexts), with the positions of its fields.
   */
  readonly source: ManifestSet | undefined;
  /** The definition `name` in `namespace`, if present. */
  findDefinition(name: string, namespace: string): TaskDefinition | undefined;
  /** The KeptnTask `name` in `namespace`, if present. */
  findTask(name: string, namespace: string): KeptnTask | undefined;
  /** The ConfigMap `name` in `namespace`, if present. */
  findConfigMap(name: string, namespace: string): ConfigMap | undefined;
  /** The Secret `name` in `namespace`, if present. */
  findSecret(name: string, namespace: string): Secret | undefined;
  /** All definitions. */
  definitions(): readonly TaskDefinition[];
  /** All KeptnTasks. */
  tasks(): readonly KeptnTask[];
}

type CatalogInput = ManifestSet | Iterable<KnownObject | LoadedManifest>;

function isManifestSet(input: CatalogInput): input is ManifestSet {
  return typeof input === "object" && input !== null && "objects" in input && "errors" in input;
}

/**
 * Indexes objects for resolution. Accepts what `loadManifests`/`parseManifests` return, or
 * normalised objects; other kinds are skipped.
 *
 * @param input A manifest set, or loaded manifests, or normalised objects.
 * @returns A frozen catalog.
 * @example
 * ```ts
 * const catalog = createCatalog(await loadManifests("k8s/"));
 * catalog.findDefinition("notify", "shop");
 * ```
 */
export function createCatalog(input: CatalogInput): Catalog {
  const items = isManifestSet(input) ? input.objects : input;
  const index = new Map<string, KnownObject>();
  const diagnostics: Diagnostic[] = [];
  for (const item of items) {
    const object = "raw" in item ? item.object : item;
    if (object === undefined) continue;
    const key = objectId(object);
    const previous = index.get(key);
    if (previous !== undefined) {
      const where = (o: KnownObject) =>
        o.location?.file === undefined
          ? ""
          : ` (${o.location.file}:${o.location.line ?? o.location.document ?? "?"})`;
      diagnostics.push(
        createDiagnostic(
          "DUPLICATE_OBJECT",
          `${key} appears twice${where(previous)}${where(object)}: kubectl apply keeps the last one, so the first is lost; remove one of them`,
          object,
        ),
      );
      index.delete(key);
    }
    index.set(key, object);
  }
  const objects = Object.freeze([...index.values()]);
  const find = <T extends KnownObject>(kind: T["kind"], name: string, namespace: string) =>
    index.get(`${kind}/${namespace}/${name}`) as T | undefined;
  return Object.freeze({
    objects,
    diagnostics: Object.freeze(diagnostics),
    source: isManifestSet(input) ? input : undefined,
    findDefinition: (name: string, namespace: string) =>
      find<TaskDefinition>("KeptnTaskDefinition", name, namespace),
    findTask: (name: string, namespace: string) => find<KeptnTask>("KeptnTask", name, namespace),
    findConfigMap: (name: string, namespace: string) =>
      find<ConfigMap>("ConfigMap", name, namespace),
    findSecret: (name: string, namespace: string) => find<Secret>("Secret", name, namespace),
    definitions: () => objects.filter((o): o is TaskDefinition => o.kind === "KeptnTaskDefinition"),
    tasks: () => objects.filter((o): o is KeptnTask => o.kind === "KeptnTask"),
  });
}
