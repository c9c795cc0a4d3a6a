import { EXIT_CODES, KeptnTaskError, type Logger, SecretRegistry } from "@keptn-task/sdk";
import {
  DEFAULT_TERMINATION_LOG,
  notStartedReason,
  type StopSignal,
  signalExitCode,
  taskEndReason,
} from "@keptn-task/sdk/contract";
import { terminationRelay } from "./child-env.js";
import { directBlocker, narrowPermissions, runDirect } from "./direct.js";
import type { EarlyTask } from "./early-start.js";
import { LEVELS, type Level } from "./log-line.js";
import { type ResolvedScript, resolveScript } from "./resolve-script.js";
import { NO_TRACING, type RunTracing, startRunTracing } from "./run-span.js";
import type { RunnerAssets } from "./runner-assets.js";
import { type RunnerSettings, readSettings } from "./settings.js";
import { SignalRelay } from "./signals.js";
import { supervise, type TaskOutcome } from "./supervise.js";
import { denoCommand, pythonCommand } from "./task-command.js";
import { TerminationLog } from "./termination-log.js";

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
 * @param early - The task's process the entry module started, waiting (see `early-start.ts`).
 */
export async function main(
  args: readonly string[],
  env: Record<string, string>,
  assets: RunnerAssets,
  raw: Readonly<Record<string, Uint8Array>> = {},
  early?: EarlyTask,
): Promise<number | DirectRun> {
  // First of all: the secrets, so nothing below can print them.
  const run = new Run(assets, new SecretRegistry(), early);
  try {
    run.settings = await readSettings(
      args,
      env,
      run.secrets,
      assets.pythonPath,
      assets.contextWarnings,
      raw,
    );
    run.tracing = await startRunTracing(
      run.settings.otel,
      { env, secrets: run.secrets, runtime: run.settings.runtime },
      assets.tracing,
      (message) => run.log("warn", message),
    );
    return await run.ended(await runTask(run, run.settings));
  } catch (error) {
    return await run.ended(await run.fail(error, env));
  } finally {
    await run.cleanUp();
  }
}

/** What the runner holds while it runs a task: its settings, log, signal relay, scratch directory. */
class Run {
  readonly assets: RunnerAssets;
  readonly secrets: SecretRegistry;
  /** Set once read: until then the runner logs at the default level. */
  settings: RunnerSettings | undefined;
  /** Where the task's masked stderr left off: a log line never continues the task's last line. */
  readonly stderr = { atLineStart: true };
  /** The run's span (nothing unless OTEL_* ask for it), and why the run failed, for it. */
  tracing: RunTracing = NO_TRACING;
  reason: string | undefined;
  #signals: SignalRelay | undefined;
  #workDir: string | undefined;
  /** The task's process the entry module started, waiting (taken by `supervise`, or ended). */
  readonly early: EarlyTask | undefined;
  /** The logger (pino, ~50 ms to load under Deno) is made once, on the first line worth logging. */
  #logger: Promise<Logger> | undefined;

  constructor(assets: RunnerAssets, secrets: SecretRegistry, early: EarlyTask | undefined) {
    this.assets = assets;
    this.secrets = secrets;
    this.early = early;
    // Made by the early start for the task's termination relay: the same directory.
    this.#workDir = early?.workDir;
  }

  /**
   * The runner listens for SIGTERM and SIGINT while it fetches code and while a child process
   * runs. Before that, a signal ends it as it ends any process, before the task ever started
   * (and listening costs ~1 ms, which a task in the runner's own process does not pay).
   */
  relay(): SignalRelay {
    this.#signals ??= new SignalRelay();
    return this.#signals;
  }

