/**
 * Field paths and where they are in the YAML text: what turns a finding about
 * `spec.deno.httpRef.url` into `tasks.yaml:14:9`, for an editor, a terminal or a pull request.
 *
 * A field path is dot-separated (`spec.deno.httpRef.url`), with list indexes as numbers
 * (`spec.preDeploymentTasks.1`) and keys that hold a dot in brackets, as JSON strings
 * (`metadata.annotations["keptn.sh/pre-deployment-tasks"]`).
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { Diagnostic } from "./diagnostics.js";
import type { LoadedManifest, ManifestSet } from "./load-manifests.js";

/** A place in a text: 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One step of a field path: a key, or a list index. */
export type FieldSegment = string | number;

/**
 * The position of a field of one object (`undefined` when the object was not read from text).
 * An absent field is placed at its nearest present parent; no field, at the object itself.
 */
export type FieldLocator = (field?: string) => SourcePosition | undefined;

const PLAIN_KEY = /^[^.[\]"\s\p{C}]+$/u;

/**
 * Writes a field path: keys joined with dots, indexes as numbers, a key that holds a dot, a
 * bracket or a quote (or is empty) in brackets as a JSON string.
 *
 * @param segments The keys and indexes, outermost first.
 * @returns The path, `""` for none.
 * @example
 * ```ts
 * formatFieldPath(["metadata", "annotations", "keptn.sh/pre-deployment-tasks"]);
 * // 'metadata.annotations["keptn.sh/pre-deployment-tasks"]'
 * ```
 */
export function formatFieldPath(segments: readonly PropertyKey[]): string {
  let path = "";
  for (const segment of segments) {
    const text = typeof segment === "symbol" ? (segment.description ?? "") : String(segment);
    if (typeof segment !== "number" && !PLAIN_KEY.test(text)) path += `[${JSON.stringify(text)}]`;
    else path += path === "" ? text : `.${text}`;
  }
  return path;
}

/**
 * Joins two field paths (`items.2` and `spec.deno`), either of which may be empty.
 *
 * @example
 * ```ts
 * joinFieldPath("items.2", 'data["a.b"]'); // 'items.2.data["a.b"]'
 * ```
 */
export function joinFieldPath(parent: string, child: string): string {
  if (parent === "") return child;
  if (child === "") return parent;
  return child.startsWith("[") ? `${parent}${child}` : `${parent}.${child}`;
}

/**
 * Reads a field path written by `formatFieldPath` (also `[2]` for an index). Segments of digits
 * stay strings: whether they index a list depends on the YAML node they step into.
 *
 * @param path The path.
 * @returns Its segments; `[]` for `""`.
 * @example
 * ```ts
 * parseFieldPath('metadata.annotations["keptn.sh/app"]'); // ["metadata", "annotations", "keptn.sh/app"]
 * ```
 */
export function parseFieldPath(path: string): FieldSegment[] {
  const segments: FieldSegment[] = [];
  let rest = path;
  while (rest !== "") {
    if (rest.startsWith(".")) {
      rest = rest.slice(1);
      continue;
    }
    const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
    const index = quoted === null ? /^\[(\d+)\]/.exec(rest) : null;
    const plain = quoted === null && index === null ? /^[^.[]+/.exec(rest) : null;
    const match = quoted ?? index ?? plain;
    if (match === null) {
      // A stray bracket: keep the rest as one key rather than lose it.
      segments.push(rest);
      break;
    }
    if (quoted !== null) segments.push(JSON.parse(`"${quoted[1] ?? ""}"`) as string);
    else if (index !== null) segments.push(Number(index[1]));
    else segments.push(match[0]);
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/**
 * A locator for the fields below `root`, a node of a parsed YAML document.
 *
 * @param root The object's node (a document's contents, or an item of a `List`).
 * @param document The document, to follow aliases.
 * @param lineCounter The line counter the text was parsed with.
 * @returns The locator: a key's position for a map entry, an item's for a list entry.
 * @example
 * ```ts
 * const lineCounter = new LineCounter();
 * const [document] = parseAllDocuments(text, { lineCounter });
 * const locate = createFieldLocator(document.contents, document, lineCounter);
 * locate("spec.retries"); // { line: 5, column: 3 }
 * ```
 */
export function createFieldLocator(
  root: Node | null | undefined,
  document: Document.Parsed | Document,
  lineCounter: LineCounter,
): FieldLocator {
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (field = "") => {
    const start = root?.range?.[0];
    if (root === null || root === undefined || start === undefined) return undefined;
    return position(fieldOffset(root, document, parseFieldPath(field)) ?? start);
  };
}

/** The offset of the deepest segment of `segments` present below `root`. */
function fieldOffset(
  root: Node,
  document: Document.Parsed | Document,
  segments: readonly FieldSegment[],
): number | undefined {
  let node: unknown = root;
  let offset: number | undefined;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === `${segment}`);
      const key = pair?.key as Node | undefined;
      if (pair === undefined || key?.range === undefined || key.range === null) break;
      offset = key.range[0];
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!/^\d+$/.test(`${segment}`) || item?.range === undefined || item.range === null) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * Puts each diagnostic at the line and column of its field (of its object when it names no
 * field, or the field is absent) in the manifests it was found in: `location.line` and
 * `location.column`, which `formatDiagnostic` then prints. Diagnostics about objects not read
 * from text are returned as they are.
 *
 * @param set The manifests the diagnostics' objects were loaded from.
 * @param diagnostics The diagnostics (from `validateCatalog`, `resolveTask`, `checkDefinition`).
 * @returns The diagnostics, in the same order, located where possible.
 * @example
 * ```ts
 * const set = await loadManifests("k8s/");
 * const resolved = resolveTask(createCatalog(set), { definition: "notify", namespace: "shop" });
 * for (const d of locateDiagnostics(set, resolved.diagnostics)) console.error(formatDiagnostic(d));
 * ```
 */
export function locateDiagnostics(
  set: ManifestSet,
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  const key = (file?: string, document?: number, object?: string) =>
    `${file ?? ""}\u0000${document ?? ""}\u0000${object ?? ""}`;
  const manifests = new Map<string, LoadedManifest>();
  for (const manifest of set.objects) {
    const { file, document, object } = manifest.location;
    manifests.set(key(file, document, object), manifest);
  }
  return diagnostics.map((diagnostic) => {
    const { location } = diagnostic;
    if (location === undefined) return diagnostic;
    const manifest = manifests.get(key(location.file, location.document, diagnostic.object));
    const position = manifest?.locate(diagnostic.field);
    if (position === undefined) return diagnostic;
    const { line, column } = position;
    return Object.freeze({ ...diagnostic, location: Object.freeze({ ...location, line, column }) });
  });
}
