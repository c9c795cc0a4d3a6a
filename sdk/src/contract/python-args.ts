/**
 * The one rule for python interpreter options placed before the script (`python3 $CMD_ARGS
 * $SCRIPT`, as Keptn's image runs a task): which of them keep Python from running the script, or
 * from reporting its failure. The runner refuses them at start-up; `validate` reports them.
 */

/** Why one word of the options keeps the script from running, and that word. */
export interface PythonArgsProblem {
  readonly word: string;
  readonly why: string;
}

/** Python's short options that take a value (the rest of the word, or the next word). */
const PYTHON_VALUE_OPTIONS = "WX";
/** Python's long options that take the next word as their value. */
const PYTHON_LONG_VALUE_OPTIONS = new Set(["--check-hash-based-pycs"]);

const PRINTS = "makes python print and exit without running the script";

/** Why `-i` (and `PYTHONINSPECT`) is refused: the task's failure would read as a success. */
export const PYTHON_INSPECTS =
  "makes python turn interactive after the script, read the end of its input and end with 0 or 1 whatever the task's own exit code";

/** What one word does to Python: why it blocks, or whether it takes the next word. */
interface OptionVerdict {
  readonly blocker?: string;
  readonly takesNext?: boolean;
}

/**
 * Why interpreter options placed before the script would keep Python from running it, or from
 * reporting its failure, or `undefined` when they do not: `-c` and `-m` run something else, `-h`
 * and `-V` print and exit 0, `-` reads the program from stdin, `-i` (alone or in a cluster such
 * as `-ui`) ends with exit code 0 whatever the script did, a plain word is taken as the script,
 * and `--` makes the next word the script. Each ends the Job with a success for a task that never
 * ran, or with a failure on every retry.
 *
 * @param words The options, split into words, in order.
 * @returns The first word that blocks, with why, or `undefined`.
 * @example
 * ```ts
 * pythonArgsProblem(["-u", "--", "--env", "prod"]); // { word: "--", why: 'makes python ...' }
 * pythonArgsProblem(["-u", "-W", "error"]); // undefined
 * ```
 */
export function pythonArgsProblem(words: readonly string[]): PythonArgsProblem | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--") {
      const next = words[i + 1];
      if (next === undefined) return undefined;
      return {
        word,
        why: `makes python take the next word, "${next}", as the script in place of the task's, which fails on every retry`,
      };
    }
    const verdict = word.startsWith("--") ? longOption(word) : shortOptions(word);
    if (verdict.blocker !== undefined) return { word, why: verdict.blocker };
    // The option's value is the next word.
    if (verdict.takesNext) i++;
  }
  return undefined;
}

/** A long option (`--version`, `--check-hash-based-pycs always`). */
function longOption(word: string): OptionVerdict {
  if (/^--(help|version)/.test(word)) return { blocker: PRINTS };
  return { takesNext: PYTHON_LONG_VALUE_OPTIONS.has(word) };
}

/** `-`, a plain word, or a cluster of short options (`-uBc`, `-W error`, `-Werror`). */
function shortOptions(word: string): OptionVerdict {
  if (word === "-") return { blocker: "makes python read the program from stdin" };
  if (!word.startsWith("-")) return { blocker: "would be run by python in place of the script" };
  for (let at = 1; at < word.length; at++) {
    const option = word[at] ?? "";
    if (option === "c" || option === "m")
      return {
        blocker: `makes python run ${option === "c" ? "a command" : "a module"} instead of the script`,
      };
    if ("hV?".includes(option)) return { blocker: PRINTS };
    if (option === "i") return { blocker: PYTHON_INSPECTS };
    // The value is the rest of the word, or else the next word.
    if (PYTHON_VALUE_OPTIONS.includes(option)) return { takesNext: at === word.length - 1 };
  }
  return {};
}
