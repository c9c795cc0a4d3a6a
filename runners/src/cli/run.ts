/**
 * `keptn-task run NAME -f PATH...`: resolves a definition and runs it as its Job would (same env,
 * same code source, same runner), streams its output masked, and ends with its exit code.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { CodeResolutionError, ConfigError, KeptnTaskError, UsageError } from "@keptn-task/sdk";
import { type Catalog, type ResolvedTask, resolveTask, taskEnv } from "@keptn-task/sdk/definitions";
import { PROVISIONAL_REASON, readFileStart, registerTaskSecrets } from "@keptn-task/sdk/internal";
import { type Command, oneOf, type ParsedArgs } from "./args.js";
import { withCodeFile } from "./code-file.js";
import { codeLineMapper, rewritingStream } from "./code-lines.js";
import { engineFailed, removeContainer } from "./engine.js";
import { type CliContext, type OutputStream, trackLineEnds } from "./io.js";
import { createPrettyStream, type PrettyStream } from "./pretty.js";
import { checkDataKeys, checkStock, parseData, parseEnv } from "./run-input.js";
import {
  codeFilePath,
  planRun,
  RUNTIMES,
  type RunPlan,
  type RuntimeName,
  shellQuote,
} from "./run-plan.js";
import { findDeno, findPython, findRunner } from "./runtime-paths.js";
import { StopSignals, signalExitCode, supervise } from "./supervise.js";
import {
  contextFromArgs,
  DEFINITION_OPTIONS,
  DEFINITION_OPTIONS_HELP,
  findDefinition,
  loadCatalog,
  printWarnings,
  readArgumentFile,
  refuseErrors,
} from "./task-input.js";
import { traceEnv } from "./trace-env.js";
import { type RunControl, watchRuns } from "./watch.js";

/** Resolution errors that --code makes moot: it gives the code. */
const REPLACED_BY_CODE = new Set(["NO_CODE", "CONFIGMAP_WITHOUT_CODE", "HTTPREF_INVALID"] as const);
/** Exit code when the task ended 0 after its deadline: the Job still failed (timeout(1)'s code). */
const TIMED_OUT = 124;
/** Shown instead of the per-run directory by --dry-run, which creates nothing. */
const DRY_RUN_DIR = "$TMPDIR/keptn-task-run-XXXXXX";
/** Shown instead of the container's random name by --dry-run. */
const DRY_RUN_NAME = "keptn-task-XXXXXX";

