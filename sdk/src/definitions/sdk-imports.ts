/**
 * Code that needs this project's runner images: a Deno task importing `@keptn-task/sdk` (our
 * runner maps it to the SDK it carries) or a Python task importing `keptn_task` (on our
 * runner's path). Keptn's stock `deno-runtime` and `python-runtime` have neither, so such a task
 * fails at its first line there.
 */
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { ResolvedTask } from "./resolve-task.js";

/** `import ... from "@keptn-task/sdk"`, `import("@keptn-task/sdk/...")`, `export ... from`. */
const TS_SDK_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']@keptn-task\/sdk(?:\/[^"']*)?["']/;
/** `import keptn_task`, `from keptn_task import ...`, `from keptn_task.x import ...`. */
const PY_SDK_IMPORT =
  /^[ \t]*(?:from[ \t]+keptn_task(?:\.\w+)*[ \t]+import\b|import[ \t]+keptn_task\b)/m;

/**
 * Whether `code` imports this project's SDK for `runner`.
 *
 * @example
 * ```ts
 * importsSdk('import { task } from "@keptn-task/sdk";', "deno"); // true
 * ```
 */
export function importsSdk(code: string, runner: "deno" | "python"): boolean {
  return (runner === "deno" ? TS_SDK_IMPORT : PY_SDK_IMPORT).test(code);
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
