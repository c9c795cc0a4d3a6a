/**
 * The metadata Keptn's pod webhook ends up reading for a workload's pods, as
 * lifecycle-operator/webhooks/pod_mutator/handlers/pod_annotation.go (`isPodAnnotated`,
 * `copyResourceLabelsIfPresent`) and objectmeta.go (`GetLabelOrAnnotation`, `calculateVersion`,
 * `getImageVersion`) build it (keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384): the pod template's when it names the workload, else
 * its parent's (a Deployment's, StatefulSet's, DaemonSet's or Argo Rollout's own metadata).
 */
import { isRecord } from "../is-record.js";
import type { LoadedManifest } from "../load-manifests.js";
import { formatFieldPath } from "../positions.js";

type Metadata = Record<string, unknown>;

/** One value Keptn reads, with the field it is read from. */
export interface PodValue {
  readonly value: string;
  /** The field, `spec.template.metadata.annotations["keptn.sh/version"]`. */
  readonly field: string;
  /** How a message names it: `annotation keptn.sh/version`, `image of container "cart"`. */
  readonly source: string;
}

/** What the webhook reads for one workload's pods. */
export interface PodKeys {
  readonly manifest: LoadedManifest;
  /** The pod template's own metadata (where `keptn.sh/scheduling-gate-removed` is read). */
  readonly pod: Metadata;
  readonly podPath: readonly string[];
  readonly workload: PodValue;
  readonly app: PodValue | undefined;
  /** `undefined` when Keptn computes a hash of the containers (digits only), or finds none. */
  readonly version: PodValue | undefined;
}

const POD_TEMPLATE = ["spec", "template", "metadata"];
const PARENTS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function at(raw: unknown, path: readonly string[]): Metadata | undefined {
  let value = raw;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return isRecord(value) ? value : undefined;
}

/** `GetLabelOrAnnotation`: each key's annotation, then its label, non-empty. */
export function readKey(
  metadata: Metadata | undefined,
  path: readonly string[],
  keys: readonly string[],
): PodValue | undefined {
  for (const key of keys) {
    for (const where of ["annotations", "labels"] as const) {
      const block = metadata?.[where];
      const value = isRecord(block) ? block[key] : undefined;
      if (typeof value === "string" && value !== "") {
        const source = `${where === "annotations" ? "annotation" : "label"} ${key}`;
        return { value, field: formatFieldPath([...path, where, key]), source };
      }
    }
  }
  return undefined;
}

const WORKLOAD = ["keptn.sh/workload", "app.kubernetes.io/name"];
const APP = ["keptn.sh/app", "app.kubernetes.io/part-of"];
const VERSION = ["keptn.sh/version", "app.kubernetes.io/version"];
const CONTAINER = ["keptn.sh/container"];

/**
 * `calculateVersion`: the tag of the image of the container `keptn.sh/container` names (split
 * at its last ":", not "latest"); `undefined` for the hash of the containers Keptn uses
 * otherwise, or when the name matches no container (CONTAINER_ANNOTATION_UNMATCHED's case).
 */
function imageVersion(manifest: LoadedManifest, container: PodValue | undefined) {
  if (container === undefined) return undefined;
  const list = at(manifest.raw, ["spec", "template", "spec"])?.containers;
  if (!Array.isArray(list)) return undefined;
  for (const [index, item] of list.entries()) {
    if (!isRecord(item) || item.name !== container.value || typeof item.image !== "string") {
      continue;
    }
    const parts = item.image.split(":");
    const tag = parts.length > 1 ? (parts[parts.length - 1] ?? "") : "";
    if (tag === "" || tag === "latest") continue;
    return {
      value: tag,
      field: formatFieldPath(["spec", "template", "spec", "containers", index, "image"]),
      source: `the tag of image ${JSON.stringify(item.image)} (${container.source})`,
    };
  }
  return undefined;
}

/** What the webhook reads for an object's pods, or `undefined` when it leaves them alone. */
export function podKeys(manifest: LoadedManifest): PodKeys | undefined {
  const { kind } = manifest;
  const rollout = kind === "Rollout" && manifest.apiVersion.startsWith("argoproj.io/");
  if (!PARENTS.has(kind) && !rollout && kind !== "ReplicaSet") return undefined;
  const pod = at(manifest.raw, POD_TEMPLATE) ?? {};
  const workload = readKey(pod, POD_TEMPLATE, WORKLOAD);
  if (workload !== undefined) {
    const version =
      readKey(pod, POD_TEMPLATE, VERSION) ??
      imageVersion(manifest, readKey(pod, POD_TEMPLATE, CONTAINER));
    const app = readKey(pod, POD_TEMPLATE, APP);
    return { manifest, pod, podPath: POD_TEMPLATE, workload, app, version };
  }
  if (kind === "ReplicaSet") return undefined;
  const own = at(manifest.raw, ["metadata"]);
  const parentWorkload = readKey(own, ["metadata"], WORKLOAD);
  if (parentWorkload === undefined) return undefined;
  const version =
    readKey(own, ["metadata"], VERSION) ??
    imageVersion(manifest, readKey(own, ["metadata"], CONTAINER));
  const app = readKey(own, ["metadata"], APP) ?? readKey(pod, POD_TEMPLATE, APP);
  return { manifest, pod, podPath: POD_TEMPLATE, workload: parentWorkload, app, version };
}
