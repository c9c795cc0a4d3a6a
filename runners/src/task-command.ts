import { UsageError } from "@keptn-task/sdk";
import { split } from "shlex";
import type { ResolvedScript } from "./resolve-script.js";
import type { RunnerSettings } from "./settings.js";

/** A process to start. */
export interface TaskCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * Splits `CMD_ARGS` with POSIX shell quoting rules, never through a shell: no expansion, no
 * substitution, no operators. Words after a lone `--` go after the script.
 */
export function splitCmdArgs(cmdArgs: string): { before: string[]; after: string[] } {
  let words: string[];
  try {
    words = split(cmdArgs);
  } catch (error) {
    throw new UsageError(
      `Cannot split CMD_ARGS "${cmdArgs}": ${error instanceof Error ? error.message : String(error)}: check its quotes`,
      { cause: error },
    );
  }
  const separator = words.indexOf("--");
  return separator === -1
    ? { before: words, after: [] }
    : { before: words.slice(0, separator), after: words.slice(separator + 1) };
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
): TaskCommand {
  const { before, after } = splitCmdArgs(settings.cmdArgs);
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      ...(importMap === undefined ? [] : [`--import-map=${importMap}`]),
      ...settings.denoPermissions,
      script.path,
      ...before,
      ...after,
    ],
  };
}

/**
 * The Python command for a task: `python3 [CMD_ARGS before --] <file> [CMD_ARGS after --]`,
 * as Keptn's image runs `python3 $CMD_ARGS $SCRIPT`, but from a file (so `__file__` exists)
 * and without a shell.
 */
export function pythonCommand(settings: RunnerSettings, script: ResolvedScript): TaskCommand {
  const { before, after } = splitCmdArgs(settings.cmdArgs);
  return { command: settings.python, args: [...before, script.path, ...after] };
}