export const runCommand: Command = {
  name: "run",
  options: {
    ...DEFINITION_OPTIONS,
    data: { type: "string", multiple: true },
    code: { type: "string", values: "path" },
    secret: { type: "string", secret: true },
    runtime: { type: "string", values: RUNTIMES },
    image: { type: "string" },
    "dry-run": { type: "boolean" },
    output: { type: "string", short: "o", values: ["text", "json"] },
    report: { type: "string", values: "path" },
    quiet: { type: "boolean", short: "q" },
    env: { type: "string", multiple: true },
    pretty: { type: "boolean" },
    "no-pretty": { type: "boolean" },
    "as-keptn": { type: "boolean" },
    watch: { type: "boolean", short: "w" },
  },
  help: `Usage: keptn-task run NAME -f PATH... [options] [-- COMMAND...]

Resolves KeptnTaskDefinition NAME as the Keptn lifecycle-operator does and runs it as its Job
would: the same variables (DATA, KEPTN_CONTEXT, CMD_ARGS, SECURE_DATA, SCRIPT), the same code
source (inline or ConfigMap code written to a temporary file named like its mount path,
function.ts or function.py; httpRef fetched by the runner), the same runner. The task's output
is streamed, secrets masked; a one-line summary goes to stderr, with the task's termination
message (what fail() wrote, as kubectl describe pod shows it); the exit code is the task's.
The task is stopped at the definition's timeout (spec.timeout, default 5m), as the Job is.
Ctrl-C is passed on to the task once; a second Ctrl-C kills it. The run ends when the task's
process does, as its container would: what it left running is killed 2 s later.

Options:
${DEFINITION_OPTIONS_HELP}
      --data KEY=VALUE|@FILE  a parameter, or a JSON or YAML map of them from FILE; wins
                          over the definition's parameters.map; repeatable, the last winning
      --code FILE         run FILE in place of the definition's inline, ConfigMap or httpRef
                          code (same runtime, variables and runner): errors point at its lines
      --secret VALUE|@FILE  SECURE_DATA (default: the Secret named by secureParameters, from
                          the manifests); masked in all output. Prefer @FILE: a value on the
                          command line is visible to other users of this machine
      --runtime RUNTIME   local (default): the bootstrap runner with the npm Deno and python3;
                          podman or docker: the runner images of this version
                          (ghcr.io/keptn-task/deno-runtime and python-runtime, from npm run
                          images or podman pull; never pulled by the command), run
                          read-only as user 65532 with the host network
      --image IMAGE       the image to run with podman or docker instead (pulled if missing)
      --as-keptn          run as Keptn's stock deno-runtime and python-runtime images would:
                          their command lines, without this project's runner, import map or
                          keptn_task (local deno and python3; curl for a python httpRef)
      --env NAME=VALUE|NAME  a variable a derived image or a proxy would provide (NAME alone:
                          from this shell); repeatable. Not DATA, SECURE_DATA, KEPTN_CONTEXT,
                          SCRIPT, CMD_ARGS: the Job sets those (use --data, --secret, --app...)
      --pretty, --no-pretty  JSON log lines shown human-readable, or left raw (default:
                          readable on a terminal, raw otherwise, as in a Job)
  -w, --watch             run again whenever the code file (--code) or the manifests change:
                          a run in progress is stopped first (its summary kept); Ctrl-C ends
      --dry-run           print the environment and the command, start nothing
  -o, --output FORMAT     text (default) or json: the summary line (and --dry-run) as JSON
      --report FILE       also write the summary as JSON (as -o json prints it) to FILE,
                          alone; stderr keeps the text summary
  -q, --quiet             only the task's own output: no warnings, no runner log, no summary
  -h, --help              show this help

Container tasks (spec.container) run their image with podman or docker. With --runtime local,
give the command that stands in for the image after --; it gets the container's env.

Environment: KEPTN_TASK_DENO (the Deno binary), KEPTN_TASK_RUNNER (runners/dist/bootstrap.js),
KEPTN_TASK_PYTHON (python3).

Exit codes: the task's own; 124 when it ended with 0 after its timeout; 64 bad arguments;
65 invalid manifest or a definition Keptn would not run; 66 unknown definition or no code to
run; 69 httpRef code cannot be fetched; 78 no value for SECURE_DATA or an invalid context;
127 deno, python3, the runner, podman, docker or a runner image cannot be found.

Examples:
  keptn-task init hello && keptn-task run hello -f .
  keptn-task run hello -f . --code hello.ts --data @data.yaml --watch
  keptn-task run health-check -f k8s/ --data url=http://localhost:8080/healthz
  keptn-task run notify -f k8s/ --task-type post --secret @secure-data.json --runtime podman
  keptn-task run notify -f k8s/ --env HTTPS_PROXY --as-keptn
`,
  async run(args, context) {
    if (!args.flag("watch")) return await runOnce(args, context);
    if (args.flag("dry-run")) {
      throw new UsageError(`Cannot use --watch with --dry-run: a dry run starts nothing to watch`);
    }
    const code = args.string("code");
    return await watchRuns(
      [...args.list("file"), ...(code === undefined ? [] : [code])],
      (control) => runOnce(args, context, control),
      context,
      (error) => {
        // A run that cannot start (a manifest being edited) is said, and the watching goes on.
        if (!(error instanceof KeptnTaskError)) throw error;
        context.note(error.message);
        return error.exitCode;
      },
    );
  },
};

/** One run: resolve, then run (or print the plan). */
async function runOnce(
  args: ParsedArgs,
  context: CliContext,
  control?: RunControl,
): Promise<number> {
  const request = await parseRunArgs(args, context);
  const setup = await resolveRun(request, args, context);
  if (!request.quiet) {
    // A --secret stands in for the Secret, so its absence from the manifests is expected.
    const skip = request.secret === undefined ? [] : (["SECRET_NOT_FOUND"] as const);
    printWarnings(setup.resolved, context, new Set(skip));
  }
  if (request.dryRun) {
    printPlan(setup.plan, request.output, context);
    return 0;
  }
  return await execute(request, setup, context, control);
}

