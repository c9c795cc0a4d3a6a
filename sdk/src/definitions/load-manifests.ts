/**
 * Reads Kubernetes manifests (multi-document YAML or JSON) from strings, files, folders and
 * standard input, validates the kinds the SDK knows and keeps where each object came from.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { type Document, LineCounter, parseAllDocuments, visit } from "yaml";
import type { z } from "zod";
import { ManifestError, type ManifestLocation } from "../errors/errors.js";
import { containerProblems } from "./container-schema.js";
import { skipReason, templateAction, templateError } from "./helm-templates.js";
import { isRecord } from "./is-record.js";
import { keptnSchemaProblems } from "./keptn-schema.js";
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
import {
  DEFAULT_NAMESPACE,
  isBase64,
  type NormalizeOptions,
  normalizeConfigMap,
  normalizeDefinition,
  normalizeSecret,
  normalizeTask,
} from "./normalize.js";
import {
  createFieldLocator,
  type FieldLocator,
  formatFieldPath,
  joinFieldPath,
  type SourcePosition,
} from "./positions.js";
import {
  configMapSchema,
  DEFINITION_SCHEMAS,
  DEFINITION_VERSIONS,
  type DefinitionVersion,
  KEPTN_GROUP,
  keptnTaskSchema,
  secretSchema,
} from "./schemas.js";
import { duplicateKey, shapeProblem } from "./yaml-bounds.js";

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

/**
 * How far aliases may expand a document (the yaml package's `maxAliasCount`): enough for any
 * manifest written by hand, far too little for an alias bomb ("billion laughs").
 */
const MAX_ALIAS_COUNT = 100;

/** Where loaded objects and problems go. */
interface Sink {
  readonly defaultNamespace: string;
  readonly objects: LoadedManifest[];
  readonly errors: ManifestError[];
  readonly skipped: SkippedFile[];
}

/** One document being read: its location, and a locator for paths from its root. */
interface DocumentSource {
  readonly base: ManifestLocation;
  readonly locate: FieldLocator;
}

/** A problem with one object, at a field of it (`""`: the object itself). */
interface Problem {
  readonly message: string;
  readonly field: string;
  /** Where to point, when not at the field itself (an unknown key inside it). */
  readonly at?: string;
}

/** What a kind's reader made of an object. */
interface Normalized {
  readonly object: KnownObject | undefined;
  readonly problems: readonly Problem[];
}

const NO_TEXT: FieldLocator = () => undefined;

function metadataOf(raw: Record<string, unknown>): { name?: string; namespace?: string } {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  return {
    ...(typeof metadata.name === "string" ? { name: metadata.name } : {}),
    ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
  };
}

function objectLabel(raw: Record<string, unknown>, defaultNamespace: string): string | undefined {
  const kind = typeof raw.kind === "string" ? raw.kind : undefined;
  const { name, namespace = defaultNamespace } = metadataOf(raw);
  if (kind === undefined || name === undefined) return kind;
  return `${kind}/${namespace}/${name}`;
}

function schemaProblems(error: z.ZodError, kind: string): Problem[] {
  return error.issues.map((issue) => {
    const field = formatFieldPath(issue.path);
    const [unknown] = issue.code === "unrecognized_keys" ? issue.keys : [];
    const message = `Invalid ${kind}: ${issue.message}`;
    // An unknown key is not at its parent's line: point at the key.
    return unknown === undefined
      ? { message, field }
      : { message, field, at: formatFieldPath([...issue.path, unknown]) };
  });
}

/** Problems of `spec.container` against Kubernetes' Container schema, at their fields. */
function containerSchemaProblems(container: Record<string, unknown>): Problem[] {
  return containerProblems(container).map(({ message, path, unknownKey }) => {
    const field = formatFieldPath([
      "spec",
      "container",
      ...(unknownKey ? path.slice(0, -1) : path),
    ]);
    const text = `Invalid KeptnTaskDefinition: ${message}`;
    return unknownKey
      ? { message: text, field, at: formatFieldPath(["spec", "container", ...path]) }
      : { message: text, field };
  });
}

