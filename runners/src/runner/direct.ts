/**
 * Running a Deno task in the runner's own process ("direct" mode).
 *
 * A runner that masks output or forwards signals must be a second process, and a second Deno
 * process doubles the start-up time of a short task. When there is nothing to mask (no
 * `SECURE_DATA`) and nothing else asks for a process of the task's own, the runner gives up
 * the permissions the task does not get by default (starting processes, FFI, system
 * information) and imports the task's module itself: the task then is the container's process,
 * as on Keptn's own image, and starts about as fast as a bare `deno run`.
 *
 * The one permission it keeps beyond the defaults is reading any environment variable: Deno can
 * narrow a process's variables only from a list given at its start, and the runner needs every
 * permission at its start (Deno opens `/dev/termination-log` only for such a process). A Keptn
 * Job's environment holds nothing secret but `SECURE_DATA`, and with that set the task always
 * gets a process of its own, with Keptn's variable allowlist.
 */
import {
  KILLED_EXIT_CODE,
  PROVISIONAL_REASON,
  readsAsSuccessReason,
  STOP_SIGNALS,
  StopSequence,
  type StopSignal,
  taskEndReason,
  uncaughtReason,
} from "@keptn-task/sdk/contract";
import { endListeners } from "./end-listeners.js";
import { guardExit } from "./exit-guard.js";
import { type Level, writeLogLine } from "./log-line.js";
import type { ResolvedScript } from "./resolve-script.js";
import type { RunnerSettings } from "./settings.js";
import { fileUrl, splitCmdArgs } from "./task-command.js";
import type { TerminationLog } from "./termination-log.js";

type Descriptor = { name: string; variable?: string };
const granted = (descriptor: Descriptor) =>
  Deno.permissions.querySync(descriptor).state === "granted";

/**
 * Why the task cannot run in the runner's own process, or `undefined` when it can. Nothing is
 * changed here; `narrowPermissions` does that once the answer is yes.
 *
 * @param sdkMapped Whether the runner's import map maps the SDK to its bundle. (Resolving alone
 *   is not enough: a runner started without `--no-config` next to a package.json naming the SDK
 *   resolves it from there, which holds for the runner's own modules only, not the task's.)
 */
export function directBlocker(
  settings: RunnerSettings,
  script: ResolvedScript,
  sdkMapped: boolean,
): string | undefined {
  if (settings.runtime !== "deno") return "a python task is a process of its own";
  if (settings.isolation === "process") return "KEPTN_TASK_ISOLATION is process";
  if (settings.otel) return "the runner sends its span when the task has ended (OTEL_*)";
  if (settings.secrets.size > 0) return "its output is masked (SECURE_DATA is set)";
  if (settings.customPermissions) return "KEPTN_TASK_DENO_PERMISSIONS sets its permissions";
  // Fetched code with no relative import (checked below) runs the same from its local copy.
  if (script.baseUrl !== undefined && script.resolvesSpecifiers)
    return "it may resolve specifiers against its URL (import.meta.resolve)";
  if (script.checksMain) return "it asks for import.meta.main or Deno.mainModule";
  if (script.connectPending) return "a connection of the fetch that timed out is still pending";
  if (script.usesNodeProcess) return "it may read Node's process.argv (process, node: or npm:)";
  if (script.importsUnseen)
    return "it imports local or computed modules, which the runner does not inspect";
  if (script.importsSdk && !sdkMapped) return "the runner was started without its import map";
  // With a terminal, Deno would ask there for a permission the task lacks instead of denying it
  // (unless started with --no-prompt, which a program cannot tell).
  if (Deno.stdin.isTerminal()) return "stdin is a terminal";
  // Only from every permission can the runner give up exactly the right ones.
  const lacking = ALL.find((name) => !granted({ name }));
  if (lacking !== undefined) return `the runner was started without --allow-all (${lacking})`;
  return undefined;
}

