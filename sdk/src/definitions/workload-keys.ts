import { isRecord } from "./is-record.js";
import type { LoadedManifest } from "./load-manifests.js";
import { formatFieldPath } from "./positions.js";
import type { Target } from "./references.js";
import { KEPTN_GROUP } from "./schemas.js";

/** One field that names definitions, and what they are for. */
export interface ReferenceField {
  readonly target: Target;
  /** `pre-deployment task`, `promotion task`, ... */
  readonly role: string;
}

/**
 * The annotations (or labels) the operator's pod webhook reads, with the same names; a label
 * counts only when the annotation is unset or empty, as `GetLabelOrAnnotation` does.
 */
export const WORKLOAD_KEYS: Readonly<Record<string, ReferenceField>> = {
  "keptn.sh/pre-deployment-tasks": { target: "task", role: "pre-deployment task" },
  "keptn.sh/post-deployment-tasks": { target: "task", role: "post-deployment task" },
  "keptn.sh/pre-deployment-evaluations": {
    target: "evaluation",
    role: "pre-deployment evaluation",
  },
  "keptn.sh/post-deployment-evaluations": {
    target: "evaluation",
    role: "post-deployment evaluation",
  },
};

/** The lists of a `KeptnAppContext`'s spec; promotion tasks exist only for apps. */
const APP_CONTEXT_FIELDS: Readonly<Record<string, ReferenceField>> = {
  preDeploymentTasks: { target: "task", role: "pre-deployment task" },
  postDeploymentTasks: { target: "task", role: "post-deployment task" },
  promotionTasks: { target: "task", role: "promotion task" },
  preDeploymentEvaluations: { target: "evaluation", role: "pre-deployment evaluation" },
  postDeploymentEvaluations: { target: "evaluation", role: "post-deployment evaluation" },
};

/** Field paths of metadata blocks. */
type MetadataPath = readonly string[];

export const OWN: MetadataPath = ["metadata"];
const POD_TEMPLATE: MetadataPath = ["spec", "template", "metadata"];

/**
 * The owners whose pods Keptn's pod webhook handles (`IsOwnerSupported`): a Deployment's pods
 * are owned by its ReplicaSet, an Argo Rollout's too.
 */
const POD_OWNERS = new Set(["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Rollout"]);

/** The kinds whose pods the webhook handles and whose own metadata it reads as the pods' parent. */
const PARENT_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Rollout"]);

/**
 * Kinds that hold pod metadata the webhook never reads: their pods have no owner it handles.
 * Each with every metadata block that may carry the annotations, and why they are not read.
 */
const UNHANDLED_KINDS: Readonly<Record<string, { blocks: MetadataPath[]; why: string }>> = {
  Job: {
    blocks: [OWN, POD_TEMPLATE],
    why: "its pod webhook handles only pods owned by a Deployment (through its ReplicaSet), StatefulSet, DaemonSet or Argo Rollout, not a Job's; put them on the workload the Job belongs to, or run the work as a KeptnTask",
  },
  CronJob: {
    blocks: [
      OWN,
      ["spec", "jobTemplate", "metadata"],
      ["spec", "jobTemplate", "spec", "template", "metadata"],
    ],
    why: "its pod webhook handles only pods owned by a Deployment (through its ReplicaSet), StatefulSet, DaemonSet or Argo Rollout, not a CronJob's Jobs'; put them on the workload the CronJob belongs to, or run the work as a KeptnTask",
  },
  // apis/lifecycle/v1/common/common.go IsOwnerSupported: a ReplicationController is not an owner
  // the webhook handles (keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384).
  ReplicationController: {
    blocks: [OWN, POD_TEMPLATE],
    why: "its pod webhook handles only pods owned by a Deployment (through its ReplicaSet), StatefulSet, DaemonSet or Argo Rollout, not a ReplicationController's; run it as a Deployment",
  },
  PodTemplate: {
    blocks: [OWN, ["template", "metadata"]],
    why: "a PodTemplate is not a workload, and its pod webhook reads only pods and their Deployment, StatefulSet, DaemonSet or Argo Rollout; put them on the workload's pod template",
  },
  Pod: {
    blocks: [OWN],
    why: "its pod webhook handles only pods owned by a Deployment (through its ReplicaSet), StatefulSet, DaemonSet or Argo Rollout, and this Pod has no such owner; run it from a Deployment, StatefulSet or DaemonSet",
  },
};

