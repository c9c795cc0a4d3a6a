/**
 * `NAMESPACE_EXCLUDED`: the namespaces Keptn's MutatingWebhookConfiguration never sends pods
 * from (keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384,
 * lifecycle-operator/chart/templates/lifecycle-mutating-webhook-configuration.yaml): the release
 * namespace (Keptn's own), kube-system, kube-public, kube-node-lease, and any namespace labelled
 * `control-plane: lifecycle-operator`. Keptn never sees those pods: their tasks and evaluations
 * never run, and nothing waits for a definition that is missing.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import type { Reference } from "../workload-keys.js";

const SYSTEM = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Why the webhook never sees the namespace's pods, or `undefined` when it may. */
function excludedBecause(
  namespace: string,
  keptnNamespace: string,
  object: LoadedManifest | undefined,
): string | undefined {
  if (namespace === keptnNamespace) return "it is Keptn's own namespace";
  if (SYSTEM.has(namespace)) return "it is a Kubernetes system namespace";
  const labels = isRecord(object?.raw.metadata) ? object.raw.metadata.labels : undefined;
  if (isRecord(labels) && labels["control-plane"] === "lifecycle-operator") {
    return "its Namespace has the label control-plane: lifecycle-operator";
  }
  return undefined;
}

/**
 * `NAMESPACE_EXCLUDED` for a workload's first reference when the webhook skips its namespace.
 *
 * @param reference - The first task or evaluation the workload names.
 * @param keptnNamespace - Where Keptn is installed (the chart's release namespace).
 * @param namespaceObject - The workload's Namespace, when the manifests hold it.
 */
export function webhookExcludes(
  reference: Reference,
  keptnNamespace: string,
  namespaceObject: LoadedManifest | undefined,
): Diagnostic | undefined {
  const { manifest } = reference;
  const why = excludedBecause(manifest.namespace, keptnNamespace, namespaceObject);
  if (why === undefined) return undefined;
  return createDiagnostic(
    "NAMESPACE_EXCLUDED",
    `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}" names ${reference.role}s (${reference.source}), but Keptn's pod webhook is never called for namespace "${manifest.namespace}" (${why}), so they never run; deploy the workload in an application namespace`,
    {
      kind: manifest.kind,
      name: manifest.name ?? "",
      namespace: manifest.namespace,
      location: manifest.location,
    },
    { field: reference.field },
  );
}

/**
 * Whether the webhook never sees pods of `namespace` (its Namespace object read from the set).
 *
 * @param set - The manifests.
 * @param namespace - The namespace.
 * @param keptnNamespace - Where Keptn is installed.
 */
export function webhookSkipsNamespace(
  set: ManifestSet,
  namespace: string,
  keptnNamespace: string,
): boolean {
  const object = set.objects.find(
    (o) => o.kind === "Namespace" && o.apiVersion === "v1" && o.name === namespace,
  );
  return excludedBecause(namespace, keptnNamespace, object) !== undefined;
}
