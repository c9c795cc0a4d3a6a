/**
 * What a workload or KeptnAppContext runs from a definition shared in Keptn's namespace: the
 * operator finds the definition there (after the object's own namespace), but creates the Job in
 * the object's namespace, so what the Job reads by name (the secureParameters Secret) must be
 * there. See `secret-elsewhere.ts` for the sources in Keptn. The code's ConfigMap too: Keptn
 * creates `keptnfn-<name>` in the definition's namespace (controllers/common/taskdefinition/
 * handler.go, keptntaskdefinition/controller.go) and the Job mounts it by name, not optional
 * (keptntask/runtime_builder.go `CreateVolume`), so the pod never starts
 * (`CONFIGMAP_OTHER_NAMESPACE`).
 */
import { CodeResolutionError } from "../../errors/errors.js";
import type { Catalog } from "../catalog.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ManifestSet } from "../load-manifests.js";
import { resolveTask } from "../resolve-task.js";
import { referencesOf } from "../workload-keys.js";
import { webhookSkipsNamespace } from "./webhook-namespaces.js";

/**
 * `SECRET_OTHER_NAMESPACE` for every task definition a workload or app context names that is
 * found only in Keptn's namespace and reads a Secret found only there.
 *
 * @param set - The manifests.
 * @param catalog - The catalog made from them.
 * @param keptnNamespace - Where Keptn is installed.
 */
export function checkSharedDefinitions(
  set: ManifestSet,
  catalog: Catalog,
  keptnNamespace: string,
): Diagnostic[] {
  // Most inputs share nothing from Keptn's namespace: no workload needs reading then.
  if (!catalog.definitions().some((d) => d.namespace === keptnNamespace)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const manifest of set.objects) {
    const { namespace } = manifest;
    if (webhookSkipsNamespace(set, namespace, keptnNamespace)) continue;
    for (const reference of referencesOf(manifest).references) {
      const key = `${namespace}/${reference.name}`;
      if (reference.target !== "task" || seen.has(key)) continue;
      seen.add(key);
      if (catalog.findDefinition(reference.name, namespace) !== undefined) continue;
      if (catalog.findDefinition(reference.name, keptnNamespace) === undefined) continue;
      out.push(...sharedSecret(catalog, reference.name, namespace, keptnNamespace));
    }
  }
  return out;
}

const SHARED_CODES = new Set(["SECRET_OTHER_NAMESPACE", "CONFIGMAP_OTHER_NAMESPACE"]);

function sharedSecret(
  catalog: Catalog,
  definition: string,
  namespace: string,
  keptnNamespace: string,
): Diagnostic[] {
  try {
    const resolved = resolveTask(catalog, { definition, namespace, keptnNamespace });
    // The Job runs in the workload's namespace: what it mounts or reads by name must be there.
    return resolved.diagnostics.filter((d) => SHARED_CODES.has(d.code));
  } catch (error) {
    if (error instanceof CodeResolutionError) return [];
    throw error;
  }
}
