/**
 * How `keptn-task run` watches the process it starts (the runner, a container engine's client,
 * or the command standing in for a container task's image) as Kubernetes watches a Job's pod:
 * Ctrl-C is forwarded once and a second one kills; the deadline sends SIGTERM and, a grace
 * period later, kills; the run ends when the process exits, as a container ends with its main
 * process, even if something it left behind still holds its output open.
 *
 * Where the process is the bootstrap runner, the runner itself forwards the signal to the task
 * and kills it after its own grace period (`KEPTN_TASK_GRACE_SECONDS`); what is here is only the
 * outer layer a pod has too.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import { constants } from "node:os";
import { basename, isAbsolute } from "node:path";
import { Readable } from "node:stream";
import type { SecretRegistry } from "@keptn-task/sdk";
import { createMaskingStream, RuntimeMissingError } from "@keptn-task/sdk";
import {
  COMMAND_STOP_SIGNALS,
  childExitCode,
  DRAIN_MS,
  exitCodeForSignalNumber,
  isPolicySignal,
  POD_GRACE_MS,
  signalExitCode as policyExitCode,
  StopSequence,
  type StopStep,
  timerDelay,
} from "@keptn-task/sdk/contract";
import type { OutputStream } from "./io.js";

/** A signal that stops a run: a task's stop signals, and a closed terminal's SIGHUP. */
export type StopSignal = (typeof COMMAND_STOP_SIGNALS)[number];

/**
 * The command's adapter of the stop rule (`StopSequence`) to Node's signal events. Listens for
 * Ctrl-C (and SIGTERM, SIGHUP) from before anything is written, so a signal that arrives before
 * the task starts is neither lost nor fatal to the clean-up.
 */
export class StopSignals {
  readonly #stops = new StopSequence<StopSignal>();
  /** The step of the last signal, for a supervisor that subscribes after it came. */
  #last: StopStep<StopSignal> | undefined;
  readonly #listeners = new Set<(step: StopStep<StopSignal>) => void>();
  readonly #handlers = COMMAND_STOP_SIGNALS.map((signal) => {
    const handler = () => this.#receive(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });

  #receive(signal: StopSignal): void {
    const step = this.#stops.receive(signal, performance.now());
    this.#last = step;
    for (const listener of this.#listeners) listener(step);
  }

  /** Stops the run as a SIGTERM sent to this process would (`run --watch`, at a change). */
  stop(): void {
    this.#receive("SIGTERM");
  }

  /** The first signal received, if any. */
  get first(): StopSignal | undefined {
    return this.#stops.first;
  }

  /** The step of the last signal received, if any. */
  get last(): StopStep<StopSignal> | undefined {
    return this.#last;
  }

