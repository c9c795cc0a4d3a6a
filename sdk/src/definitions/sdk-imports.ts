/**
 * Code that needs this project's runner images: a Deno task importing `@keptn-task/sdk` (our
 * runner maps it to the SDK it carries) or a Python task importing `keptn_task` (on our
 * runner's path). Keptn's stock `deno-runtime` and `python-runtime` have neither, so such a task
 * fails at its first line there.
 */
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { ResolvedTask } from "./resolve-task.js";

/**
 * A value import of the SDK: `import ... from "@keptn-task/sdk"`, `import "@keptn-task/sdk"`,
 * `import("@keptn-task/sdk/...")`, `export ... from`; group 1 is set for a type-only one
 * (`import type`, `export type`), which TypeScript erases.
 */
const TS_SDK_IMPORT =
  /\b(?:import\s*\(\s*|import\s+|(?:import|export)\s+(type\s+)?[^;"'`]*?\bfrom\s*)["']@keptn-task\/sdk(?:\/[^"']*)?["']/g;
/** `import keptn_task`, `import os, keptn_task as k`, `from keptn_task(.x) import ...`. */
const PY_SDK_IMPORT =
  /^[ \t]*(?:from[ \t]+keptn_task(?:\.\w+)*[ \t]+import\b|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*keptn_task\b)/m;

/** The code without its comments (`//`, `/* *\/` in TypeScript, `#` in Python), roughly. */
function withoutComments(code: string, runner: "deno" | "python"): string {
  if (runner === "python") return code.replace(/(^|[ \t])#.*$/gm, "$1");
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'\\])\/\/.*$/gm, "$1");
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
  if (runner === "python") return PY_SDK_IMPORT.test(text);
  return [...text.matchAll(TS_SDK_IMPORT)].some((match) => match[1] === undefined);
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
