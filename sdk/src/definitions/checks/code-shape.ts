/**
 * What a definition's own code (inline, or its ConfigMap's) does on Keptn's runner images before
 * any of it runs:
 * - `CODE_ALL_COMMENT`: code that is one line starting with `//` (Deno) or `#` (Python) is one
 *   comment: a YAML folded scalar (`code: >`) joins the lines of a program whose first line is a
 *   comment into that one line. The task succeeds doing nothing.
 * - `IMPORT_UNRESOLVABLE` (`--images keptn`): Keptn mounts the code as one file
 *   (`/var/data/function.ts`, `subPath: code`) and runs `deno run ... "$SCRIPT"` with no config
 *   or import map (runtimes/deno-runtime/entrypoint.sh), so a relative import finds no file and a
 *   bare specifier (`"lodash"`) does not resolve; the python-runtime image has the standard
 *   library, pyyaml, GitPython and requests only (runtimes/python-runtime/Dockerfile), both read
 *   from keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import type { TaskDefinition } from "../model.js";
import type { ResolvedTask } from "../resolve-task.js";
import { withoutComments } from "../sdk-imports.js";
import { STOCK_PYTHON_MODULES } from "./python-modules.js";

/** Static imports at the start of a line: `import ... from "x"`, `} from "x"`, `import "x"`. */
const DENO_IMPORT = /^(?:(?:import|export|\})[^\n"'`]*?\bfrom\s*|import\s*)["']([^"'\n]+)["']/gm;
/** Schemes Deno resolves without a config. */
const DENO_SCHEMES = /^(?:npm|jsr|node|https?|data|file):/;
/** Unindented `import a, b.c as d` and `from a.b import c` (an indented one may be guarded). */
const PY_IMPORT = /^(?:import[ \t]+([\w., \t]+)|from[ \t]+(\w+)[\w.]*[ \t]+import\b)/gm;

function denoProblems(code: string): string[] {
  const out: string[] = [];
  for (const match of withoutComments(code, "deno").matchAll(DENO_IMPORT)) {
    const specifier = match[1] ?? "";
    if (specifier.startsWith("@keptn-task/sdk")) continue; // SDK_ON_STOCK_IMAGE says it
    if (specifier.startsWith("./") || specifier.startsWith("../")) {
      out.push(
        `imports "${specifier}", but Keptn mounts the code alone at /var/data/function.ts, so no file is beside it; inline what it imports, or import it from a URL`,
      );
    } else if (!DENO_SCHEMES.test(specifier) && !specifier.startsWith("/")) {
      out.push(
        `imports "${specifier}", a bare specifier Deno resolves only with an import map, which Keptn's deno-runtime does not have; write "npm:${specifier}" or "jsr:${specifier}"`,
      );
    }
  }
  return out;
}

function pythonProblems(code: string): string[] {
  const modules = new Set<string>();
  for (const match of withoutComments(code, "python").matchAll(PY_IMPORT)) {
    const names = match[2] !== undefined ? [match[2]] : (match[1] ?? "").split(",");
    for (const name of names) {
      const top = name.trim().split(/[\s.]/)[0] ?? "";
      // keptn_task: SDK_ON_STOCK_IMAGE says it.
      if (top !== "" && top !== "keptn_task" && !STOCK_PYTHON_MODULES.has(top)) modules.add(top);
    }
  }
  return [...modules].map(
    (name) =>
      `imports "${name}", which Keptn's python-runtime image does not have (only the standard library, pyyaml, GitPython and requests), so the task fails at that line; build an image with it and set it as pythonRunnerImage, or use only those`,
  );
}

/**
 * `CODE_ALL_COMMENT` for a definition's own code; `IMPORT_UNRESOLVABLE` too on the stock images.
 *
 * @param def - The definition.
 * @param resolved - Its resolution in its own namespace.
 * @param stockImages - Whether the cluster runs Keptn's stock images.
 */
export function checkCodeShape(
  def: TaskDefinition,
  resolved: ResolvedTask,
  stockImages: boolean,
): Diagnostic[] {
  const { code, runner } = resolved;
  if (runner === "container" || code.kind !== "configMap" || code.code === undefined) return [];
  if (code.definition.name !== def.name) return [];
  const field = code.createdByKeptn
    ? `spec.${runner}.inline.code`
    : `spec.${runner}.configMapRef.name`;
  const text = code.code.trim();
  const marker = runner === "deno" ? "//" : "#";
  if (!text.includes("\n") && text.startsWith(marker) && text.length > marker.length) {
    const message = `"${def.name}": its code is one line starting with "${marker}", so the whole program is a comment and the task succeeds doing nothing (a folded scalar "code: >" joins lines); write the code as a literal block, "code: |"`;
    return [createDiagnostic("CODE_ALL_COMMENT", message, def, { field })];
  }
  if (!stockImages) return [];
  const problems = runner === "deno" ? denoProblems(code.code) : pythonProblems(code.code);
  return problems.map((problem) =>
    createDiagnostic("IMPORT_UNRESOLVABLE", `"${def.name}": its code ${problem}`, def, { field }),
  );
}
