/**
 * `METADATA_LABEL_INVALID`: Keptn reads its task, evaluation and metadata lists from an
 * annotation, or from a label of the same key when the annotation is unset
 * (lifecycle-operator/webhooks/pod_mutator/handlers/objectmeta.go `getValuesForAnnotations`
 * splits the value at every ","; keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384). A label value holds at most 63 letters, digits, "-",
 * "_" and ".", so a list ("a,b") or metadata ("k=v") is refused by the API server with the whole
 * object: only the annotation can hold more than one name.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import { formatFieldPath } from "../positions.js";

const LIST_KEYS = [
  "keptn.sh/pre-deployment-tasks",
  "keptn.sh/post-deployment-tasks",
  "keptn.sh/pre-deployment-evaluations",
  "keptn.sh/post-deployment-evaluations",
  "keptn.sh/metadata",
];

const METADATA_PATHS: readonly (readonly string[])[] = [
  ["metadata"],
  ["spec", "template", "metadata"],
  ["spec", "jobTemplate", "metadata"],
  ["spec", "jobTemplate", "spec", "template", "metadata"],
];

/** Kubernetes' label value rule (`IsValidLabelValue`). */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function labelsAt(raw: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let value = raw;
  for (const key of [...path, "labels"]) value = isRecord(value) ? value[key] : undefined;
  return isRecord(value) ? value : undefined;
}

function invalidLabels(manifest: LoadedManifest, path: readonly string[]): Diagnostic[] {
  const labels = labelsAt(manifest.raw, path);
  if (labels === undefined) return [];
  return LIST_KEYS.flatMap((key) => {
    const value = labels[key];
    if (typeof value !== "string" || LABEL_VALUE.test(value)) return [];
    return [
      createDiagnostic(
        "METADATA_LABEL_INVALID",
        `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}" has label ${key}: ${JSON.stringify(value)}, but a label value holds at most 63 letters, digits, "-", "_" and "." (no "," or "="), so the API server refuses the ${manifest.kind}; move it to the annotation ${key}, which Keptn reads first`,
        {
          kind: manifest.kind,
          name: manifest.name ?? "",
          namespace: manifest.namespace,
          location: manifest.location,
        },
        { field: formatFieldPath([...path, "labels", key]) },
      ),
    ];
  });
}

/**
 * `METADATA_LABEL_INVALID` for each Keptn list key set as a label to a value no label can hold.
 *
 * @param set - The manifests.
 */
export function checkListLabels(set: ManifestSet): Diagnostic[] {
  return set.objects.flatMap((m) => METADATA_PATHS.flatMap((path) => invalidLabels(m, path)));
}