function readDefinition(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  const apiVersion = raw.apiVersion as string;
  const [group, version] = apiVersion.split("/");
  if (group !== KEPTN_GROUP || !DEFINITION_VERSIONS.includes(version as DefinitionVersion)) {
    const served = DEFINITION_VERSIONS.map((v) => `${KEPTN_GROUP}/${v}`).join(", ");
    const message = `Unknown apiVersion "${apiVersion}" for KeptnTaskDefinition: use one of ${served}`;
    return { object: undefined, problems: [{ message, field: "apiVersion" }] };
  }
  const parsed = DEFINITION_SCHEMAS[version as DefinitionVersion].safeParse(raw);
  // Kubernetes' Container schema is checked even when the CRD's own fields are not, so that one
  // run lists every problem; a field both find is reported once.
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const container =
    isRecord(spec.container) && version !== "v1alpha1" && version !== "v1alpha2"
      ? containerSchemaProblems(spec.container)
      : [];
  if (!parsed.success) {
    const problems = schemaProblems(parsed.error, "KeptnTaskDefinition");
    const seen = new Set(problems.map((p) => p.field));
    return {
      object: undefined,
      problems: [...problems, ...container.filter((p) => !seen.has(p.field))],
    };
  }
  if (container.length > 0) return { object: undefined, problems: container };
  return { object: normalizeDefinition(parsed.data, options), problems: [] };
}

function readTask(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  const parsed = keptnTaskSchema.safeParse(raw);
  if (!parsed.success)
    return { object: undefined, problems: schemaProblems(parsed.error, "KeptnTask") };
  return { object: normalizeTask(parsed.data, options), problems: [] };
}

function readConfigMap(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  if (raw.apiVersion !== "v1") return { object: undefined, problems: [] };
  const parsed = configMapSchema.safeParse(raw);
  if (!parsed.success)
    return { object: undefined, problems: schemaProblems(parsed.error, "ConfigMap") };
  return { object: normalizeConfigMap(parsed.data, options), problems: [] };
}

function readSecret(raw: Record<string, unknown>, options: NormalizeOptions): Normalized {
  if (raw.apiVersion !== "v1") return { object: undefined, problems: [] };
  const parsed = secretSchema.safeParse(raw);
  if (!parsed.success)
    return { object: undefined, problems: schemaProblems(parsed.error, "Secret") };
  // The API server refuses such a Secret (kubectl apply fails): so is it here, by field.
  const problems = Object.entries(parsed.data.data ?? {})
    .filter(([, value]) => !isBase64(value))
    .map(([key]) => ({
      message:
        "Invalid Secret: not valid base64, which the API server refuses: encode the value with base64 (base64 -w0), or give it as text under stringData",
      field: formatFieldPath(["data", key]),
    }));
  if (problems.length > 0) return { object: undefined, problems };
  return { object: normalizeSecret(parsed.data, options), problems: [] };
}

/** The kinds the SDK validates and normalises; any other kind is kept as it is. */
const READERS: Readonly<
  Record<string, (raw: Record<string, unknown>, options: NormalizeOptions) => Normalized>
> = {
  KeptnTaskDefinition: readDefinition,
  KeptnTask: readTask,
  ConfigMap: readConfigMap,
  Secret: readSecret,
};

/**
 * Reads an object: a Keptn object against its CRD's schema (Keptn's own words win where both
 * find a problem at one field), then a kind the SDK knows with its reader.
 */
function readObject(
  raw: Record<string, unknown> & { kind: string; apiVersion: string },
  options: NormalizeOptions,
): Normalized {
  const keptn = keptnSchemaProblems(raw) ?? [];
  if (keptn.some((p) => p.field === "kind" || p.field === "apiVersion")) {
    return { object: undefined, problems: keptn };
  }
  const read = READERS[raw.kind];
  const result = read?.(raw, options) ?? { object: undefined, problems: [] };
  if (keptn.length === 0) return result;
  const seen = new Set(keptn.flatMap((p) => [p.field, p.at ?? p.field]));
  const rest = result.problems.filter((p) => !seen.has(p.field) && !seen.has(p.at ?? p.field));
  return { object: undefined, problems: [...keptn, ...rest] };
}

/**
 * A location at `field` (a path from the document's root), with the line and column of `at`
 * (default: the field).
 */
function locationAt(source: DocumentSource, location: ManifestLocation, field: string, at = field) {
  const position = source.locate(at);
  return {
    ...location,
    ...(field === "" ? {} : { field }),
    ...(position === undefined ? {} : { line: position.line, column: position.column }),
  };
}