/** One key of `WORKLOAD_KEYS` set in one metadata block, as `GetLabelOrAnnotation` finds it. */
export interface KeyValue {
  readonly key: string;
  readonly path: MetadataPath;
  readonly where: "annotations" | "labels";
  readonly value: string;
}

/** Where Keptn reads a workload's names from, and the values it never reads, with why. */
export interface WorkloadKeys {
  readonly read: readonly KeyValue[];
  readonly ignored: readonly { readonly value: KeyValue; readonly why: string }[];
}

/** One name found in a field, with what is needed to report it. */
export interface Reference extends ReferenceField {
  readonly manifest: LoadedManifest;
  readonly name: string;
  /** Field path of the value (`spec.promotionTasks.0`, `metadata.annotations["keptn.sh/..."]`). */
  readonly field: string;
  /** How the field is named in a message (`annotation keptn.sh/pre-deployment-tasks`). */
  readonly source: string;
  /** The whole value the name was split from, for a workload's comma-separated list. */
  readonly list?: string;
}

/**
 * The references of one object that Keptn reads (a workload's annotations or labels, an app
 * context's lists), and the workload keys it never reads.
 */
export function referencesOf(manifest: LoadedManifest): {
  references: Reference[];
  ignored: WorkloadKeys["ignored"];
} {
  if (manifest.kind === "KeptnAppContext" && groupOf(manifest.apiVersion) === KEPTN_GROUP) {
    return { references: appContextReferences(manifest), ignored: [] };
  }
  const { read, ignored } = workloadKeys(manifest);
  return { references: read.flatMap((value) => workloadReferences(manifest, value)), ignored };
}

/**
 * Which of an object's workload keys Keptn reads, as its pod webhook decides: only pods owned by
 * a ReplicaSet, StatefulSet, DaemonSet or Argo Rollout; the pod's own metadata when it names the
 * workload (`keptn.sh/workload` or `app.kubernetes.io/name`); else, when the parent (the
 * ReplicaSet's Deployment or Rollout, the StatefulSet, the DaemonSet) names it, each key's value
 * from the parent, or the pod's own where the parent sets none; else nothing.
 */
function workloadKeys(manifest: LoadedManifest): WorkloadKeys {
  const { kind } = manifest;
  const unhandled = UNHANDLED_KINDS[kind];
  if (kind === "Pod" && hasSupportedOwner(manifest)) {
    return { read: keyValues(manifest, OWN), ignored: [] };
  }
  if (unhandled !== undefined) {
    const values = unhandled.blocks.flatMap((path) => keyValues(manifest, path));
    return { read: [], ignored: values.map((value) => ({ value, why: unhandled.why })) };
  }
  if (kind === "Rollout" && groupOf(manifest.apiVersion) !== "argoproj.io") {
    return { read: [], ignored: [] };
  }
  if (kind === "ReplicaSet") return replicaSetKeys(manifest);
  if (PARENT_KINDS.has(kind)) return parentKeys(manifest);
  return { read: [], ignored: [] };
}

/** A standalone ReplicaSet: its pods are read when they name the workload; its metadata never. */
function replicaSetKeys(manifest: LoadedManifest): WorkloadKeys {
  const own = keyValues(manifest, OWN).map((value) => ({
    value,
    why: "the pod webhook reads a ReplicaSet's pods, or the Deployment or Rollout that owns it, never the ReplicaSet's own metadata; move it to spec.template.metadata.annotations, with keptn.sh/workload",
  }));
  const pod = keyValues(manifest, POD_TEMPLATE);
  if (workloadNameKey(metadataAt(manifest, POD_TEMPLATE)) !== undefined) {
    return { read: pod, ignored: own };
  }
  const why = `the ReplicaSet's pod template names no workload (${WORKLOAD_NAME_KEYS}), so the pod webhook leaves its pods alone; add keptn.sh/workload to spec.template.metadata.annotations`;
  return { read: [], ignored: [...own, ...pod.map((value) => ({ value, why }))] };
}

