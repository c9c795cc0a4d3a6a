/**
 * The checks `validateCatalog` runs besides resolution: on each definition resolved in its own
 * namespace, and on the manifests as a whole (metrics, evaluations, workloads, app contexts,
 * kustomizations). Each check lives in its own file of this folder, with the Keptn source it
 * restates.
 */
import type { Catalog } from "../catalog.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ManifestSet } from "../load-manifests.js";
import type { TaskDefinition } from "../model.js";
import type { ResolvedTask } from "../resolve-task.js";
import { checkAppContexts } from "./app-contexts.js";
import { checkCodeShape } from "./code-shape.js";
import { checkContainerAnnotations } from "./container-annotation.js";
import { checkDenoPermissions } from "./deno-permissions.js";
import { checkEvaluationObjectives } from "./evaluation-objectives.js";
import { checkEvaluationTargets } from "./evaluation-targets.js";
import { checkJobLifetime } from "./job-lifetime.js";
import { checkKustomizeRenames } from "./kustomize-renames.js";
import { checkListLabels } from "./list-labels.js";
import { checkPythonCodeOptions } from "./python-options.js";
import { checkSharedDefinitions } from "./shared-definitions.js";
import { checkDefinitionSizes, checkManifestSizes } from "./size-limits.js";
import { checkWorkloadNames } from "./workload-names.js";

/**
 * The checks of one definition, resolved in its own namespace.
 *
 * @param def - The definition.
 * @param resolved - Its resolution, when it resolved.
 * @param stockImages - Whether the cluster runs Keptn's stock images.
 */
export function checkResolvedDefinition(
  def: TaskDefinition,
  resolved: ResolvedTask | undefined,
  stockImages: boolean,
): Diagnostic[] {
  return [
    ...checkPythonCodeOptions(def),
    ...checkJobLifetime(def),
    ...(resolved === undefined
      ? []
      : [
          ...checkDenoPermissions(resolved, def, stockImages),
          ...checkDefinitionSizes(def, resolved),
          ...checkCodeShape(def, resolved, stockImages),
        ]),
  ];
}

/**
 * The checks of the manifests as a whole.
 *
 * @param set - The manifests.
 * @param catalog - The catalog made from them.
 * @param keptnNamespace - Where Keptn is installed.
 */
export function checkManifestSet(
  set: ManifestSet,
  catalog: Catalog,
  keptnNamespace: string,
): Diagnostic[] {
  return [
    ...checkEvaluationTargets(set),
    ...checkSharedDefinitions(set, catalog, keptnNamespace),
    ...checkContainerAnnotations(set),
    ...checkListLabels(set),
    ...checkAppContexts(set),
    ...checkKustomizeRenames(set),
    ...checkWorkloadNames(set),
    ...checkEvaluationObjectives(set),
    ...checkManifestSizes(set),
  ];
}
