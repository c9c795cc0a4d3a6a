/**
 * Reads Kubernetes manifests (multi-document YAML or JSON) from strings, files, folders and
 * standard input, validates the kinds the SDK knows and keeps where each object came from.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Document, isMap, LineCounter, parseAllDocuments, visit } from "yaml";
import type { z } from "zod";
import { readFileStart } from "../core/bounded-read.js";
import { ManifestError, type ManifestLocation } from "../errors/errors.js";
import { containerProblems } from "./container-schema.js";
import { isRecord } from "./is-record.js";
import { keptnSchemaProblems } from "./keptn-schema.js";
import {
  type GeneratedConfigMap,
  KUSTOMIZATION_FILES,
  type Kustomization,
  mergePatch,
  readKustomization,
} from "./kustomize.js";
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

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

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
  const lineCounter = new LineCounter();
  // logLevel: a template's `{{ x }}` key would make yaml warn on the process's stderr.
  // merge: kubectl reads YAML 1.1's merge keys (<<: *anchor), as go-yaml does.
  const documents = parseAllDocuments(text, { lineCounter, logLevel: "error", merge: true });
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
    if (problem !== undefined) {
      const [at] = problem.linePos ?? [];
      const location = at === undefined ? base : { ...base, line: at.line, column: at.col };
      const message = `Cannot parse YAML: ${problem.message.split("\n")[0] ?? ""}`;
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

/** An action that only a Helm chart's template holds: its built-in objects and functions. */
const HELM_ACTION =
  /\.(Values|Release|Chart|Capabilities|Files|Template)\b|\b(include|tpl|toYaml|required|lookup)\b/;

/**
 * Why a file found in a folder is no manifest: it is a template (an action outside every scalar,
 * or one naming Helm's objects or functions outside block scalars, where task code may hold
 * braces), or none of its documents is a Kubernetes object
 * (Helm values, a Chart.yaml), or they are kustomize's configuration. `undefined` when it is to be
 * read (a file with a YAML error that is no template is reported, not skipped).
 */
function skipReason(
  documents: readonly Document.Parsed[],
  action: number | undefined,
  lineCounter: LineCounter,
): string | undefined {
  if (action !== undefined) {
    const { line, col } = lineCounter.linePos(action);
    return `a template ("{{" at line ${line}, column ${col}), not a manifest: ${RENDER_FIRST}`;
  }
  if (documents.some((d) => d.errors.length > 0)) return undefined;
  const kinds = documents
    .filter((d) => d.contents !== null)
    .map((d) =>
      isMap(d.contents)
        ? { apiVersion: d.contents.get("apiVersion"), kind: d.contents.get("kind") }
        : {},
    );
  if (kinds.length === 0) return undefined;
  const isObject = (k: { apiVersion?: unknown; kind?: unknown }) =>
    typeof k.apiVersion === "string" && typeof k.kind === "string";
  const isKustomize = (k: { apiVersion?: unknown }) =>
    typeof k.apiVersion === "string" && k.apiVersion.startsWith("kustomize.config.k8s.io/");
  if (kinds.every(isKustomize)) {
    return "kustomize's configuration, not a manifest: validate the resources it names (or kustomize build's output)";
  }
  if (kinds.some((k) => isObject(k) && !isKustomize(k))) return undefined;
  return "not a Kubernetes object (no apiVersion and kind): Helm values, a Chart.yaml or other configuration";
}

const RENDER_FIRST = "render it (helm template) and validate the output";

/** The error for a template named on its own: it cannot be read as the manifests it makes. */
function templateError(
  file: string,
  documents: readonly Document.Parsed[],
  action: number,
  lineCounter: LineCounter,
): ManifestError {
  const index = documents.findIndex((d) => action < (d.range[2] ?? 0));
  const { line, col } = lineCounter.linePos(action);
  return new ManifestError(
    `Cannot read a template as manifests ("{{" at line ${line}, column ${col}): ${RENDER_FIRST}`,
    { file, document: Math.max(index, 0) + 1, line, column: col },
  );
}

/** The offset of the first template action outside a block scalar (`|`, `>`). */
function templateAction(text: string, documents: readonly Document.Parsed[]): number | undefined {
  const scalars: [start: number, end: number, block: boolean][] = [];
  for (const document of documents) {
    visit(document, {
      Scalar(_key, node) {
        if (node.range === undefined || node.range === null) return;
        const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
        scalars.push([node.range[0], node.range[1], block]);
      },
    });
  }
  scalars.sort((a, b) => a[0] - b[0]);
  const comments = commentFinder(text);
  for (const [offset, action] of templateActions(text)) {
    const scalar = scalarAt(scalars, offset);
    // A comment is no content: what it holds does not change the objects.
    if (scalar === undefined && comments.inComment(offset)) continue;
    // Outside every scalar (`name: {{ .Release.Name }}` reads as a flow mapping): a template.
    if (scalar === undefined) return offset;
    // In a quoted or plain string, an action is text (Prometheus' "{{ $labels.instance }}",
    // rendered output) unless it names Helm's objects or functions (image: "{{ .Values.image }}").
    const [, , block] = scalar;
    if (!block && HELM_ACTION.test(action)) return offset;
  }
  return undefined;
}

