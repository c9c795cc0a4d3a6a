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
import { webhookExcludes } from "./checks/webhook-namespaces.js";
import { createDiagnostic, type Diagnostic, type DiagnosticCode } from "./diagnostics.js";
import { isRecord } from "./is-record.js";
import type { LoadedManifest, ManifestSet } from "./load-manifests.js";
import { lookupNamespaces } from "./lookup-namespaces.js";
import { formatFieldPath } from "./positions.js";
import { DEFAULT_KEPTN_NAMESPACE } from "./resolve-task.js";
import { KEPTN_GROUP } from "./schemas.js";
import { closestName } from "./suggest.js";
import {
  groupOf,
  type KeyValue,
  metadataAt,
  OWN,
  type Reference,
  type ReferenceField,
  referencesOf,
  sourceOf,
  WORKLOAD_KEYS,
} from "./workload-keys.js";

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

/** Names of definitions by namespace. */
export type NameIndex = ReadonlyMap<string, ReadonlySet<string>>;

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
    const excluded =
      first === undefined || manifest.kind === "KeptnAppContext"
        ? undefined
        : webhookExcludes(first, keptnNamespace, namespaces.get(manifest.namespace));
    if (excluded !== undefined) {
      diagnostics.push(excluded);
      continue;
    }
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
