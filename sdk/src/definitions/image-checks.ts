/**
 * What depends on the runner images the cluster runs: Keptn's stock `deno-runtime` and
 * `python-runtime` (`python3 $CMD_ARGS $SCRIPT`; `deno run ... $SCRIPT`, no `CMD_ARGS`), or this
 * project's (which split `CMD_ARGS` at a lone `--`, pass them to Deno as `Deno.args`, and refuse
 * `file:` URLs).
 */
import { pythonArgsProblem } from "../contract/python-args.js";
import { pythonCmdParameters } from "./check-definition.js";
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { TaskDefinition } from "./model.js";

/**
 * The findings of one definition that depend on the images: with Keptn's stock images, python
 * `cmdParameters` with `--` before more words (the next word becomes the script) and deno
 * `cmdParameters` (ignored); with this project's, a `file:` httpRef is an error.
 *
 * @param def - The definition.
 * @param stockImages - Whether the cluster runs Keptn's stock images.
 * @param diagnostics - The definition's other findings, re-levelled where the images decide.
 */
export function checkForImages(
  def: TaskDefinition,
  stockImages: boolean,
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  if (!stockImages) {
    return diagnostics.map((d) => (d.code === "HTTPREF_FILE" ? { ...d, level: "error" } : d));
  }
  const cmd = def.runtime?.cmdParameters;
  const field = `spec.${def.runtimeField ?? "deno"}`;
  if (cmd === undefined) return [...diagnostics];
  if (def.runner === "deno") {
    return [
      ...diagnostics,
      createDiagnostic(
        "DENO_CMD_PARAMETERS_IGNORED",
        `"${def.name}" has ${field}.cmdParameters "${cmd}": Keptn's deno-runtime runs deno run without $CMD_ARGS, so the task never sees them (keptn-task run and this project's image pass them as Deno.args); pass data through parameters`,
        def,
        { field: `${field}.cmdParameters` },
      ),
    ];
  }
  const problem = pythonArgsProblem(cmd.split(/\s+/).filter((word) => word !== ""));
  if (def.runner !== "python" || problem?.word !== "--") return [...diagnostics];
  return [...diagnostics, pythonCmdParameters(def, problem, field, `"${def.name}"`)];
}
