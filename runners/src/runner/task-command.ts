import { PYTHON_INSPECTS, pythonArgsProblem } from "@keptn-task/sdk/contract";
import { split } from "shlex";
import type { ResolvedScript } from "./resolve-script.js";
import type { RunnerSettings } from "./settings.js";

/** A process to start. */
export interface TaskCommand {
  readonly command: string;
  readonly args: readonly string[];
  /**
   * Set for a process that waits, before the task's code loads, for the runner's go (one byte
   * "g" on its stdin, see `exit-guard-preload.ts`): the runner gives it once everything is
   * checked, and an early start (`early-start.ts`) can be started before that.
   */
  readonly gated?: true;
  /** Something the runner should log before starting it. */
  readonly warning?: string;
}

/**
 * How a task's process starts: with the environment it inherits plus `env`, its output piped (to
 * be masked) or inherited, and its stdin empty. A gated process gets the runner's go on its
 * stdin, which is then closed: the task reads it empty, as /dev/null.
 */
export function taskProcess(
  command: TaskCommand,
  env: Record<string, string>,
  output: "piped" | "inherit",
): Deno.CommandOptions {
  return {
    args: [...command.args],
    env,
    stdin: command.gated ? "piped" : "null",
    stdout: output,
    stderr: output,
  };
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
  settings: Pick<RunnerSettings, "cmdArgs" | "denoPermissions">,
  script: Pick<ResolvedScript, "path" | "usesNodeProcess" | "importsUnseen">,
  importMap: string | undefined,
  exitGuard: string,
): TaskCommand {
  const { before, after, warning } = splitCmdArgs(settings.cmdArgs);
  const guard = script.usesNodeProcess || script.importsUnseen ? "node&gate" : "gate";
  return {
    ...(warning === undefined ? {} : { warning }),
    command: Deno.execPath(),
    gated: true,
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      // Never read again: the task's process ends with the Job (see runnerDenoFlags).
      "--no-code-cache",
      ...(importMap === undefined ? [] : [`--import-map=${importMap}`]),
      // The one exit path (exit-guard.ts): no exit code reads as 0 by the system's cut. For code
      // that may use Node's process (its own or its imports'), the guard also ends behind
      // Node's `exit` listeners, which run after every `unload` listener. And the gate: the
      // task's module loads once the runner says so.
      `--preload=${fileUrl(exitGuard)}?${guard}`,
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
 * without a shell, and through the launcher (`task_launch.py`), which runs the file as
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

/**
 * Why interpreter options placed before the script (`CMD_ARGS` before `--`) would keep Python
 * from running it, or `undefined` when they do not: the SDK's one rule (`pythonArgsProblem`,
 * which `keptn-task validate` reports too), as the runner's refusal.
 */
export function pythonArgsBlocker(before: readonly string[]): string | undefined {
  const problem = pythonArgsProblem(before);
  return problem === undefined ? undefined : refusal(problem.word, problem.why);
}

/**
 * Why the environment would keep Python from ending with the task's own exit code, or
 * `undefined`: `PYTHONINSPECT` (any non-empty value) acts as `-i`.
 */
export function pythonEnvBlocker(env: Readonly<Record<string, string>>): string | undefined {
  if ((env.PYTHONINSPECT ?? "") === "") return undefined;
  return `Cannot run the task: PYTHONINSPECT is set, which ${PYTHON_INSPECTS}: unset it`;
}

function refusal(word: string, why: string): string {
  const consequence =
    why === PYTHON_INSPECTS
      ? "so a failed task would be reported as a success: remove it"
      : "so the task would not run: put the task's own arguments after --";
  return `Cannot run the task: CMD_ARGS "${word}" ${why}, ${consequence}`;
}

/** The `file:` URL of a path, every segment percent-encoded (`#`, `?`, `%` are file names too). */
export function fileUrl(path: string): string {
  const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return `file://${absolute.split("/").map(encodeURIComponent).join("/")}`;
}
