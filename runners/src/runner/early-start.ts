/**
 * The early start of a Deno task's own process, by the entry module (`bootstrap.ts`) before the
 * runner's script loads: for the usual task with a secret to mask (`SECURE_DATA` set, a mounted
 * code file, Keptn's permissions, no OpenTelemetry export), which always runs as a process of
 * its own. Its Deno starts (~30 ms) while the runner loads and checks everything (~20 ms), held
 * before its code loads by the gate of its preloaded exit guard (`exit-guard-preload.ts`).
 *
 * Nothing is decided here. The runner reads, checks and refuses as it always does, builds the
 * task's command and environment as it always does, and hands them to `take()`, which lets the
 * waiting process go only when both are exactly what it was started with. Otherwise (or when the
 * runner refuses the task, or dies) the process ends without loading the task's code, and the
 * runner starts its own. Built as a script of its own (`early-start.js`, esbuild's IIFE declaring
 * `keptnEarlyStart`), loaded by the entry module only when `SECURE_DATA` is set.
 */
import { DEFAULT_DENO_PERMISSIONS, DEFAULT_TERMINATION_LOG } from "@keptn-task/sdk/contract";
import { otelWanted } from "@keptn-task/sdk/internal";
import { childEnv, terminationRelay } from "./child-env.js";
import { type RunnerHost, runnerAssets } from "./runner-assets.js";
import { DECLARATION_FILE, EXTENSIONS, inspectCode, MAX_CODE_BYTES } from "./task-code.js";
import { denoCommand, type TaskCommand, taskProcess } from "./task-command.js";

/** A task's process started early, waiting for the runner's go. */
export class EarlyTask {
  /** The command it was started with. */
  readonly command: TaskCommand;
  /** What it got on top of the environment it inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** The scratch directory made for the termination relay, which the runner takes as its own. */
  readonly workDir: string | undefined;
  readonly #child: Deno.ChildProcess;
  #taken = false;
  #ended: Promise<unknown> | undefined;

  constructor(
    child: Deno.ChildProcess,
    command: TaskCommand,
    env: Record<string, string>,
    workDir: string | undefined,
  ) {
    this.#child = child;
    this.command = command;
    this.env = env;
    this.workDir = workDir;
  }

  /** Its process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * The waiting process, when it was started with exactly `command` and `env` and with its output
   * piped: the runner then supervises it and gives it the go. Otherwise it ends, nothing run, and
   * `undefined` says the runner must start its own. Answers once.
   */
  take(
    command: TaskCommand,
    env: Readonly<Record<string, string>>,
    output: "piped" | "inherit",
  ): Deno.ChildProcess | undefined {
    if (this.#taken) return undefined;
    this.#taken = true;
    if (output === "piped" && sameCommand(command, this.command) && sameEnv(env, this.env))
      return this.#child;
    this.#end();
    return undefined;
  }

  /** Ends the waiting process, nothing run, unless the runner took it. */
  async abandon(): Promise<void> {
    if (!this.#taken) {
      this.#taken = true;
      this.#end();
    }
    await this.#ended;
  }

  #end(): void {
    const child = this.#child;
    try {
      child.kill("SIGKILL");
    } catch {
      // it ended already (it cannot have run anything: it had no go)
    }
    this.#ended = Promise.all([
      child.status,
      child.stdin.close().catch(() => undefined),
      child.stdout.cancel().catch(() => undefined),
      child.stderr.cancel().catch(() => undefined),
    ]);
  }
}

/**
 * Starts the task's process, gated, when the environment is the usual one of a Deno task with a
 * secret to mask; else `undefined`, and the runner does everything as it would without this.
 * Never throws: whatever goes wrong here, the runner meets again and reports.
 */
export async function startEarly(
  host: RunnerHost,
  args: readonly string[] = Deno.args,
): Promise<EarlyTask | undefined> {
  let env: Record<string, string>;
  try {
    env = Deno.env.toObject();
  } catch {
    // Started without the permission to read the environment: the runner reports it.
    return undefined;
  }
  const script = (env.SCRIPT ?? "").trim();
  if (
    args[0] !== "deno" ||
    stopSignalIgnored() ||
    // What the runner registers as a secret (SecretRegistry.register): else nothing is masked.
    (env.SECURE_DATA ?? "").trim() === "" ||
    (env.KEPTN_TASK_DENO_PERMISSIONS ?? "").trim() !== "" ||
    otelWanted(env) ||
    !EXTENSIONS.deno.test(script) ||
    DECLARATION_FILE.test(script) ||
    /^[a-z][a-z0-9+.-]*:/i.test(script)
  )
    return undefined;
  let workDir: string | undefined;
  try {
    const info = Deno.statSync(script);
    if (!info.isFile || info.size > MAX_CODE_BYTES) return undefined;
    const code = Deno.readTextFileSync(script);
    if (code.trim() === "") return undefined;
    const traits = inspectCode(code);
    const assets = runnerAssets(host);
    const command = denoCommand(
      { cmdArgs: env.CMD_ARGS ?? "", denoPermissions: DEFAULT_DENO_PERMISSIONS },
      { path: script, ...traits },
      traits.importsSdk ? assets.importMap : undefined,
      assets.exitGuard,
    );
    const tmpDir = env.TMPDIR ?? "/tmp";
    const relay = await terminationRelay(
      "deno",
      env.KEPTN_TASK_TERMINATION_LOG ?? DEFAULT_TERMINATION_LOG,
      async () => (workDir ??= Deno.makeTempDirSync({ dir: tmpDir, prefix: "keptn-task-" })),
    );
    const childEnvironment = {
      ...childEnv("deno", env, tmpDir, ""),
      ...(relay === undefined ? {} : { KEPTN_TASK_TERMINATION_LOG: relay }),
    };
    const child = new Deno.Command(
      command.command,
      taskProcess(command, childEnvironment, "piped"),
    ).spawn();
    return new EarlyTask(child, command, childEnvironment, workDir);
  } catch {
    if (workDir !== undefined)
      await Deno.remove(workDir, { recursive: true }).catch(() => undefined);
    return undefined;
  }
}

/**
 * Whether this process ignores SIGINT or SIGTERM (a shell's `cmd &` leaves SIGINT ignored): a
 * process started now would inherit that, and ignore the stop signal the runner forwards. The
 * runner starts its own once it listens for both, and its process then gets the default action.
 * Without /proc (not Linux) that cannot be told: no early start.
 */
function stopSignalIgnored(): boolean {
  try {
    const ignored = /^SigIgn:\s*([0-9a-f]+)$/m.exec(Deno.readTextFileSync("/proc/self/status"));
    if (ignored?.[1] === undefined) return true;
    // Bit n - 1 stands for signal n: SIGINT is 2, SIGTERM 15.
    const mask = BigInt(`0x${ignored[1]}`);
    return (mask & ((1n << 1n) | (1n << 14n))) !== 0n;
  } catch {
    return true;
  }
}

function sameCommand(a: TaskCommand, b: TaskCommand): boolean {
  return (
    a.command === b.command &&
    a.gated === b.gated &&
    a.args.length === b.args.length &&
    a.args.every((arg, i) => arg === b.args[i])
  );
}

function sameEnv(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => Object.hasOwn(b, name) && a[name] === b[name])
  );
}