function collectObject(raw: unknown, source: DocumentSource, prefix: string, sink: Sink): void {
  if (!isRecord(raw) || typeof raw.kind !== "string" || typeof raw.apiVersion !== "string") {
    sink.errors.push(
      new ManifestError(
        "Invalid manifest: expected a Kubernetes object with string fields apiVersion and kind",
        locationAt(source, source.base, prefix),
      ),
    );
    return;
  }
  // kubectl's `List` (and `get -o yaml` of several objects) wraps objects in `items`.
  if (raw.kind === "List" || (raw.kind.endsWith("List") && Array.isArray(raw.items))) {
    const items = Array.isArray(raw.items) ? raw.items : [];
    items.forEach((item, index) => {
      collectObject(item, source, joinFieldPath(prefix, `items.${index}`), sink);
    });
    return;
  }
  collectApplied(
    { ...asApplied(raw), kind: raw.kind, apiVersion: raw.apiVersion },
    source,
    prefix,
    sink,
  );
}

/**
 * The object as the API server reads it: a `null` is no value (pruned from a custom resource,
 * the zero value of a core object's field), and an empty `metadata.namespace` is none (kubectl
 * and Helm's `namespace: ""` put the object in the default namespace).
 */
function asApplied(raw: Record<string, unknown>): Record<string, unknown> {
  const applied = withoutNulls(raw) as Record<string, unknown>;
  const { metadata } = applied;
  if (isRecord(metadata) && metadata.namespace === "") {
    const { namespace: _empty, ...rest } = metadata;
    return { ...applied, metadata: rest };
  }
  return applied;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}

function collectApplied(
  raw: Record<string, unknown> & { kind: string; apiVersion: string },
  source: DocumentSource,
  prefix: string,
  sink: Sink,
): void {
  const label = objectLabel(raw, sink.defaultNamespace);
  const location: ManifestLocation =
    label === undefined ? { ...source.base } : { ...source.base, object: label };
  const result = readObject(raw, { defaultNamespace: sink.defaultNamespace, location });
  for (const { message, field, at = field } of result.problems) {
    const where = locationAt(
      source,
      location,
      joinFieldPath(prefix, field),
      joinFieldPath(prefix, at),
    );
    sink.errors.push(new ManifestError(message, where));
  }
  if (result.problems.length > 0) return;
  const { name, namespace = sink.defaultNamespace } = metadataOf(raw);
  const locate: FieldLocator = (field = "") => source.locate(joinFieldPath(prefix, field));
  sink.objects.push(
    Object.freeze({
      location: Object.freeze(location),
      apiVersion: raw.apiVersion,
      kind: raw.kind,
      name,
      namespace,
      raw: Object.freeze(raw),
      object: result.object,
      position: locate(),
      locate,
    }),
  );
}

function createSink(options: LoadManifestsOptions): Sink {
  return {
    defaultNamespace: options.defaultNamespace ?? DEFAULT_NAMESPACE,
    objects: [],
    errors: [],
    skipped: [],
  };
}

function finish(sink: Sink, options: LoadManifestsOptions): ManifestSet {
  const first = sink.errors[0];
  if ((options.onError ?? "throw") === "throw" && first !== undefined) throw first;
  return Object.freeze({
    objects: Object.freeze([...sink.objects]),
    errors: Object.freeze([...sink.errors]),
    skipped: Object.freeze([...sink.skipped]),
  });
}

/**
 * Reads every document of `text` into `sink`. A file found in a folder (`skippable`) that holds
 * no manifest is recorded as skipped instead.
 */
