import { createMaskingStream, RuntimeMissingError, type SecretRegistry } from "@keptn-task/sdk";
import type { TaskCommand } from "./task-command.js";

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
};

/** How a supervised task ended. */
export interface TaskOutcome {
  /** The exit code to end the runner with: the task's, or 128 + signal number. */
  readonly exitCode: number;
  /** The signal the runner forwarded, if any. */
  readonly forwarded?: Deno.Signal;
  /** Whether the task had to be killed after the grace period. */
  readonly killed: boolean;
}

/** Options of `supervise`. */
export interface SuperviseOptions {
  readonly env: Record<string, string>;
  readonly secrets: SecretRegistry;
  readonly graceMs: number;
  /** Told when a signal is forwarded or the task is killed (for the runner's log). */
  readonly onEvent?: (event: { signal: Deno.Signal; killed: boolean }) => void;
}

/**
 * Runs the task as a child process: its stdout and stderr pass through the secret masker
 * (straight through when there is no secret to mask),
 * SIGTERM and SIGINT are forwarded, and a task still running `graceMs` after a forwarded signal
 * is killed. Resolves once the task has exited and all of its output is written.
 */
export async function supervise(
  command: TaskCommand,
  options: SuperviseOptions,
): Promise<TaskOutcome> {
  // With no secret there is nothing to mask: the task writes straight to the container's
  // stdout and stderr, with no pipe (and no copy) in between.
  const output = options.secrets.size > 0 ? "piped" : "inherit";
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command.command, {
      args: [...command.args],
      env: options.env,
      clearEnv: true,
      stdin: "null",
      stdout: output,
      stderr: output,
    }).spawn();
  } catch (error) {
    throw new RuntimeMissingError(
      `Cannot start "${command.command}": ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  let forwarded: Deno.Signal | undefined;
  let killed = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = (["SIGTERM", "SIGINT"] as const).map((signal) => {
    const listener = () => {
      if (forwarded !== undefined) return;
      forwarded = signal;
      options.onEvent?.({ signal, killed: false });
      try {
        child.kill(signal);
      } catch {
        return; // already exited
      }
      killTimer = setTimeout(() => {
        killed = true;
        options.onEvent?.({ signal: "SIGKILL", killed: true });
        try {
          child.kill("SIGKILL");
        } catch {
          // exited meanwhile
        }
      }, options.graceMs);
    };
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });

  const pipes =
    output === "inherit"
      ? Promise.resolve()
      : Promise.all([
          child.stdout
            .pipeThrough(createMaskingStream({ secrets: options.secrets }))
            .pipeTo(Deno.stdout.writable, { preventClose: true }),
          child.stderr
            .pipeThrough(createMaskingStream({ secrets: options.secrets }))
            .pipeTo(Deno.stderr.writable, { preventClose: true }),
        ]);
  const status = await child.status;
  await pipes;
  clearTimeout(killTimer);
  for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);

  const exitCode =
    status.signal !== null ? 128 + (SIGNAL_NUMBERS[status.signal] ?? 0) : status.code;
  return forwarded === undefined ? { exitCode, killed } : { exitCode, forwarded, killed };
}
