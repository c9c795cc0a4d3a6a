/**
 * Code that needs this project's runner images: a Deno task importing `@keptn-task/sdk` (our
 * runner maps it to the SDK it carries) or a Python task importing `keptn_task` (on our
 * runner's path). Keptn's stock `deno-runtime` and `python-runtime` have neither, so such a task
 * fails at its first line there.
 */
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { ResolvedTask } from "./resolve-task.js";

/** The SDK's specifier as a string literal starts: `"@keptn-task/sdk` or `'@keptn-task/sdk`. */
const SDK_LITERAL = "@keptn-task/sdk";
/**
 * What may stand between `import`/`export` and the SDK's literal for a value import: `import(`,
 * `import `, `import|export [type] ... from `; group 1 is set for a type-only one (`import type`,
 * `export type`), which TypeScript erases. Run only on a bounded window before each literal.
 */
const TS_IMPORT_HEAD =
  /^(?:import\s*\(\s*|import\s+|(?:import|export)\s+(type\s+)?[^;"'`]*\bfrom\s*)$/;
/** How far before the SDK's literal its `import` or `export` may start. */
const IMPORT_LOOKBACK = 2000;
/** `import keptn_task`, `import os, keptn_task as k`, `from keptn_task(.x) import ...`. */
const PY_SDK_IMPORT =
  /^[ \t]*(?:from[ \t]+keptn_task(?:\.\w+)*[ \t]+import\b|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*keptn_task\b)/;

/**
 * The code without its comments (`//`, `/* *\/` in TypeScript, `#` in Python), roughly (strings
 * are not told apart). Index searches only: linear in the code, whatever it holds (an unclosed
 * `/*` ends the code).
 */
export function withoutComments(code: string, runner: "deno" | "python"): string {
  if (runner === "python") return code.replace(/(^|[ \t])#.*$/gm, "$1");
  let out = "";
  let at = 0;
  // The next of each kind of comment, searched again only once `at` has passed it: every
  // character is searched once (a search from each comment start would be quadratic).
  let block = -2;
  let line = -2;
  while (at < code.length) {
    if (block !== -1 && block < at) block = code.indexOf("/*", at);
    if (line !== -1 && line < at) line = nextLineComment(code, at);
    if (block < 0 && line < 0) break;
    if (block >= 0 && (line < 0 || block < line)) {
      out += code.slice(at, block);
      const end = code.indexOf("*/", block + 2);
      at = end < 0 ? code.length : end + 2;
    } else {
      out += code.slice(at, line);
      const end = code.indexOf("\n", line);
      at = end < 0 ? code.length : end;
    }
  }
  return out + code.slice(at);
}

/** The next `//` from `at` that starts a comment (not `://` of a URL, nor after a quote or `\`). */
function nextLineComment(code: string, at: number): number {
  for (let i = code.indexOf("//", at); i >= 0; i = code.indexOf("//", i + 2)) {
    const before = code[i - 1];
    if (before === undefined || !":\"'\\".includes(before)) return i;
  }
  return -1;
}

/** Where the last word `import` or `export` in `text[start, end)` starts, or -1. */
function lastKeyword(text: string, start: number, end: number): number {
  const word = /[\w$]/;
  for (let k = end - 6; k >= start; ) {
    const at = Math.max(text.lastIndexOf("import", k), text.lastIndexOf("export", k));
    if (at < start) return -1;
    if (!word.test(text[at - 1] ?? " ") && !word.test(text[at + 6] ?? " ")) return at;
    k = at - 1;
  }
  return -1;
}

/** Whether some import or export of `text` names the SDK's literal, in one pass. */
function tsImportsSdk(text: string): boolean {
  let from = 0;
  for (let at = text.indexOf(SDK_LITERAL); at >= 0; at = text.indexOf(SDK_LITERAL, at + 1)) {
    const quote = text[at - 1];
    const after = at + SDK_LITERAL.length;
    const next = text[after];
    if ((quote !== '"' && quote !== "'") || (next !== quote && next !== "/")) continue;
    // Each window starts after the previous literal: the windows together cover the text once.
    const start = Math.max(from, at - 1 - IMPORT_LOOKBACK);
    const keyword = lastKeyword(text, start, at - 1);
    from = after;
    if (keyword < 0) continue;
    const head = TS_IMPORT_HEAD.exec(text.slice(keyword, at - 1));
    if (head !== null && head[1] === undefined) return true;
  }
  return false;
}

/**
 * Whether `code` imports this project's SDK for `runner`.
 *
 * @example
 * ```ts
 * importsSdk('import { task } from "@keptn-task/sdk";', "deno"); // true
 * ```
 */
export function importsSdk(code: string, runner: "deno" | "python"): boolean {
  const text = withoutComments(code, runner);
  if (runner === "python") {
    // Line by line: each line is matched once, from its start.
    for (const line of text.split("\n")) if (PY_SDK_IMPORT.test(line)) return true;
    return false;
  }
  return tsImportsSdk(text);
}

/**
 * `SDK_ON_STOCK_IMAGE` for a resolved definition whose own code (inline or a ConfigMap in the
 * catalog) imports the SDK, when its Job would run Keptn's stock image. Code reached through a
 * functionRef is reported on the definition it belongs to.
 *
 * @param resolved - A definition resolved in its own namespace.
 * @param subject - The definition, as the diagnostic names and locates it.
 */
export function sdkOnStockImage(
  resolved: ResolvedTask,
  subject: Parameters<typeof createDiagnostic>[2],
): Diagnostic[] {
  const { code, runner } = resolved;
  if (runner === "container" || code.kind !== "configMap" || code.code === undefined) return [];
  if (code.definition.name !== resolved.definition.name) return [];
  if (!importsSdk(code.code, runner)) return [];
  const sdk = runner === "deno" ? '"@keptn-task/sdk"' : "keptn_task";
  const field = code.createdByKeptn
    ? `spec.${runner}.inline.code`
    : `spec.${runner}.configMapRef.name`;
  return [
    createDiagnostic(
      "SDK_ON_STOCK_IMAGE",
      `code imports ${sdk}, which Keptn's stock image "${resolved.image}" lacks, so the task fails at its first line: run this project's ${runner}-runtime image (the operator's ${runner === "deno" ? "functionRunnerImage" : "pythonRunnerImage"}) and validate with --images keptn-task, or drop the import`,
      subject,
      { field },
    ),
  ];
}
