import { createMaskingStream, RuntimeMissingError, type SecretRegistry } from "@keptn-task/sdk";
import type { SignalRelay, StopSignal } from "./signals.js";
import type { TaskCommand } from "./task-command.js";

/** How long output may keep flowing after the task exited (from processes it left behind). */
const DRAIN_MS = 2000;

/** How a supervised task ended. */
export interface TaskOutcome {
  /** The exit code to end the runner with: the task's, or 128 + signal number. */
  readonly exitCode: number;
  /** The signal the runner forwarded, if any. */
  readonly forwarded?: StopSignal;
  /** The signal the task died of, if it did. */
  readonly diedOf?: string;
  /** Whether the task had to be killed (after the grace period, or at a second signal). */
  readonly killed: boolean;
  /** Set when a second signal killed it: that signal, and how long after the first it came. */
  readonly secondSignal?: { readonly signal: StopSignal; readonly afterMs: number };
  /** Errors writing the task's output (for example EPIPE): reported, not fatal. */
  readonly pipeErrors: readonly unknown[];
}

/** Options of `supervise`. */
export interface SuperviseOptions {
  /** Variables to set for the task on top of the environment it inherits. */
  readonly env: Record<string, string>;
  readonly secrets: SecretRegistry;
  readonly graceMs: number;
  /** The runner's signal relay: forwarded to the task while it runs. */
  readonly signals: SignalRelay;
  /** Told when a signal is forwarded or the task is killed (for the runner's log). */
  readonly onEvent?: (event: { signal: StopSignal | "SIGKILL"; killed: boolean }) => void;
  /**
   * Kept up to date while the task's output is masked: whether the last byte written to the
   * runner's stderr ended a line, so the runner's own log line can start on a line of its own.
   */
  readonly stderr?: { atLineStart: boolean };
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
      // The task inherits the container's environment, with the runner's additions.
      env: options.env,
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

  let forwarded: StopSignal | undefined;
  let forwardedAt = 0;
  let secondSignal: { signal: StopSignal; afterMs: number } | undefined;
  let killed = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const kill = () => {
    killed = true;
    options.onEvent?.({ signal: "SIGKILL", killed: true });
    try {
      child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  };
  const unsubscribe = options.signals.subscribe((signal, first) => {
    if (!first || forwarded !== undefined) {
      // A second signal (Ctrl-C twice) does not wait for the grace period.
      clearTimeout(killTimer);
      secondSignal ??= {
        signal,
        afterMs: forwarded === undefined ? 0 : performance.now() - forwardedAt,
      };
      kill();
      return;
    }
    forwarded = signal;
    forwardedAt = performance.now();
    options.onEvent?.({ signal, killed: false });
    try {
      child.kill(signal);
    } catch {
      return; // already exited
    }
    killTimer = setTimeout(kill, options.graceMs);
  });

  // Failures of the pipes (the reader of our stdout went away: EPIPE) must neither crash the
  // runner nor change the task's outcome; they are reported, and the task runs to its end.
  const drain = new AbortController();
  const pipeErrors: unknown[] = [];
  const pipe = async (from: ReadableStream<Uint8Array>, to: WritableStream<Uint8Array>) => {
    const masked = from.pipeThrough(createMaskingStream({ secrets: options.secrets }));
    try {
      // preventAbort: when the runner stops waiting for the output, its own stdout and stderr
      // must stay open (closing them would make its next log line fail).
      await masked.pipeTo(to, {
        preventClose: true,
        preventAbort: true,
        preventCancel: true,
        signal: drain.signal,
      });
      return;
    } catch (error) {
      if (!drain.signal.aborted) pipeErrors.push(error);
    }
    try {
      // Our output is gone (or we stopped waiting): keep reading and dropping the task's output,
      // so the task is not killed by a broken pipe and runs to its end.
      if (!drain.signal.aborted)
        await masked.pipeTo(new WritableStream(), { signal: drain.signal });
    } catch {
      // stopped waiting
    }
    await masked.cancel().catch(() => undefined);
  };
  const pipes =
    output === "inherit"
      ? Promise.resolve()
      : Promise.all([
          pipe(child.stdout, writerTo(Deno.stdout)),
          pipe(
            child.stderr,
            writerTo(Deno.stderr, (last) => {
              if (options.stderr !== undefined) options.stderr.atLineStart = last === 0x0a;
            }),
          ),
        ]);
  const status = await child.status;
  // A process the task left behind may hold the pipes open: give them a moment to drain, then
  // stop reading, so the Job ends when the task does (as Keptn's own images end with their shell).
  // (Timers and aborts are touched only when needed: Deno spends ~10 ms setting up its timer
  // machinery on the first clearTimeout, which the common no-secret, no-signal path never pays.)
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  if (output === "piped") {
    await Promise.race([
      pipes,
      new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS))),
    ]);
    if (drainTimer !== undefined) clearTimeout(drainTimer);
    drain.abort();
  }
  if (killTimer !== undefined) clearTimeout(killTimer);
  unsubscribe();

  // Deno reports a death by signal N as code 128 + N, as a shell does.
  const exitCode = status.code === 0 && status.signal !== null ? 128 : status.code;
  return {
    exitCode,
    killed,
    ...(secondSignal === undefined ? {} : { secondSignal }),
    ...(forwarded === undefined ? {} : { forwarded }),
    ...(status.signal === null ? {} : { diedOf: status.signal }),
    pipeErrors,
  };
}

/**
 * A stream writing to one of the runner's own outputs. Its own, not `Deno.stdout.writable`:
 * ending it never closes the output (the runner writes its log after), and it sees the last
 * byte of every chunk.
 */
function writerTo(
  output: { write(bytes: Uint8Array): Promise<number> },
  onLastByte?: (byte: number) => void,
): WritableStream<Uint8Array> {
  return new WritableStream({
    async write(chunk) {
      for (let written = 0; written < chunk.length; )
        written += await output.write(chunk.subarray(written));
      if (chunk.length > 0) onLastByte?.(chunk[chunk.length - 1] ?? 0);
    },
  });
}
