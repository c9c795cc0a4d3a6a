/**
 * Reads Kubernetes manifests (multi-document YAML or JSON) from strings, files, folders and
 * standard input, validates the kinds the SDK knows and keeps where each object came from.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { ManifestError, type ManifestLocation } from "../errors/errors.js";
import {
  type GeneratedConfigMap,
  KUSTOMIZATION_FILES,
  type Kustomization,
  mergePatch,
  readKustomization,
} from "./kustomize.js";
import {
  listManifestFiles,
  MAX_MANIFEST_BYTES,
  readError,
  readManifest,
  readStream,
} from "./manifest-files.js";
import type { KnownObject } from "./model.js";
import { collectApplied, createSink, finish, parseInto } from "./parse-manifests.js";
import type { FieldLocator, SourcePosition } from "./positions.js";

/** One object read from a manifest, with where it came from. */
export interface LoadedManifest {
  /** File (`-` for standard input), 1-based document index, and `Kind/namespace/name`. */
  readonly location: ManifestLocation;
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name`, when it is a string. */
  readonly name: string | undefined;
  /** `metadata.namespace`, or the default namespace when it names none. */
  readonly namespace: string;
  /** The object as parsed from YAML. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The normalised object, for the kinds the SDK knows; `undefined` for any other kind. */
  readonly object: KnownObject | undefined;
  /** Where the object starts in its file; `undefined` when it was not read from text. */
  readonly position: SourcePosition | undefined;
  /**
   * Line and column of a field of this object (`spec.deno.httpRef.url`; see `parseFieldPath`),
   * of its nearest present parent when the field is absent, of the object without one.
   */
  readonly locate: FieldLocator;
  /**
   * For a ConfigMap a kustomization's `configMapGenerator` builds: the file each key was read
   * from (its location is the generator's entry in the kustomization).
   */
  readonly generatedFrom?: Readonly<Record<string, string>>;
}

/** A file found in a folder and left out because it holds no manifest. */
export interface SkippedFile {
  readonly file: string;
  /** Why, as one sentence: a template, a kustomization, YAML that is not a Kubernetes object. */
  readonly reason: string;
}

/** What a load produced: the valid objects, the problems (when collected), the files left out. */
export interface ManifestSet {
  readonly objects: readonly LoadedManifest[];
  readonly errors: readonly ManifestError[];
  /**
   * Files found in folders that are not manifests (Helm values and templates, kustomizations):
   * left out rather than reported. A file named on its own is always read.
   */
  readonly skipped: readonly SkippedFile[];
}

/** Options of `parseManifests` and `loadManifests`. */
export interface LoadManifestsOptions {
  /** Namespace of objects that name none (default `default`), as `kubectl apply -n`. */
  defaultNamespace?: string;
  /**
   * `throw` (default): throw the first problem as a `ManifestError`. `collect`: skip invalid
   * objects and return every problem in `errors`, so a validator can print them all.
   */
  onError?: "throw" | "collect";
  /** Standard input, read when a path is `-` (default: `process.stdin`). */
  stdin?: AsyncIterable<string | Uint8Array>;
}

/** Where loaded objects and problems go. */
export interface Sink {
  readonly defaultNamespace: string;
  readonly objects: LoadedManifest[];
  readonly errors: ManifestError[];
  readonly skipped: SkippedFile[];
}

/** One document being read: its location, and a locator for paths from its root. */
export interface DocumentSource {
  readonly base: ManifestLocation;
  readonly locate: FieldLocator;
}

/**
 * Loads manifests from files, folders (every `.yaml`, `.yml` and `.json` below them, in name
 * order, except under `node_modules`, folders whose name starts with a dot, and a project's
 * `package.json`, `tsconfig.json` and the like) and standard
 * input (`-`). A file found in a folder that holds no manifest (a Helm
 * template or values file, a Chart.yaml, a kustomization) is left out and listed in `skipped`;
 * a file named on its own is always read.
 *
 * @param paths One path or several.
 * @param options Default namespace, error handling, and the stream to read for `-`.
 * @returns The objects with their locations, the problems when `onError` is `collect`, and the
 *   files left out.
 * @throws {ManifestError} When a path cannot be read, or on the first invalid object unless
 *   `onError` is `collect`.
 * @example
 * ```ts
 * const set = await loadManifests(["k8s/", "extra.yaml"], { onError: "collect" });
 * for (const error of set.errors) console.error(error.message);
 * ```
 */
export async function loadManifests(
  paths: string | readonly string[],
  options: LoadManifestsOptions = {},
): Promise<ManifestSet> {
  const sink = createSink(options);
  const scan: Scan = { files: new Set(), kustomizations: [] };
  for (const path of typeof paths === "string" ? [paths] : paths) {
    if (path === "-") {
      const stdin = options.stdin ?? (process.stdin as AsyncIterable<string | Uint8Array>);
      try {
        parseInto(await readStream(stdin), "-", sink);
      } catch (error) {
        sink.errors.push(readError("-", error));
      }
      continue;
    }
    await loadPath(path, sink, scan);
  }
  await followKustomizations(sink, scan);
  return finish(sink, options);
}

/** The files read so far, and the kustomizations found in folders. */
interface Scan {
  readonly files: Set<string>;
  readonly kustomizations: string[];
}

/** Reads a file, or every manifest file below a folder (noting its kustomizations). */
async function loadPath(path: string, sink: Sink, scan: Scan): Promise<void> {
  let files: string[];
  let found: boolean;
  try {
    found = (await stat(path)).isDirectory();
    files = found ? await listManifestFiles(path) : [path];
  } catch (error) {
    sink.errors.push(readError(path, error));
    return;
  }
  for (const file of files) {
    if (scan.files.has(file)) continue;
    scan.files.add(file);
    if (found && KUSTOMIZATION_FILES.includes(basename(file))) scan.kustomizations.push(file);
    let text: string;
    try {
      text = await readManifest(file, !found);
    } catch (error) {
      sink.errors.push(readError(file, error));
      continue;
    }
    parseInto(text, file, sink, found);
  }
}

/**
 * What the kustomizations found in folders add: the local resources they name outside those
 * folders (`../base`), the ConfigMaps their generators build, and their patches merged onto the
 * objects they patch. Remote resources are listed as skipped.
 */
async function followKustomizations(sink: Sink, scan: Scan): Promise<void> {
  const patches = new Set<string>();
  for (let index = 0; index < scan.kustomizations.length; index++) {
    const file = scan.kustomizations[index] as string;
    let kustomization: Kustomization;
    try {
      kustomization = await readKustomization(file);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      sink.errors.push(error);
      continue;
    }
    for (const url of kustomization.remote) {
      const reason = `a remote resource of "${file}", not fetched: validate what it holds (or kustomize build's output)`;
      sink.skipped.push(Object.freeze({ file: url, reason }));
    }
    for (const resource of kustomization.resources) await loadPath(resource, sink, scan);
    for (const generated of kustomization.configMaps) addGenerated(sink, kustomization, generated);
    for (const patch of kustomization.patches) patches.add(patch);
  }
  applyPatches(sink, patches);
}

