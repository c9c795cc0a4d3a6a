/**
 * The process policy: how every process of this project stops and ends. Which signals stop a
 * task and the exit code each ends it with, how long a stopped task has before it is killed,
 * how long its output may drain after it exited, the longest delay a timer takes, and what the
 * termination message says and when it may be replaced.
 *
 * One pure module (no I/O, no timers, no imports), used through thin adapters by the bootstrap
 * runner (Deno), the `keptn-task` command (Node) and `task()`: the runner loads it before a task
 * starts without waking Deno's Node layer.
 */

// ---------------------------------------------------------------------------------------------
// Signals and exit codes

/** Signal numbers that POSIX fixes (the same on Linux and macOS). */
const SIGNAL_NUMBERS = Object.freeze({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 });

/** A signal whose number the policy knows on every system. */
export type PolicySignal = keyof typeof SIGNAL_NUMBERS;

/** The signals that stop a task: Kubernetes' SIGTERM and a terminal's Ctrl-C (SIGINT). */
export const STOP_SIGNALS = Object.freeze(["SIGTERM", "SIGINT"] as const);

/** A signal that stops a task. */
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The signals that stop the `keptn-task` command: a task's, and a closed terminal's (SIGHUP). */
export const COMMAND_STOP_SIGNALS = Object.freeze(["SIGINT", "SIGTERM", "SIGHUP"] as const);

/** Whether the policy knows `name`'s number on every system. */
export function isPolicySignal(name: string): name is PolicySignal {
  return Object.hasOwn(SIGNAL_NUMBERS, name);
}

/**
 * 128 + the signal's number: the exit code a shell (and Kubernetes) reports for a process that
 * died of it.
 *
 * @example
 * ```ts
 * exitCodeForSignalNumber(15); // 143
 * ```
 */
export function exitCodeForSignalNumber(signalNumber: number): number {
  return 128 + signalNumber;
}

/**
 * The exit code of a process that died of `signal`: 143 (SIGTERM), 130 (SIGINT), 137 (SIGKILL),
 * 129 (SIGHUP). A task stopped by a signal ends with it also when it exits by itself afterwards,
 * so that it is never reported as a success.
 */
export function signalExitCode(signal: PolicySignal): number {
  return exitCodeForSignalNumber(SIGNAL_NUMBERS[signal]);
}

/** The exit code of a task that was killed: at a second signal, or after the grace period. */
export const KILLED_EXIT_CODE = signalExitCode("SIGKILL");

/**
 * Whether the system would read `exitCode` as 0, a success: it keeps only the low 8 bits, so
 * `Deno.exit(256)` ends a process with 0.
 */
export function readsAsSuccess(exitCode: number): boolean {
  return exitCode !== 0 && exitCode % 256 === 0;
}

/**
 * The one exit path: the exit code a process ends with for the code a task asked for
 * (`Deno.exit(code)`, `Deno.exitCode`, `process.exit(code)`, Python's `sys.exit(code)` and
 * `os._exit(code)`), in every mode of every runner. The system keeps the low 8 bits, as it would;
 * a code that would read as 0 only through that cut (256, 512, -256, ...) ends with 1, and
 * anything that is not an integer with 1, as Python ends a `sys.exit("message")`. Only 0 ends with 0.
 * The Python launcher (`runners/src/runner/task_launch.py`) holds the same rule; a test
 * (`test/safety/exit-path.test.ts`) holds both to it for every code from -65535 to 65535.
 *
 * @example
 * ```ts
 * taskExitCode(3); // 3
 * taskExitCode(256); // 1 (the system would read 0)
 * taskExitCode(-1); // 255
 * ```
 */
export function taskExitCode(requested: number): number {
  if (!Number.isSafeInteger(requested)) return 1;
  const low = ((requested % 256) + 256) % 256;
  return low === 0 && requested !== 0 ? 1 : low;
}

/**
 * The exit code a supervisor ends with for how its child process ended: the code the child
 * ended with, or 128 + the number of the signal it died of, as a shell and Kubernetes report it.
 * Never 0 for a child that died of a signal.
 *
 * @param end - The child's status: `code` as the system reports it, `signalNumber` when it died of one.
 */
export function childExitCode(end: { code: number | null; signalNumber?: number | null }): number {
  // A signal whose number is unknown still never reads as a success.
  if (end.signalNumber !== undefined && end.signalNumber !== null)
    return exitCodeForSignalNumber(Math.max(0, end.signalNumber));
  return end.code === null ? 1 : taskExitCode(end.code);
}

/** The exit code `fail()` ends with: an integer from 1 to 255, else 1. */
export function failExitCode(exitCode: number | undefined): number {
  const code = exitCode ?? 1;
  return Number.isInteger(code) && code >= 1 && code <= 255 ? code : 1;
}

// ---------------------------------------------------------------------------------------------
// Time

/** How long a task that handles a stop signal has before it is killed (runner and `task()`). */
export const DEFAULT_GRACE_MS = 10_000;

