import { RuntimeMissingError, SecretMasker, type SecretRegistry } from "@keptn-task/sdk";
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
  const pipeErrors: unknown[] = [];
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  const pipe = async (
    from: ReadableStream<Uint8Array>,
    to: { write(bytes: Uint8Array): Promise<number> },
    onLastByte?: (byte: number) => void,
  ) => {
    // A plain read loop, not pipeThrough/pipeTo: a TransformStream and a pipe cost Deno ~2 ms
    // to set up, a fifth of what the runner adds to a masked task. Writing to the runner's
    // output directly also never closes it (its log lines follow).
    const masker = new SecretMasker(options.secrets);
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const reader = from.getReader();
    readers.push(reader);
    let broken = false;
    const write = async (text: string) => {
      if (text === "" || broken) return;
      const bytes = encoder.encode(text);
      try {
        for (let written = 0; written < bytes.length; )
          written += await to.write(bytes.subarray(written));
        onLastByte?.(bytes[bytes.length - 1] ?? 0);
      } catch (error) {
        // Our output is gone: keep reading and dropping the task's output, so the task is
        // not killed by a broken pipe and runs to its end.
        broken = true;
        pipeErrors.push(error);
      }
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        await write(masker.write(decoder.decode(value, { stream: true })));
      }
    } catch {
      // the pipe failed: what was read so far is written below
    }
    await write(masker.write(decoder.decode()) + masker.end());
  };
  const pipes =
    output === "inherit"
      ? Promise.resolve()
      : Promise.all([
          pipe(child.stdout, Deno.stdout),
          pipe(child.stderr, Deno.stderr, (last) => {
            if (options.stderr !== undefined) options.stderr.atLineStart = last === 0x0a;
          }),
        ]);
  let drained = output === "inherit";
  void pipes.then(() => (drained = true));
  const status = await child.status;
  // The end of the output usually arrives with the exit, but may take a turn or two of the
  // event loop more: a write of no bytes is such a turn, and costs far less than a first timer.
  for (let turn = 0; turn < 3 && !drained; turn++)
    await Deno.stderr.write(new Uint8Array(0)).catch(() => undefined);
  // A process the task left behind may hold the pipes open: give them a moment to drain, then
  // stop reading, so the Job ends when the task does (as Keptn's own images end with their shell).
  // (Timers are touched only when needed: Deno spends ~4 ms loading its timers on the first
  // setTimeout, which a task whose output ended with it never pays.)
  if (!drained) {
    let drainTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      pipes,
      new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS))),
    ]);
    clearTimeout(drainTimer);
    // Stop reading: each loop ends, writing what its masker still held back.
    for (const reader of readers) await reader.cancel().catch(() => undefined);
    await pipes;
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