/** What the command line asks for. */
interface RunRequest {
  readonly name: string;
  readonly runtime: RuntimeName;
  readonly output: "text" | "json";
  /** `--report FILE`: the JSON summary, written alone to this file. */
  readonly report: string | undefined;
  readonly quiet: boolean;
  readonly dryRun: boolean;
  readonly data: ReadonlyMap<string, string>;
  /** `--code FILE`: the file that runs in place of the definition's code. */
  readonly code: string | undefined;
  /** `--secret`'s value (read from its file), registered for masking. */
  readonly secret: string | undefined;
  readonly image: string | undefined;
  readonly context: Readonly<Record<string, unknown>>;
  /** `--env`: variables a derived image or a proxy would provide. */
  readonly env: ReadonlyMap<string, string>;
  /** `--pretty` (true), `--no-pretty` (false), or neither: human-readable on a terminal. */
  readonly pretty: boolean | undefined;
  /** `--as-keptn`: Keptn's stock images' command lines. */
  readonly asKeptn: boolean;
}

/** Parses and checks the arguments; nothing is loaded yet. */
async function parseRunArgs(args: ParsedArgs, context: CliContext): Promise<RunRequest> {
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) {
    throw new UsageError(
      `Cannot run "keptn-task run": expected one definition NAME, received ${args.positionals.length}: see keptn-task run --help`,
    );
  }
  const secretArg = args.string("secret");
  const secret = secretArg?.startsWith("@")
    ? await readArgumentFile("run", "--secret", secretArg.slice(1), context.io.cwd)
    : secretArg;
  if (secret !== undefined) registerTaskSecrets(context.secrets, { values: [secret] });
  if (args.flag("pretty") && args.flag("no-pretty")) {
    throw new UsageError(
      `Cannot use --pretty with --no-pretty in "keptn-task run": give one of them`,
    );
  }
  const env = parseEnv(args.list("env"), context.io.env);
  // A proxy's URL may carry credentials: masked like an httpRef's.
  registerTaskSecrets(context.secrets, { urls: [...env.values()] });
  return {
    name,
    runtime: oneOf("run", "runtime", args.string("runtime"), RUNTIMES, "local"),
    output: oneOf("run", "output", args.string("output"), ["text", "json"], "text"),
    report: await checkReport(args.string("report"), context.io.cwd),
    quiet: args.flag("quiet"),
    dryRun: args.flag("dry-run"),
    data: await parseData(args.list("data"), context.io.cwd),
    code: args.string("code"),
    secret,
    image: args.string("image"),
    context: await contextFromArgs("run", args, context),
    env,
    pretty: args.flag("pretty") ? true : args.flag("no-pretty") ? false : undefined,
    asKeptn: args.flag("as-keptn"),
  };
}

/** The resolved task and the process that runs it. */
interface RunSetup {
  readonly resolved: ResolvedTask;
  readonly namespace: string;
  /** The run's scratch directory: its path is chosen here, it is created only when the task starts. */
  readonly workDir: string;
  readonly plan: RunPlan;
  /** The file that stands in for `/dev/termination-log`: the summary gives what it holds. */
  readonly terminationLog: string | undefined;
  /** `--code FILE` as given: the summary names it as the code's source. */
  readonly codeFile: string | undefined;
  /** Rewrites positions in the code file the run writes to positions in its manifest. */
  readonly codeLines:
    | { readonly path: string; readonly rewrite: (text: string) => string }
    | undefined;
}

