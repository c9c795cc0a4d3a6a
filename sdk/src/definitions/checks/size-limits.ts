/**
 * Sizes the cluster refuses although every field is valid:
 * - `ENV_TOO_LARGE`: `DATA` (the merged parameters) over Linux's 128 KiB for one environment
 *   entry: the container cannot start (the same limit `keptn-task run` enforces).
 * - `CONFIGMAP_TOO_LARGE`: a ConfigMap's data over the API server's 1 MiB (`MaxConfigMapSize`,
 *   kubernetes pkg/apis/core/validation `ValidateConfigMap`); for inline code, the `keptnfn-`
 *   ConfigMap Keptn makes from it (keptn/lifecycle-toolkit at
 *   40e195d78dd1886166e17d2e9c69b75a249fc384, keptntaskdefinition/reconcile_function.go
 *   `generateConfigMap`): its creation fails and every task fails with "no ConfigMap specified".
 * - `LAST_APPLIED_TOO_LARGE`: client-side `kubectl apply` (Argo CD's default too) stores the
 *   whole object in the annotation `kubectl.kubernetes.io/last-applied-configuration`, and
 *   annotations hold at most 262144 bytes (`TotalAnnotationSizeLimitB`): the apply is refused.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { envEntryBytes, MAX_ENV_ENTRY_BYTES } from "../env-limit.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import type { TaskDefinition } from "../model.js";
import type { ResolvedTask } from "../resolve-task.js";

const MAX_CONFIGMAP_BYTES = 1024 * 1024;
const MAX_ANNOTATIONS_BYTES = 262144;

/**
 * `ENV_TOO_LARGE` and the `keptnfn-` ConfigMap's `CONFIGMAP_TOO_LARGE` for one definition.
 *
 * @param def - The definition.
 * @param resolved - Its resolution in its own namespace.
 */
export function checkDefinitionSizes(def: TaskDefinition, resolved: ResolvedTask): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const variable of resolved.env) {
    if (!("value" in variable) || variable.name !== "DATA") continue;
    const bytes = envEntryBytes(variable.name, variable.value);
    if (bytes <= MAX_ENV_ENTRY_BYTES) continue;
    out.push(
      createDiagnostic(
        "ENV_TOO_LARGE",
        `"${def.name}": DATA (its parameters as JSON) would be ${bytes} bytes, over Linux's limit of ${MAX_ENV_ENTRY_BYTES} bytes for one environment variable, so its container cannot start; pass less (a large input belongs in a ConfigMap or a URL the task reads)`,
        def,
        { field: `spec.${def.runtimeField ?? "deno"}.parameters.map` },
      ),
    );
  }
  const code = def.runtime?.inline;
  if (code !== undefined && def.runtimeField !== undefined) {
    const bytes = Buffer.byteLength(code);
    if (bytes > MAX_CONFIGMAP_BYTES) {
      out.push(
        tooLarge(
          def,
          `its inline code is ${bytes} bytes, and Keptn stores it in ConfigMap "keptnfn-${def.name}", over the API server's ${MAX_CONFIGMAP_BYTES} bytes: Keptn cannot create it and every task fails with "no ConfigMap specified"; fetch the code with httpRef`,
          `spec.${def.runtimeField}.inline.code`,
        ),
      );
    }
  }
  return out;
}

function tooLarge(subject: Parameters<typeof createDiagnostic>[2], text: string, field: string) {
  return createDiagnostic("CONFIGMAP_TOO_LARGE", text, subject, { field });
}

function subjectOf(manifest: LoadedManifest) {
  const { kind, namespace, location } = manifest;
  return { kind, name: manifest.name ?? "", namespace, location };
}

/** The bytes of a ConfigMap's `data` and `binaryData` values, as the API server counts them. */
function configMapBytes(raw: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const value of Object.values(isRecord(raw.data) ? raw.data : {})) {
    if (typeof value === "string") total += Buffer.byteLength(value);
  }
  for (const value of Object.values(isRecord(raw.binaryData) ? raw.binaryData : {})) {
    if (typeof value === "string") total += Buffer.from(value, "base64").length;
  }
  return total;
}

/**
 * `CONFIGMAP_TOO_LARGE` for each ConfigMap over 1 MiB, `LAST_APPLIED_TOO_LARGE` for each object
 * whose JSON is over the 262144 bytes of kubectl's last-applied annotation.
 *
 * @param set - The manifests.
 */
export function checkManifestSizes(set: ManifestSet): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const manifest of set.objects) {
    const subject = subjectOf(manifest);
    if (manifest.kind === "ConfigMap" && manifest.apiVersion === "v1") {
      const bytes = configMapBytes(manifest.raw);
      if (bytes > MAX_CONFIGMAP_BYTES) {
        const text = `ConfigMap "${subject.namespace}/${subject.name}" holds ${bytes} bytes of data, over the API server's ${MAX_CONFIGMAP_BYTES}: it is refused, so no task can mount it; fetch the code with httpRef`;
        out.push(tooLarge(subject, text, "data"));
      }
    }
    const json = Buffer.byteLength(JSON.stringify(manifest.raw));
    if (json > MAX_ANNOTATIONS_BYTES) {
      out.push(
        createDiagnostic(
          "LAST_APPLIED_TOO_LARGE",
          `${manifest.kind} "${subject.namespace}/${subject.name}" is ${json} bytes as JSON: client-side kubectl apply (and Argo CD's default) copies it into the annotation kubectl.kubernetes.io/last-applied-configuration, and annotations hold at most ${MAX_ANNOTATIONS_BYTES} bytes, so the apply is refused; apply it server-side (kubectl apply --server-side, Argo CD ServerSideApply=true), or make it smaller`,
          subject,
        ),
      );
    }
  }
  return out;
}
