import { type Document, LineCounter, parseAllDocuments, visit } from "yaml";
import { ManifestError, type ManifestLocation } from "../errors/errors.js";
import { skipReason, templateAction, templateError } from "./helm-templates.js";
import { isRecord } from "./is-record.js";
import type { DocumentSource, LoadManifestsOptions, ManifestSet, Sink } from "./load-manifests.js";
import { metadataOf, NO_TEXT, objectLabel, readObject } from "./manifest-readers.js";
import { DEFAULT_NAMESPACE } from "./normalize.js";
import { createFieldLocator, type FieldLocator, joinFieldPath } from "./positions.js";
import { cyclicAlias, duplicateKey, shapeProblem } from "./yaml-bounds.js";

/**
 * How far aliases may expand a document (the yaml package's `maxAliasCount`): enough for any
 * manifest written by hand, far too little for an alias bomb ("billion laughs").
 */
const MAX_ALIAS_COUNT = 100;
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

export function collectApplied(
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

export function createSink(options: LoadManifestsOptions): Sink {
  return {
    defaultNamespace: options.defaultNamespace ?? DEFAULT_NAMESPACE,
    objects: [],
    errors: [],
    skipped: [],
  };
}

export function finish(sink: Sink, options: LoadManifestsOptions): ManifestSet {
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
export function parseInto(text: string, file: string, sink: Sink, skippable = false): void {
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
  // An alias is written with `*`: a file without one needs no look for a cycle.
  const mayAlias = text.includes("*");
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
      // An alias inside the node it names makes a cyclic value, which no reader of it ends.
      if (mayAlias && cyclicAlias(document) !== undefined) throw new Error("cyclic alias");
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
  const cycle = cyclicAlias(document);
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
    cycle !== undefined
      ? `an alias (*) inside the node its anchor (&) names ${at(cycle)}: the value would never end`
      : unresolved !== undefined
        ? `an alias (*) with no anchor (&) before it ${at(unresolved)}: quote a value that starts with *`
        : first !== undefined
          ? `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}), the first ${at(first)}`
          : "cannot expand its aliases";
  const offset = cycle ?? unresolved ?? first;
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