/** Loads the manifests, resolves the definition, and checks it can run here as asked. */
async function resolveRun(
  request: RunRequest,
  args: ParsedArgs,
  context: CliContext,
): Promise<RunSetup> {
  const { name, runtime, secret, image } = request;
  const { catalog, paths } = await loadCatalog("run", args, context);
  const { definition, namespace, keptnNamespace } = findDefinition(catalog, name, args, paths);
  const query = {
    definition: definition.name,
    namespace,
    keptnNamespace,
    context: request.context,
  };
  const asWritten = resolveTask(catalog, {
    ...query,
    ...(request.data.size > 0 ? { parameters: Object.fromEntries(request.data) } : {}),
  });
  const local =
    request.code === undefined
      ? undefined
      : await withCodeFile(asWritten, request.code, context.io.cwd);
  const resolved = local?.resolved ?? asWritten;
  // The runner masks an httpRef URL's credentials; so does everything printed from here on.
  if (resolved.code.kind === "url")
    registerTaskSecrets(context.secrets, { urls: [resolved.code.url] });
  refuseErrors("run", resolved, local === undefined ? undefined : REPLACED_BY_CODE);
  if (!request.quiet && request.data.size > 0 && resolved.runner !== "container") {
    warnDataKeys(resolved, Object.keys(resolveTask(catalog, query).parameters), request, context);
  }
  if (request.asKeptn) checkStock(resolved, runtime);
  checkRunnable(resolved, {
    hasData: request.data.size > 0,
    hasSecret: secret !== undefined,
    command: args.rest,
    runtime,
    image,
  });
  const workDir = request.dryRun ? DRY_RUN_DIR : workDirPath(context.io.env.TMPDIR);
  // Outside a container, SCRIPT names the code's file on this machine, not its mount path.
  const scriptPath =
    runtime === "local" ? (local?.file.path ?? codeFilePath(resolved, workDir)) : undefined;
  const env = runnerEnv(request, resolved, catalog, context, scriptPath);
  // The stock images have no runner to write the reason; a container has the file mounted.
  const terminationLog = request.asKeptn ? undefined : `${workDir}/termination-log`;
  const plan = planRun({
    ...localPrograms(request, resolved, context),
    stock: request.asKeptn,
    ...(terminationLog === undefined ? {} : { terminationLog }),
    runnerSettings: {
      ...(runtime === "local" && terminationLog !== undefined
        ? { KEPTN_TASK_TERMINATION_LOG: terminationLog }
        : {}),
      // -q: only the task's own output.
      ...(request.quiet ? { KEPTN_TASK_RUNNER_LOG_LEVEL: "silent" } : {}),
      // The standard OpenTelemetry variables and the trace this run is part of (docs/guide/tracing.md).
      ...traceEnv(context.io.env),
    },
    resolved,
    runtime,
    ...(local === undefined ? {} : { codeFile: local.file.path }),
    taskEnv: env,
    workDir,
    env: context.io.env,
    command: args.rest,
    containerName: request.dryRun ? DRY_RUN_NAME : `keptn-task-${randomBytes(6).toString("hex")}`,
    ...(image === undefined ? {} : { image }),
  });
  // Errors in inline code point into the manifest, not at the file removed after the run.
  const codePath = runtime === "local" ? scriptPath : resolved.mountPath;
  const codeLines = local === undefined ? codeLinesOf(resolved, catalog, codePath) : undefined;
  return {
    resolved,
    namespace,
    workDir,
    plan,
    terminationLog,
    codeFile: local?.file.given,
    codeLines,
  };
}

/** How positions in the code file the run writes map into its manifest, where they do. */
function codeLinesOf(
  resolved: ResolvedTask,
  catalog: Catalog,
  codePath: string | undefined,
): RunSetup["codeLines"] {
  const rewrite = codePath === undefined ? undefined : codeLineMapper(resolved, catalog, codePath);
  return rewrite === undefined || codePath === undefined ? undefined : { path: codePath, rewrite };
}

/** The programs a local run starts, found before anything is written (127 when one is missing). */
function localPrograms(
  request: RunRequest,
  resolved: ResolvedTask,
  context: CliContext,
): { deno?: string; runner?: string; python?: string } {
  if (request.runtime !== "local" || resolved.runner === "container") return {};
  const env = context.io.env;
  return {
    // The runner is a Deno program for Python tasks too; a stock python run needs no Deno.
    ...(resolved.runner === "deno" || !request.asKeptn ? { deno: findDeno(env) } : {}),
    ...(request.asKeptn ? {} : { runner: findRunner(env) }),
    ...(resolved.runner === "python" ? { python: findPython(env) } : {}),
  };
}

/** A warning for each --data key the definition's parameters do not have. */
function warnDataKeys(
  resolved: ResolvedTask,
  own: readonly string[],
  request: RunRequest,
  context: CliContext,
): void {
  for (const line of checkDataKeys(resolved.definition.name, own, request.data.keys())) {
    context.note(line);
  }
}

/**
 * The task's variables as its Job's container gets them, the Secrets' values filled in from
 * `--secret` or the manifests (and registered for masking).
 *
 * @throws {ConfigError} When a Secret the task reads has no value here.
 */
