/**
 * `keptn-task run NAME -f PATH...`: resolves a definition and runs it as its Job would (same env,
 * same code source, same runner), streams its output masked, and ends with its exit code.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  CodeResolutionError,
  KeptnTaskError,
  RuntimeMissingError,
  UsageError,
} from "@keptn-task/sdk";
import { type ResolvedTask, resolveTask, taskEnv } from "@keptn-task/sdk/definitions";
import { goJsonStringMap } from "@keptn-task/sdk/internal";
import { type Command, oneOf } from "./args.js";
import { type CliContext, trackLineEnds } from "./io.js";
import { planRun, RUNTIMES, type RunPlan, shellQuote } from "./run-plan.js";
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
import { urlSecrets } from "./url-secrets.js";

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
    secret: { type: "string", secret: true },
    runtime: { type: "string" },
    image: { type: "string" },
    "dry-run": { type: "boolean" },
    output: { type: "string", short: "o" },
    quiet: { type: "boolean", short: "q" },
  },
  help: `Usage: keptn-task run NAME -f PATH... [options] [-- COMMAND...]

Resolves KeptnTaskDefinition NAME as the Keptn lifecycle-operator does and runs it as its Job
would: the same variables (DATA, KEPTN_CONTEXT, CMD_ARGS, SECURE_DATA, SCRIPT), the same code
source (inline or ConfigMap code written to a temporary file named like its mount path,
function.ts or function.py; httpRef fetched by the runner), the same runner. The task's output
is streamed, secrets masked; a one-line summary goes to stderr; the exit code is the task's.
The task is stopped at the definition's timeout (spec.timeout, default 5m), as the Job is.
Ctrl-C is passed on to the task once; a second Ctrl-C kills it. The run ends when the task's
process does, as its container would: what it left running is killed 2 s later.

Options:
${DEFINITION_OPTIONS_HELP}
      --data KEY=VALUE    a parameter; wins over the definition's parameters.map; repeatable
      --secret VALUE|@FILE  SECURE_DATA (default: the Secret named by secureParameters, from
                          the manifests); masked in all output. Prefer @FILE: a value on the
                          command line is visible to other users of this machine
      --runtime RUNTIME   local (default): the bootstrap runner with the npm Deno and python3;
                          podman or docker: the runner images (keptn-task/deno-runtime:dev,
                          keptn-task/python-runtime:dev from npm run images, never pulled), run
                          read-only as user 65532 with the host network
      --image IMAGE       the image to run with podman or docker instead (pulled if missing)
      --dry-run           print the environment and the command, start nothing
  -o, --output FORMAT     text (default) or json: the summary line (and --dry-run) as JSON
  -q, --quiet             no warnings, no summary
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
  keptn-task run hello -f examples/hello
  keptn-task run health-check -f examples/health-check --data url=http://localhost:8080/healthz
  keptn-task run notify -f k8s/ --task-type post --secret @secure-data.json --runtime podman
`,
  async run(args, context) {
    const { io } = context;
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0) {
      throw new UsageError(
        `Cannot run "keptn-task run": expected one definition NAME, received ${args.positionals.length}: see keptn-task run --help`,
      );
    }
    const runtime = oneOf("run", "runtime", args.string("runtime"), RUNTIMES, "local");
    const output = oneOf("run", "output", args.string("output"), ["text", "json"], "text");
    const quiet = args.flag("quiet");
    const data = parseData(args.list("data"));
    const secretArg = args.string("secret");
    const secret = secretArg?.startsWith("@")
      ? await readArgumentFile("run", "--secret", secretArg.slice(1), io.cwd)
      : secretArg;
    if (secret !== undefined) context.secrets.register(secret);
    const taskContext = await contextFromArgs("run", args, context);

    const { catalog, paths } = await loadCatalog("run", args, context);
    const { definition, namespace, keptnNamespace } = findDefinition(catalog, name, args, paths);
    const resolved = resolveTask(catalog, {
      definition: definition.name,
      namespace,
      keptnNamespace,
      context: taskContext,
    });
    // The runner masks an httpRef URL's credentials; so does everything printed from here on.
    if (resolved.code.kind === "url") {
      for (const value of urlSecrets(resolved.code.url)) context.secrets.register(value);
    }
    refuseErrors("run", resolved);
    checkRunnable(resolved, {
      hasData: data.size > 0,
      hasSecret: secret !== undefined,
      command: args.rest,
      runtime,
      image: args.string("image"),
    });
    if (
      resolved.secureParameters !== undefined &&
      secret === undefined &&
      catalog.findSecret(resolved.secureParameters, namespace)?.values.SECURE_DATA === undefined
    ) {
      throw new KeptnTaskError(
        `Cannot run "${name}": it reads SECURE_DATA from Secret "${resolved.secureParameters}" (secureParameters), which is not among the manifests: pass the value with --secret @FILE or --secret VALUE`,
        "CONFIG_INVALID",
      );
    }
    for (const variable of resolved.env) {
      const ref = "valueFrom" in variable ? variable.valueFrom.secretKeyRef : undefined;
      if (
        ref !== undefined &&
        variable.name !== "SECURE_DATA" &&
        catalog.findSecret(ref.name, namespace)?.values[ref.key] === undefined
      ) {
        throw new KeptnTaskError(
          `Cannot run "${name}": its env ${variable.name} reads key "${ref.key}" of Secret "${ref.name}", which is not among the manifests: add the Secret with -f`,
          "CONFIG_INVALID",
        );
      }
    }
    const env = taskEnv(resolved, {
      catalog,
      ...(secret !== undefined && resolved.secureParameters !== undefined
        ? { secretValues: { [resolved.secureParameters]: secret } }
        : {}),
      onSkipped: ({ name: variable, from }) => {
        if (!quiet) {
          context.note(
            `warning: Leaving out env "${variable}" of "${name}": keptn-task run fills valueFrom only from a Secret among the manifests (secretKeyRef), not from ${from}`,
          );
        }
      },
    });
    for (const variable of resolved.env) {
      const value = env[variable.name];
      if ("valueFrom" in variable && value !== undefined) context.secrets.register(value);
    }
    if (data.size > 0) {
      env.DATA = goJsonStringMap({ ...resolved.parameters, ...Object.fromEntries(data) });
    }
    checkEnvSizes(name, env);

    const local = runtime === "local" && resolved.runner !== "container";
    const dryRun = args.flag("dry-run");
    const deno = local ? findDeno(io.env) : undefined;
    const runner = local ? findRunner(io.env) : undefined;
    if (local && resolved.runner === "python") findPython(io.env);
    const image = args.string("image");
    const plan = (workDir: string, containerName: string) =>
      planRun({
        resolved,
        runtime,
        taskEnv: env,
        workDir,
        env: io.env,
        command: args.rest,
        containerName,
        ...(deno === undefined ? {} : { deno }),
        ...(runner === undefined ? {} : { runner }),
        ...(image === undefined ? {} : { image }),
      });

    if (!quiet) {
      // A --secret stands in for the Secret, so its absence from the manifests is expected.
      printWarnings(resolved, context, new Set(secret === undefined ? [] : ["SECRET_NOT_FOUND"]));
    }
    if (dryRun) {
      printPlan(plan(DRY_RUN_DIR, DRY_RUN_NAME), output, context);
      return 0;
    }
    // From here on a Ctrl-C must not leave the temporary directory or an unsupervised task
    // behind: it is handled before anything is written, and the run stops in good order.
    const signals = new StopSignals();
    try {
      // Every check has passed: only now is anything written.
      const workDir = await makeWorkDir(io.env.TMPDIR);
      try {
        const planned = plan(workDir, `keptn-task-${randomBytes(6).toString("hex")}`);
        await prepare(workDir, planned);
        const label = `${resolved.definition.name} (${describeSource(resolved)}, ${resolved.runner}, ${runtime})`;
        const stopped = signals.first;
        if (stopped !== undefined) {
          context.note(`${label} was not run: received ${stopped} before it started`);
          return signalExitCode(stopped);
        }
        const startedAt = Date.now();
        const stdout = trackLineEnds(io.stdout);
        const stderr = trackLineEnds(io.stderr);
        const outcome = await supervise({
          command: planned.command,
          args: planned.args,
          env: planned.env,
          cwd: io.cwd,
          deadlineMs: resolved.job.activeDeadlineSeconds * 1000,
          signals,
          stdout,
          stderr,
          secrets: context.secrets,
          ...(planned.container === undefined
            ? {}
            : { onKill: () => removeContainer(planned, io.cwd) }),
        });
        // stdout and stderr may be one terminal or file: a line of ours after output left
        // mid-line on either starts on a line of its own. With -q the output stays as it was.
        if (!quiet && (stdout.midLine || stderr.midLine)) io.stderr.write("\n");
        const exitCode = outcome.timedOut && outcome.exitCode === 0 ? TIMED_OUT : outcome.exitCode;
        const engineFailure = await engineFailed(planned, exitCode, io.cwd, startedAt);
        if (quiet) return exitCode;
        const timeout = resolved.job.activeDeadlineSeconds;
        if (output === "json") {
          io.stderr.write(
            `${context.secrets.mask(
              JSON.stringify({
                definition: resolved.definition.name,
                namespace,
                source: describeSource(resolved),
                runner: resolved.runner,
                runtime,
                result: outcome.timedOut
                  ? "timed out"
                  : engineFailure !== undefined
                    ? "not run"
                    : exitCode === 0
                      ? "succeeded"
                      : "failed",
                exitCode,
                durationMs: outcome.durationMs,
              }),
            )}\n`,
          );
        } else if (outcome.timedOut) {
          context.note(
            `${label} exceeded its timeout of ${formatDuration(timeout * 1000)} (activeDeadlineSeconds) and was stopped: exit code ${exitCode} after ${formatDuration(outcome.durationMs)}`,
          );
        } else if (engineFailure !== undefined) {
          context.note(`${label} was not run: ${engineFailure}`);
        } else if (exitCode === 0) {
          context.note(`${label} succeeded in ${formatDuration(outcome.durationMs)}`);
        } else {
          context.note(
            `${label} failed with exit code ${exitCode} in ${formatDuration(outcome.durationMs)}`,
          );
        }
        return exitCode;
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    } finally {
      signals.dispose();
    }
  },
};

function parseData(values: readonly string[]): Map<string, string> {
  const data = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0) {
      throw new UsageError(
        `Cannot use --data "${value}" with "keptn-task run": expected KEY=VALUE, for example --data url=http://localhost:8080`,
      );
    }
    data.set(value.slice(0, at), value.slice(at + 1));
  }
  return data;
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
function describeSource(resolved: ResolvedTask): string {
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

function printPlan(plan: RunPlan, output: "text" | "json", context: CliContext): void {
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

async function prepare(workDir: string, plan: RunPlan): Promise<void> {
  // The task's HOME and TMPDIR (mkdtemp made workDir 0700): its files are nobody else's business.
  await mkdir(`${workDir}/tmp`, { mode: 0o700 });
  // A container's user (65532) reads the code through its mount, as it reads a ConfigMap's: for
  // podman and docker the way to the file opens for traversal only (no listing), tmp/ stays shut.
  const dirMode = plan.container === undefined ? 0o700 : 0o711;
  if (dirMode !== 0o700 && plan.files.length > 0) await chmod(workDir, dirMode);
  for (const file of plan.files) {
    await mkdir(dirname(file.path), { recursive: true, mode: dirMode });
    await writeFile(file.path, file.content, { mode: 0o444 });
  }
}

/** After a kill: the container outlives its engine's client, so it is removed by name. */
async function removeContainer(plan: RunPlan, cwd: string): Promise<void> {
  const container = plan.container;
  if (container === undefined) return;
  await runQuietly(container.engine, ["rm", "-f", container.name], plan.env, cwd);
}