/** Every kind of Deno permission, as `--allow-all` grants them. */
const ALL = ["read", "write", "net", "env", "run", "ffi", "sys", "import"];
/** What a task run in the runner's process does not get: what the default flags leave out. */
const DROPPED = ["run", "ffi", "sys"];

/**
 * Gives up the permissions a task does not get by default: starting processes, FFI and system
 * information. (Net, read, write, remote imports and reading variables stay.)
 *
 * @throws {Error} when one cannot be given up (a bug: the task must not run).
 */
export function narrowPermissions(): void {
  for (const name of DROPPED) Deno.permissions.revokeSync({ name });
  const kept = DROPPED.filter((name) => granted({ name }));
  if (kept.length > 0) throw new Error(`cannot give up the permissions ${kept.join(", ")}`);
}

/** What the runner needs to run a task in its own process. */
export interface DirectOptions {
  readonly settings: RunnerSettings;
  readonly script: ResolvedScript;
  /** The runner's log level. */
  readonly level: string;
  /** A scratch directory to remove when the process ends. */
  readonly workDir?: string;
  /** The termination log, held open before the runner gave up permissions. */
  readonly termination: TerminationLog;
  /** Where the task writes its own message, when it cannot write the termination log. */
  readonly relay?: string;
}

/**
 * Starts the task's module in this process. The process then lives as long as the task keeps
 * it alive and ends with its exit code, exactly as under `deno run`. What the runner adds: the
 * termination log and its own log line when the task fails, `Deno.args` from `CMD_ARGS`, and
 * the grace period after a signal the task handles.
 */
export function runDirect(options: DirectOptions): void {
  const { settings, script, level, workDir, termination } = options;
  const started = performance.now();
  const log = (at: Level, message: string, fields: Record<string, unknown> = {}) =>
    writeLogLine(level, settings.secrets, at, message, fields);
  const report = (reason: string, exitCode: number) => {
    termination.write(reason);
    log("error", reason, {
      exitCode,
      durationMs: Math.round(performance.now() - started),
      source: script.source,
    });
  };
  const cleanUp = () => {
    if (workDir === undefined) return;
    try {
      Deno.removeSync(workDir, { recursive: true });
    } catch {
      // gone already, or left for the tmpfs to take
    }
  };

  // If the process dies without a word (SIGKILL, the OOM killer), this reason stands.
  termination.provisional(PROVISIONAL_REASON);
  /** Set when the runner itself ends the task (a signal), so the exit says why. */
  let ending: string | undefined;
  const signals = watchSignals(settings.graceMs, log, (exitCode, reason) => {
    ending = reason;
    Deno.exit(exitCode);
  });

  // The runner's listeners for the end of the process stay behind the task's own (see below), so
  // they see what the task's listeners decided: a prevented error, a changed exit code.
  guardExit((exitCode, readAsZero) => {
    termination.adoptRelay(options.relay);
    if (readAsZero !== undefined) {
      // The operating system keeps the low 8 bits: 256 would end as 0, a success.
      report(readsAsSuccessReason(readAsZero), exitCode);
    } else if (exitCode === 0) {
      termination.withdraw();
    } else {
      const forwarded = signals.received();
      report(
        ending ?? taskEndReason({ exitCode, ...(forwarded === undefined ? {} : { forwarded }) }),
        exitCode,
      );
    }
    cleanUp();
  });
  // What the task leaves uncaught ends it as it ends `deno run`: Deno prints it and exits with 1
  // right after this dispatch. (Should the process live on, the event was one the task
  // dispatched itself, which Deno's own cannot be told from: the provisional reason is put back.)
  const uncaught = (event: Event) => {
    if (event.defaultPrevented) return;
    const error = "reason" in event ? event.reason : (event as ErrorEvent).error;
    report(uncaughtReason(describe(error)), 1);
    queueMicrotask(() => termination.write(PROVISIONAL_REASON, true));
  };
  endListeners("error", uncaught);
  endListeners("unhandledrejection", uncaught);

  const { before, after, warning } = splitCmdArgs(settings.cmdArgs);
  if (warning !== undefined) log("warn", warning);
  Object.defineProperty(Deno, "args", { value: [...before, ...after], enumerable: true });

  // Not awaited: a top-level await that never resolves is then reported by Deno at the task's
  // own line, exactly as under `deno run` (and the process ends with 1). A rejection is passed
  // on, to be reported as an uncaught error.
  import(fileUrl(script.path)).catch((error: unknown) => {
    throw error;
  });
}