function runnerEnv(
  request: RunRequest,
  resolved: ResolvedTask,
  catalog: Catalog,
  context: CliContext,
  scriptPath: string | undefined,
): Record<string, string> {
  const { name, secret, quiet } = request;
  const secureParameters = resolved.secureParameters;
  const env = taskEnv(resolved, {
    catalog,
    ...(scriptPath === undefined ? {} : { scriptPath }),
    ...(secret !== undefined && secureParameters !== undefined
      ? { secretValues: { [secureParameters]: secret } }
      : {}),
    summary: `Cannot run "${name}"`,
    missingSecret: ({ variable }) =>
      variable === "SECURE_DATA"
        ? "pass the value with --secret @FILE or --secret VALUE, or add the Secret with -f"
        : `give it with --env ${variable}=VALUE (masked), or add the Secret with -f`,
    // A container's secretKeyRef (or other valueFrom) variable given with --env.
    ...(resolved.runner === "container" ? { values: Object.fromEntries(request.env) } : {}),
    onSkipped: ({ name: variable, from }) => {
      if (!quiet) {
        context.note(
          `warning: Leaving out env "${variable}" of "${name}": keptn-task run fills valueFrom only from a Secret among the manifests (secretKeyRef), not from ${from}`,
        );
      }
    },
  });
  const fromSecrets = resolved.env.filter((variable) => "valueFrom" in variable);
  registerTaskSecrets(context.secrets, {
    values: fromSecrets.flatMap((variable) => env[variable.name] ?? []),
  });
  const all = { ...env, ...Object.fromEntries(request.env) };
  checkEnvSizes(name, all);
  return all;
}

/** Runs the planned process in a fresh directory and reports how it ended. */
async function execute(
  request: RunRequest,
  setup: RunSetup,
  context: CliContext,
  control?: RunControl,
): Promise<number> {
  // From here on a Ctrl-C must not leave the temporary directory or an unsupervised task
  // behind: it is handled before anything is written, and the run stops in good order.
  const signals = new StopSignals();
  if (control !== undefined) control.stop = () => signals.stop();
  try {
    // Every check has passed: only now is anything written.
    const { workDir, plan: planned } = setup;
    await createWorkDir(workDir);
    try {
      await prepare(workDir, planned, setup.terminationLog);
      const stopped = signals.first;
      if (stopped !== undefined) {
        context.note(`${label(request, setup)} was not run: received ${stopped} before it started`);
        return signalExitCode(stopped);
      }
      return await superviseRun(request, setup, planned, signals, context);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  } finally {
    signals.dispose();
  }
}

/** Starts the process, watches it as Kubernetes watches a Job's pod, and reports. */
async function superviseRun(
  request: RunRequest,
  setup: RunSetup,
  planned: RunPlan,
  signals: StopSignals,
  context: CliContext,
): Promise<number> {
  const { io } = context;
  const startedAt = Date.now();
  const prettyOut = await prettyFor(request, "stdout", context);
  const prettyErr = await prettyFor(request, "stderr", context);
  const lines = setup.codeLines;
  const [mappedOut, mappedErr] = [prettyOut ?? io.stdout, prettyErr ?? io.stderr].map((sink) =>
    lines === undefined ? undefined : rewritingStream(sink, lines.path, lines.rewrite),
  );
  const stdout = trackLineEnds(mappedOut ?? prettyOut ?? io.stdout);
  const stderr = trackLineEnds(mappedErr ?? prettyErr ?? io.stderr);
  const outcome = await supervise({
    command: planned.command,
    args: planned.args,
    env: planned.env,
    cwd: io.cwd,
    deadlineMs: setup.resolved.job.activeDeadlineSeconds * 1000,
    signals,
    stdout,
    stderr,
    secrets: context.secrets,
    ...(planned.container === undefined ? {} : { onKill: () => removeContainer(planned, io.cwd) }),
  });
  mappedOut?.flush();
  mappedErr?.flush();
  prettyOut?.flush();
  prettyErr?.flush();
  // stdout and stderr may be one terminal or file: a line of ours after output left mid-line
  // on either starts on a line of its own. With -q the output stays as it was.
  if (!request.quiet && (stdout.midLine || stderr.midLine)) io.stderr.write("\n");
  const exitCode = outcome.timedOut && outcome.exitCode === 0 ? TIMED_OUT : outcome.exitCode;
  const engineFailure = await engineFailed(planned, exitCode, io.cwd, startedAt);
  const reason = await readReason(setup.terminationLog, context);
  const result = { ...outcome, exitCode, engineFailure, reason };
  // -q silences the summary line, not the JSON report a script asked for with --output json.
  if (!request.quiet || request.output === "json") report(request, setup, result, context);
  if (request.report !== undefined) await writeReport(request, setup, result, context);
  return exitCode;
}

/**
 * A stream that shows log lines human-readable: with --pretty, or on a terminal unless
 * --no-pretty; `undefined` for the raw lines.
 */
async function prettyFor(
  request: RunRequest,
  name: "stdout" | "stderr",
  context: CliContext,
): Promise<PrettyStream | undefined> {
  const terminal = context.io.terminal?.[name] === true;
  if (!(request.pretty ?? terminal)) return undefined;
  const sink: OutputStream = context.io[name];
  return await createPrettyStream(sink, { colorize: terminal, secrets: context.secrets });
}

/** What the task (or the runner for it) wrote to the termination log, masked; `""` for nothing. */
async function readReason(path: string | undefined, context: CliContext): Promise<string> {
  if (path === undefined) return "";
  // Regular files only, not through a link, at most REASON_READ_BYTES: the task may have replaced
  // its termination log with a FIFO (whose read would block for ever), a link, or a huge file.
  const text = await readFileStart(path, REASON_READ_BYTES)
    .then(({ bytes }) => bytes.toString("utf8"))
    .catch(() => "");
  return context.secrets.mask(text.trim());
}

/** More than a termination message holds (4 KiB), so a cut one still reads as cut. */
const REASON_READ_BYTES = 16 * 1024;

/** How a run ended. */
interface RunResult {
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Why podman or docker itself failed, when the task did not run. */
  readonly engineFailure: string | undefined;
  /** The termination message, as `kubectl describe pod` shows it; `""` for none. */
  readonly reason: string;
}

/** `definition (source, runner, runtime)`, how the summary names the run. */
function label(request: RunRequest, setup: RunSetup): string {
  const { resolved } = setup;
  const runtime = request.asKeptn ? `${request.runtime}, as Keptn's image` : request.runtime;
  return `${resolved.definition.name} (${describeSource(resolved, setup.codeFile)}, ${resolved.runner}, ${runtime})`;
}

/** What the runner writes that a timeout's summary line already says, or only guesses at. */
const RESTATED_AT_TIMEOUT: readonly ((exitCode: number) => string)[] = [
  () => PROVISIONAL_REASON,
  (exitCode) => `Task stopped by SIGTERM with exit code ${exitCode}`,
];

/** How a run ended, in words: the summary's `result`. */
function outcomeOf(result: RunResult): "timed out" | "not run" | "succeeded" | "failed" {
  if (result.timedOut) return "timed out";
  if (result.engineFailure !== undefined) return "not run";
  return result.exitCode === 0 ? "succeeded" : "failed";
}

/** The JSON summary (`-o json`, `--report`). */
function summaryOf(
  request: RunRequest,
  setup: RunSetup,
  result: RunResult,
  outcome = outcomeOf(result),
): Record<string, unknown> {
  const { resolved } = setup;
  return {
    definition: resolved.definition.name,
    namespace: setup.namespace,
    source: describeSource(resolved, setup.codeFile),
    runner: resolved.runner,
    runtime: request.runtime,
    ...(request.asKeptn ? { asKeptn: true } : {}),
    result: outcome,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    ...(result.reason === "" ? {} : { reason: result.reason }),
  };
}

/** Where `--report` writes: the file is emptied now, so a path that cannot be written is said before the run. */
async function checkReport(path: string | undefined, cwd: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    await writeFile(isAbsolute(path) ? path : join(cwd, path), "");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such directory"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : String(code ?? error);
    throw new UsageError(
      `Cannot write --report file "${path}" for "keptn-task run": ${why}: give a writable path`,
    );
  }
  return path;
}

