/**
 * `JOB_NAME_TOO_LONG` by what a definition is used for, when the manifests say it: Keptn names a
 * task's Job after the KeptnTask, `<checkType>-<definition>-NNNNN` (keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384, apis/lifecycle/v1/common/common.go
 * `GenerateTaskName`, keptntask/job_utils.go `GenerateJobName`). A definition named by workloads
 * or app contexts gets an error for the phases it is named for, whose Jobs are refused; a
 * definition only named as a functionRef parent never gets a Job of its own (its child's Job is
 * named after the child), so its own name's length does not matter.
 */
import type { Catalog } from "../catalog.js";
import { type Diagnostic, objectId } from "../diagnostics.js";
import type { ManifestSet } from "../load-manifests.js";
import { checkJobNames } from "../names.js";
import { referencesOf } from "../workload-keys.js";

const TYPE_OF_ROLE: Readonly<Record<string, string>> = {
  "pre-deployment task": "pre",
  "post-deployment task": "post",
  "promotion task": "promotion",
};

/** The task types each definition (by object id) is named for. */
function uses(set: ManifestSet, catalog: Catalog, keptnNamespace: string) {
  const out = new Map<string, Set<string>>();
  for (const manifest of set.objects) {
    for (const reference of referencesOf(manifest).references) {
      const type = TYPE_OF_ROLE[reference.role];
      if (type === undefined) continue;
      const def =
        catalog.findDefinition(reference.name, manifest.namespace) ??
        catalog.findDefinition(reference.name, keptnNamespace);
      if (def === undefined) continue;
      const id = objectId(def);
      out.set(id, (out.get(id) ?? new Set()).add(type));
    }
  }
  return out;
}

/** The definitions (by object id) a functionRef of another definition names. */
function parents(catalog: Catalog, keptnNamespace: string): Set<string> {
  const out = new Set<string>();
  for (const def of catalog.definitions()) {
    const name = def.runtime?.functionRef;
    if (name === undefined) continue;
    const parent =
      catalog.findDefinition(name, def.namespace) ?? catalog.findDefinition(name, keptnNamespace);
    if (parent !== undefined) out.add(objectId(parent));
  }
  return out;
}

/**
 * The diagnostics with each definition's `JOB_NAME_TOO_LONG` replaced by the one its uses call
 * for.
 *
 * @param diagnostics - validate's diagnostics so far.
 * @param set - The manifests.
 * @param catalog - The catalog made from them.
 * @param keptnNamespace - Where Keptn is installed.
 */
export function jobNamesByUse(
  diagnostics: readonly Diagnostic[],
  set: ManifestSet,
  catalog: Catalog,
  keptnNamespace: string,
): Diagnostic[] {
  const named = uses(set, catalog, keptnNamespace);
  const parentIds = parents(catalog, keptnNamespace);
  const out = diagnostics.filter(
    (d) =>
      d.code !== "JOB_NAME_TOO_LONG" ||
      !d.object?.startsWith("KeptnTaskDefinition/") ||
      (!named.has(d.object) && !parentIds.has(d.object)),
  );
  for (const def of catalog.definitions()) {
    const used = named.get(objectId(def));
    if (used !== undefined) out.push(...checkJobNames(def, used));
  }
  return out;
}