/**
 * Each template action `{{ ... }}` on one line (not after `$`, as `${{ }}` is a GitHub Actions
 * expression), as [offset, text]: what `/(?<!\$)\{\{[^\n]*?\}\}/g` matches, found with index
 * searches so that a line of `{{` without `}}` costs its length once, not its length squared.
 */
function* templateActions(text: string): Generator<[number, string]> {
  let at = text.indexOf("{{");
  // The end of the line `at` is on, searched again only once `at` has passed it.
  let lineEnd = -2;
  while (at >= 0) {
    if (text[at - 1] === "$") {
      at = text.indexOf("{{", at + 1);
      continue;
    }
    if (lineEnd !== -1 && lineEnd < at) lineEnd = text.indexOf("\n", at);
    const close = text.indexOf("}}", at + 2);
    if (close < 0) return;
    if (lineEnd >= 0 && close + 2 > lineEnd) {
      // No action closes on this line: none that starts on it does either.
      at = text.indexOf("{{", lineEnd);
      continue;
    }
    yield [at, text.slice(at, close + 2)];
    at = text.indexOf("{{", close + 2);
  }
}

/** The scalar holding `offset`, by binary search over scalars sorted by their start. */
function scalarAt(
  scalars: readonly [start: number, end: number, block: boolean][],
  offset: number,
): [number, number, boolean] | undefined {
  let low = 0;
  let high = scalars.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const scalar = scalars[mid] as [number, number, boolean];
    if (offset < scalar[0]) high = mid - 1;
    else if (offset >= scalar[1]) low = mid + 1;
    else return scalar;
  }
  return undefined;
}

/**
 * Whether an offset is in a comment (after a `#` that starts its line or follows white space),
 * for offsets asked in increasing order: each line is scanned once.
 */
function commentFinder(text: string): { inComment(offset: number): boolean } {
  let lineStart = 0;
  let lineEnd = -1;
  let comment = -1;
  return {
    inComment(offset) {
      if (offset < lineStart || offset > lineEnd) {
        lineStart = text.lastIndexOf("\n", offset - 1) + 1;
        const end = text.indexOf("\n", offset);
        lineEnd = end < 0 ? text.length : end;
        const hash = /(^|\s)#/.exec(text.slice(lineStart, lineEnd));
        comment = hash === null ? -1 : lineStart + hash.index + (hash[1]?.length ?? 0);
      }
      return comment >= 0 && comment < offset;
    },
  };
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
 * The most a manifest file (or standard input) may hold: far more than any Kubernetes object
 * (etcd keeps 1.5 MiB), and a bound on what a planted file (a link to /dev/zero) costs.
 */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

async function readStream(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    if (bytes > MAX_MANIFEST_BYTES) throw tooLarge("-");
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** The text of a manifest file, bounded; a link is followed only for a file named on its own. */
async function readManifest(file: string, named: boolean): Promise<string> {
  const { bytes, truncated } = await readFileStart(file, MAX_MANIFEST_BYTES, { follow: named });
  if (truncated) throw tooLarge(file);
  return bytes.toString("utf8");
}

function tooLarge(file: string): Error {
  return Object.assign(
    new Error(`larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB: split it into smaller files`),
    { code: "ETOOLARGE", file },
  );
}

/**
 * Files of a JavaScript or Deno project that are never manifests: a folder walk leaves them out
 * without a note, so `-f .` in a task's project is quiet.
 */
const PROJECT_FILES = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "tsconfig.json",
  "jsconfig.json",
  "deno.json",
  "biome.json",
]);

/**
 * The manifest files below `dir`, in name order: regular files only. A link is not followed (a
 * committed `x.yaml -> /dev/zero` or a link out of the repository is not read), nor is a FIFO,
 * socket or device.
 */
async function listManifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Installed packages and tool folders (.git, .github's workflows) hold no manifests.
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      files.push(...(await listManifestFiles(path)));
    } else if (
      entry.isFile() &&
      MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) &&
      !PROJECT_FILES.has(entry.name)
    ) {
      files.push(path);
    }
  }
  return files;
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

function readError(file: string, error: unknown): ManifestError {
  return new ManifestError(`Cannot read "${file}": ${describe(error)}`, { file }, { cause: error });
}

function describe(error: unknown): string {
  if (isRecord(error) && typeof error.code === "string") {
    if (error.code === "ENOENT") return "no such file or directory";
    if (error.code === "EACCES") return "permission denied";
    if (error.code === "ENOTREGULAR") return "not a regular file: name a file or a folder";
    if (error.code === "ETOOLARGE" && error instanceof Error) return error.message;
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