/**
 * Writes the JSON summary alone to `--report`'s file, masked.
 *
 * @throws {KeptnTaskError} When the file cannot be written (exit code 1).
 */
async function writeReport(
  request: RunRequest,
  setup: RunSetup,
  result: RunResult,
  context: CliContext,
): Promise<void> {
  const path = request.report ?? "";
  const text = `${context.secrets.mask(JSON.stringify(summaryOf(request, setup, result)))}\n`;
  try {
    await writeFile(isAbsolute(path) ? path : join(context.io.cwd, path), text);
  } catch (error) {
    const why = (error as { code?: unknown }).code ?? String(error);
    context.note(`Cannot write --report file "${path}": ${String(why)}`);
  }
}

/** The one-line summary on stderr: text, or JSON with --output json. */
function report(request: RunRequest, setup: RunSetup, result: RunResult, context: CliContext) {
  const { resolved } = setup;
  const { exitCode, durationMs, engineFailure } = result;
  const outcome = outcomeOf(result);
  if (request.output === "json") {
    const summary = summaryOf(request, setup, result, outcome);
    context.io.stderr.write(`${context.secrets.mask(JSON.stringify(summary))}\n`);
    return;
  }
  const name = label(request, setup);
  const took = formatDuration(durationMs);
  const timeout = formatDuration(resolved.job.activeDeadlineSeconds * 1000);
  // The runner's own "Task exited with code N" says no more than the line itself.
  const plain =
    result.reason === "" ||
    result.reason === `Task exited with code ${exitCode}` ||
    // At the timeout the line says what stopped the task: the runner's guess or its restatement
    // of the signal would only blur it.
    (result.timedOut && RESTATED_AT_TIMEOUT.some((words) => words(exitCode) === result.reason));
  const why = plain ? "" : `: ${result.reason}`;
  const lines = {
    "timed out": `${name} exceeded its timeout of ${timeout} (activeDeadlineSeconds) and was stopped: exit code ${exitCode} after ${took}${why}`,
    "not run": `${name} was not run: ${engineFailure}`,
    succeeded: `${name} succeeded in ${took}${why}`,
    failed: `${name} failed with exit code ${exitCode} in ${took}${why}`,
  };
  context.note(lines[outcome]);
}