/** A generated ConfigMap, located at its generator's entry in the kustomization. */
function addGenerated(sink: Sink, kustomization: Kustomization, generated: GeneratedConfigMap) {
  const base: ManifestLocation = { file: kustomization.file, document: 1 };
  const locate = () => kustomization.locate(generated.field);
  const before = sink.objects.length;
  collectApplied(generated.raw, { base, locate }, "", sink);
  const made = sink.objects[before];
  if (made !== undefined)
    sink.objects[before] = Object.freeze({ ...made, generatedFrom: generated.files });
}

/** Each object of a patch file merged onto the object it patches, when that was loaded. */
function applyPatches(sink: Sink, patches: ReadonlySet<string>): void {
  const id = (o: LoadedManifest) => `${o.kind}/${o.namespace}/${o.name ?? ""}`;
  for (const patch of sink.objects.filter((o) => patches.has(o.location.file ?? ""))) {
    const index = sink.objects.findIndex(
      (o) => o !== patch && id(o) === id(patch) && !patches.has(o.location.file ?? ""),
    );
    const target = sink.objects[index];
    if (target === undefined) continue;
    const merged = mergePatch(target.raw, patch.raw) as LoadedManifest["raw"] & {
      kind: string;
      apiVersion: string;
    };
    const scratch = { ...sink, objects: [] as LoadedManifest[] };
    const base: ManifestLocation = { ...patch.location };
    collectApplied({ ...merged }, { base, locate: (field) => patch.locate(field) }, "", scratch);
    const [made] = scratch.objects;
    sink.objects.splice(sink.objects.indexOf(patch), 1);
    const at = sink.objects.indexOf(target);
    if (made === undefined) sink.objects.splice(at, 1);
    else sink.objects[at] = made;
  }
}

export { MAX_MANIFEST_BYTES };
