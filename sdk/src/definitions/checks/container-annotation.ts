/**
 * `CONTAINER_ANNOTATION_UNMATCHED`: `keptn.sh/container` names the container whose image tag
 * gives a workload its version, when neither `keptn.sh/version` nor `app.kubernetes.io/version`
 * does. Read from lifecycle-operator/webhooks/pod_mutator/handlers/objectmeta.go
 * (`calculateVersion`) and pod_annotation.go (keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384): a name that matches no container of the pod is an
 * error of the version. On the pod's own metadata the webhook logs it and goes on with no
 * version; on the Deployment's (or StatefulSet's, DaemonSet's, Rollout's) own metadata, which the
 * webhook copies onto a pod that names no workload, the copy is abandoned, so the pod is treated
 * as not Keptn's and its tasks never run.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import { formatFieldPath } from "../positions.js";

const KEY = "keptn.sh/container";
const KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Rollout", "ReplicaSet"]);

type Metadata = Record<string, unknown>;

function at(raw: unknown, path: readonly string[]): Metadata | undefined {
  let value = raw;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return isRecord(value) ? value : undefined;
}

/** The value and place of a key, annotation first then label, as `GetLabelOrAnnotation` reads it. */
function read(metadata: Metadata | undefined, keys: readonly string[]) {
  for (const key of keys) {
    for (const where of ["annotations", "labels"] as const) {
      const block = metadata?.[where];
      const value = isRecord(block) ? block[key] : undefined;
      if (typeof value === "string" && value !== "") return { value, where, key };
    }
  }
  return undefined;
}

const names = (metadata: Metadata | undefined) =>
  read(metadata, ["keptn.sh/workload", "app.kubernetes.io/name"]) !== undefined;
const versions = (metadata: Metadata | undefined) =>
  read(metadata, ["keptn.sh/version", "app.kubernetes.io/version"]) !== undefined;

function containerNames(manifest: LoadedManifest): string[] {
  const list = at(manifest.raw, ["spec", "template", "spec"])?.containers;
  return Array.isArray(list)
    ? list.flatMap((c) => (isRecord(c) && typeof c.name === "string" ? [c.name] : []))
    : [];
}

/**
 * The warnings for one object: its pod template's `keptn.sh/container` when the pod names its
 * workload, else its own when it does.
 */
function unmatched(manifest: LoadedManifest): Diagnostic[] {
  const podPath = ["spec", "template", "metadata"];
  const pod = at(manifest.raw, podPath);
  const own = manifest.kind === "ReplicaSet" ? undefined : at(manifest.raw, ["metadata"]);
  const [meta, path] = names(pod) ? [pod, podPath] : names(own) ? [own, ["metadata"]] : [];
  if (meta === undefined || path === undefined || versions(meta)) return [];
  const found = read(meta, [KEY]);
  const containers = containerNames(manifest);
  if (found === undefined || containers.includes(found.value)) return [];
  const effect =
    meta === pod
      ? "so Keptn cannot take the workload's version from an image tag and leaves it empty"
      : `so Keptn's pod webhook abandons copying the ${manifest.kind}'s keys onto its pods and the workload's tasks never run`;
  const list = containers.map((c) => JSON.stringify(c)).join(", ");
  return [
    createDiagnostic(
      "CONTAINER_ANNOTATION_UNMATCHED",
      `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}" has ${found.where === "annotations" ? "annotation" : "label"} ${KEY}: ${JSON.stringify(found.value)}, which names no container of the pod (${list}) and no version is set, ${effect}; name one of its containers, or set keptn.sh/version`,
      {
        kind: manifest.kind,
        name: manifest.name ?? "",
        namespace: manifest.namespace,
        location: manifest.location,
      },
      { field: formatFieldPath([...path, found.where, KEY]) },
    ),
  ];
}

/**
 * `CONTAINER_ANNOTATION_UNMATCHED` for each workload whose `keptn.sh/container` names no
 * container of its pods where Keptn needs it (no version is given).
 *
 * @param set - The manifests.
 */
export function checkContainerAnnotations(set: ManifestSet): Diagnostic[] {
  return set.objects.filter((m) => KINDS.has(m.kind)).flatMap(unmatched);
}