/** What Kubernetes gives a pod stopped at its deadline before killing it (terminationGracePeriodSeconds). */
export const POD_GRACE_MS = 30_000;

/** How long output may keep flowing after a process exited (from processes it left behind). */
export const DRAIN_MS = 2000;

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** `ms` as a timer takes it: at most `MAX_TIMER_MS` (the time is then as good as never). */
export function clampTimerMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}

/**
 * The delay of a timer for something `ms` from now: 0 when it is due, `undefined` when it is
 * beyond a timer's range (nothing to watch: it would fire at once).
 */
export function timerDelay(ms: number): number | undefined {
  if (ms > MAX_TIMER_MS) return undefined;
  return Math.max(0, ms);
}

/**
 * Reads a grace period given in seconds (`KEPTN_TASK_GRACE_SECONDS`): a plain decimal number;
 * unset is the default (10 s).
 *
 * @returns The grace period in ms (as a timer takes it), or what is wrong with `raw`.
 */
export function parseGraceSeconds(
  raw: string | undefined,
): { readonly graceMs: number } | { readonly problem: string } {
  if (raw === undefined) return { graceMs: DEFAULT_GRACE_MS };
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(seconds))
    return { problem: `expected a number of seconds, received "${raw}"` };
  return { graceMs: clampTimerMs(seconds * 1000) };
}

// ---------------------------------------------------------------------------------------------
// Stopping

/** What to do at a stop signal. */
export type StopStep<S extends PolicySignal = StopSignal> =
  | {
      /** The first signal: pass it on (or abort), and kill after the grace period. */
      readonly action: "stop";
      readonly signal: S;
      /** The exit code of a process stopped by it. */
      readonly exitCode: number;
    }
  | {
      /** A later signal: kill now, without waiting for the grace period. */
      readonly action: "kill";
      readonly signal: S;
      /** The first signal, and how long before this one it came. */
      readonly first: S;
      readonly afterMs: number;
      /** Why the task ends (its termination message). */
      readonly reason: string;
    };

/**
 * The stop rule every supervisor follows: the first signal stops (it is passed on to the task,
 * which gets a grace period), a second one kills at once. Times are any monotonic clock's ms.
 *
 * @example
 * ```ts
 * const stops = new StopSequence();
 * stops.receive("SIGTERM", 0); // { action: "stop", signal: "SIGTERM", exitCode: 143 }
 * stops.receive("SIGINT", 500); // { action: "kill", ..., reason: "Task killed at a second SIGINT, 0.5 s after the first" }
 * ```
 */
export class StopSequence<S extends PolicySignal = StopSignal> {
  #first: { readonly signal: S; readonly at: number } | undefined;
  #count = 0;

  /** The first signal received, if any. */
  get first(): S | undefined {
    return this.#first?.signal;
  }

  /** How many signals arrived so far. */
  get count(): number {
    return this.#count;
  }

