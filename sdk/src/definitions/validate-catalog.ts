/**
 * Validates every definition and KeptnTask of a catalog: what `keptn-task validate` and CI
 * checks print.
 */
import { CodeResolutionError } from "../errors/errors.js";
import type { Catalog } from "./catalog.js";
import { checkDefinition } from "./check-definition.js";
import { createDiagnostic, type Diagnostic, uniqueDiagnostics } from "./diagnostics.js";
import { type ResolveTaskOptions, resolveTask } from "./resolve-task.js";

/** Options of `validateCatalog`: those of `resolveTask` that apply to every object. */
export type ValidateCatalogOptions = Pick<
  ResolveTaskOptions,
  "keptnNamespace" | "images" | "functionRefs" | "context"
>;

/**
 * Checks every definition (resolved as a task in its own namespace) and every KeptnTask of the
 * catalog, and returns all diagnostics, duplicates removed.
 *
 * @param catalog The objects to check.
 * @param options Keptn namespace, images, chain mode and context used for the resolutions.
 * @returns The diagnostics, in catalog order.
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
  for (const def of catalog.definitions()) {
    try {
      out.push(
        ...resolveTask(catalog, { ...options, definition: def.name, namespace: def.namespace })
          .diagnostics,
      );
    } catch (error) {
      if (!(error instanceof CodeResolutionError)) throw error;
      out.push(...checkDefinition(def));
    }
  }
  for (const task of catalog.tasks()) {
    try {
      out.push(...resolveTask(catalog, { ...options, task }).diagnostics);
    } catch (error) {
      if (!(error instanceof CodeResolutionError)) throw error;
      if (catalog.findDefinition(task.taskDefinition, task.namespace) === undefined) {
        const keptn = options.keptnNamespace ?? "keptn-system";
        if (catalog.findDefinition(task.taskDefinition, keptn) === undefined) {
          out.push(
            createDiagnostic(
              "DEFINITION_NOT_FOUND",
              `KeptnTask "${task.name}" names KeptnTaskDefinition "${task.taskDefinition}", which is in neither namespace "${task.namespace}" nor "${keptn}": Keptn creates no Job and the task stays pending; create the definition or fix spec.taskDefinition`,
              task,
            ),
          );
        }
      }
    }
  }
  return uniqueDiagnostics(out);
}
