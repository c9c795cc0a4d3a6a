import { ConfigError, type ConfigIssue, type SecretRegistry, UsageError } from "@keptn-task/sdk";
import {
  DEFAULT_DENO_PERMISSIONS,
  DEFAULT_TERMINATION_LOG,
  isPlainContext,
  parseGraceSeconds,
  readContextJson,
  readDataMap,
  registerTaskSecrets,
} from "@keptn-task/sdk/contract";
import { otelWanted } from "@keptn-task/sdk/internal";
import { childEnv } from "./child-env.js";
import { LEVELS } from "./log-line.js";
import { rawSecretForms } from "./raw-env.js";
import { pythonArgsBlocker, pythonEnvBlocker, splitCmdArgs } from "./task-command.js";

/** The runtimes the runner runs, named by its first argument. */
export type Runtime = "deno" | "python";

/** How the runner runs a Deno task: `auto` (in its own process when it can) or `process`. */
export type Isolation = "auto" | "process";

/**
 * The permission flags of `deno run` (Deno 2): allow and deny of each kind, the two ignore
 * flags, their short forms, and all. Anything else would end as Deno's usage error (exit 1).
 */
const PERMISSION_FLAG =
  /^--(allow|deny)-(read|write|net|env|sys|run|ffi|import)(=\S+)?$|^--ignore-(env|read)(=\S+)?$|^-[RWINES](=\S+)?$|^--allow-all$|^-A$/;

/** The runner's log levels (pino's, the keys of `LEVELS`), from `trace` to `silent`. */
export type RunnerLogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** Everything the runner reads from its environment, validated once. */
export interface RunnerSettings {
  readonly runtime: Runtime;
  readonly script: string;
  readonly cmdArgs: string;
  readonly denoPermissions: readonly string[];
  readonly python: string;
  /** `KEPTN_TASK_GRACE_SECONDS` in ms, as a timer takes it. */
  readonly graceMs: number;
  /** `KEPTN_TASK_RUNNER_LOG_LEVEL`: the runner's own log level. */
  readonly logLevel: RunnerLogLevel;
  readonly terminationLog: string;
  readonly tmpDir: string;
  readonly secrets: SecretRegistry;
  /** `KEPTN_TASK_ISOLATION`: whether a Deno task may run in the runner's own process. */
  readonly isolation: Isolation;
  /** Whether `KEPTN_TASK_DENO_PERMISSIONS` replaced the default permissions. */
  readonly customPermissions: boolean;
  /** Variables set for a task started as a child (it inherits the rest of the environment). */
  readonly taskEnv: Record<string, string>;
  /** Whether the standard OpenTelemetry variables ask for the run's span (read in full by `tracing.ts`). */
  readonly otel: boolean;
  /** What Keptn would accept but the SDK's schemas do not (logged, not fatal). */
  readonly warnings: readonly string[];
}

/**
 * Reads and validates the runner's settings: the Keptn contract (`SCRIPT`, `CMD_ARGS`,
 * `KEPTN_CONTEXT`, `DATA`, `SECURE_DATA`) and the runner's own `KEPTN_TASK_*` variables.
 * `KEPTN_CONTEXT` that is not a JSON object, and `DATA` that is not a flat map of strings, are
 * errors; a context Keptn itself sends but the SDK's schema does not accept (a hand-made
 * KeptnTask with an empty `taskType`, an old operator's `objectType: "Application"`) is only a
 * warning: the task runs, as it would on Keptn's own image.
 *
 * @param secrets - Where `SECURE_DATA` and credentials in a `SCRIPT` URL are registered.
 * @param pythonPath - Directory holding the `keptn_task` Python package, put first on `PYTHONPATH`.
 * @param contextWarnings - URL of the bundle that checks an unusual context with the SDK's schema.
 * @param raw - The raw bytes of the contract's variables that are not valid UTF-8 (`env` lacks them).
 * @throws {UsageError} for an unknown runtime, or python `CMD_ARGS` that would not run the script.
 * @throws {ConfigError} listing every bad field.
 */
export async function readSettings(
  args: readonly string[],
  env: Record<string, string>,
  secrets: SecretRegistry,
  pythonPath: string,
  contextWarnings: string,
  raw: Readonly<Record<string, Uint8Array>> = {},
): Promise<RunnerSettings> {
  const runtime = readRuntime(args);
  // Registered before anything else reads them, so no output of the runner or the task shows them.
  registerSecrets(env, raw, secrets);
  const context = readContextJson(env.KEPTN_CONTEXT);
  const permissions = readPermissions(env);
  const options = readOptions(env);
  const issues: ConfigIssue[] = [
    ...(context.issue === undefined ? [] : [context.issue]),
    ...readDataMap(env.DATA).issues,
    ...unreadable(raw),
    ...permissions.issues,
    ...options.issues,
  ];
  if (issues.length > 0) {
    throw new ConfigError(issues.map((i) => ({ ...i, message: secrets.mask(i.message) })));
  }
  if (runtime === "python") {
    const blocker =
      pythonArgsBlocker(splitCmdArgs(env.CMD_ARGS ?? "").before) ?? pythonEnvBlocker(env);
    if (blocker !== undefined) throw new UsageError(secrets.mask(blocker));
  }
  // The SDK's schema (zod) loads only for a context with something to report.
  const warnings =
    context.value === undefined || isPlainContext(context.value)
      ? []
      : ((await import(contextWarnings)) as typeof import("./context-warnings.js")).contextWarnings(
          env.KEPTN_CONTEXT,
        );
  const tmpDir = env.TMPDIR ?? "/tmp";
  return Object.freeze({
    runtime,
    script: (env.SCRIPT ?? "").trim(),
    cmdArgs: env.CMD_ARGS ?? "",
    denoPermissions: permissions.flags,
    python: env.KEPTN_TASK_PYTHON ?? "python3",
    graceMs: options.graceMs,
    logLevel: options.logLevel,
    terminationLog: env.KEPTN_TASK_TERMINATION_LOG ?? DEFAULT_TERMINATION_LOG,
    tmpDir,
    secrets,
    isolation: options.isolation,
    customPermissions: permissions.custom,
    taskEnv: childEnv(runtime, env, tmpDir, pythonPath),
    otel: otelWanted(env),
    warnings: warnings.map((i) => `${i.source}.${i.path}: ${i.message}`),
  });
}