function checkRunnable(
  resolved: ResolvedTask,
  given: {
    hasData: boolean;
    hasSecret: boolean;
    command: readonly string[];
    runtime: string;
    image: string | undefined;
  },
): void {
  const name = resolved.definition.name;
  if (resolved.runner === "container") {
    if (given.hasData) {
      throw new UsageError(
        `Cannot use --data with container task "${name}": Keptn passes no DATA to container tasks; set env in spec.container`,
      );
    }
  } else if (given.command.length > 0) {
    throw new UsageError(
      `Cannot run "${name}" with a command after --: only a container task run with --runtime local takes one; CMD_ARGS come from spec.${resolved.runner}.cmdParameters`,
    );
  }
  if (given.command.length > 0 && given.runtime !== "local") {
    throw new UsageError(
      `Cannot run "${name}" with a command after -- and --runtime ${given.runtime}: the command stands in for the image with --runtime local only`,
    );
  }
  if (given.image !== undefined && given.runtime === "local") {
    throw new UsageError(
      `Cannot use --image with --runtime local: images run with --runtime podman or docker`,
    );
  }
  if (given.hasSecret && resolved.secureParameters === undefined) {
    throw new UsageError(
      `Cannot use --secret with "${name}": it has no secureParameters, so its Job gets no SECURE_DATA`,
    );
  }
  const code = resolved.code;
  if (code.kind === "configMap" && code.code === undefined) {
    throw new CodeResolutionError(
      `Cannot run "${name}": ConfigMap "${code.name}" (configMapRef of "${code.definition.name}") is not among the manifests: add it with -f, its code under the key "code"`,
    );
  }
  if (code.kind === "none" && resolved.runner !== "container") {
    throw new CodeResolutionError(
      `Cannot run "${name}": it resolves to no code (SCRIPT would be empty): give it inline code, a configMapRef, an httpRef or a functionRef to a definition with code`,
    );
  }
}

/** `inline`, `configMap NAME`, `httpRef`, `image NAME`, after `functionRef PARENT` when inherited. */
function describeSource(resolved: ResolvedTask, codeFile?: string): string {
  if (codeFile !== undefined) return `code ${codeFile}`;
  const code = resolved.code;
  if (resolved.runner === "container") return `image ${resolved.container?.image ?? ""}`;
  const own =
    code.kind === "configMap"
      ? code.createdByKeptn
        ? "inline"
        : `configMap ${code.name}`
      : code.kind === "url"
        ? "httpRef"
        : "no code";
  return code.kind !== "none" && code.definition.name !== resolved.definition.name
    ? `functionRef ${code.definition.name}, ${own}`
    : own;
}

/**
 * Prints what `run` would do. Each value is masked before it is quoted or encoded (a secret with
 * a `'` in it would otherwise be printed whole, as `'it'\''s'`, where no form of it matches).
 */
function printPlan(unmasked: RunPlan, output: "text" | "json", context: CliContext): void {
  const mask = (text: string) => context.secrets.mask(text);
  const plan = {
    command: mask(unmasked.command),
    args: unmasked.args.map(mask),
    taskEnv: Object.fromEntries(
      Object.entries(unmasked.taskEnv).map(([name, value]) => [mask(name), mask(value)]),
    ),
    files: unmasked.files.map((f) => ({ ...f, path: mask(f.path), mountPath: mask(f.mountPath) })),
  };
  if (output === "json") {
    context.out(
      `${JSON.stringify(
        {
          command: plan.command,
          args: plan.args,
          env: plan.taskEnv,
          files: plan.files.map((f) => ({
            path: f.path,
            mountPath: f.mountPath,
            bytes: Buffer.byteLength(f.content),
          })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines = ["# The task's variables, as its Job's container gets them:"];
  for (const [name, value] of Object.entries(plan.taskEnv)) {
    lines.push(`${name}=${shellQuote(value)}`);
  }
  for (const file of plan.files) {
    lines.push(
      `# Writes the code (${Buffer.byteLength(file.content)} bytes) to ${file.path}, mounted at ${file.mountPath}`,
    );
  }
  lines.push("# The command:");
  lines.push([plan.command, ...plan.args].map(shellQuote).join(" "));
  context.out(`${lines.join("\n")}\n`);
}