/**
 * Why podman or docker itself failed, when it did: then the task did not run, which the summary
 * says instead of "failed with exit code". 125 is the engine's own failure; 126 and 127 say the
 * container's command cannot be run, unless the container started: then they are its own (a
 * task's exit code, or the runner's for an interpreter that cannot be started). The engine's
 * events say whether it started; when they cannot be read, a container task's 126 and 127 are
 * taken as the engine's and a runner image's as the runner's, as before events were asked.
 *
 * @param startedAt - When the engine's client was started (ms since the epoch).
 * @throws {RuntimeMissingError} When our runner image is not among the local images.
 */
async function engineFailed(
  plan: RunPlan,
  exitCode: number,
  cwd: string,
  startedAt: number,
): Promise<string | undefined> {
  const container = plan.container;
  if (container === undefined || exitCode < 125 || exitCode > 127) return undefined;
  const { engine, image } = container;
  if (exitCode !== 125) {
    const started = await containerStarted(plan, cwd, startedAt);
    if (started ?? container.runner) return undefined;
  }
  if (exitCode === 125) {
    if (
      container.local &&
      (await runQuietly(engine, ["image", "inspect", image], plan.env, cwd)) !== 0
    ) {
      throw new RuntimeMissingError(
        `Cannot run image "${image}" with ${engine}: it is not among the local images, and keptn-task run never pulls its own images: build them with npm run images, or give one with --image`,
      );
    }
    return `${engine} failed with exit code 125 (see its message above)`;
  }
  return `${engine} cannot ${exitCode === 126 ? "invoke" : "find"} the container's command (exit code ${exitCode})`;
}

