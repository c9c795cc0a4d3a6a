/**
 * References across objects: the task and evaluation definitions that workloads (through their
 * `keptn.sh/*-tasks` and `keptn.sh/*-evaluations` annotations or labels) and `KeptnAppContext`s
 * name. Keptn looks a name up in the object's namespace, then in its own; when neither holds it,
 * the operator waits for the definition forever and the rollout is blocked, with no error on the
 * workload. These checks find that in the manifests, before it reaches a cluster.
 */
import { createDiagnostic, type Diagnostic, type DiagnosticCode } from "./diagnostics.js";
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
type Target = "task" | "evaluation";

const TARGETS: Readonly<Record<Target, { kind: string; code: DiagnosticCode }>> = {
  task: { kind: "KeptnTaskDefinition", code: "TASK_DEFINITION_NOT_FOUND" },
  evaluation: { kind: "KeptnEvaluationDefinition", code: "EVALUATION_DEFINITION_NOT_FOUND" },
};

/** One field that names definitions, and what they are for. */
interface ReferenceField {
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

/**
 * Where each kind keeps the metadata a pod gets its Keptn annotations from: the pod template's
 * (which becomes the pod's), and for the owners the webhook reads when the pod itself names no
 * workload (Deployment through its ReplicaSet, StatefulSet, DaemonSet, Argo Rollout) their own.
 * A ReplicaSet's own metadata is not read: the webhook goes on to the ReplicaSet's owner.
 */
const WORKLOAD_METADATA: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Pod: [["metadata"]],
  Deployment: [["metadata"], ["spec", "template", "metadata"]],
  StatefulSet: [["metadata"], ["spec", "template", "metadata"]],
  DaemonSet: [["metadata"], ["spec", "template", "metadata"]],
  Rollout: [["metadata"], ["spec", "template", "metadata"]],
  ReplicaSet: [["spec", "template", "metadata"]],
  Job: [["spec", "template", "metadata"]],
  CronJob: [["spec", "jobTemplate", "spec", "template", "metadata"]],
  PodTemplate: [["template", "metadata"]],
};

/** One name found in a field, with what is needed to report it. */
interface Reference extends ReferenceField {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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
 *   is one.
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
  for (const manifest of set.objects) {
    for (const reference of referencesOf(manifest)) {
      const problem = missing(reference, indexes[reference.target], keptnNamespace);
      if (problem !== undefined) diagnostics.push(problem);
    }
  }
  return diagnostics;
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

/** The references of one object: a workload's annotations or labels, an app context's lists. */
function referencesOf(manifest: LoadedManifest): Reference[] {
  if (manifest.kind === "KeptnAppContext" && groupOf(manifest.apiVersion) === KEPTN_GROUP) {
    return appContextReferences(manifest);
  }
  const blocks = WORKLOAD_METADATA[manifest.kind];
  if (blocks === undefined) return [];
  if (manifest.kind === "Rollout" && groupOf(manifest.apiVersion) !== "argoproj.io") return [];
  return blocks.flatMap((path) => metadataReferences(manifest, path));
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

/** The names in one metadata block, read as the operator reads them: split at commas, untrimmed. */
function metadataReferences(manifest: LoadedManifest, path: readonly string[]): Reference[] {
  let metadata: unknown = manifest.raw;
  for (const key of path) metadata = isRecord(metadata) ? metadata[key] : undefined;
  if (!isRecord(metadata)) return [];
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  return Object.entries(WORKLOAD_KEYS).flatMap(([key, field]) => {
    const annotation = annotations[key];
    const label = labels[key];
    const [where, value] =
      typeof annotation === "string" && annotation !== ""
        ? (["annotations", annotation] as const)
        : typeof label === "string" && label !== ""
          ? (["labels", label] as const)
          : [undefined, undefined];
    if (where === undefined) return [];
    const source = `${where === "annotations" ? "annotation" : "label"} ${key}`;
    const fieldPath = formatFieldPath([...path, where, key]);
    return value
      .split(",")
      .map((name) => ({ ...field, manifest, name, field: fieldPath, source, list: value }));
  });
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
  const what =
    name === ""
      ? `an empty ${role} name in ${source} ("${reference.list ?? ""}"): Keptn waits for a ${kind} named ""`
      : `${role} "${name}" (${source}), but no ${kind} "${name}" is in ${where}: Keptn waits for it`;
  const phase = role.slice(0, role.lastIndexOf(" "));
  const subject = {
    kind: manifest.kind,
    name: manifest.name ?? "",
    namespace,
    location: manifest.location,
  };
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
  if (name.trim() !== name && list !== undefined) {
    return `Keptn splits "${list}" at commas without trimming: remove the spaces`;
  }
  const elsewhere = [...index.entries()].find(([, names]) => names.has(name))?.[0];
  if (elsewhere !== undefined) {
    return `there is one in namespace "${elsewhere}", where Keptn does not look: move it, or create it in "${reference.manifest.namespace}"`;
  }
  const near = closestName(name, new Set(visible.flatMap((names) => [...names])));
  return near === undefined ? `create the ${kind}, or fix the name` : `did you mean "${near}"?`;
}
