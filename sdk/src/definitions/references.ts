/**
 * References across objects: the task and evaluation definitions that workloads (through their
 * `keptn.sh/*-tasks` and `keptn.sh/*-evaluations` annotations or labels) and `KeptnAppContext`s
 * name. Keptn looks a name up in the object's namespace, then in its own; when neither holds it,
 * the operator waits for the definition forever and the rollout is blocked, with no error on the
 * workload. These checks find that in the manifests, before it reaches a cluster.
 *
 * Workload annotations are read only where Keptn's pod webhook reads them (pods of a Deployment,
 * StatefulSet, DaemonSet or Argo Rollout that name their workload); names it never reads are a
 * warning of their own (`TASKS_IGNORED`): Keptn silently never runs those tasks.
 */
import { createDiagnostic, type Diagnostic, type DiagnosticCode } from "./diagnostics.js";
import { isRecord } from "./is-record.js";
import type { LoadedManifest, ManifestSet } from "./load-manifests.js";
import { lookupNamespaces } from "./lookup-namespaces.js";
import { formatFieldPath } from "./positions.js";
import { DEFAULT_KEPTN_NAMESPACE } from "./resolve-task.js";
import { KEPTN_GROUP } from "./schemas.js";
import { closestName } from "./suggest.js";

/** Options of `checkReferences`. */
export interface CheckReferencesOptions {
  /** Where Keptn is installed: the second place it looks (default `keptn-system`). */
  readonly keptnNamespace?: string;
}

/** What a reference names: a task or an evaluation definition. */
export type Target = "task" | "evaluation";

