/**
 * `PYTHON_CMD_PARAMETERS_CHANGE_CODE`: interpreter options in python `cmdParameters` that leave
 * the script in place but change what its code does. Keptn's python-runtime runs
 * `python3 $CMD_ARGS $SCRIPT` (or `curl -s $SCRIPT | python3 $CMD_ARGS -` for a URL;
 * runtimes/python-runtime/entrypoint.sh, keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384), and this project's runner passes the same options
 * to the same interpreter (its launcher compiles the task at the interpreter's optimization level
 * and drops the first line under `-x`, `runners/src/task_launch.py`): the effect is the same on
 * both. `-O` removes `assert` statements, `-OO` docstrings too, `-x` skips the first line of the
 * code.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import type { TaskDefinition } from "../model.js";

interface Effects {
  optimize: number;
  skipFirstLine: boolean;
}

/** Python's short options that take a value (the rest of the word, or the next word). */
const VALUE_OPTIONS = "WX";

/** One cluster of short options (`-uOx`): its effects; `true` when its value is the next word. */
function cluster(word: string, effects: Effects): boolean {
  for (let at = 1; at < word.length; at++) {
    const option = word[at] ?? "";
    if (option === "O") effects.optimize++;
    if (option === "x") effects.skipFirstLine = true;
    if (VALUE_OPTIONS.includes(option)) return at === word.length - 1;
  }
  return false;
}

/** The options' effects on the code, read as python reads options before the script. */
export function pythonCodeEffects(words: readonly string[]): Effects {
  const effects: Effects = { optimize: 0, skipFirstLine: false };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--" || !word.startsWith("-") || word === "-") break;
    if (word.startsWith("--")) {
      if (word === "--check-hash-based-pycs") i++;
    } else if (cluster(word, effects)) {
      i++;
    }
  }
  return effects;
}

function describe({ optimize, skipFirstLine }: Effects): string[] {
  const out: string[] = [];
  if (optimize === 1) out.push("-O removes every assert statement (and sets __debug__ to False)");
  if (optimize > 1)
    out.push("-OO removes every assert statement and the docstrings (__doc__ is None)");
  if (skipFirstLine)
    out.push("-x skips the first line of the code, so its first statement never runs");
  return out;
}

/**
 * The warning for a python definition whose `cmdParameters` change what its code does.
 *
 * @param def - The definition.
 */
export function checkPythonCodeOptions(def: TaskDefinition): Diagnostic[] {
  const cmd = def.runtime?.cmdParameters;
  if (def.runner !== "python" || cmd === undefined) return [];
  const effects = describe(pythonCodeEffects(cmd.split(/\s+/).filter((w) => w !== "")));
  if (effects.length === 0) return [];
  const field = `spec.${def.runtimeField ?? "python"}.cmdParameters`;
  return [
    createDiagnostic(
      "PYTHON_CMD_PARAMETERS_CHANGE_CODE",
      `"${def.name}" has ${field} "${cmd}": ${effects.join("; ")}, on Keptn's python-runtime and keptn-task alike, so the task does not run as its code reads; drop the option, or write checks as if statements`,
      def,
      { field },
    ),
  ];
}