/** How long the engine may take to list a container's events. */
const EVENTS_TIMEOUT_MS = 10_000;

/**
 * Whether the run's container started, from the engine's events (`start`, kept after `--rm`
 * removed the container); `undefined` when the events cannot be read (an events backend
 * switched off, say).
 */
function containerStarted(
  plan: RunPlan,
  cwd: string,
  startedAt: number,
): Promise<boolean | undefined> {
  const container = plan.container;
  if (container === undefined) return Promise.resolve(undefined);
  // Whole seconds: both engines parse them; a second earlier so the start is never cut off.
  const since = String(Math.floor(startedAt / 1000) - 1);
  const until = String(Math.ceil(Date.now() / 1000) + 1);
  const args = [
    "events",
    "--since",
    since,
    "--until",
    until,
    // podman keeps streaming without it; docker stops at --until and knows no --stream.
    ...(container.engine === "podman" ? ["--stream=false"] : []),
    "--filter",
    `container=${container.name}`,
    "--filter",
    "event=start",
    "--format",
    "{{.Status}}",
  ];
  return new Promise((resolve) => {
    execFile(
      container.engine,
      args,
      { env: plan.env, cwd, timeout: EVENTS_TIMEOUT_MS, encoding: "utf8" },
      (error, stdout) => {
        resolve(error === null ? /\bstart\b/.test(stdout) : undefined);
      },
    );
  });
}

