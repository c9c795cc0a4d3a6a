/**
 * The process `keptn-task run` starts for a resolved task: the bootstrap runner with the pinned
 * Deno (`local`), or the runner image in podman or docker, run as the image tests run it. Pure:
 * paths and the environment come in, nothing is written or started here.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "@keptn-task/sdk";
import { pythonEntryCommand, runnerDenoFlags } from "@keptn-task/sdk/contract";
import type { ResolvedTask } from "@keptn-task/sdk/definitions";

/** Where a task runs. */
export type RuntimeName = "local" | "podman" | "docker";

/** The runtimes `--runtime` accepts. */
export const RUNTIMES: readonly RuntimeName[] = ["local", "podman", "docker"];

/**
 * Where our runner images are published: docker-bake.hcl's `REGISTRY` default
 * (test/images/bake.test.ts keeps the two equal).
 */
export const IMAGE_REGISTRY = "ghcr.io/keptn-task";

const packageVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/**
 * Our runner images of this version, as docker-bake.hcl names them (`REGISTRY`, and `TAG` = the
 * version) and `npm run images` tags them.
 */
export const LOCAL_IMAGES = Object.freeze({
  deno: `${IMAGE_REGISTRY}/deno-runtime:${packageVersion}`,
  python: `${IMAGE_REGISTRY}/python-runtime:${packageVersion}`,
});

/** A file to write before the task starts: ConfigMap code at its mount path's file name. */
export interface CodeFile {
  /** Path on this machine. */
  readonly path: string;
  /** Where the Job mounts it (for containers). */
  readonly mountPath: string;
  readonly content: string;
  /** The user's own file (`run --code`): mounted where it is, never written. */
  readonly existing?: boolean;
}

/** The container a podman or docker run starts. */
export interface PlannedContainer {
  readonly engine: "podman" | "docker";
  /** `--name`: what `rm -f` removes when the engine's client is killed. */
  readonly name: string;
  readonly image: string;
  /** Our runner image, run with `--pull=never`: it must have been built here. */
  readonly local: boolean;
  /** A runner image (ours or `--image`), not a container task's own. */
  readonly runner: boolean;
}

/** A process to start, with everything it needs. */
export interface RunPlan {
  readonly command: string;
  readonly args: readonly string[];
  /** The process's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The task's variables (what the Job's container gets), for `--dry-run`. */
  readonly taskEnv: Readonly<Record<string, string>>;
  /** Code to write first; empty for httpRef and container tasks. */
  readonly files: readonly CodeFile[];
  /** For podman and docker. */
  readonly container?: PlannedContainer;
}

/** Inputs of `planRun`. */
export interface PlanInput {
  readonly resolved: ResolvedTask;
  readonly runtime: RuntimeName;
  /** The runner container's env from `taskEnv` (for a local run, `SCRIPT` names the code file). */
  readonly taskEnv: Readonly<Record<string, string>>;
  /** A fresh directory for this run: code, TMPDIR and HOME of a local run. */
  readonly workDir: string;
  /** The CLI's environment (PATH, KEPTN_TASK_PYTHON, the container engine's settings). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For `local`: the Deno binary and the runner bundle. */
  readonly deno?: string;
  readonly runner?: string;
  /** `--image`: the image to run instead of ours (runner tasks) or the definition's. */
  readonly image?: string | undefined;
  /** For a container task run locally: the command that stands in for its image. */
  readonly command?: readonly string[];
  /** For podman and docker: the container's name. */
  readonly containerName?: string;
  /**
   * Variables for the runner itself, not the task's (the termination log's path, the runner's
   * log level): set before the task's, so a variable given with --env wins, as in a derived image.
   */
  readonly runnerSettings?: Readonly<Record<string, string>>;
  /** A file on this machine that stands in for the container's `/dev/termination-log`. */
  readonly terminationLog?: string;
  /** Run as Keptn's stock images would (their command lines, no runner, no SDK): local only. */
  readonly stock?: boolean;
  /** For a stock python run: the python3 and curl to start. */
  readonly python?: string;
  /**
   * `run --code FILE`: the code's file on this machine, used where it is. A local run's `SCRIPT`
   * names it already; podman and docker mount it.
   */
  readonly codeFile?: string;
}

/** Where Kubernetes mounts a container's termination message file. */
const TERMINATION_LOG_MOUNT = "/dev/termination-log";

/** Keptn's deno-runtime: `deno run --allow-net ... "$SCRIPT"` (ghcr.io/keptn/deno-runtime). */
export const KEPTN_DENO_FLAGS: readonly string[] = [
  "--allow-net",
  "--allow-write",
  "--allow-read",
  "--allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT",
];

