/**
 * Reads Kubernetes manifests (multi-document YAML or JSON) from strings, files, folders and
 * standard input, validates the kinds the SDK knows and keeps where each object came from.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Document, LineCounter, parseAllDocuments, visit } from "yaml";
import type { z } from "zod";
import { ManifestError, type ManifestLocation } from "../errors/errors.js";
import type { KnownObject } from "./model.js";
import {
  DEFAULT_NAMESPACE,
  isBase64,
  normalizeConfigMap,
  normalizeDefinition,
  normalizeSecret,
  normalizeTask,
} from "./normalize.js";
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
  /** The object as parsed from YAML. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The normalised object, for the kinds the SDK knows; `undefined` for any other kind. */
  readonly object: KnownObject | undefined;
}

/** What a load produced: the valid objects, and the problems (when collected). */
export interface ManifestSet {
  readonly objects: readonly LoadedManifest[];
  readonly errors: readonly ManifestError[];
}

/** Options of `parseManifests` and `loadManifests`. */
export interface LoadManifestsOptions {
  /** Namespace of objects that name none (default `default`). */
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectLabel(raw: Record<string, unknown>, defaultNamespace: string): string | undefined {
  const kind = typeof raw.kind === "string" ? raw.kind : undefined;
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : undefined;
  if (kind === undefined || name === undefined) return kind;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : defaultNamespace;
  return `${kind}/${namespace}/${name}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part) => String(part)).join(".");
}

function schemaErrors(
  error: z.ZodError,
  location: ManifestLocation,
  kind: string,
  fieldPrefix: string,
): ManifestError[] {
  return error.issues.map((issue) => {
    const field = [fieldPrefix, formatPath(issue.path)].filter((part) => part !== "").join(".");
    return new ManifestError(
      `Invalid ${kind}: ${issue.message}`,
      field === "" ? location : { ...location, field },
    );
  });
}

function normalizeRaw(
  raw: Record<string, unknown>,
  location: ManifestLocation,
  defaultNamespace: string,
  fieldPrefix: string,
): { object: KnownObject | undefined; errors: ManifestError[] } {
  const kind = raw.kind as string;
  const apiVersion = raw.apiVersion as string;
  const options = { defaultNamespace, location };
  switch (kind) {
    case "KeptnTaskDefinition": {
      const [group, version] = apiVersion.split("/");
      if (group !== KEPTN_GROUP || !DEFINITION_VERSIONS.includes(version as DefinitionVersion)) {
        const served = DEFINITION_VERSIONS.map((v) => `${KEPTN_GROUP}/${v}`).join(", ");
        return {
          object: undefined,
          errors: [
            new ManifestError(
              `Unknown apiVersion "${apiVersion}" for KeptnTaskDefinition: use one of ${served}`,
              { ...location, field: [fieldPrefix, "apiVersion"].filter(Boolean).join(".") },
            ),
          ],
        };
      }
      const schema = DEFINITION_SCHEMAS[version as DefinitionVersion];
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return {
          object: undefined,
          errors: schemaErrors(parsed.error, location, kind, fieldPrefix),
        };
      }
      return { object: normalizeDefinition(parsed.data, options), errors: [] };
    }
    case "KeptnTask": {
      const parsed = keptnTaskSchema.safeParse(raw);
      if (!parsed.success) {
        return {
          object: undefined,
          errors: schemaErrors(parsed.error, location, kind, fieldPrefix),
        };
      }
      return { object: normalizeTask(parsed.data, options), errors: [] };
    }
    case "ConfigMap":
    case "Secret": {
      if (apiVersion !== "v1") return { object: undefined, errors: [] };
      if (kind === "ConfigMap") {
        const parsed = configMapSchema.safeParse(raw);
        if (!parsed.success) {
          return {
            object: undefined,
            errors: schemaErrors(parsed.error, location, kind, fieldPrefix),
          };
        }
        return { object: normalizeConfigMap(parsed.data, options), errors: [] };
      }
      const parsed = secretSchema.safeParse(raw);
      if (!parsed.success) {
        return {
          object: undefined,
          errors: schemaErrors(parsed.error, location, kind, fieldPrefix),
        };
      }
      // The API server refuses such a Secret (kubectl apply fails): so is it here, by field.
      const errors = Object.entries(parsed.data.data ?? {})
        .filter(([, value]) => !isBase64(value))
        .map(
          ([key]) =>
            new ManifestError(
              "Invalid Secret: not valid base64, which the API server refuses: encode the value with base64 (base64 -w0), or give it as text under stringData",
              { ...location, field: [fieldPrefix, "data", key].filter(Boolean).join(".") },
            ),
        );
      if (errors.length > 0) return { object: undefined, errors };
      return { object: normalizeSecret(parsed.data, options), errors: [] };
    }
    default:
      return { object: undefined, errors: [] };
  }
}

function collectObject(
  raw: unknown,
  base: ManifestLocation,
  defaultNamespace: string,
  fieldPrefix: string,
  objects: LoadedManifest[],
  errors: ManifestError[],
): void {
  if (!isRecord(raw) || typeof raw.kind !== "string" || typeof raw.apiVersion !== "string") {
    errors.push(
      new ManifestError(
        "Invalid manifest: expected a Kubernetes object with string fields apiVersion and kind",
        fieldPrefix === "" ? base : { ...base, field: fieldPrefix },
      ),
    );
    return;
  }
  // kubectl's `List` (and `get -o yaml` of several objects) wraps objects in `items`.
  if (raw.kind === "List" || (raw.kind.endsWith("List") && Array.isArray(raw.items))) {
    const items = Array.isArray(raw.items) ? raw.items : [];
    items.forEach((item, index) => {
      const prefix = [fieldPrefix, `items.${index}`].filter(Boolean).join(".");
      collectObject(item, base, defaultNamespace, prefix, objects, errors);
    });
    return;
  }
  const label = objectLabel(raw, defaultNamespace);
  const location: ManifestLocation = label === undefined ? { ...base } : { ...base, object: label };
  const result = normalizeRaw(raw, location, defaultNamespace, fieldPrefix);
  errors.push(...result.errors);
  if (result.errors.length === 0) {
    objects.push(
      Object.freeze({
        location: Object.freeze(location),
        apiVersion: raw.apiVersion,
        kind: raw.kind,
        raw: Object.freeze(raw),
        object: result.object,
      }),
    );
  }
}

function finish(set: ManifestSet, options: LoadManifestsOptions): ManifestSet {
  const first = set.errors[0];
  if ((options.onError ?? "throw") === "throw" && first !== undefined) throw first;
  return Object.freeze({
    objects: Object.freeze([...set.objects]),
    errors: Object.freeze([...set.errors]),
  });
}

function parseInto(
  text: string,
  file: string,
  options: LoadManifestsOptions,
  objects: LoadedManifest[],
  errors: ManifestError[],
): void {
  const defaultNamespace = options.defaultNamespace ?? DEFAULT_NAMESPACE;
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  const list = Array.isArray(documents) ? documents : [];
  list.forEach((document, index) => {
    const base: ManifestLocation = { file, document: index + 1 };
    const problem = document.errors[0];
    if (problem !== undefined) {
      errors.push(
        new ManifestError(`Cannot parse YAML: ${problem.message.split("\n")[0] ?? ""}`, base, {
          cause: problem,
        }),
      );
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      // Not kept as the cause: its message names the alias, which may be a secret value.
      errors.push(aliasError(document, lineCounter, base));
      return;
    }
    if (value === null || value === undefined) return;
    collectObject(value, base, defaultNamespace, "", objects, errors);
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
  return new ManifestError(`Cannot parse YAML: ${message}`, location);
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
  const objects: LoadedManifest[] = [];
  const errors: ManifestError[] = [];
  parseInto(text, file, options, objects, errors);
  return finish({ objects, errors }, options);
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
  const out: LoadedManifest[] = [];
  const errors: ManifestError[] = [];
  const defaultNamespace = options.defaultNamespace ?? DEFAULT_NAMESPACE;
  let index = 0;
  for (const object of objects) {
    index += 1;
    collectObject(object, { file, document: index }, defaultNamespace, "", out, errors);
  }
  return finish({ objects: out, errors }, options);
}

async function readStream(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

async function listManifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listManifestFiles(path)));
    else if (MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(path);
  }
  return files;
}

/**
 * Loads manifests from files, folders (every `.yaml`, `.yml` and `.json` below them, in name
 * order) and standard input (`-`).
 *
 * @param paths One path or several.
 * @param options Default namespace, error handling, and the stream to read for `-`.
 * @returns The objects with their locations, and the problems when `onError` is `collect`.
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
  const objects: LoadedManifest[] = [];
  const errors: ManifestError[] = [];
  for (const path of typeof paths === "string" ? [paths] : paths) {
    if (path === "-") {
      const stdin = options.stdin ?? (process.stdin as AsyncIterable<string | Uint8Array>);
      parseInto(await readStream(stdin), "-", options, objects, errors);
      continue;
    }
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await listManifestFiles(path) : [path];
    } catch (error) {
      errors.push(
        new ManifestError(
          `Cannot read "${path}": ${describe(error)}`,
          { file: path },
          { cause: error },
        ),
      );
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        errors.push(
          new ManifestError(
            `Cannot read "${file}": ${describe(error)}`,
            { file },
            { cause: error },
          ),
        );
        continue;
      }
      parseInto(text, file, options, objects, errors);
    }
  }
  return finish({ objects, errors }, options);
}

function describe(error: unknown): string {
  if (isRecord(error) && typeof error.code === "string") {
    if (error.code === "ENOENT") return "no such file or directory";
    if (error.code === "EACCES") return "permission denied";
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
