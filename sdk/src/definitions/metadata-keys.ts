/**
 * Annotation and label keys one typo away from a key Keptn reads (`keptn.sh/pre-deployment-task`
 * for `keptn.sh/pre-deployment-tasks`, `app.kubernetes.io/part-off`): Keptn ignores them, so the
 * task never runs and nothing says why.
 */
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import { isRecord } from "./is-record.js";
import type { LoadedManifest, ManifestSet } from "./load-manifests.js";
import { formatFieldPath } from "./positions.js";
import { closestName } from "./suggest.js";

/**
 * The keys Keptn's operator reads or writes, as lifecycle-operator/apis/lifecycle/v1/common/common.go
 * names them (keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384).
 */
const KEPTN_KEYS: readonly string[] = [
  "keptn.sh/workload",
  "keptn.sh/version",
  "keptn.sh/app",
  "keptn.sh/pre-deployment-tasks",
  "keptn.sh/post-deployment-tasks",
  "keptn.sh/pre-deployment-evaluations",
  "keptn.sh/post-deployment-evaluations",
  "keptn.sh/scheduling-gate-removed",
  "keptn.sh/task-name",
  "keptn.sh/lifecycle-toolkit",
  "keptn.sh/app-type",
  "keptn.sh/container",
  "keptn.sh/metadata",
  "app.kubernetes.io/name",
  "app.kubernetes.io/version",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/managed-by",
];

/** Where metadata sits in an object: its own, and its pod or job templates'. */
const METADATA_PATHS: readonly (readonly string[])[] = [
  ["metadata"],
  ["spec", "template", "metadata"],
  ["spec", "jobTemplate", "metadata"],
  ["spec", "jobTemplate", "spec", "template", "metadata"],
  ["template", "metadata"],
];

function at(raw: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let value = raw;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return isRecord(value) ? value : undefined;
}

/**
 * `METADATA_KEY_NEAR_MISS` for every annotation or label key of every object (its own metadata
 * and its templates') that is not a key Keptn reads but a typo away from one.
 *
 * @param set - The manifests.
 * @returns One warning per such key, at the key.
 */
export function checkMetadataKeys(set: ManifestSet): Diagnostic[] {
  return set.objects.flatMap((manifest) =>
    METADATA_PATHS.flatMap((path) =>
      (["annotations", "labels"] as const).flatMap((where) => nearMisses(manifest, path, where)),
    ),
  );
}

function nearMisses(
  manifest: LoadedManifest,
  path: readonly string[],
  where: "annotations" | "labels",
): Diagnostic[] {
  const block = at(manifest.raw, [...path, where]);
  if (block === undefined) return [];
  return Object.keys(block).flatMap((key) => {
    if (KEPTN_KEYS.includes(key)) return [];
    const near = closestName(key, KEPTN_KEYS);
    if (near === undefined) return [];
    const what = where === "annotations" ? "annotation" : "label";
    return [
      createDiagnostic(
        "METADATA_KEY_NEAR_MISS",
        `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}" has the ${what} "${key}", which Keptn does not read, so it is ignored and nothing says why: did you mean "${near}"?`,
        {
          kind: manifest.kind,
          name: manifest.name ?? "",
          namespace: manifest.namespace,
          location: manifest.location,
        },
        { field: formatFieldPath([...path, where, key]) },
      ),
    ];
  });
}
