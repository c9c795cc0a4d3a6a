/** `keptn-task run`: loads the manifests, resolves the definition, checks it can run here, and builds the runner's environment. */
import { randomBytes } from "node:crypto";
import { CodeResolutionError, ConfigError, UsageError } from "@keptn-task/sdk";
import { registerTaskSecrets } from "@keptn-task/sdk/contract";
import {
  type Catalog,
  envEntryBytes,
  MAX_ENV_ENTRY_BYTES,
  type ResolvedTask,
  resolveTask,
  taskEnv,
} from "@keptn-task/sdk/definitions";
import type { ParsedArgs } from "./args.js";
import { withCodeFile } from "./code-file.js";
import { codeLineMapper } from "./code-lines.js";
import type { CliContext } from "./io.js";
import { checkDataKeys, checkStock } from "./run-input.js";
import { codeFilePath, planRun, type RunPlan } from "./run-plan.js";
import {
  DRY_RUN_DIR,
  DRY_RUN_NAME,
  REPLACED_BY_CODE,
  type RunRequest,
  workDirPath,
} from "./run-request.js";
import { findDeno, findPython, findRunner } from "./runtime-paths.js";
import { findDefinition, loadCatalog, refuseErrors } from "./task-input.js";
import { traceEnv } from "./trace-env.js";

/** The resolved task and the process that runs it. */
export interface RunSetup {
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
export async function resolveRun(
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
  const all = { ...env, ...Object.fromEntries(request.env) };
  // The secretKeyRef values, and the exporter's credentials in what the task gets (--env): masked
  // as the runner masks them.
  registerTaskSecrets(context.secrets, {
    values: fromSecrets.flatMap((variable) => env[variable.name] ?? []),
    env: all,
  });
  checkEnvSizes(name, all);
  return all;
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
export function describeSource(resolved: ResolvedTask, codeFile?: string): string {
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
 * Linux refuses to start a program with one environment entry (`NAME=value`) over 128 KiB
 * (MAX_ARG_STRLEN; `MAX_ENV_ENTRY_BYTES`, which validate's ENV_TOO_LARGE uses too): a pod's
 * container would not start either. Said before anything starts.
 */
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
    const bytes = envEntryBytes(variable, value);
    if (bytes > MAX_ENV_ENTRY_BYTES) {
      const message = `would be ${bytes} bytes, over Linux's limit of ${MAX_ENV_ENTRY_BYTES} bytes for one environment variable, so its container could not start either: pass less (a large input belongs in a ConfigMap or a URL the task reads)`;
      throw new ConfigError([{ source: variable, path: "", message }], {
        summary: `Cannot run "${definition}"`,
      });
    }
  }
}