  /** The step for `signal`, received at `now`. */
  receive(signal: S, now: number): StopStep<S> {
    this.#count++;
    const first = this.#first;
    if (first === undefined) {
      this.#first = { signal, at: now };
      return { action: "stop", signal, exitCode: signalExitCode(signal) };
    }
    const afterMs = Math.max(0, now - first.at);
    return {
      action: "kill",
      signal,
      first: first.signal,
      afterMs,
      reason: taskEndReason({ exitCode: KILLED_EXIT_CODE, secondSignal: { signal, afterMs } }),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The termination message: what it says

/** How a task ended, as far as its supervisor knows. */
export interface TaskEnd {
  readonly exitCode: number;
  /** The stop signal passed on to the task, if any. */
  readonly forwarded?: PolicySignal;
  /** The signal the task died of, if it did. */
  readonly diedOf?: string;
  /** Whether it was killed after the grace period (`graceMs`). */
  readonly killed?: boolean;
  readonly graceMs?: number;
  /** Set when a second signal killed it: that signal, and how long after the first it came. */
  readonly secondSignal?: { readonly signal: PolicySignal; readonly afterMs: number };
}

/**
 * The one-line reason a task failed, for the termination log and the runner's log line.
 *
 * @example
 * ```ts
 * taskEndReason({ exitCode: 143, forwarded: "SIGTERM" }); // "Task stopped by SIGTERM with exit code 143"
 * ```
 */
export function taskEndReason(end: TaskEnd): string {
  const { exitCode, forwarded, diedOf, secondSignal } = end;
  if (secondSignal !== undefined)
    return `Task killed at a second ${secondSignal.signal}, ${(secondSignal.afterMs / 1000).toFixed(1)} s after the first`;
  if (end.killed === true)
    return `Task did not stop within ${(end.graceMs ?? DEFAULT_GRACE_MS) / 1000} s of ${forwarded ?? "the signal"}: killed`;
  if (forwarded !== undefined) return `Task stopped by ${forwarded} with exit code ${exitCode}`;
  if (diedOf !== undefined) return `Task died of ${diedOf} (exit code ${exitCode})`;
  return `Task exited with code ${exitCode}`;
}

/** The reason when a stop signal came before the task started. */
export function notStartedReason(signal: PolicySignal): string {
  return `Received ${signal} before the task started: not run`;
}

/** The reason when a task's exit code would read as 0 (see `readsAsSuccess`): it ends with 1. */
export function readsAsSuccessReason(exitCode: number): string {
  return `Task exited with code ${exitCode}, which would read as 0: ending with 1`;
}

/** The reason when a task ended with an uncaught error (`description`: one line about it). */
export function uncaughtReason(description: string): string {
  return `Task exited with code 1: uncaught ${description}`;
}

/**
 * The reason that stands while a task runs in the runner's own process, in case the process
 * dies without another word.
 */
export const PROVISIONAL_REASON =
  "Task ended abnormally: killed by a signal or the kernel, or its top-level await never resolved";

// ---------------------------------------------------------------------------------------------
// The termination log: how it is written

/** Where Kubernetes reads a container's termination message (`terminationMessagePath`). */
export const DEFAULT_TERMINATION_LOG = "/dev/termination-log";

/** Kubernetes keeps at most 4096 bytes of a termination message. */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;

/**
 * At most `bytes` bytes of `text` as UTF-8, never cutting a character in two.
 *
 * @example
 * ```ts
 * truncateUtf8("héllo", 2); // "h"
 * ```
 */
export function truncateUtf8(text: string, bytes: number): string {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length <= bytes) return text;
  return new TextDecoder().decode(encoded.slice(0, bytes)).replace(/\uFFFD$/, "");
}

/** The termination log file, as each runtime reaches it. Neither method throws. */
export interface TerminationFile {
  /**
   * The text of its first `maxBytes` bytes (a character cut there is decoded as U+FFFD);
   * `undefined` when it is not there (not in Kubernetes), not a regular file, or cannot be read.
   */
  read(maxBytes: number): string | undefined;
  /** Replaces its text; `false` when it is not there or cannot be written (it is never created). */
  replace(text: string): boolean;
}

/** What masks secrets in a message (a `SecretRegistry`). */
export interface Masker {
  mask(text: string): string;
  /** The longest form of a registered secret, in UTF-16 code units (0 when unknown). */
  readonly longest?: number;
}

/**
 * How many bytes of a termination log the writer reads: Kubernetes' 4096, and enough more that a
 * secret crossing the cut is still masked whole. A task may write any amount (or plant a link
 * to /dev/zero); nothing reads more than this.
 */
export function terminationReadBytes(longest: number): number {
  // A UTF-16 code unit is at most 3 bytes of UTF-8; 4 covers a cut character as well.
  return TERMINATION_MESSAGE_MAX_BYTES + 4 * longest + 4;
}

/**
 * The one writer of the termination log, for the SDK and the runner alike: every message is
 * masked (Kubernetes shows it in the pod's status, to anyone who can read pods) and cut to
 * Kubernetes' 4096 bytes on a character boundary; a reason the task wrote itself is kept unless
 * overridden, since the task's own words say more.
 */
export class TerminationLogWriter {
  readonly #file: TerminationFile;
  readonly #secrets: Masker;
  /** What this writer last wrote, so its own words are told from the task's. */
  #ours: string | undefined;

  constructor(file: TerminationFile, secrets: Masker) {
    this.#file = file;
    this.#secrets = secrets;
  }

  /**
   * Writes `reason`; a reason the task wrote itself is kept (masked) unless `override`.
   *
   * @returns Whether the file was written.
   */
  write(reason: string, override = false): boolean {
    const written = override ? undefined : this.#file.read(this.#readBytes());
    if (!override && written === undefined) return false;
    const own = written !== undefined && written.trim() !== "" && written !== this.#ours;
    const text = this.#cut(own ? written : reason);
    if (!own) this.#ours = text;
    return this.#file.replace(text);
  }

  /** Masks what the task wrote itself (after a success, which writes no reason of its own). */
  maskTaskWords(): void {
    const written = this.#file.read(this.#readBytes());
    if (written === undefined || written === "") return;
    const masked = this.#cut(written);
    if (masked !== written) this.#file.replace(masked);
  }

  /**
   * Writes `reason` now, to stand if the process dies without another word (killed by a signal
   * or the kernel); `withdraw()` takes it back.
   */
  provisional(reason: string): void {
    this.write(reason);
  }

  /** Empties the file again if it still holds only this writer's own words. */
  withdraw(): void {
    if (this.#ours !== undefined && this.#file.read(this.#readBytes()) === this.#ours)
      this.#file.replace("");
    this.#ours = undefined;
  }

  #readBytes(): number {
    return terminationReadBytes(this.#secrets.longest ?? 0);
  }

  #cut(text: string): string {
    return truncateUtf8(this.#secrets.mask(text), TERMINATION_MESSAGE_MAX_BYTES);
  }
}
