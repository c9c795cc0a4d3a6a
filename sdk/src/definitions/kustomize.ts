/**
 * What a `kustomization.yaml` adds to the objects of its folder, read without running kustomize:
 * the ConfigMaps its `configMapGenerator` builds (from files and literals, often a task's code),
 * the local resources it names outside the folder (`../base`), and the files it names as patches,
 * which are merged onto the objects they patch.
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { goJsonString, goJsonStringMap } from "../contract/go-compat.js";
import { ManifestError } from "../errors/errors.js";
import { isRecord } from "./is-record.js";
import { readManifest } from "./manifest-files.js";
import { createFieldLocator, type FieldLocator } from "./positions.js";
import { cyclicAlias } from "./yaml-bounds.js";

/** The names kustomize looks for in a folder. */
export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** One ConfigMap a `configMapGenerator` entry builds. */
export interface GeneratedConfigMap {
  /** The ConfigMap, as kustomize writes it (with its name's hash suffix unless disabled). */
  readonly raw: Record<string, unknown> & { kind: string; apiVersion: string };
  /** The field path of the entry in the kustomization (`configMapGenerator.0`). */
  readonly field: string;
  /** For each key read from a file, that file. */
  readonly files: Readonly<Record<string, string>>;
}

/** What a kustomization names. */
export interface Kustomization {
  readonly file: string;
  /** Local files and folders among `resources`. */
  readonly resources: readonly string[];
  /** Remote `resources` (URLs), which are not fetched. */
  readonly remote: readonly string[];
  /** Files named by `patches[].path` and `patchesStrategicMerge`. */
  readonly patches: readonly string[];
  readonly configMaps: readonly GeneratedConfigMap[];
  /** Where the kustomization's fields are. */
  readonly locate: FieldLocator;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** kustomize's name suffix: the sha256 of the ConfigMap's name and data, 10 characters, no vowels. */
function nameHash(name: string, data: Record<string, string>): string {
  const json = `{"data":${goJsonStringMap(data)},"kind":"ConfigMap","name":${goJsonString(name)}}`;
  const hex = createHash("sha256").update(json).digest("hex").slice(0, 10);
  const swap: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return [...hex].map((c) => swap[c] ?? c).join("");
}

/** `key=path` or `path` (the key is the file's name). */
function fileSource(dir: string, entry: string): [key: string, path: string] {
  const at = entry.indexOf("=");
  const path = at < 0 ? entry : entry.slice(at + 1);
  return [at < 0 ? basename(path) : entry.slice(0, at), join(dir, path)];
}

async function generate(
  dir: string,
  entry: Record<string, unknown>,
  namespace: unknown,
  hashed: boolean,
): Promise<Omit<GeneratedConfigMap, "field">> {
  const name = typeof entry.name === "string" ? entry.name : "";
  const data: Record<string, string> = {};
  const files: Record<string, string> = {};
  for (const source of strings(entry.files)) {
    const [key, path] = fileSource(dir, source);
    try {
      data[key] = await readManifest(path, true);
    } catch (error) {
      const why =
        error instanceof Error && "code" in error && error.code === "ETOOLARGE"
          ? error.message
          : "no such regular file";
      throw new ManifestError(`Cannot read "${path}" (configMapGenerator "${name}"): ${why}`, {
        file: path,
      });
    }
    files[key] = path;
  }
  for (const literal of strings(entry.literals)) {
    const at = literal.indexOf("=");
    if (at > 0) data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  const options = isRecord(entry.options) ? entry.options : {};
  const suffix = hashed && options.disableNameSuffixHash !== true ? `-${nameHash(name, data)}` : "";
  const ns = typeof entry.namespace === "string" ? entry.namespace : namespace;
  const metadata = {
    name: `${name}${suffix}`,
    ...(typeof ns === "string" ? { namespace: ns } : {}),
  };
  return { raw: { apiVersion: "v1", kind: "ConfigMap", metadata, data }, files };
}

/**
 * Reads a kustomization: its local and remote resources, its patch files and the ConfigMaps its
 * generator builds.
 *
 * @param file - The kustomization's path.
 * @throws {ManifestError} When it cannot be parsed, or a generator's file cannot be read.
 */
export async function readKustomization(file: string): Promise<Kustomization> {
  let text: string;
  try {
    text = await readManifest(file, true);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ManifestError(`Cannot read the kustomization: ${why}`, { file });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    logLevel: "error",
    prettyErrors: false,
    uniqueKeys: false,
  });
  let value: unknown;
  if (document.errors.length === 0) {
    if (text.includes("*") && cyclicAlias(document) !== undefined) {
      throw new ManifestError(
        "Cannot read the kustomization: an alias (*) inside the node its anchor (&) names: the value would never end",
        { file },
      );
    }
    try {
      value = document.toJS();
    } catch {
      // The yaml package's cap on alias expansions (100 by default): an alias bomb.
      throw new ManifestError(
        "Cannot read the kustomization: its aliases expand to too many nodes",
        { file },
      );
    }
  }
  if (!isRecord(value) || !isMap(document.contents)) {
    throw new ManifestError("Cannot read the kustomization: not a YAML mapping", { file });
  }
  const dir = dirname(file);
  const resources = strings(value.resources).concat(strings(value.bases));
  const remote = resources.filter((r) => /^[a-z][a-z0-9+.-]*:\/\/|^github\.com\//i.test(r));
  const patchEntries = Array.isArray(value.patches) ? value.patches : [];
  const patches = [
    ...patchEntries.flatMap((p) => (isRecord(p) && typeof p.path === "string" ? [p.path] : [])),
    ...strings(value.patchesStrategicMerge),
  ];
  const generatorOptions = isRecord(value.generatorOptions) ? value.generatorOptions : {};
  const hashed = generatorOptions.disableNameSuffixHash !== true;
  const entries = Array.isArray(value.configMapGenerator) ? value.configMapGenerator : [];
  const configMaps: GeneratedConfigMap[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isRecord(entry)) continue;
    const made = await generate(dir, entry, value.namespace, hashed);
    configMaps.push({ ...made, field: `configMapGenerator.${index}` });
  }
  return {
    file,
    resources: resources.filter((r) => !remote.includes(r)).map((r) => join(dir, r)),
    remote,
    patches: patches.map((p) => join(dir, p)),
    configMaps,
    locate: createFieldLocator(document.contents, document, lineCounter),
  };
}

/**
 * A patch merged onto the object it patches, as a strategic merge patch does for the fields of
 * custom resources: maps merged key by key, anything else (lists too) replaced.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(target) || !isRecord(patch)) return patch;
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) out[key] = mergePatch(target[key], value);
  return out;
}
