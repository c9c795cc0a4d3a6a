/**
 * The runner's environment as a plain record, for running a resolved task locally: the secret
 * reference becomes its value, and the mount path can point at a local file.
 */
import { ConfigError, type ConfigIssue } from "../errors/errors.js";
import type { Catalog } from "./catalog.js";
import type { ResolvedTask } from "./resolve-task.js";

/** Options of `taskEnv`. */
export interface TaskEnvOptions {
  /**
   * Secret values by Secret name: the value of its `SECURE_DATA` key (for container tasks, the
   * value of whichever key the container references). Wins over the catalog.
   */
  secretValues?: Readonly<Record<string, string>>;
  /** A catalog to read Secrets from when `secretValues` has no entry. */
  catalog?: Catalog;
  /** A local file holding the code, to put in `SCRIPT` instead of the in-cluster mount path. */
  scriptPath?: string;
  /**
   * Told of each variable of a container task that is left out, with where its value would come
   * from: only a Secret can be filled in here, not a `configMapKeyRef`, `fieldRef` or
   * `resourceFieldRef` (`name` is the variable's), nor `envFrom` (`name` is `envFrom[INDEX]`,
   * `from` for example `envFrom configMapRef`).
   */
  onSkipped?: (skipped: { readonly name: string; readonly from: string }) => void;
  /**
   * How to give a Secret's value that is missing, for the error's message (default: pass it in
   * `secretValues` or add the Secret to the catalog).
   */
  missingSecret?: (missing: {
    /** The variable that reads it. */
    readonly variable: string;
    readonly secret: string;
    readonly key: string;
  }) => string;
  /** What could not be done, to start the error's message (default `Invalid task environment`). */
  summary?: string;
  /**
   * Values of a container task's variables given by the caller (`keptn-task run --env`): they
   * stand in for the `secretKeyRef` (or other `valueFrom`) the variable reads.
   */
  values?: Readonly<Record<string, string>>;
}

/**
 * Builds the runner's environment as a plain `Record<string, string>`, in the operator's order
 * (`DATA`, `KEPTN_CONTEXT`, `CMD_ARGS`, `SECURE_DATA`, `SCRIPT`).
 *
 * @param resolved The result of `resolveTask`.
 * @param options Secret values (or a catalog holding the Secrets) and a local script path.
 * @returns The environment variables.
 * @throws {ConfigError} When a referenced secret has no value; the message names the Secret and
 *   the key, never a value.
 * @example
 * ```ts
 * const env = taskEnv(resolved, { secretValues: { "slack-token": '{"token":"x"}' },
 *   scriptPath: "/tmp/task/function.ts" });
 * spawn("deno", ["run", env.SCRIPT], { env: { ...env } });
 * ```
 */
export function taskEnv(
  resolved: ResolvedTask,
  options: TaskEnvOptions = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  const secretValue = (name: string, key: string): string | undefined =>
    options.secretValues?.[name] ??
    options.catalog?.findSecret(name, resolved.task.namespace)?.values[key];
  // Container tasks carry the user's env, which may use any valueFrom; only Secrets can be filled.
  for (const variable of resolved.env as readonly {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name?: string; key?: string } };
  }[]) {
    if (variable.valueFrom === undefined) {
      env[variable.name] = variable.value ?? "";
      continue;
    }
    const given = options.values?.[variable.name];
    if (given !== undefined) {
      env[variable.name] = given;
      continue;
    }
    const ref = variable.valueFrom.secretKeyRef;
    if (ref?.name === undefined || ref.key === undefined) {
      const from = Object.keys(variable.valueFrom).join(", ") || "valueFrom";
      options.onSkipped?.({ name: variable.name, from });
      continue;
    }
    const value = secretValue(ref.name, ref.key);
    if (value === undefined) {
      const fix =
        options.missingSecret?.({ variable: variable.name, secret: ref.name, key: ref.key }) ??
        `pass it in secretValues["${ref.name}"] or add the Secret to the catalog`;
      // The variable is the field to fix: `API_TOKEN: Secret "api-token" key "token" ...`.
      issues.push({
        source: variable.name,
        path: "",
        message: `Secret "${ref.name}" key "${ref.key}" has no value: ${fix}`,
      });
    } else {
      env[variable.name] = value;
    }
  }
  const envFrom = (resolved.container as { envFrom?: unknown } | undefined)?.envFrom;
  if (Array.isArray(envFrom)) {
    envFrom.forEach((source: unknown, index) => {
      const kinds = typeof source === "object" && source !== null ? Object.keys(source) : [];
      const from = kinds.filter((kind) => kind !== "prefix").join(", ");
      options.onSkipped?.({ name: `envFrom[${index}]`, from: `envFrom ${from}`.trim() });
    });
  }
  if (issues.length > 0) {
    throw new ConfigError(
      issues,
      options.summary === undefined ? {} : { summary: options.summary },
    );
  }
  if (options.scriptPath !== undefined && resolved.code.kind === "configMap") {
    env.SCRIPT = options.scriptPath;
  }
  return env;
}
