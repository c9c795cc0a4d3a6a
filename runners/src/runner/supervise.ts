import { RuntimeMissingError, SecretMasker, type SecretRegistry } from "@keptn-task/sdk";
import { childExitCode, DRAIN_MS, type TaskEnd } from "@keptn-task/sdk/contract";
import type { EarlyTask } from "./early-start.js";
import type { SignalRelay, StopSignal, StopStep } from "./signals.js";
import { type TaskCommand, taskProcess } from "./task-command.js";

/** How a supervised task ended (a `TaskEnd` of the process policy, which words its reason). */
export interface TaskOutcome extends TaskEnd {
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
  /** Whether the task ran in the process the entry module started early (`early-start.ts`). */
  readonly startedEarly: boolean;
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
  /** The task's process started early by the entry module, taken when it is this one. */
  readonly early?: EarlyTask;
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
  const masked = options.secrets.size > 0;
  const mode = masked ? "piped" : "inherit";
  const early = options.early?.take(command, options.env, mode);
  const child = early ?? spawn(command, options.env, mode);
  const stops = forwardSignals(child, options);
  // The secrets' forms (registered before, computed on first use) are computed now, while the
  // task's process starts, rather than before it: the masker reads none of its output earlier.
  try {
    options.secrets.settle();
  } catch (error) {
    // Forms that cannot be computed would leave output unmasked: the task must not run (a gated
    // process has not loaded its code yet).
    child.kill("SIGKILL");
    await child.status;
    throw error;
  }
  // The go is on its way while the runner starts reading the task's output (which waits in
  // the pipes until then).
  const go = command.gated ? letGo(child) : undefined;
  const output = masked ? maskOutput(child, options) : undefined;
  await go;
  const status = await child.status;
  // The task has exited: no grace timer may now report it killed while its output drains.
  stops.end();
  if (output !== undefined) await output.drain();

  // Deno reports a death by signal N as code 128 + N, as a shell does.
  const exitCode = childExitCode({
    code: status.code,
    signalNumber: status.signal === null ? null : status.code - 128,
  });
  const { forwarded, killed, secondSignal } = stops;
  return {
    exitCode,
    killed,
    ...(secondSignal === undefined ? {} : { secondSignal }),
    ...(forwarded === undefined ? {} : { forwarded }),
    ...(status.signal === null ? {} : { diedOf: status.signal }),
    ...(killed ? { graceMs: options.graceMs } : {}),
    pipeErrors: output?.errors ?? [],
    startedEarly: early !== undefined,
  };
}