async function prepare(
  workDir: string,
  plan: RunPlan,
  terminationLog: string | undefined,
): Promise<void> {
  // The task's HOME and TMPDIR (mkdtemp made workDir 0700): its files are nobody else's business.
  await mkdir(`${workDir}/tmp`, { mode: 0o700 });
  // A container's user (65532) reads the code through its mount, as it reads a ConfigMap's: for
  // podman and docker the way to the file opens for traversal only (no listing), tmp/ stays shut.
  const dirMode = plan.container === undefined ? 0o700 : 0o711;
  const mounts = plan.files.length > 0 || terminationLog !== undefined;
  if (dirMode !== 0o700 && mounts) await chmod(workDir, dirMode);
  if (terminationLog !== undefined) {
    // Empty, as the kubelet makes it; the container's user writes it through its mount.
    await writeFile(terminationLog, "", { mode: 0o600 });
    if (plan.container !== undefined) await chmod(terminationLog, 0o666);
  }
  for (const file of plan.files) {
    // --code's file is the user's own: mounted where it is, never written.
    if (file.existing === true) continue;
    await mkdir(dirname(file.path), { recursive: true, mode: dirMode });
    await writeFile(file.path, file.content, { mode: 0o444 });
  }
}

/**
 * A duration for people: `182 ms`, `4.2 s`, `5 min`, `2 min 30 s`.
 *
 * @param ms - Milliseconds.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

/**
 * Linux refuses to start a program with one environment entry (`NAME=value`) over 128 KiB
 * (MAX_ARG_STRLEN): a pod's container would not start either. Said before anything starts.
 */
const MAX_ENV_ENTRY_BYTES = 128 * 1024;

function checkEnvSizes(definition: string, env: Readonly<Record<string, string>>): void {
  for (const [variable, value] of Object.entries(env)) {
    if (value.includes("\0")) {
      // Never quoted (it may be SECURE_DATA): the system's own error would quote it.
      const message =
        "holds a NUL byte, which no environment variable can hold, so its container could not start either: remove it (a binary secret belongs base64-encoded in SECURE_DATA)";
      throw new ConfigError([{ source: variable, path: "", message }], {
        summary: `Cannot run "${definition}"`,
      });
    }
    const bytes = Buffer.byteLength(`${variable}=${value}`) + 1;
    if (bytes > MAX_ENV_ENTRY_BYTES) {
      const message = `would be ${bytes} bytes, over Linux's limit of ${MAX_ENV_ENTRY_BYTES} bytes for one environment variable, so its container could not start either: pass less (a large input belongs in a ConfigMap or a URL the task reads)`;
      throw new ConfigError([{ source: variable, path: "", message }], {
        summary: `Cannot run "${definition}"`,
      });
    }
  }
}

/** A fresh path for the run's scratch directory, under TMPDIR (created by `createWorkDir`). */
function workDirPath(tmp: string | undefined): string {
  const parent = tmp !== undefined && tmp !== "" ? tmp : tmpdir();
  return join(parent, `keptn-task-run-${randomBytes(6).toString("hex")}`);
}

/**
 * Creates the run's scratch directory, private to this user. Like mkdtemp: the path must not
 * exist yet, so nothing another user prepared there is used.
 *
 * @throws {ConfigError} When TMPDIR cannot hold it: the user's to fix.
 */
async function createWorkDir(path: string): Promise<void> {
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such directory"
        : code === "ENOTDIR"
          ? "not a directory"
          : code === "EACCES" || code === "EPERM" || code === "EROFS"
            ? "not writable"
            : String(code ?? error);
    throw new ConfigError(
      [{ source: "TMPDIR", path: "", message: `${why}: set TMPDIR to a writable directory` }],
      { summary: `Cannot create the run's scratch directory in "${dirname(path)}"` },
    );
  }
}
