/**
 * `APP_CONTEXT_UNMATCHED`: the operator reads a KeptnAppContext by the name and namespace of a
 * KeptnApp (lifecycle-operator/controllers/lifecycle/keptnapp/controller.go), and a KeptnApp is
 * named after its workloads' `keptn.sh/app` (or `app.kubernetes.io/part-of`), else after the
 * workload itself (lifecycle-operator/webhooks/pod_mutator/handlers/objectmeta.go `getAppName`;
 * keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384). A context whose name
 * matches no app is never read: its tasks, evaluations and metadata silently never apply. Said
 * only when the input holds a workload or KeptnApp of the context's namespace (else its apps are
 * defined elsewhere).
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import { closestName } from "../suggest.js";

const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Rollout",
  "ReplicaSet",
  "Pod",
]);

function value(metadata: unknown, keys: readonly string[]): string | undefined {
  if (!isRecord(metadata)) return undefined;
  for (const key of keys) {
    for (const where of ["annotations", "labels"]) {
      const block = metadata[where];
      const found = isRecord(block) ? block[key] : undefined;
      if (typeof found === "string" && found !== "") return found;
    }
  }
  return undefined;
}

/** The app a workload's pods belong to, as the pod webhook names it, or `undefined`. */
function appOf(manifest: LoadedManifest): string | undefined {
  const spec = isRecord(manifest.raw.spec) ? manifest.raw.spec : {};
  const pod = isRecord(spec.template) ? spec.template.metadata : undefined;
  const workloadKeys = ["keptn.sh/workload", "app.kubernetes.io/name"];
  const meta = value(pod, workloadKeys) !== undefined ? pod : manifest.raw.metadata;
  const workload = value(meta, workloadKeys);
  if (workload === undefined) return undefined;
  return value(meta, ["keptn.sh/app", "app.kubernetes.io/part-of"]) ?? workload;
}

function appsByNamespace(set: ManifestSet): Map<string, Set<string>> {
  const apps = new Map<string, Set<string>>();
  const add = (namespace: string, name: string | undefined) => {
    if (name === undefined) return;
    apps.set(namespace, (apps.get(namespace) ?? new Set()).add(name));
  };
  for (const m of set.objects) {
    if (m.kind === "KeptnApp" && m.apiVersion.startsWith("lifecycle.keptn.sh/"))
      add(m.namespace, m.name);
    else if (WORKLOAD_KINDS.has(m.kind)) add(m.namespace, appOf(m));
  }
  return apps;
}

/**
 * `APP_CONTEXT_UNMATCHED` for each KeptnAppContext named after no KeptnApp and no workload's app
 * in its namespace.
 *
 * @param set - The manifests.
 */
export function checkAppContexts(set: ManifestSet): Diagnostic[] {
  const apps = appsByNamespace(set);
  return set.objects
    .filter((m) => m.kind === "KeptnAppContext" && m.apiVersion.startsWith("lifecycle.keptn.sh/"))
    .flatMap((m) => {
      const name = m.name ?? "";
      const known = apps.get(m.namespace) ?? new Set<string>();
      // No workload or KeptnApp of the namespace in the input: its apps are elsewhere, unknown.
      if (known.size === 0 || known.has(name)) return [];
      const near = closestName(name, known);
      const fix =
        near === undefined
          ? "name it after the app (keptn.sh/app or app.kubernetes.io/part-of of its workloads)"
          : `did you mean "${near}"?`;
      return [
        createDiagnostic(
          "APP_CONTEXT_UNMATCHED",
          `KeptnAppContext "${m.namespace}/${name}" is named after no KeptnApp and no workload's app in namespace "${m.namespace}": Keptn reads a context by its app's name, so this one is never read and its tasks, evaluations and metadata never apply; ${fix}`,
          { kind: m.kind, name, namespace: m.namespace, location: m.location },
          { field: "metadata.name" },
        ),
      ];
    });
}