/** Starts the task's process. */
function spawn(
  command: TaskCommand,
  env: Record<string, string>,
  output: "piped" | "inherit",
): Deno.ChildProcess {
  try {
    return new Deno.Command(command.command, taskProcess(command, env, output)).spawn();
  } catch (error) {
    throw new RuntimeMissingError(
      `Cannot start "${command.command}": ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * Gives a gated process its go (see `exit-guard-preload.ts`), once the secret's forms are
 * computed: its code loads now (what it writes waits in the pipes until the masker reads it).
 * Its stdin is then closed, and reads empty. A process that has already ended (a signal was
 * forwarded to it) cannot take it: its status says how it ended.
 */
async function letGo(child: Deno.ChildProcess): Promise<void> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(GO);
    await writer.close();
  } catch {
    // EPIPE: it has ended
  }
}

/** The byte a gated process waits for. */
const GO = new Uint8Array([0x67]);

/** What `forwardSignals` saw, read once the task has exited. */
interface Stops {
  forwarded: StopSignal | undefined;
  killed: boolean;
  secondSignal: { readonly signal: StopSignal; readonly afterMs: number } | undefined;
  /** Stops forwarding (the task has exited). */
  end(): void;
}

/**
 * The supervisor's adapter of the stop rule: the first signal is forwarded to the task, which is
 * killed `graceMs` later if still running; a second one kills it at once.
 */
function forwardSignals(child: Deno.ChildProcess, options: SuperviseOptions): Stops {
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stops: Stops = {
    forwarded: undefined,
    killed: false,
    secondSignal: undefined,
    end: () => {
      if (killTimer !== undefined) clearTimeout(killTimer);
      unsubscribe();
    },
  };
  const kill = () => {
    stops.killed = true;
    options.onEvent?.({ signal: "SIGKILL", killed: true });
    try {
      child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  };
  const unsubscribe = options.signals.subscribe((step: StopStep) => {
    if (step.action === "kill") {
      // A second signal (Ctrl-C twice) does not wait for the grace period.
      clearTimeout(killTimer);
      stops.secondSignal ??= { signal: step.signal, afterMs: step.afterMs };
      return kill();
    }
    stops.forwarded = step.signal;
    options.onEvent?.({ signal: step.signal, killed: false });
    try {
      child.kill(step.signal);
    } catch {
      return; // already exited
    }
    killTimer = setTimeout(kill, options.graceMs);
  });
  return stops;
}

/** The task's masked output: where it is written to, and what failed writing it. */
interface MaskedOutput {
  /** Errors writing the task's output (for example EPIPE): reported, not fatal. */
  readonly errors: unknown[];
  /** Waits for the rest of the output once the task exited (see `DRAIN_MS`). */
  drain(): Promise<void>;
}

/** Copies the task's stdout and stderr, masked, to the runner's. */
function maskOutput(child: Deno.ChildProcess, options: SuperviseOptions): MaskedOutput {
  // Failures of the pipes (the reader of our stdout went away: EPIPE) must neither crash the
  // runner nor change the task's outcome; they are reported, and the task runs to its end.
  const errors: unknown[] = [];
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  const copy = (from: ReadableStream<Uint8Array>, to: Writer, onLastByte?: (b: number) => void) => {
    const reader = from.getReader();
    readers.push(reader);
    return copyMasked(reader, to, options.secrets, errors, onLastByte);
  };
  const pipes = Promise.all([
    copy(child.stdout, Deno.stdout),
    copy(child.stderr, Deno.stderr, (last) => {
      if (options.stderr !== undefined) options.stderr.atLineStart = last === 0x0a;
    }),
  ]);
  let drained = false;
  void pipes.then(() => (drained = true));
  return { errors, drain: () => drain(pipes, readers, () => drained) };
}

/** Where masked output goes (Deno.stdout, Deno.stderr). */
interface Writer {
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Reads `reader` to its end through a secret masker and writes what comes out to `to`. A plain
 * read loop, not pipeThrough/pipeTo: a TransformStream and a pipe cost Deno ~2 ms to set up, a
 * fifth of what the runner adds to a masked task. Writing to the runner's output directly also
 * never closes it (its log lines follow).
 */
async function copyMasked(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  to: Writer,
  secrets: SecretRegistry,
  errors: unknown[],
  onLastByte?: (byte: number) => void,
): Promise<void> {
  const masker = new SecretMasker(secrets);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
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
      errors.push(error);
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
}

/**
 * Waits for the end of the task's output after it exited. It usually arrives with the exit, but
 * may take a turn or two of the event loop more: a write of no bytes is such a turn, and costs
 * far less than a first timer. A process the task left behind may hold the pipes open: they get
 * `DRAIN_MS`, then reading stops, so the Job ends when the task does (as Keptn's own images end
 * with their shell). (Timers are touched only when needed: Deno spends ~20 ms loading its timers
 * on the first setTimeout, which a task whose output ended with it never pays.)
 */
async function drain(
  pipes: Promise<unknown>,
  readers: readonly ReadableStreamDefaultReader<Uint8Array>[],
  drained: () => boolean,
): Promise<void> {
  for (let turn = 0; turn < 3 && !drained(); turn++)
    await Deno.stderr.write(new Uint8Array(0)).catch(() => undefined);
  if (drained()) return;
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