/**
 * Keptn's python-runtime entrypoint, word splitting and all: a URL is fetched with `curl -s`
 * and piped to python3 (a failed fetch runs nothing, and succeeds), anything else is run as a
 * file. `$0` is the python3 to start.
 */
export const KEPTN_PYTHON_SCRIPT =
  'case "$SCRIPT" in http://*|https://*) curl -s $SCRIPT | "$0" $CMD_ARGS - ;; *) "$0" $CMD_ARGS $SCRIPT ;; esac';

/**
 * Where a run writes ConfigMap code (inline code included) on this machine: named like its mount
 * path (`function.ts`, `function.py`), under `workDir`. `undefined` for other code sources.
 * Inside a container the code is where the Job mounts it; outside, `SCRIPT` names this file.
 */
export function codeFilePath(resolved: ResolvedTask, workDir: string): string | undefined {
  if (resolved.code.kind !== "configMap" || resolved.mountPath === undefined) return undefined;
  return `${workDir}/code/${basename(resolved.mountPath)}`;
}

/**
 * Builds the process for a resolved task.
 *
 * @throws {UsageError} For a container task run locally without a command after `--`.
 */
export function planRun(input: PlanInput): RunPlan {
  const { resolved, workDir } = input;
  const files: CodeFile[] = [];
  const path = codeFilePath(resolved, workDir);
  if (
    path !== undefined &&
    resolved.mountPath !== undefined &&
    resolved.code.kind === "configMap"
  ) {
    const content = resolved.code.code ?? "";
    const own = input.codeFile;
    if (own === undefined) files.push({ path, mountPath: resolved.mountPath, content });
    else if (input.runtime !== "local") {
      files.push({ path: own, mountPath: resolved.mountPath, content, existing: true });
    }
  }
  if (input.runtime === "local") {
    if (resolved.runner === "container") return planLocalCommand(input, files);
    return input.stock === true ? planStock(input, files) : planLocalRunner(input, files);
  }
  return resolved.runner === "container"
    ? planContainerTask(input, input.runtime, files)
    : planRunnerImage(input, input.runtime, files);
}

/** A local process's environment, as the images set it, with the task's variables. */
function localEnv(input: PlanInput): Record<string, string> {
  return {
    PATH: input.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    // Everything the task writes goes to a scratch directory.
    HOME: `${input.workDir}/tmp`,
    TMPDIR: `${input.workDir}/tmp`,
    // No ANSI colours in Deno's messages.
    NO_COLOR: "1",
  };
}

/** A container task run locally: the command after `--` stands in for its image. */
function planLocalCommand(input: PlanInput, files: CodeFile[]): RunPlan {
  const { resolved, taskEnv } = input;
  const [program, ...args] = input.command ?? [];
  if (program === undefined) {
    throw new UsageError(
      `Cannot run container task "${resolved.definition.name}" with --runtime local: give the command that stands in for image "${resolved.container?.image ?? ""}" after --, or use --runtime podman`,
    );
  }
  // The SDKs' fail() writes where KEPTN_TASK_TERMINATION_LOG points: the run's stand-in for the
  // container's /dev/termination-log, so the summary keeps the reason.
  const terminationLog = input.runnerSettings?.KEPTN_TASK_TERMINATION_LOG;
  const settings =
    terminationLog === undefined ? {} : { KEPTN_TASK_TERMINATION_LOG: terminationLog };
  return {
    command: program,
    args,
    env: { ...localEnv(input), ...settings, ...taskEnv },
    taskEnv,
    files,
  };
}

/** The bootstrap runner with the pinned Deno, started as the images start it. */
function planLocalRunner(input: PlanInput, files: CodeFile[]): RunPlan {
  const { resolved, taskEnv } = input;
  const base = localEnv(input);
  const python = input.env.KEPTN_TASK_PYTHON;
  if (python !== undefined && python !== "") base.KEPTN_TASK_PYTHON = python;
  const runner = input.runner ?? "bootstrap.js";
  // As the images start it: a plain Deno task then runs in the runner's own process.
  const flags = runnerDenoFlags(join(dirname(runner), "import-map.json"));
  const denoRunner = [input.deno ?? "deno", "run", ...flags, runner, resolved.runner];
  // A python task starts as the python-runtime image starts it: through the Python entry.
  const entry = join(dirname(runner), "python_entry.py");
  const [command = "deno", ...args] =
    resolved.runner === "python" && input.python !== undefined && existsSync(entry)
      ? pythonEntryCommand(input.python, entry, denoRunner)
      : denoRunner;
  return {
    command,
    args,
    env: { ...base, ...input.runnerSettings, ...taskEnv },
    taskEnv,
    files,
  };
}