function parseInto(text: string, file: string, sink: Sink, skippable = false): void {
  const shape = shapeProblem(text);
  if (shape !== undefined) {
    sink.errors.push(new ManifestError(`Cannot parse YAML: ${shape}`, { file }));
    return;
  }
  const lineCounter = new LineCounter();
  // logLevel: a template's `{{ x }}` key would make yaml warn on the process's stderr.
  // merge: kubectl reads YAML 1.1's merge keys (<<: *anchor), as go-yaml does.
  // prettyErrors: false and uniqueKeys: false keep the parse linear (yaml builds a message with
  // context per error, and compares each key of a map with every other): a file of stray `}` or
  // of 80,000 keys took minutes. Duplicate keys are found here instead, with a set per map.
  const documents = parseAllDocuments(text, {
    lineCounter,
    logLevel: "error",
    merge: true,
    prettyErrors: false,
    uniqueKeys: false,
  });
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  const list = Array.isArray(documents) ? documents : [];
  const action = templateAction(text, list);
  if (action !== undefined && !skippable) {
    sink.errors.push(templateError(file, list, action, lineCounter));
    return;
  }
  const reason = skippable ? skipReason(list, action, lineCounter) : undefined;
  if (reason !== undefined) {
    sink.skipped.push(Object.freeze({ file, reason }));
    return;
  }
  list.forEach((document, index) => {
    const base: ManifestLocation = { file, document: index + 1 };
    const problem = document.errors[0];
    const duplicate = problem === undefined ? duplicateKey(document) : undefined;
    if (problem !== undefined || duplicate !== undefined) {
      const offset = problem?.pos[0] ?? duplicate;
      const at = offset === undefined ? undefined : lineCounter.linePos(offset);
      const location = at === undefined ? base : { ...base, line: at.line, column: at.col };
      const why = problem?.message.split("\n")[0] ?? "Map keys must be unique";
      const message = `Cannot parse YAML: ${why}`;
      sink.errors.push(new ManifestError(message, location, { cause: problem }));
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      // Not kept as the cause: its message names the alias, which may be a secret value.
      sink.errors.push(aliasError(document, lineCounter, base));
      return;
    }
    if (value === null || value === undefined) return;
    const locate = createFieldLocator(document.contents, document, lineCounter);
    collectObject(value, { base, locate }, "", sink);
  });
}

/**
 * The error of a document whose aliases cannot be expanded. The alias's name is left out: an
 * unquoted value that starts with `*` (a password, say) is read as an alias.
 */
function aliasError(
  document: Document.Parsed,
  lineCounter: LineCounter,
  location: ManifestLocation,
): ManifestError {
  let unresolved: number | undefined;
  let first: number | undefined;
  visit(document, {
    Alias(_key, node) {
      const offset = node.range?.[0] ?? 0;
      first ??= offset;
      if (node.resolve(document) === undefined) {
        unresolved = offset;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `at line ${line}, column ${col}`;
  };
  const message =
    unresolved !== undefined
      ? `an alias (*) with no anchor (&) before it ${at(unresolved)}: quote a value that starts with *`
      : first !== undefined
        ? `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}), the first ${at(first)}`
        : "cannot expand its aliases";
  const offset = unresolved ?? first;
  const position = offset === undefined ? undefined : lineCounter.linePos(offset);
  return new ManifestError(
    `Cannot parse YAML: ${message}`,
    position === undefined ? location : { ...location, line: position.line, column: position.col },
  );
}

/**
 * Parses manifests from a string: every YAML document (JSON is YAML too), `List` objects
 * flattened. Known kinds are validated and normalised; other kinds are kept as they are.
 *
 * @param text The YAML text.
 * @param file The name to report in locations (default `-`).
 * @param options Default namespace, and whether to throw or collect problems.
 * @returns The objects with their locations, and the problems when `onError` is `collect`.
 * @throws {ManifestError} On the first problem, unless `onError` is `collect`. Its message
 *   names the file, the document, the object and the field.
 * @example
 * ```ts
 * const { objects } = parseManifests(yamlText, "tasks.yaml");
 * for (const { location, object } of objects) console.log(location.document, object?.kind);
 * ```
 */
export function parseManifests(
  text: string,
  file = "-",
  options: LoadManifestsOptions = {},
): ManifestSet {
  const sink = createSink(options);
  parseInto(text, file, sink);
  return finish(sink, options);
}

/**
 * Validates objects that are already parsed (for example from a Kubernetes client), as
 * `parseManifests` does with text. Each object's location is `{ file, document: index + 1 }`.
 *
 * @param objects The objects.
 * @param file The name to report in locations (default `<objects>`).
 * @param options Default namespace, and whether to throw or collect problems.
 * @returns The objects with their locations, and the problems when `onError` is `collect`.
 * @throws {ManifestError} On the first problem, unless `onError` is `collect`.
 * @example
 * ```ts
 * const set = parseObjects(await listFromCluster(), "cluster");
 * ```
 */
export function parseObjects(
  objects: Iterable<unknown>,
  file = "<objects>",
  options: LoadManifestsOptions = {},
): ManifestSet {
  const sink = createSink(options);
  let index = 0;
  for (const object of objects) {
    index += 1;
    collectObject(object, { base: { file, document: index }, locate: NO_TEXT }, "", sink);
  }
  return finish(sink, options);
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
