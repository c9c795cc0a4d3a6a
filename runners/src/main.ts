import { KeptnTaskError, SecretRegistry } from "@keptn-task/sdk";
import { DEFAULT_TERMINATION_LOG } from "@keptn-task/sdk/internal";
import { directBlocker, narrowPermissions, runDirect } from "./direct.js";
import { LEVELS, type Level } from "./log-line.js";
import { type ResolvedScript, resolveScript } from "./resolve-script.js";
import { type RunnerSettings, readSettings } from "./settings.js";
import { SignalRelay, type StopSignal, signalExitCode } from "./signals.js";
import { supervise } from "./supervise.js";
import { denoCommand, pythonCommand } from "./task-command.js";
import { TerminationLog } from "./termination-log.js";

/** Exit code for a bug in the runner itself (EX_SOFTWARE). */
const INTERNAL_ERROR = 70;

/** Files shipped next to the runner's bundle. */
export interface RunnerAssets {
  /** URL of the SDK bundle task code imports as `@keptn-task/sdk`. */
  readonly sdk: string;
  /** Path of the import map that maps it. */
  readonly importMap: string;
  /** URL of the runner's logger module, loaded only when something is logged. */
  readonly runnerLog: string;
  /** URL of the module checking an unusual KEPTN_CONTEXT with the SDK's schema. */
  readonly contextWarnings: string;
  /** Directory holding the `keptn_task` Python package. */
  readonly pythonPath: string;
}

/** A task ready to run in the runner's own process: everything is checked, nothing started. */
export interface DirectRun {
  /** Starts the task's module; the process then ends when the task does, with its exit code. */
  run(): void;
}

/**
 * Runs one Keptn task as its Job would. Returns the exit code to end with, or, for a Deno task
 * that runs in the runner's own process (see `direct.ts`), the step that starts it.
 *
 * @param args - `["deno"]` or `["python"]`: the task's runtime.
 * @param env - The container's environment.
 * @param assets - Where the files shipped next to the bundle are.
 * @param raw - The raw bytes of the contract's variables that are not valid UTF-8.
 */