/** The runtime named by the runner's first argument. */
function readRuntime(args: readonly string[]): Runtime {
  const runtime = args[0];
  if (runtime !== "deno" && runtime !== "python") {
    throw new UsageError(
      `Cannot start the runner: expected "deno" or "python" as first argument, received "${runtime ?? ""}"`,
    );
  }
  return runtime;
}

/**
 * Registers what the one rule of what is secret (`registerTaskSecrets`) names: `SECURE_DATA` (in
 * every form a task may print it), what an httpRef URL in `SCRIPT` carries, and the
 * OpenTelemetry exporter's credentials in the environment (`otelSecrets`).
 */
function registerSecrets(
  env: Record<string, string>,
  raw: Readonly<Record<string, Uint8Array>>,
  secrets: SecretRegistry,
): void {
  registerTaskSecrets(secrets, { secureData: env.SECURE_DATA, urls: [env.SCRIPT ?? ""], env });
  // A Secret's data is bytes: one that is not UTF-8 is masked in every form it prints in (and
  // with a secret registered, the task gets a process of its own, whose output is masked).
  if (raw.SECURE_DATA !== undefined)
    for (const form of rawSecretForms(raw.SECURE_DATA)) secrets.register(form);
}

/**
 * `KEPTN_CONTEXT`, `DATA`, `SCRIPT` and `CMD_ARGS` that are set but cannot be read as text (never
 * quoted: they may be anything). Deno leaves such a variable out as if unset: the task would run
 * without its arguments, or with nothing to run.
 */
function unreadable(raw: Readonly<Record<string, Uint8Array>>): ConfigIssue[] {
  return (["KEPTN_CONTEXT", "DATA", "SCRIPT", "CMD_ARGS"] as const)
    .filter((name) => raw[name] !== undefined)
    .map((name) => ({
      source: name,
      path: "",
      message: `is not valid UTF-8: set it as UTF-8 ${name === "KEPTN_CONTEXT" || name === "DATA" ? "JSON" : "text"}`,
    }));
}

/** `KEPTN_TASK_DENO_PERMISSIONS`: Deno's permission flags, or the defaults when unset. */
function readPermissions(env: Record<string, string>): {
  flags: readonly string[];
  custom: boolean;
  issues: ConfigIssue[];
} {
  const permissions = (env.KEPTN_TASK_DENO_PERMISSIONS ?? "").trim();
  const flags = permissions === "" ? [...DEFAULT_DENO_PERMISSIONS] : permissions.split(/\s+/);
  const badFlags = flags.filter((flag) => !PERMISSION_FLAG.test(flag));
  const issues =
    badFlags.length === 0
      ? []
      : [
          option(
            "KEPTN_TASK_DENO_PERMISSIONS",
            `expected Deno permission flags such as --allow-net=example.com, received "${badFlags.join(" ")}"`,
          ),
        ];
  return { flags, custom: permissions !== "", issues };
}

/** The runner's own options: the grace period, the isolation, the log level. */
function readOptions(env: Record<string, string>): {
  graceMs: number;
  isolation: Isolation;
  logLevel: RunnerLogLevel;
  issues: ConfigIssue[];
} {
  const issues: ConfigIssue[] = [];
  const grace = parseGraceSeconds(env.KEPTN_TASK_GRACE_SECONDS);
  if ("problem" in grace) issues.push(option("KEPTN_TASK_GRACE_SECONDS", grace.problem));
  const isolation = (env.KEPTN_TASK_ISOLATION ?? "auto").trim() || "auto";
  if (isolation !== "auto" && isolation !== "process") {
    issues.push(
      option("KEPTN_TASK_ISOLATION", `expected "auto" or "process", received "${isolation}"`),
    );
  }
  const logLevel = (env.KEPTN_TASK_RUNNER_LOG_LEVEL ?? "").trim() || "info";
  if (!Object.hasOwn(LEVELS, logLevel)) {
    const accepted = Object.keys(LEVELS).join(", ");
    issues.push(
      option("KEPTN_TASK_RUNNER_LOG_LEVEL", `expected one of ${accepted}, received "${logLevel}"`),
    );
  }
  return {
    graceMs: "graceMs" in grace ? grace.graceMs : 0,
    isolation: isolation as Isolation,
    logLevel: logLevel as RunnerLogLevel,
    issues,
  };
}

/** An issue with one of the runner's own `KEPTN_TASK_*` variables. */
function option(name: string, message: string): ConfigIssue {
  return { source: "options", path: name, message };
}