/**
 * The task owns SIGTERM and SIGINT: with no handler of its own it dies of them, as under
 * `deno run`. Once it adds a handler for one (`Deno.addSignalListener`, or `process.on` of
 * node:process, which calls it), the runner listens for that one too, ahead of the task's
 * handlers, and follows the stop rule (`StopSequence`): a task still running `graceMs` after
 * the signal, or at a second one, is ended with 137, as a supervised task killed with SIGKILL
 * is. (A task busy in a loop that never yields is beyond this; Kubernetes kills it at the end
 * of the pod's grace period.)
 */
function watchSignals(
  graceMs: number,
  log: (at: Level, message: string, fields?: Record<string, unknown>) => void,
  end: (exitCode: number, reason: string) => void,
): { received(): StopSignal | undefined } {
  const handlers = new Map(STOP_SIGNALS.map((signal) => [signal, new Set<() => void>()]));
  const stops = new StopSequence();
  const onSignal = (signal: StopSignal) => {
    const step = stops.receive(signal, performance.now());
    // Not the grace period: the reason says what happened.
    if (step.action === "kill") return end(KILLED_EXIT_CODE, step.reason);
    if ((handlers.get(signal)?.size ?? 0) === 0) {
      // The task gave its handlers up: the signal ends it, as it would without any.
      return end(step.exitCode, taskEndReason({ exitCode: step.exitCode, forwarded: signal }));
    }
    log("warn", `Received ${signal}: the task handles it`, { signal });
    const reason = taskEndReason({
      exitCode: KILLED_EXIT_CODE,
      forwarded: signal,
      killed: true,
      graceMs,
    });
    const timer = setTimeout(() => end(KILLED_EXIT_CODE, reason), graceMs);
    // The grace period never keeps a task alive that has finished.
    Deno.unrefTimer(timer as unknown as number);
  };
  trackSignalListeners(handlers, onSignal);
  return { received: () => stops.first };
}

/**
 * Wraps `Deno.addSignalListener` and `Deno.removeSignalListener`: `handlers` holds the task's
 * handlers of each stop signal, and `onSignal` is listening for a stop signal, ahead of them,
 * from the moment the task first adds a handler for it.
 */
function trackSignalListeners(
  handlers: Map<StopSignal, Set<() => void>>,
  onSignal: (signal: StopSignal) => void,
): void {
  const add = Deno.addSignalListener.bind(Deno);
  const remove = Deno.removeSignalListener.bind(Deno);
  const armed = new Set<StopSignal>();
  Deno.addSignalListener = (signal: Deno.Signal, handler: () => void) => {
    const own = handlers.get(signal as StopSignal);
    if (own !== undefined && !armed.has(signal as StopSignal)) {
      // First, so the runner sees the task's handlers as they were when the signal came.
      add(signal, () => onSignal(signal as StopSignal));
      armed.add(signal as StopSignal);
    }
    add(signal, handler);
    own?.add(handler);
  };
  Deno.removeSignalListener = (signal: Deno.Signal, handler: () => void) => {
    remove(signal, handler);
    handlers.get(signal as StopSignal)?.delete(handler);
  };
}

/** One line about an uncaught value, whatever it is (an error, a string, a null-prototype object). */
function describe(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    try {
      text = Deno.inspect(error);
    } catch {
      text = "a value that cannot be printed";
    }
  }
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
