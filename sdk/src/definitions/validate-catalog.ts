/**
 * Validates every definition and KeptnTask of a catalog, and the references of its workloads and
 * app contexts: what `keptn-task validate` and CI checks print.
 */
import { CodeResolutionError } from "../errors/errors.js";
import type { Catalog } from "./catalog.js";
import { checkDefinition, checkTaskTimeout } from "./check-definition.js";
import { checkManifestSet, checkResolvedDefinition } from "./checks/catalog-checks.js";
import { jobNamesByUse } from "./checks/job-name-uses.js";
import { createDiagnostic, type Diagnostic, uniqueDiagnostics } from "./diagnostics.js";
import { checkForImages } from "./image-checks.js";
import { notInLookupNamespaces } from "./lookup-namespaces.js";
import { checkMetadataKeys } from "./metadata-keys.js";
import type { KeptnTask } from "./model.js";
import { checkTaskJobName } from "./names.js";
import { locateDiagnostics } from "./positions.js";
import { checkReferences, definitionNames } from "./references.js";
import { DEFAULT_KEPTN_NAMESPACE, type ResolveTaskOptions, resolveTask } from "./resolve-task.js";
import { sdkOnStockImage } from "./sdk-imports.js";
import { closestName } from "./suggest.js";

/** Options of `validateCatalog`: those of `resolveTask` that apply to every object. */
export type ValidateCatalogOptions = Pick<
  ResolveTaskOptions,
  "keptnNamespace" | "images" | "functionRefs" | "context"
> & {
  /**
   * The cluster runs Keptn's stock runner images: code importing `@keptn-task/sdk` or
   * `keptn_task` is flagged (`SDK_ON_STOCK_IMAGE`). Default `false`.
   */
  readonly stockImages?: boolean;
};

/**
 * Checks every definition (resolved as a task in its own namespace) and every KeptnTask of the
 * catalog, and, for a catalog made from loaded manifests, the task and evaluation definitions
 * its workloads and KeptnAppContexts name (`checkReferences`). Returns all diagnostics,
 * duplicates removed, each at the line and column of its field when the manifests were read
 * from text (`locateDiagnostics`).
 *
 * @param catalog The objects to check.
 * @param options Keptn namespace, images, chain mode and context used for the resolutions.
 * @returns The diagnostics, in catalog order, then the references' in manifest order.
 * @example
 * ```ts
 * const diagnostics = validateCatalog(createCatalog(await loadManifests("k8s/")));
 * for (const d of diagnostics) console.error(formatDiagnostic(d));
 * ```
 */
export function validateCatalog(
  catalog: Catalog,
  options: ValidateCatalogOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [...catalog.diagnostics];
  const { stockImages, ...resolveOptions } = options;
  for (const def of catalog.definitions()) {
    try {
      const resolved = resolveTask(catalog, {
        ...resolveOptions,
        definition: def.name,
        namespace: def.namespace,
      });
      out.push(...checkForImages(def, stockImages === true, resolved.diagnostics));
      if (stockImages === true) out.push(...sdkOnStockImage(resolved, def));
      out.push(...checkResolvedDefinition(def, resolved, stockImages === true));
    } catch (error) {
      if (!(error instanceof CodeResolutionError)) throw error;
      out.push(...checkForImages(def, stockImages === true, checkDefinition(def)));
      out.push(...checkResolvedDefinition(def, undefined, stockImages === true));
    }
  }
  for (const task of catalog.tasks()) {
    out.push(...checkTaskJobName(task), ...checkTaskTimeout(task));
    try {
      out.push(...resolveTask(catalog, { ...resolveOptions, task }).diagnostics);
    } catch (error) {
      if (!(error instanceof CodeResolutionError)) throw error;
      out.push(...missingDefinition(catalog, task, options.keptnNamespace));
    }
  }
  const { source } = catalog;
  if (source === undefined) return uniqueDiagnostics(out);
  const { keptnNamespace } = options;
  out.push(...checkReferences(source, keptnNamespace === undefined ? {} : { keptnNamespace }));
  out.push(...checkMetadataKeys(source));
  const namespace = keptnNamespace ?? DEFAULT_KEPTN_NAMESPACE;
  out.push(...checkManifestSet(source, catalog, namespace));
  const byUse = jobNamesByUse(out, source, catalog, namespace);
  return locateDiagnostics(source, uniqueDiagnostics(byUse));
}

/**
 * `DEFINITION_NOT_FOUND` for a KeptnTask whose definition is in neither namespace. A definition
 * rejected by its schema is there (its own error says what is wrong with it).
 */
function missingDefinition(
  catalog: Catalog,
  task: KeptnTask,
  keptnNamespace = DEFAULT_KEPTN_NAMESPACE,
): Diagnostic[] {
  const name = task.taskDefinition;
  const namespaces = [task.namespace, keptnNamespace];
  const index =
    catalog.source === undefined
      ? undefined
      : definitionNames(catalog.source, "KeptnTaskDefinition");
  const visible = namespaces.flatMap((namespace) =>
    index === undefined
      ? catalog
          .definitions()
          .filter((d) => d.namespace === namespace)
          .map((d) => d.name)
      : [...(index.get(namespace) ?? [])],
  );
  if (visible.includes(name)) return [];
  const near = closestName(name, visible);
  const fix =
    near === undefined
      ? "create the definition or fix spec.taskDefinition"
      : `did you mean "${near}"?`;
  return [
    createDiagnostic(
      "DEFINITION_NOT_FOUND",
      `KeptnTask "${task.namespace}/${task.name}" names KeptnTaskDefinition "${name}", which is ${notInLookupNamespaces(task.namespace, keptnNamespace)}: Keptn creates no Job and the task stays pending; ${fix}`,
      task,
      { field: "spec.taskDefinition" },
    ),
  ];
}
