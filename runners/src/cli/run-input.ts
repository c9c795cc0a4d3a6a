/**
 * Checks of what `keptn-task run` is given besides the definition: `--env`, `--data` keys the
 * definition does not have, and what `--as-keptn` can run.
 */
import { UsageError } from "@keptn-task/sdk";
import { closestName, type ResolvedTask } from "@keptn-task/sdk/definitions";
import { parse as parseYaml } from "yaml";
import type { RuntimeName } from "./run-plan.js";
import { readArgumentFile } from "./task-input.js";

/** Variables the Job (or the run) sets itself, and the flag that sets each instead. */
const SET_BY_THE_JOB: Readonly<Record<string, string>> = {
  DATA: "use --data KEY=VALUE",
  SECURE_DATA: "use --secret @FILE",
  KEPTN_CONTEXT: "use --app, --workload, --version, --task-type or --context",
  SCRIPT: "the code comes from the definition (-f)",
  CMD_ARGS: "set cmdParameters in the definition's spec.deno or spec.python",
  KEPTN_TASK_TERMINATION_LOG:
    "keptn-task run points it at a file of its own and reports what the task writes there",
};

/** A name a shell can export. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--env NAME=VALUE` and `--env NAME` (the value from `shellEnv`), in order, the last winning.
 *
 * @throws {UsageError} For a malformed name, a name the Job sets itself, or an unset `NAME`.
 */
export function parseEnv(
  values: readonly string[],
  shellEnv: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const env = new Map<string, string>();
  for (const given of values) {
    const at = given.indexOf("=");
    const name = at < 0 ? given : given.slice(0, at);
    if (!ENV_NAME.test(name)) {
      throw new UsageError(
        `Cannot use --env "${name}" with "keptn-task run": expected NAME=VALUE or NAME (letters, digits and _, not starting with a digit)`,
      );
    }
    const instead = Object.hasOwn(SET_BY_THE_JOB, name) ? SET_BY_THE_JOB[name] : undefined;
    if (instead !== undefined) {
      throw new UsageError(
        `Cannot use --env ${name} with "keptn-task run": the Job sets ${name} itself: ${instead}`,
      );
    }
    const value = at < 0 ? shellEnv[name] : given.slice(at + 1);
    if (value === undefined) {
      throw new UsageError(
        `Cannot use --env ${name} with "keptn-task run": ${name} is not set in this shell: set it, or give --env ${name}=VALUE`,
      );
    }
    env.set(name, value);
  }
  return env;
}

/**
 * Warnings for `--data` keys the definition's parameters do not have: a typo is passed to the
 * task all the same, as Keptn passes a KeptnTask's extra keys.
 *
 * @param definition - The definition's name.
 * @param own - The keys of its parameters (with its parent's).
 * @param given - The `--data` keys.
 * @returns One line per unknown key.
 */
export function checkDataKeys(
  definition: string,
  own: readonly string[],
  given: Iterable<string>,
): string[] {
  const known = new Set(own);
  const lines: string[] = [];
  for (const key of given) {
    if (known.has(key)) continue;
    const near = closestName(key, own);
    const has =
      near !== undefined
        ? `did you mean "${near}"?`
        : own.length === 0
          ? "it has none"
          : `it has ${own.map((k) => `"${k}"`).join(", ")}`;
    lines.push(
      `warning: Passing --data "${key}" to "${definition}", which has no such parameter (parameters.map): ${has}`,
    );
  }
  return lines;
}

/**
 * What `--as-keptn` can run: a deno or python definition, on this machine.
 *
 * @throws {UsageError} For a container task, or with podman or docker.
 */
export function checkStock(resolved: ResolvedTask, runtime: RuntimeName): void {
  const name = resolved.definition.name;
  if (resolved.runner === "container") {
    throw new UsageError(
      `Cannot use --as-keptn with container task "${name}": it runs its own image on Keptn too; leave out --as-keptn`,
    );
  }
  if (runtime !== "local") {
    throw new UsageError(
      `Cannot use --as-keptn with --runtime ${runtime}: it runs Keptn's command lines with this machine's deno and python3; for Keptn's own image give --image ghcr.io/keptn/${resolved.runner}-runtime:TAG instead`,
    );
  }
}

/**
 * `--data KEY=VALUE` and `--data @FILE` (a JSON or YAML map of parameters), in order, the last
 * winning. Numbers and booleans in a file become strings, as Keptn passes them.
 *
 * @throws {UsageError} For a malformed pair, an unreadable file, or a file that is not a flat map.
 */
export async function parseData(
  values: readonly string[],
  cwd: string,
): Promise<Map<string, string>> {
  const data = new Map<string, string>();
  for (const value of values) {
    if (value.startsWith("@")) {
      for (const [key, item] of await readDataFile(value.slice(1), cwd)) data.set(key, item);
      continue;
    }
    const at = value.indexOf("=");
    if (at <= 0) {
      throw new UsageError(
        `Cannot use --data "${value}" with "keptn-task run": expected KEY=VALUE or @FILE, for example --data url=http://localhost:8080`,
      );
    }
    data.set(value.slice(0, at), value.slice(at + 1));
  }
  return data;
}

/** The parameters in a `--data @FILE`: a map of strings, numbers and booleans. */
async function readDataFile(file: string, cwd: string): Promise<[string, string][]> {
  const text = await readArgumentFile("run", "--data", file, cwd);
  const fail = (why: string) =>
    new UsageError(`Cannot use --data @${file} with "keptn-task run": ${why}`);
  let parsed: unknown;
  try {
    // YAML 1.2 reads JSON as well.
    parsed = parseYaml(text);
  } catch (error) {
    const why = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    throw fail(`not JSON or YAML: ${why}`);
  }
  if (parsed === null || parsed === undefined) return [];
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw fail(
      `expected a map of parameters (key: value), received ${Array.isArray(parsed) ? "a list" : `a ${typeof parsed}`}`,
    );
  }
  return Object.entries(parsed).map(([key, item]) => {
    if (item === null) return [key, ""];
    if (typeof item === "object") {
      throw fail(
        `"${key}" is ${Array.isArray(item) ? "a list" : "a map"}: DATA holds strings only (write it as a JSON string if the task parses it)`,
      );
    }
    return [key, String(item)];
  });
}
