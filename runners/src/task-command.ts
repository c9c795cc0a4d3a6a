import { split } from "shlex";
import type { ResolvedScript } from "./resolve-script.js";
import type { RunnerSettings } from "./settings.js";

/** A process to start. */
export interface TaskCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Something the runner should log before starting it. */
  readonly warning?: string;
}

/** `CMD_ARGS` split into the words before and after a lone `--`. */
export interface SplitArgs {
  readonly before: string[];
  readonly after: string[];
  /** Set when the quotes did not balance and plain word splitting was used instead. */
  readonly warning?: string;
}

/**
 * Splits `CMD_ARGS` with POSIX shell quoting rules, never through a shell: no expansion, no
 * substitution, no operators. Words after a lone `--` go after the script. When the quotes do
 * not balance (`--name O'Brien`), the words are split at white space as Keptn's own image
 * does, and a warning says so.
 */
export function splitCmdArgs(cmdArgs: string): SplitArgs {
  let words: string[];
  let warning: string | undefined;
  try {
    words = split(cmdArgs);
  } catch (error) {
    words = cmdArgs.split(/\s+/).filter((word) => word !== "");
    warning = `CMD_ARGS has unbalanced quotes (${error instanceof Error ? error.message : String(error)}): split at white space instead, as Keptn's own image does`;
  }
  const separator = words.indexOf("--");
  const parts =
    separator === -1
      ? { before: words, after: [] }
      : { before: words.slice(0, separator), after: words.slice(separator + 1) };
  return warning === undefined ? parts : { ...parts, warning };
}

/**
 * The Deno command for a task: Keptn's permissions (or the user's), our import map (so
 * `@keptn-task/sdk` resolves to the bundled SDK with no network), no config file discovery.
 * `CMD_ARGS` (which Keptn's own deno image ignores) become the script's arguments.
 */
export function denoCommand(
  settings: RunnerSettings,
  script: ResolvedScript,
  importMap: string | undefined,
  exitGuard: string,
): TaskCommand {
  const { before, after, warning } = splitCmdArgs(settings.cmdArgs);
  return {
    ...(warning === undefined ? {} : { warning }),
    command: Deno.execPath(),
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      ...(importMap === undefined ? [] : [`--import-map=${importMap}`]),
      // The one exit path (exit-guard.ts): no exit code reads as 0 by the system's cut.
      `--preload=${exitGuard}`,
      ...settings.denoPermissions,
      script.path,
      ...before,
      ...after,
    ],
  };
}

/**
 * The Python command for a task: `python3 [CMD_ARGS before --] <launcher> <file> [CMD_ARGS after
 * --]`, as Keptn's image runs `python3 $CMD_ARGS $SCRIPT`, but from a file (so `__file__` exists),
 * without a shell, and through the launcher (`python/task_launch.py`), which runs the file as
 * `python3 FILE` would and ends through the one exit path: no exit code reads as 0 by the
 * system's cut.
 */
export function pythonCommand(
  settings: RunnerSettings,
  script: ResolvedScript,
  launcher: string,
): TaskCommand {
  const { before, after, warning } = splitCmdArgs(settings.cmdArgs);
  return {
    ...(warning === undefined ? {} : { warning }),
    command: settings.python,
    args: [...before, launcher, script.path, ...after],
  };
}

/** Python's short options that take a value (the rest of the word, or the next word). */
const PYTHON_VALUE_OPTIONS = "WX";
/** Python's long options that take the next word as their value. */
const PYTHON_LONG_VALUE_OPTIONS = new Set(["--check-hash-based-pycs"]);

/**
 * Why interpreter options placed before the script (`CMD_ARGS` before `--`) would keep Python
 * from running it, or `undefined` when they do not: `-c` and `-m` run something else, `-h` and
 * `-V` print and exit 0, `-` reads the program from stdin, and a plain word is taken as the
 * script. Each would end the Job with a success for a task that never ran.
 */
export function pythonArgsBlocker(before: readonly string[]): string | undefined {
  for (let i = 0; i < before.length; i++) {
    const word = before[i] ?? "";
    const verdict = word.startsWith("--") ? longOption(word) : shortOptions(word);
    if (verdict.blocker !== undefined) return refusal(word, verdict.blocker);
    // The option's value is the next word.
    if (verdict.takesNext) i++;
  }
  return undefined;
}

/** What one word of `CMD_ARGS` before `--` does to Python: why it blocks, or whether it takes the next word. */
interface OptionVerdict {
  readonly blocker?: string;
  readonly takesNext?: boolean;
}

const PRINTS = "makes python print and exit without running the script";
const INSPECTS =
  "makes python turn interactive after the script, read the end of its input and end with 0 or 1 whatever the task's own exit code";

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
    if (option === "i") return { blocker: INSPECTS };
    // The value is the rest of the word, or else the next word.
    if (PYTHON_VALUE_OPTIONS.includes(option)) return { takesNext: at === word.length - 1 };
  }
  return {};
}

/**
 * Why the environment would keep Python from ending with the task's own exit code, or
 * `undefined`: `PYTHONINSPECT` (any non-empty value) acts as `-i`.
 */
export function pythonEnvBlocker(env: Readonly<Record<string, string>>): string | undefined {
  if ((env.PYTHONINSPECT ?? "") === "") return undefined;
  return `Cannot run the task: PYTHONINSPECT is set, which ${INSPECTS}: unset it`;
}

function refusal(word: string, why: string): string {
  const consequence =
    why === INSPECTS
      ? "so a failed task would be reported as a success: remove it"
      : "so the task would not run: put the task's own arguments after --";
  return `Cannot run the task: CMD_ARGS "${word}" ${why}, ${consequence}`;
}