/** Runs a command with no output, to its end; its exit code, 127 when it cannot start. */
function runQuietly(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env, cwd, stdio: "ignore" });
    child.once("error", () => resolve(127));
    child.once("close", (code) => resolve(code ?? 1));
  });
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
    const bytes = Buffer.byteLength(`${variable}=${value}`) + 1;
    if (bytes > MAX_ENV_ENTRY_BYTES) {
      throw new KeptnTaskError(
        `Cannot run "${definition}": ${variable} would be ${bytes} bytes, over Linux's limit of ${MAX_ENV_ENTRY_BYTES} bytes for one environment variable, so its container could not start either: pass less (a large input belongs in a ConfigMap or a URL the task reads)`,
        "CONFIG_INVALID",
      );
    }
  }
}

/** The run's scratch directory, under TMPDIR; a TMPDIR that cannot hold it is the user's to fix. */
async function makeWorkDir(tmp: string | undefined): Promise<string> {
  const parent = tmp !== undefined && tmp !== "" ? tmp : tmpdir();
  try {
    return await mkdtemp(join(parent, "keptn-task-run-"));
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
    throw new KeptnTaskError(
      `Cannot create the run's scratch directory in "${parent}" (TMPDIR): ${why}: set TMPDIR to a writable directory`,
      "CONFIG_INVALID",
    );
  }
}