  /** A scratch directory, made on first use, removed when the runner is done. */
  readonly makeWorkDir = async (): Promise<string> => {
    this.#workDir ??= Deno.makeTempDirSync({
      ...(this.settings === undefined ? {} : { dir: this.settings.tmpDir }),
      prefix: "keptn-task-",
    });
    return this.#workDir;
  };

  /** Hands the scratch directory over to a task in the runner's process, which removes it. */
  handOverWorkDir(): string | undefined {
    const workDir = this.#workDir;
    this.#workDir = undefined;
    return workDir;
  }

  /** Logs one line on stderr, when `at` reaches the runner's log level. */
  readonly log = async (at: Level, message: string, fields: Record<string, unknown> = {}) => {
    const level = this.settings?.logLevel ?? "info";
    if ((LEVELS[at] ?? 0) < (LEVELS[level] ?? 30)) return;
    this.#logger ??= (
      import(this.assets.runnerLog) as Promise<typeof import("./runner-log.js")>
    ).then(({ runnerLogger }) => runnerLogger(this.secrets, level));
    const ready = await this.#logger;
    if (!this.stderr.atLineStart) {
      this.stderr.atLineStart = true;
      try {
        Deno.stderr.writeSync(new Uint8Array([0x0a]));
      } catch {
        // stderr is gone: the line below fails alike
      }
    }
    ready[at](fields, message);
  };

  /**
   * Reports a failure of the runner (bad configuration, usage, code that cannot be fetched, a
   * bug) "on any failure": in the termination log and the runner's log. Returns the exit code.
   */
  async fail(error: unknown, env: Record<string, string>): Promise<number> {
    const received = this.#signals?.received;
    if (received !== undefined && this.settings !== undefined && isAbort(error))
      return await stoppedBeforeStart(this, this.settings, received);
    const known = error instanceof KeptnTaskError;
    const message = known
      ? error.message
      : `Runner failed: ${error instanceof Error ? error.stack : String(error)}`;
    const exitCode = known ? error.exitCode : EXIT_CODES.INTERNAL_ERROR;
    this.reason = message;
    // Also for errors before the settings were read (bad configuration, usage).
    new TerminationLog(
      this.settings?.terminationLog ?? env.KEPTN_TASK_TERMINATION_LOG ?? DEFAULT_TERMINATION_LOG,
      this.secrets,
    ).write(message, true);
    await this.log("error", message, { code: known ? error.code : "INTERNAL", exitCode });
    return exitCode;
  }

  /** Ends the run's span with the exit code (and sends it, bounded) before the runner exits. */
  async ended<T extends number | DirectRun>(outcome: T): Promise<T> {
    if (typeof outcome === "number") await this.tracing.end(outcome, this.reason);
    return outcome;
  }

  /**
   * Ends a task's process started early and not taken (nothing of the task ran), stops listening
   * for signals and removes the scratch directory (unless handed over).
   */
  async cleanUp(): Promise<void> {
    await this.early?.abandon();
    this.#signals?.dispose();
    if (this.#workDir !== undefined)
      await Deno.remove(this.#workDir, { recursive: true }).catch(() => undefined);
  }
}

/** Resolves the task's code and runs it: in the runner's own process when it can, else as a child. */
async function runTask(run: Run, settings: RunnerSettings): Promise<number | DirectRun> {
  for (const warning of settings.warnings) await run.log("warn", warning);
  const script = await resolveScript(settings.script, settings.runtime, run.makeWorkDir, {
    loader: run.assets.fetchLoader,
    // A signal while the code is fetched aborts the fetch, and the task never starts.
    ...(/^https?:\/\//i.test(settings.script) ? { signal: run.relay().signal } : {}),
    onRetry: (message, fields) => void run.log("warn", message, fields),
  });
  if (/^https?:\/\//i.test(settings.script))
    run.tracing.event("fetch", { "url.full": script.source });
  run.tracing.event("resolve", { "code.filepath": script.source });
  const blocker = directBlocker(settings, script, run.assets.sdkResolved === run.assets.sdk);
  if (blocker === undefined) return await prepareDirect(run, settings, script);
  await run.log("debug", `Running task as a child process: ${blocker}`);
  return await runChild(run, settings, script);
}

/** Readies a Deno task to run in the runner's own process (see `direct.ts`). */
async function prepareDirect(
  run: Run,
  settings: RunnerSettings,
  script: ResolvedScript,
): Promise<DirectRun> {
  await run.log("debug", "Running task in the runner's process", {
    runtime: settings.runtime,
    source: script.source,
  });
  const termination = new TerminationLog(settings.terminationLog, run.secrets);
  termination.hold();
  const relay = await terminationRelay(settings.runtime, settings.terminationLog, run.makeWorkDir);
  // Read by the SDK's task() when the task calls it, in this process.
  if (relay !== undefined) Deno.env.set("KEPTN_TASK_TERMINATION_LOG", relay);
  narrowPermissions();
  // From here on the scratch directory is the task's: removed when the process ends.
  const workDir = run.handOverWorkDir();
  const direct = {
    settings,
    script,
    level: settings.logLevel,
    termination,
    ...(workDir === undefined ? {} : { workDir }),
    ...(relay === undefined ? {} : { relay }),
  };
  return { run: () => runDirect(direct) };
}

/** Runs the task as a child process, supervised (see `supervise.ts`), and reports how it ended. */
async function runChild(
  run: Run,
  settings: RunnerSettings,
  script: ResolvedScript,
): Promise<number> {
  const command =
    settings.runtime === "deno"
      ? denoCommand(
          settings,
          script,
          await importMapFor(script, run.assets, run.makeWorkDir),
          run.assets.exitGuard,
        )
      : pythonCommand(settings, script, run.assets.pythonLauncher);
  if (command.warning !== undefined) await run.log("warn", command.warning);
  const relay = await terminationRelay(settings.runtime, settings.terminationLog, run.makeWorkDir);
  const received = run.relay().received;
  if (received !== undefined) return await stoppedBeforeStart(run, settings, received);
  await run.log("debug", "Running task", {
    runtime: settings.runtime,
    source: script.source,
    args: command.args,
  });
  const started = performance.now();
  run.tracing.event("start", { "process.executable.path": command.command });
  const traceparent = run.tracing.traceparent;
  const outcome = await supervise(command, {
    env: {
      ...settings.taskEnv,
      ...(relay === undefined ? {} : { KEPTN_TASK_TERMINATION_LOG: relay }),
      // The OpenTelemetry environment carrier: what the task instruments joins the run's span.
      ...(traceparent === undefined ? {} : { TRACEPARENT: traceparent }),
    },
    secrets: run.secrets,
    signals: run.relay(),
    graceMs: settings.graceMs,
    stderr: run.stderr,
    ...(run.early === undefined ? {} : { early: run.early }),
    onEvent: ({ signal, killed }) => {
      const message = killed
        ? "Task still running after the signal: killed"
        : `Received ${signal}: forwarded to the task`;
      void run.log("warn", message, { signal });
    },
  });
  const durationMs = Math.round(performance.now() - started);
  return await report(run, settings, outcome, { durationMs, source: script.source }, relay);
}

/** Reports how a supervised task ended; returns its exit code. */
async function report(
  run: Run,
  settings: RunnerSettings,
  outcome: TaskOutcome,
  fields: { durationMs: number; source: string },
  relay: string | undefined,
): Promise<number> {
  for (const error of outcome.pipeErrors) {
    const why = error instanceof Error ? error.message : String(error);
    await run.log("warn", `Cannot write the task's output: ${why}`);
  }
  const termination = new TerminationLog(settings.terminationLog, run.secrets);
  termination.adoptRelay(relay);
  if (outcome.exitCode === 0) {
    // Kubernetes shows a succeeded container's message too: what the task wrote is masked.
    termination.maskTaskWords();
    await run.log("debug", "Task succeeded", { ...fields, startedEarly: outcome.startedEarly });
    return 0;
  }
  const reason = taskEndReason(outcome);
  run.reason = reason;
  termination.write(reason);
  await run.log("error", reason, { exitCode: outcome.exitCode, ...fields });
  return outcome.exitCode;
}

/** A signal arrived before the task started: it never runs, and the runner says so. */
async function stoppedBeforeStart(
  run: Run,
  settings: RunnerSettings,
  signal: StopSignal,
): Promise<number> {
  const reason = notStartedReason(signal);
  run.reason = reason;
  new TerminationLog(settings.terminationLog, run.secrets).write(reason, true);
  await run.log("error", reason, { signal });
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
  Deno.writeTextFileSync(path, JSON.stringify(map));
  return path;
}
