/**
 * Starting a Python task's interpreter early: before the runner has loaded its own code and
 * checked the task's settings, so that the two start-ups overlap (a Job otherwise pays them one
 * after the other). The launcher (`task_launch.py`) is started with `AWAIT_START` in place of the
 * task's file and waits on its stdin: nothing of the task runs until the runner, its checks
 * passed, names the file there (`claim`). Every other way out ends it with nothing run: the runner
 * kills it (`cancel`), and should the runner end first, its end of the pipe closes, which the
 * launcher reads as "do not run".
 *
 * Only for the plain case, whose command line the runner's checks cannot change: no `CMD_ARGS`
 * (interpreter options act at start-up, before any check) and no `PYTHONINSPECT`. When the
 * runner then plans another command, environment or output (masked or not), the early process is
 * cancelled and the task is started as before.
 */
import type { TaskCommand } from "./task-command.js";
import { taskEnv } from "./task-env.js";

/** The launcher's argument in place of the task's file (`AWAIT_START` in `task_launch.py`). */
export const AWAIT_START = "--keptn-task-await-start";

/** Where the launcher and the keptn_task package are. */
export interface EarlyAssets {
  readonly pythonPath: string;
  readonly pythonLauncher: string;
}

/** A launcher started early, waiting for the runner's go. */
export class EarlyStart {
  readonly #child: Deno.ChildProcess;
  readonly #command: string;
  readonly #launcher: string;
  readonly #env: Record<string, string>;
  readonly #piped: boolean;
  #done = false;

  constructor(
    child: Deno.ChildProcess,
    plan: { command: string; launcher: string; env: Record<string, string>; piped: boolean },
  ) {
    this.#child = child;
    this.#command = plan.command;
    this.#launcher = plan.launcher;
    this.#env = plan.env;
    this.#piped = plan.piped;
  }

  /**
   * The early process for `command`, told to run `path`, when it was started as the runner now
   * plans to start the task: same command line, environment and output. Else it is cancelled,
   * and `undefined` says to start the task as usual.
   */
  async claim(
    command: TaskCommand,
    env: Record<string, string>,
    piped: boolean,
    path: string,
  ): Promise<Deno.ChildProcess | undefined> {
    const same =
      !this.#done &&
      command.command === this.#command &&
      JSON.stringify(command.args) === JSON.stringify([this.#launcher, path]) &&
      JSON.stringify(env) === JSON.stringify(this.#env) &&
      piped === this.#piped;
    if (!same) {
      await this.cancel();
      return undefined;
    }
    this.#done = true;
    const writer = this.#child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(path));
      await writer.close();
    } catch {
      // It ended already: the supervisor reports how, as for any task that ends early.
    }
    return this.#child;
  }

  /** Ends the early process with nothing run (idempotent). */
  async cancel(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // ended already
    }
    await this.#child.stdin.abort().catch(() => undefined);
    if (this.#piped) {
      await this.#child.stdout.cancel().catch(() => undefined);
      await this.#child.stderr.cancel().catch(() => undefined);
    }
    await this.#child.status.catch(() => undefined);
  }
}

/**
 * Starts the launcher of a Python task early, when the task is the plain case (see the module
 * doc); `undefined` otherwise, or when it cannot be started (the runner then reports that as
 * usual).
 *
 * @param args - The runner's arguments: its first names the runtime.
 * @param env - The container's environment.
 * @param rawSecret - Whether SECURE_DATA is set but not valid UTF-8.
 */
export function startEarly(
  args: readonly string[],
  env: Record<string, string>,
  rawSecret: boolean,
  assets: EarlyAssets,
): EarlyStart | undefined {
  if (args[0] !== "python" || (env.CMD_ARGS ?? "").trim() !== "") return undefined;
  if ((env.PYTHONINSPECT ?? "") !== "" || (env.SCRIPT ?? "").trim() === "") return undefined;
  const script = (env.SCRIPT ?? "").trim();
  // Masked output comes through pipes: with SECURE_DATA, or a URL that may carry a credential.
  const piped =
    (env.SECURE_DATA ?? "") !== "" ||
    rawSecret ||
    (/^https?:\/\//i.test(script) && /[@?]/.test(script));
  const command = env.KEPTN_TASK_PYTHON ?? "python3";
  const childEnv = taskEnv("python", env, env.TMPDIR ?? "/tmp", assets.pythonPath);
  const output = piped ? "piped" : "inherit";
  try {
    const child = new Deno.Command(command, {
      args: [assets.pythonLauncher, AWAIT_START],
      env: childEnv,
      stdin: "piped",
      stdout: output,
      stderr: output,
    }).spawn();
    return new EarlyStart(child, {
      command,
      launcher: assets.pythonLauncher,
      env: childEnv,
      piped,
    });
  } catch {
    return undefined;
  }
}