/**
 * As Keptn's stock images run the code: their command lines with this machine's deno and
 * python3, no runner, no import map, no `keptn_task` on the path. Deno's module cache goes to
 * the run's scratch directory; this Deno needs `--allow-import` for remote imports, which
 * Keptn's Deno 2.0 made without asking.
 */
function planStock(input: PlanInput, files: CodeFile[]): RunPlan {
  const { resolved, taskEnv } = input;
  const base = localEnv(input);
  const script = taskEnv.SCRIPT ?? "";
  if (resolved.runner === "deno") {
    return {
      command: input.deno ?? "deno",
      args: ["run", ...KEPTN_DENO_FLAGS, "--allow-import", "--no-config", script],
      env: { ...base, DENO_DIR: `${input.workDir}/tmp/deno-dir`, ...taskEnv },
      taskEnv,
      files,
    };
  }
  return {
    command: "/bin/sh",
    args: ["-c", KEPTN_PYTHON_SCRIPT, input.python ?? "python3"],
    env: { ...base, ...taskEnv },
    taskEnv,
    files,
  };
}

/** The engine client's environment: the CLI's, with the task's variables passed by name. */
function engineEnv(input: PlanInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.env)) if (value !== undefined) env[name] = value;
  return Object.assign(env, input.taskEnv);
}

/** `-e NAME` for each variable: no value shows in the argv. */
function envFlags(taskEnv: Readonly<Record<string, string>>): string[] {
  return Object.keys(taskEnv).flatMap((name) => ["-e", name]);
}

/** A container task's own image in podman or docker, with its command and args. */
function planContainerTask(
  input: PlanInput,
  engine: "podman" | "docker",
  files: CodeFile[],
): RunPlan {
  const name = input.containerName ?? "keptn-task";
  const container = input.resolved.container as Record<string, unknown> | undefined;
  const image = input.image ?? (typeof container?.image === "string" ? container.image : "");
  // Kubernetes' command replaces the image's ENTRYPOINT and args its CMD. --entrypoint takes
  // one word with docker (podman also takes JSON): the rest of the command goes after the
  // image, before the args. An empty command is no command.
  const [entrypoint, ...commandArgs] = stringList(container?.command) ?? [];
  return {
    command: engine,
    args: [
      "run",
      "--rm",
      "--name",
      name,
      "--network",
      "host",
      ...terminationVolume(input),
      ...envFlags(input.taskEnv),
      ...(entrypoint === undefined ? [] : ["--entrypoint", entrypoint]),
      image,
      ...commandArgs,
      ...(stringList(container?.args) ?? []),
    ],
    env: engineEnv(input),
    taskEnv: input.taskEnv,
    files,
    container: { engine, name, image, local: false, runner: false },
  };
}

/** Our runner image (or `--image`) in podman or docker, run as the image tests run it. */
function planRunnerImage(
  input: PlanInput,
  engine: "podman" | "docker",
  files: CodeFile[],
): RunPlan {
  const name = input.containerName ?? "keptn-task";
  const runner = input.resolved.runner === "python" ? "python" : "deno";
  // Z: podman (and docker) relabel the file for SELinux, or the container may not read it.
  const volumes = [
    // The user's own file (--code) gets the shared label (z): a private one would lock it.
    ...files.flatMap((file) => [
      "-v",
      `${file.path}:${file.mountPath}:ro,${file.existing === true ? "z" : "Z"}`,
    ]),
    ...terminationVolume(input),
  ];
  const image = input.image ?? LOCAL_IMAGES[runner];
  const local = input.image === undefined;
  return {
    command: engine,
    args: [
      "run",
      "--rm",
      "--name",
      name,
      // Our images are built here (npm run images); a pull would fetch whatever a registry holds
      // under that name, and give it SECURE_DATA.
      ...(local ? ["--pull=never"] : []),
      // As the Kubernetes "restricted" Pod Security Standard asks: read-only root, numeric user.
      "--read-only",
      "--tmpfs",
      "/tmp",
      "--user",
      "65532",
      // A loopback URL in DATA or httpRef reaches this machine, as in the image tests.
      "--network",
      "host",
      ...volumes,
      ...envFlags({ ...input.runnerSettings, ...input.taskEnv }),
      image,
    ],
    env: { ...input.runnerSettings, ...engineEnv(input) },
    taskEnv: input.taskEnv,
    files,
    container: { engine, name, image, local, runner: true },
  };
}

/** `-v FILE:/dev/termination-log`, as the kubelet gives every container one. */
function terminationVolume(input: PlanInput): string[] {
  return input.terminationLog === undefined
    ? []
    : ["-v", `${input.terminationLog}:${TERMINATION_LOG_MOUNT}:Z`];
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

/**
 * Quotes a word for a POSIX shell, only when it needs it.
 *
 * @example
 * ```ts
 * shellQuote("a b"); // "'a b'"
 * ```
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