/** A Deployment, StatefulSet, DaemonSet or Argo Rollout: its pods, then its own metadata. */
function parentKeys(manifest: LoadedManifest): WorkloadKeys {
  const { kind } = manifest;
  const own = keyValues(manifest, OWN);
  const pod = keyValues(manifest, POD_TEMPLATE);
  const podName = workloadNameKey(metadataAt(manifest, POD_TEMPLATE));
  if (podName !== undefined) {
    const why = `its pod template names the workload (${podName}), so the pod webhook reads the pod's annotations and labels and never the ${kind}'s own; move it to spec.template.metadata.annotations`;
    return { read: pod, ignored: own.map((value) => ({ value, why })) };
  }
  if (workloadNameKey(metadataAt(manifest, OWN)) === undefined) {
    const why = `neither the ${kind} nor its pod template names the workload (${WORKLOAD_NAME_KEYS}), so the pod webhook leaves its pods alone; add keptn.sh/workload to spec.template.metadata.annotations`;
    return { read: [], ignored: [...own, ...pod].map((value) => ({ value, why })) };
  }
  // The webhook copies each of the parent's non-empty values onto the pod as an annotation.
  const overridden = (value: KeyValue) => own.some((o) => o.key === value.key);
  return {
    read: [...own, ...pod.filter((value) => !overridden(value))],
    ignored: pod.filter(overridden).map((value) => ({
      value,
      why: `the ${kind}'s own metadata sets ${value.key} too, and the pod webhook copies that value onto the pod in place of this one; keep one of them`,
    })),
  };
}

/** How a message names the keys that name a workload. */
const WORKLOAD_NAME_KEYS = "keptn.sh/workload or app.kubernetes.io/name";

/** The key that names the workload in a metadata block, as `GetLabelOrAnnotation` finds it. */
function workloadNameKey(metadata: Record<string, unknown> | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  for (const key of ["keptn.sh/workload", "app.kubernetes.io/name"]) {
    for (const where of ["annotations", "labels"] as const) {
      const block = metadata[where];
      const value = isRecord(block) ? block[key] : undefined;
      if (typeof value === "string" && value !== "") {
        return `${where === "annotations" ? "annotation" : "label"} ${key}`;
      }
    }
  }
  return undefined;
}

/** Whether a Pod names an owner whose pods the webhook handles (`ownerReferences`). */
function hasSupportedOwner(manifest: LoadedManifest): boolean {
  const owners = metadataAt(manifest, OWN)?.ownerReferences;
  return (
    Array.isArray(owners) &&
    owners.some((owner) => isRecord(owner) && POD_OWNERS.has(String(owner.kind)))
  );
}

export function metadataAt(
  manifest: LoadedManifest,
  path: MetadataPath,
): Record<string, unknown> | undefined {
  let metadata: unknown = manifest.raw;
  for (const key of path) metadata = isRecord(metadata) ? metadata[key] : undefined;
  return isRecord(metadata) ? metadata : undefined;
}

function appContextReferences(manifest: LoadedManifest): Reference[] {
  const spec = isRecord(manifest.raw.spec) ? manifest.raw.spec : {};
  return Object.entries(APP_CONTEXT_FIELDS).flatMap(([key, field]) => {
    const list = spec[key];
    if (!Array.isArray(list)) return [];
    return list.flatMap((name, index) =>
      typeof name === "string"
        ? [
            {
              ...field,
              manifest,
              name,
              field: formatFieldPath(["spec", key, index]),
              source: `spec.${key}`,
            },
          ]
        : [],
    );
  });
}

/** The workload keys set in one metadata block: the annotation, else the label (non-empty). */
function keyValues(manifest: LoadedManifest, path: MetadataPath): KeyValue[] {
  const metadata = metadataAt(manifest, path);
  if (metadata === undefined) return [];
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  return Object.keys(WORKLOAD_KEYS).flatMap((key): KeyValue[] => {
    const annotation = annotations[key];
    const label = labels[key];
    if (typeof annotation === "string" && annotation !== "") {
      return [{ key, path, where: "annotations", value: annotation }];
    }
    if (typeof label === "string" && label !== "") {
      return [{ key, path, where: "labels", value: label }];
    }
    return [];
  });
}

/** How a message names a key's field: `annotation keptn.sh/pre-deployment-tasks`. */
export function sourceOf({ key, where }: KeyValue): string {
  return `${where === "annotations" ? "annotation" : "label"} ${key}`;
}

/** The names in one value, read as the operator reads them: split at commas, untrimmed. */
function workloadReferences(manifest: LoadedManifest, value: KeyValue): Reference[] {
  const field = WORKLOAD_KEYS[value.key] as ReferenceField;
  const fieldPath = formatFieldPath([...value.path, value.where, value.key]);
  return value.value.split(",").map((name) => ({
    ...field,
    manifest,
    name,
    field: fieldPath,
    source: sourceOf(value),
    list: value.value,
  }));
}

/** The API group of an `apiVersion` (`""` for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}
