/**
 * Telling a Helm template (or a file that is no manifest) from a manifest, in one pass over the
 * text: template actions outside scalars or naming Helm's objects, comments, values files.
 */
import { type Document, isMap, type LineCounter, visit } from "yaml";
import { ManifestError } from "../errors/errors.js";

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
export function skipReason(
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
export function templateError(
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
export function templateAction(
  text: string,
  documents: readonly Document.Parsed[],
): number | undefined {
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