export async function main(
  args: readonly string[],
  env: Record<string, string>,
  assets: RunnerAssets,
  raw: Readonly<Record<string, Uint8Array>> = {},
): Promise<number | DirectRun> {
  const level = env.KEPTN_TASK_RUNNER_LOG_LEVEL ?? "info";
  // First of all: the secrets, so nothing below can print them.
  const secrets = new SecretRegistry();
  // The runner listens for SIGTERM and SIGINT while it fetches code and while a child process
  // runs. Before that, a signal ends it as it ends any process, before the task ever started
  // (and listening costs ~1 ms, which a task in the runner's own process does not pay).
  let signals: SignalRelay | undefined;
  const relay = () => {
    signals ??= new SignalRelay();
    return signals;
  };
  let settings: RunnerSettings | undefined;
  let workDir: string | undefined;
  // The logger (pino, ~50 ms to load under Deno) is made once, on the first line worth logging.
  let logger: Promise<ReturnType<typeof import("./runner-log.js").runnerLogger>> | undefined;
  // Where the task's masked stderr left off: a log line never continues the task's last line.
  const stderr = { atLineStart: true };
  const log = async (at: Level, message: string, fields: Record<string, unknown> = {}) => {
    if ((LEVELS[at] ?? 0) < (LEVELS[level] ?? 30)) return;
    logger ??= (import(assets.runnerLog) as Promise<typeof import("./runner-log.js")>).then(
      ({ runnerLogger }) => runnerLogger(secrets, level),
    );
    const ready = await logger;
    if (!stderr.atLineStart) {
      stderr.atLineStart = true;
      try {
        Deno.stderr.writeSync(new Uint8Array([0x0a]));
      } catch {
        // stderr is gone: the line below fails alike
      }
    }
    ready[at](fields, message);
  };

  try {
    settings = await readSettings(
      args,
      env,
      secrets,
      assets.pythonPath,
      assets.contextWarnings,
      raw,
    );
    const current = settings;
    for (const warning of current.warnings) await log("warn", warning);
    const makeWorkDir = async () => {
      workDir ??= await Deno.makeTempDir({ dir: current.tmpDir, prefix: "keptn-task-" });
      return workDir;
    };
    const script = await resolveScript(current.script, current.runtime, makeWorkDir, {
      // A signal while the code is fetched aborts the fetch, and the task never starts.
      ...(/^https?:\/\//i.test(current.script) ? { signal: relay().signal } : {}),
      onRetry: (message, fields) => void log("warn", message, fields),
    });
    const blocker = directBlocker(current, script, assets.sdk);
    if (blocker === undefined) {
      await log("debug", "Running task in the runner's process", {
        runtime: current.runtime,
        source: script.source,
      });
      const termination = new TerminationLog(current.terminationLog, secrets);
      termination.hold();
      narrowPermissions();
      // From here on the scratch directory is the task's: removed when the process ends.
      const direct = {
        settings: current,
        script,
        level,
        termination,
        ...(workDir ? { workDir } : {}),
      };
      workDir = undefined;
      return { run: () => runDirect(direct) };
    }
    await log("debug", `Running task as a child process: ${blocker}`);
    const command =
      current.runtime === "deno"
        ? denoCommand(current, script, await importMapFor(script, assets, makeWorkDir))
        : pythonCommand(current, script);
    if (command.warning !== undefined) await log("warn", command.warning);
    const received = relay().received;
    if (received !== undefined) return await stoppedBeforeStart(current, received, log);
    await log("debug", "Running task", {
      runtime: current.runtime,
      source: script.source,
      args: command.args,
    });

    const started = performance.now();
    const outcome = await supervise(command, {
      env: current.taskEnv,
      secrets,
      signals: relay(),
      graceMs: current.graceMs,
      stderr,
      onEvent: ({ signal, killed }) => {
        void log(
          "warn",
          killed
            ? "Task still running after the signal: killed"
            : `Received ${signal}: forwarded to the task`,
          { signal },
        );
      },
    });
    const durationMs = Math.round(performance.now() - started);
    for (const error of outcome.pipeErrors) {
      await log(
        "warn",
        `Cannot write the task's output: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (outcome.exitCode !== 0) {
      const reason = outcome.secondSignal
        ? `Task killed at a second ${outcome.secondSignal.signal}, ${(outcome.secondSignal.afterMs / 1000).toFixed(1)} s after the first`
        : outcome.killed
          ? `Task did not stop within ${current.graceMs / 1000} s of ${outcome.forwarded ?? "the signal"}: killed`
          : outcome.forwarded !== undefined
            ? `Task stopped by ${outcome.forwarded} with exit code ${outcome.exitCode}`
            : outcome.diedOf !== undefined
              ? `Task died of ${outcome.diedOf} (exit code ${outcome.exitCode})`
              : `Task exited with code ${outcome.exitCode}`;
      new TerminationLog(current.terminationLog, secrets).write(reason);
      await log("error", reason, { exitCode: outcome.exitCode, durationMs, source: script.source });
    } else {
      // Kubernetes shows a succeeded container's message too: what the task wrote is masked.
      new TerminationLog(current.terminationLog, secrets).maskTaskWords();
      await log("debug", "Task succeeded", { durationMs, source: script.source });
    }
    return outcome.exitCode;
  } catch (error) {
    if (signals?.received !== undefined && settings !== undefined && isAbort(error)) {
      return await stoppedBeforeStart(settings, signals.received, log);
    }
    const known = error instanceof KeptnTaskError;
    const message = known
      ? error.message
      : `Runner failed: ${error instanceof Error ? error.stack : String(error)}`;
    const exitCode = known ? error.exitCode : INTERNAL_ERROR;
    // Also for errors before the settings were read (bad configuration, usage): "on any failure".
    new TerminationLog(
      settings?.terminationLog ?? env.KEPTN_TASK_TERMINATION_LOG ?? DEFAULT_TERMINATION_LOG,
      secrets,
    ).write(message, true);
    await log("error", message, { code: known ? error.code : "INTERNAL", exitCode });
    return exitCode;
  } finally {
    signals?.dispose();
    if (workDir !== undefined)
      await Deno.remove(workDir, { recursive: true }).catch(() => undefined);
  }
}

/** A signal arrived before the task started: it never runs, and the runner says so. */
async function stoppedBeforeStart(
  settings: RunnerSettings,
  signal: StopSignal,
  log: (at: Level, message: string, fields?: Record<string, unknown>) => Promise<void>,
): Promise<number> {
  const reason = `Received ${signal} before the task started: not run`;
  new TerminationLog(settings.terminationLog, settings.secrets).write(reason, true);
  await log("error", reason, { signal });
  return signalExitCode(signal);
}

function isAbort(error: unknown): boolean {
  const names = new Set(["AbortError", "TimeoutError"]);
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (names.has(e.name)) return true;
  return false;
}

/**
 * The import map for a Deno task: none when the code needs none (Deno starts faster without),
 * the default one mapping `@keptn-task/sdk` to the bundled SDK, or for code fetched from a URL
 * one that also resolves its relative imports there.
 */
async function importMapFor(
  script: ResolvedScript,
  assets: RunnerAssets,
  workDir: () => Promise<string>,
): Promise<string | undefined> {
  if (script.baseUrl === undefined) return script.importsSdk ? assets.importMap : undefined;
  const entry = new URL(`file://${script.path}`).href;
  const map = {
    imports: {
      "@keptn-task/sdk": assets.sdk,
      "npm:@keptn-task/sdk": assets.sdk,
      // The verified local copy runs itself (an exact key wins over the prefix below)...
      [entry]: entry,
      // ...and its relative imports resolve against the URL it was fetched from.
      [new URL(".", entry).href]: script.baseUrl,
    },
  };
  const path = `${await workDir()}/import-map.json`;
  await Deno.writeTextFile(path, JSON.stringify(map));
  return path;
}