  /** Calls `listener` with the step of every signal from now on. */
  subscribe(listener: (step: StopStep<StopSignal>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Restores the default handling. */
  dispose(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#listeners.clear();
  }
}

/**
 * 128 + the signal's number, as a shell reports a process that died of it: the policy's number
 * for a stop signal or SIGKILL, this system's for any other.
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  return isPolicySignal(signal)
    ? policyExitCode(signal)
    : exitCodeForSignalNumber(constants.signals[signal] ?? 0);
}

/** What to start and how to watch it. */
export interface SuperviseOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The Job's activeDeadlineSeconds, in ms. */
  readonly deadlineMs: number;
  readonly signals: StopSignals;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Masks the process's output. */
  readonly secrets: SecretRegistry;
  /**
   * Run when the process is killed: removes what outlives it (a container keeps running when
   * its engine's client is killed). Awaited before `supervise` returns.
   */
  readonly onKill?: () => Promise<void>;
}

/** How the process ended. */
export interface Outcome {
  readonly exitCode: number;
  readonly durationMs: number;
  /** Whether the deadline passed before it ended. */
  readonly timedOut: boolean;
}

/** util-linux's setpriv, where it is: Linux only (Debian has it in every install). */
let setpriv: string | null | undefined;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The command line that starts `command` so the kernel sends it SIGTERM when this process dies
 * (setpriv --pdeathsig): a `keptn-task` killed with SIGKILL (a cancelled CI job, an OOM kill)
 * must not leave the runner and its task running on, unsupervised and past their timeout. The
 * child stops as at any SIGTERM. Without setpriv (not Linux), or for a command not given by an
 * absolute path (whose "not found" the spawn reports itself), the command line as it is.
 */
function tiedToThisProcess(command: string, args: readonly string[]): [string, string[]] {
  setpriv ??=
    process.platform === "linux"
      ? (["/usr/bin/setpriv", "/bin/setpriv"].find(isExecutable) ?? null)
      : null;
  if (setpriv === null || !isAbsolute(command) || !isExecutable(command)) {
    return [command, [...args]];
  }
  return [setpriv, ["--pdeathsig", "TERM", "--", command, ...args]];
}

/**
 * Starts the process in its own process group and supervises it to its end.
 *
 * @throws {RuntimeMissingError} When the command cannot be started.
 */
export async function supervise(options: SuperviseOptions): Promise<Outcome> {
  const started = performance.now();
  // Its own process group: a Ctrl-C at the terminal reaches only the CLI, which forwards it
  // once; and the group can be killed as a whole, with whatever the task left behind.
  let child: ChildProcessByStdio<null, Readable, Readable>;
  const [command, args] = tiedToThisProcess(options.command, options.args);
  try {
    child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  } catch (error) {
    // Node throws at once (rather than emitting "error") for E2BIG, EINVAL and the like.
    throw new RuntimeMissingError(
      `Cannot start "${options.command}": ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("exit", (code, signal) => resolve([code, signal])),
  );
  const failure = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", resolve);
  });
  if (failure !== undefined) {
    const code = (failure as { code?: unknown }).code;
    throw new RuntimeMissingError(
      `Cannot start "${options.command}": ${code === "ENOENT" ? `not found${installHint(options.command)}` : code === "EACCES" ? "permission denied" : failure.message}`,
      { cause: failure },
    );
  }
  // A signal to a process that is already gone is no error worth crashing for.
  child.on("error", () => undefined);
  const pumps = [
    pump(child.stdout, options.stdout, options.secrets),
    pump(child.stderr, options.stderr, options.secrets),
  ];

  let killing: Promise<void> | undefined;
  const kill = () => {
    killing ??= (async () => {
      killGroup(child);
      await options.onKill?.();
    })();
  };
  // The first signal is forwarded (the runner passes it on to the task, a container engine's
  // client to the container); a second one does not wait for the grace period.
  const onSignal = (step: StopStep<StopSignal>) => {
    if (step.action === "stop") child.kill(step.signal);
    else kill();
  };
  const unsubscribe = options.signals.subscribe(onSignal);
  // A signal that came while the process was being started is handled now.
  const last = options.signals.last;
  if (last !== undefined) onSignal(last);

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  // Beyond setTimeout's range (~24.8 days) there is no deadline to watch on a laptop.
  const delay = timerDelay(options.deadlineMs);
  const deadline =
    delay === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
          killTimer = setTimeout(kill, POD_GRACE_MS);
        }, delay);

  try {
    const [code, signal] = await exited;
    const durationMs = Math.round(performance.now() - started);
    clearTimeout(deadline);
    clearTimeout(killTimer);
    // Something the task left behind may hold the pipes open: give its output a moment, then
    // end the group as a container's end would, and stop reading.
    let drainTimer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.all(pumps.map((p) => p.done)).then(() => true),
      new Promise<boolean>((resolve) => {
        drainTimer = setTimeout(() => resolve(false), DRAIN_MS);
      }),
    ]);
    clearTimeout(drainTimer);
    killGroup(child);
    if (!drained) for (const p of pumps) p.stop();
    await Promise.all(pumps.map((p) => p.done));
    await killing;
    const exitCode = signal === null ? childExitCode({ code }) : signalExitCode(signal);
    return { exitCode, durationMs, timedOut };
  } finally {
    clearTimeout(deadline);
    clearTimeout(killTimer);
    unsubscribe();
  }
}

/** SIGKILL to the process's whole group: the process and everything it started. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Copies a pipe to an output, masked, until it ends or `stop` is called. */
function pump(
  source: Readable,
  sink: OutputStream,
  secrets: SecretRegistry,
): { done: Promise<void>; stop: () => void } {
  const reader = (Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>)
    .pipeThrough(createMaskingStream({ secrets }))
    .getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) return;
        if (!sink.write(value)) await new Promise<void>((resolve) => sink.once("drain", resolve));
      }
    } catch {
      // Stopped, or the pipe failed: either way there is nothing more to copy.
    }
  })();
  return { done, stop: () => void reader.cancel().catch(() => undefined) };
}

/** How to get a container engine that is not installed. */
function installHint(command: string): string {
  const engine = basename(command);
  return engine === "podman" || engine === "docker"
    ? `: install it (Debian: apt-get install ${engine === "docker" ? "docker.io" : "podman"}), use the other engine with --runtime, or run with --runtime local`
    : ": check PATH";
}
