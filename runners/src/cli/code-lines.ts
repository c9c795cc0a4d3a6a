/**
 * Errors in inline (or ConfigMap) code point into the manifest that holds it: a run writes the
 * code to a temporary `function.ts` / `function.py` (named like its mount path) and removes it
 * afterwards, so `file:///tmp/keptn-task-run-x/code/function.ts:4:7` in a stack trace becomes
 * `k8s/task.yaml:14:13`, and Python's `File ".../function.py", line 2` becomes
 * `File "k8s/task.yaml", line 12`: the places the author edits.
 */
import { readFileSync } from "node:fs";
import type { Catalog, ResolvedTask } from "@keptn-task/sdk/definitions";
import { isMap, isScalar, LineCounter, type Node, parseAllDocuments, Scalar } from "yaml";
import type { OutputStream } from "./io.js";

/** Where the code's first line is in its manifest, and how far its lines are indented. */
interface CodeOrigin {
  readonly file: string;
  /** The manifest line of the code's line 1. */
  readonly firstLine: number;
  readonly indent: number;
}

/**
 * A function that rewrites positions in the temporary code file `codePath` to positions in the
 * manifest, or `undefined` when the code is not a block scalar of a manifest read from a file.
 */
export function codeLineMapper(
  resolved: ResolvedTask,
  catalog: Catalog,
  codePath: string,
): ((text: string) => string) | undefined {
  const origin = codeOrigin(resolved, catalog);
  if (origin === undefined) return undefined;
  const path = escapeRegExp(codePath);
  const at = (line: string) => origin.firstLine + Number(line) - 1;
  const deno = new RegExp(`(?:file://)?${path}:(\\d+):(\\d+)`, "g");
  // In a log line's JSON the quotes are escaped: File \"...function.py\", line 2.
  const python = new RegExp(`File (\\\\?)"${path}\\\\?", line (\\d+)`, "g");
  return (text) =>
    text
      .replace(deno, (_, line: string, column: string) => {
        return `${origin.file}:${at(line)}:${Number(column) + origin.indent}`;
      })
      .replace(python, (_, slash: string, line: string) => {
        return `File ${slash}"${origin.file}${slash}", line ${at(line)}`;
      });
}

/** Where the run's code is written in its manifest: inline code, or a ConfigMap's `data.code`. */
function codeOrigin(resolved: ResolvedTask, catalog: Catalog): CodeOrigin | undefined {
  const code = resolved.code;
  if (code.kind !== "configMap" || resolved.runner === "container") return undefined;
  const owner = code.createdByKeptn
    ? catalog.findDefinition(code.definition.name, code.definition.namespace)
    : catalog.findConfigMap(code.name, code.namespace);
  const location = owner?.location;
  if (location?.file === undefined || location.file === "-" || location.document === undefined) {
    return undefined;
  }
  const field = code.createdByKeptn
    ? ["spec", resolved.runner, "inline", "code"]
    : ["data", "code"];
  let text: string;
  try {
    text = readFileSync(location.file, "utf8");
  } catch {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const document = parseAllDocuments(text, { lineCounter })[location.document - 1];
  if (document === undefined || !("contents" in document)) return undefined;
  const node = nodeAt(document.contents, field);
  // Only a literal block (code: |) keeps the code's lines one for one.
  if (node?.type !== Scalar.BLOCK_LITERAL || node.range === undefined || node.range === null) {
    return undefined;
  }
  const header = lineCounter.linePos(node.range[0]).line;
  const lines = text.split("\n");
  const first = lines.slice(header).find((line) => line.trim() !== "") ?? "";
  return {
    file: location.file,
    firstLine: header + 1,
    indent: first.length - first.trimStart().length,
  };
}

/** The scalar at `path` below `root`, if any. */
function nodeAt(root: Node | null, path: readonly string[]): Scalar | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key)?.value;
  }
  return isScalar(node) ? node : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `stream` with `rewrite` applied to what is written, a line at a time where a line could hold
 * a position still being written (the start of `needle` at the end of a chunk).
 */
export function rewritingStream(
  stream: OutputStream,
  needle: string,
  rewrite: (text: string) => string,
): OutputStream & { flush(): void } {
  let held = "";
  const decoder = new TextDecoder();
  return {
    write(chunk) {
      const text =
        held + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
      const keep = heldFrom(text, needle);
      held = text.slice(keep);
      return stream.write(rewrite(text.slice(0, keep)));
    },
    once: (event, listener) => stream.once(event, listener),
    flush() {
      const rest = held + decoder.decode();
      held = "";
      if (rest !== "") stream.write(rewrite(rest));
    },
  };
}

/**
 * Where to hold back the end of `text`: from a `needle` (or the start of one) that the last line
 * has not finished, so `function.ts:4` is not written before its `:7` arrives.
 */
function heldFrom(text: string, needle: string): number {
  const lineStart = text.lastIndexOf("\n") + 1;
  const last = text.slice(lineStart);
  const whole = last.lastIndexOf(needle);
  if (whole >= 0) return lineStart + whole;
  for (let length = Math.min(needle.length - 1, last.length); length > 0; length--) {
    if (last.endsWith(needle.slice(0, length))) return text.length - length;
  }
  return text.length;
}