const TARGETS: Readonly<Record<Target, { kind: string; code: DiagnosticCode }>> = {
  task: { kind: "KeptnTaskDefinition", code: "TASK_DEFINITION_NOT_FOUND" },
  evaluation: { kind: "KeptnEvaluationDefinition", code: "EVALUATION_DEFINITION_NOT_FOUND" },
};

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
const WORKLOAD_KEYS: Readonly<Record<string, ReferenceField>> = {
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

const OWN: MetadataPath = ["metadata"];
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

/** Names of definitions by namespace. */
export type NameIndex = ReadonlyMap<string, ReadonlySet<string>>;

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

/**
 * Checks that every task and evaluation definition named by a workload or a `KeptnAppContext`
 * is among the manifests, in the object's namespace or Keptn's. A definition that was rejected
 * by its schema still counts as present (its own error is reported).
 *
 * @param set The manifests, as `loadManifests` returns them.
 * @param options Where Keptn is installed.
 * @returns One error per missing name (`TASK_DEFINITION_NOT_FOUND`,
 *   `EVALUATION_DEFINITION_NOT_FOUND`), with the field that names it and a near miss when there
 *   is one; one warning per workload annotation or label Keptn never reads (`TASKS_IGNORED`).
 * @example
 * ```ts
 * const set = await loadManifests("k8s/", { onError: "collect" });
 * for (const d of checkReferences(set)) console.error(formatDiagnostic(d));
 * ```
 */
export function checkReferences(
  set: ManifestSet,
  options: CheckReferencesOptions = {},
): Diagnostic[] {
  const keptnNamespace = options.keptnNamespace ?? DEFAULT_KEPTN_NAMESPACE;
  const indexes: Record<Target, NameIndex> = {
    task: definitionNames(set, TARGETS.task.kind),
    evaluation: definitionNames(set, TARGETS.evaluation.kind),
  };
  const diagnostics: Diagnostic[] = [];
  const namespaces = namespaceObjects(set);
  for (const manifest of set.objects) {
    const { references, ignored } = referencesOf(manifest);
    const disabled =
      manifest.kind === "KeptnAppContext" ? undefined : namespaces.get(manifest.namespace);
    const [first] = references;
    if (first !== undefined && disabled !== undefined && !isEnabled(disabled)) {
      diagnostics.push(notEnabled(first, disabled));
      continue;
    }
    for (const reference of references) {
      const problem = missing(reference, indexes[reference.target], keptnNamespace);
      if (problem !== undefined) diagnostics.push(problem);
    }
    for (const { value, why } of ignored) diagnostics.push(ignoredKey(manifest, value, why));
  }
  return diagnostics;
}

/** The annotation Keptn's pod webhook reads on a workload's Namespace (`NamespaceEnabledAnnotation`). */
const NAMESPACE_ENABLED = "keptn.sh/lifecycle-toolkit";

/** The Namespace objects among the manifests, by name. */
function namespaceObjects(set: ManifestSet): Map<string, LoadedManifest> {
  const out = new Map<string, LoadedManifest>();
  for (const manifest of set.objects) {
    if (
      manifest.kind === "Namespace" &&
      manifest.apiVersion === "v1" &&
      manifest.name !== undefined
    ) {
      out.set(manifest.name, manifest);
    }
  }
  return out;
}

/** Whether a Namespace has `keptn.sh/lifecycle-toolkit: enabled` where the webhook reads it. */
function isEnabled(namespace: LoadedManifest): boolean {
  const annotations = metadataAt(namespace, OWN)?.annotations;
  return isRecord(annotations) && annotations[NAMESPACE_ENABLED] === "enabled";
}

/**
 * `NAMESPACE_NOT_ENABLED`: the webhook leaves every pod of a namespace without the annotation
 * alone, so the workload's tasks and evaluations never run (and none blocks the rollout).
 */
function notEnabled(reference: Reference, namespace: LoadedManifest): Diagnostic {
  const { manifest } = reference;
  const labels = metadataAt(namespace, OWN)?.labels;
  const asLabel = isRecord(labels) && labels[NAMESPACE_ENABLED] !== undefined;
  const where = asLabel ? ` (it is a label there; Keptn reads the annotation)` : "";
  return createDiagnostic(
    "NAMESPACE_NOT_ENABLED",
    `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}" names ${reference.role}s (${reference.source}), but Namespace "${manifest.namespace}" has no annotation ${NAMESPACE_ENABLED}: "enabled"${where}: Keptn's pod webhook leaves its pods alone, so they never run; annotate the namespace (kubectl annotate namespace ${manifest.namespace} ${NAMESPACE_ENABLED}=enabled)`,
    subjectOf(manifest),
    { field: reference.field },
  );
}

/**
 * Every definition of `kind` by namespace: the valid ones, and those whose schema error was
 * reported (their location names them `Kind/namespace/name`).
 */
export function definitionNames(set: ManifestSet, kind: string): NameIndex {
  const index = new Map<string, Set<string>>();
  const add = (namespace: string, name: string) => {
    const names = index.get(namespace) ?? new Set<string>();
    names.add(name);
    index.set(namespace, names);
  };
  for (const manifest of set.objects) {
    const keptn = groupOf(manifest.apiVersion) === KEPTN_GROUP;
    if (manifest.kind === kind && keptn && manifest.name !== undefined) {
      add(manifest.namespace, manifest.name);
    }
  }
  for (const error of set.errors) {
    const [errorKind, namespace, name] = error.location.object?.split("/") ?? [];
    if (errorKind === kind && namespace !== undefined && name !== undefined) add(namespace, name);
  }
  return index;
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

function metadataAt(
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
function sourceOf({ key, where }: KeyValue): string {
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

/** The object a reference's diagnostic is about. */
function subjectOf(manifest: LoadedManifest) {
  return {
    kind: manifest.kind,
    name: manifest.name ?? "",
    namespace: manifest.namespace,
    location: manifest.location,
  };
}

/** The warning for a workload key Keptn never reads. */
function ignoredKey(manifest: LoadedManifest, value: KeyValue, why: string): Diagnostic {
  const { role } = WORKLOAD_KEYS[value.key] as ReferenceField;
  const { namespace } = manifest;
  const subject = subjectOf(manifest);
  return createDiagnostic(
    "TASKS_IGNORED",
    `${manifest.kind} "${namespace}/${subject.name}" names ${role}s ${JSON.stringify(value.value)} (${sourceOf(value)}), but Keptn never runs them: ${why}`,
    subject,
    { field: formatFieldPath([...value.path, value.where, value.key]) },
  );
}

/** The error for a reference Keptn cannot resolve, or `undefined` when it can. */
function missing(
  reference: Reference,
  index: NameIndex,
  keptnNamespace: string,
): Diagnostic | undefined {
  const { manifest, name, role, source } = reference;
  const { namespace } = manifest;
  const own = index.get(namespace) ?? new Set<string>();
  const keptn = index.get(keptnNamespace) ?? new Set<string>();
  if (name !== "" && (own.has(name) || keptn.has(name))) return undefined;
  const { kind, code } = TARGETS[reference.target];
  const where = lookupNamespaces(namespace, keptnNamespace);
  const quoted = JSON.stringify(name);
  const what =
    name === ""
      ? `an empty ${role} name in ${source} (${JSON.stringify(reference.list ?? "")}): Keptn waits for a ${kind} named ""`
      : `${role} ${quoted} (${source}), but no ${kind} ${quoted} is in ${where}: Keptn waits for it`;
  const phase = role.slice(0, role.lastIndexOf(" "));
  const subject = subjectOf(manifest);
  return createDiagnostic(
    code,
    `${manifest.kind} "${namespace}/${subject.name}" has ${what} forever, so the ${phase} phase never ends and the rollout is blocked; ${hint(reference, index, [own, keptn])}`,
    subject,
    { field: reference.field },
  );
}

/** How to fix a missing name: the spaces Keptn keeps, the namespace it is in, a near miss. */
function hint(
  reference: Reference,
  index: NameIndex,
  visible: readonly ReadonlySet<string>[],
): string {
  const { name, list } = reference;
  const kind = TARGETS[reference.target].kind;
  if (name === "" && list !== undefined) {
    return "remove the extra comma";
  }
  if (/[\r\n]/.test(name) && list !== undefined) {
    return `the value ${JSON.stringify(list)} holds a line break (a YAML block scalar ">" or "|" keeps the last one), which Keptn keeps in the name: write the value on one line, or use ">-"`;
  }
  if (name.trim() !== name && list !== undefined) {
    return `Keptn splits ${JSON.stringify(list)} at commas without trimming: remove the spaces`;
  }
  const elsewhere = [...index.entries()].find(([, names]) => names.has(name))?.[0];
  if (elsewhere !== undefined) {
    return `there is one in namespace "${elsewhere}", where Keptn does not look: move it, or create it in "${reference.manifest.namespace}"`;
  }
  const near = closestName(name, new Set(visible.flatMap((names) => [...names])));
  return near === undefined ? `create the ${kind}, or fix the name` : `did you mean "${near}"?`;
}
