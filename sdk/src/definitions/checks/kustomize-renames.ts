/**
 * `KUSTOMIZE_RENAMES_CONFIGMAP`: a kustomization's `namePrefix` and `nameSuffix` rename every
 * resource it builds, its generated ConfigMaps too, and rewrite the references kustomize knows
 * (a Pod's `configMap` volume, `envFrom`...). A KeptnTaskDefinition is a custom resource whose
 * `configMapRef` kustomize does not know, so it keeps the old name and the Job mounts a ConfigMap
 * that does not exist. validate reads the objects as written (it does not rename them), so this
 * is said at the definition.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { parse } from "yaml";
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const MAX_BYTES = 1024 * 1024;

interface Renaming {
  readonly file: string;
  readonly prefix: string;
  readonly suffix: string;
  /** The kustomization's folder and its local resources. */
  readonly scope: readonly string[];
}

function readRenaming(file: string): Renaming | undefined {
  try {
    if (statSync(file).size > MAX_BYTES) return undefined;
    const value: unknown = parse(readFileSync(file, "utf8"));
    if (!isRecord(value)) return undefined;
    const prefix = typeof value.namePrefix === "string" ? value.namePrefix : "";
    const suffix = typeof value.nameSuffix === "string" ? value.nameSuffix : "";
    if (prefix === "" && suffix === "") return undefined;
    const dir = dirname(file);
    const resources = Array.isArray(value.resources) ? value.resources : [];
    const local = resources.filter((r): r is string => typeof r === "string" && !r.includes("://"));
    return { file, prefix, suffix, scope: [dir, ...local.map((r) => resolve(dir, r))] };
  } catch {
    return undefined;
  }
}

function inScope(renaming: Renaming, manifest: LoadedManifest): boolean {
  const file = manifest.location.file;
  if (file === undefined) return false;
  const path = resolve(file);
  return (
    path === resolve(renaming.file) ||
    renaming.scope.some((s) => path === s || path.startsWith(`${s}${sep}`))
  );
}

function configMapRefs(manifest: LoadedManifest): { runtime: string; name: string }[] {
  const spec = isRecord(manifest.raw.spec) ? manifest.raw.spec : {};
  return ["deno", "python"].flatMap((runtime) => {
    const block = spec[runtime];
    const ref =
      isRecord(block) && isRecord(block.configMapRef) ? block.configMapRef.name : undefined;
    return typeof ref === "string" && ref !== "" ? [{ runtime, name: ref }] : [];
  });
}

function renamed(renaming: Renaming, set: ManifestSet): Diagnostic[] {
  const objects = set.objects.filter((m) => inScope(renaming, m));
  const configMaps = new Set(objects.filter((m) => m.kind === "ConfigMap").map((m) => m.name));
  const setting = [
    renaming.prefix === "" ? "" : `namePrefix "${renaming.prefix}"`,
    renaming.suffix === "" ? "" : `nameSuffix "${renaming.suffix}"`,
  ]
    .filter((s) => s !== "")
    .join(" and ");
  return objects
    .filter((m) => m.kind === "KeptnTaskDefinition")
    .flatMap((m) =>
      configMapRefs(m)
        .filter((ref) => configMaps.has(ref.name))
        .map(({ runtime, name }) =>
          createDiagnostic(
            "KUSTOMIZE_RENAMES_CONFIGMAP",
            `${renaming.file} sets ${setting}, so kustomize build names ConfigMap "${name}" "${renaming.prefix}${name}${renaming.suffix}", but it does not rewrite spec.${runtime}.configMapRef.name of a KeptnTaskDefinition: the Job mounts "${name}", which does not exist, and the pod never starts; add a nameReference for KeptnTaskDefinition's configMapRef to the kustomization's configurations, or drop the ${setting}`,
            { kind: m.kind, name: m.name ?? "", namespace: m.namespace, location: m.location },
            { field: `spec.${runtime}.configMapRef.name` },
          ),
        ),
    );
}

/**
 * `KUSTOMIZE_RENAMES_CONFIGMAP` for each definition whose configMapRef names a ConfigMap that a
 * kustomization (found in a folder) renames with namePrefix or nameSuffix.
 *
 * @param set - The manifests, with the kustomizations found among `skipped`.
 */
export function checkKustomizeRenames(set: ManifestSet): Diagnostic[] {
  return set.skipped
    .filter((s) => KUSTOMIZATION_FILES.includes(basename(s.file)))
    .flatMap((s) => {
      const renaming = readRenaming(s.file);
      return renaming === undefined ? [] : renamed(renaming, set);
    });
}
