/**
 * What `render` and `run` share: loading the manifests given with `-f`, finding the definition
 * by name, reading the context flags, and refusing a definition Keptn would not run.
 */
import { readFile } from "node:fs/promises";
import { CodeResolutionError, KeptnTaskError, ManifestError, UsageError } from "@keptn-task/sdk";
import type { TaskContext, TaskDefinition } from "@keptn-task/sdk/definitions";
import {
  type Catalog,
  createCatalog,
  DEFAULT_KEPTN_NAMESPACE,
  type Diagnostic,
  type DiagnosticCode,
  formatDiagnostic,
  loadManifests,
  type ResolvedTask,
} from "@keptn-task/sdk/definitions";
import type { OptionSpecs, ParsedArgs } from "./args.js";
import type { CliContext } from "./io.js";

/** Options every command that resolves one definition takes. */
export const DEFINITION_OPTIONS: OptionSpecs = {
  file: { type: "string", short: "f", multiple: true },
  namespace: { type: "string", short: "n" },
  "keptn-namespace": { type: "string" },
  app: { type: "string" },
  workload: { type: "string" },
  version: { type: "string" },
  "task-type": { type: "string" },
  context: { type: "string" },
};

/** Help lines for `DEFINITION_OPTIONS`. */
export const DEFINITION_OPTIONS_HELP = `  -f, --file PATH         manifests: a file, a folder (every .yaml, .yml, .json below it) or -
                          for standard input; repeatable, required
  -n, --namespace NS      the namespace the task runs in (default: the definition's own, when
                          its name is unique)
      --keptn-namespace NS  where Keptn is installed: the fallback for definitions
                          (default keptn-system)
      --app NAME          KEPTN_CONTEXT appName
      --workload NAME     KEPTN_CONTEXT workloadName (objectType becomes Workload)
      --version VERSION   KEPTN_CONTEXT workloadVersion (appVersion without --workload)
      --task-type TYPE    pre (default), post or promotion
      --context @FILE|JSON  KEPTN_CONTEXT fields as JSON (the flags above win)`;

/** Diagnostics that mean there is no code to run. */
const CODE_PROBLEMS: ReadonlySet<DiagnosticCode> = new Set([
  "NO_RUNTIME",
  "NO_CODE",
  "MISSING_PARENT",
  "FUNCTIONREF_CHAIN",
  "CYCLE",
  "PARENT_NOT_RUNTIME",
  "CONFIGMAP_WITHOUT_CODE",
  "HTTPREF_INVALID",
  "FUNCTION_IN_V1",
]);

const TASK_TYPES = ["pre", "post", "promotion"] as const;
const OBJECT_TYPES = ["App", "Workload"] as const;

/**
 * Loads the manifests named by `-f`.
 *
 * @throws {UsageError} When no `-f` is given.
 * @throws {ManifestError} For the first path that cannot be read or object that is invalid.
 */
export async function loadCatalog(
  command: string,
  args: ParsedArgs,
  context: CliContext,
): Promise<{ catalog: Catalog; paths: string[] }> {
  const paths = args.list("file");
  if (paths.length === 0) {
    throw new UsageError(
      `Cannot run "keptn-task ${command}" without manifests: give them with -f PATH (a file, a folder or - for standard input)`,
    );
  }
  const set = await loadManifests(paths, { stdin: context.io.stdin }).catch((error: unknown) => {
    throw error instanceof ManifestError ? tidyManifestError(error) : error;
  });
  return { catalog: createCatalog(set), paths };
}

/**
 * Tidies a `ManifestError` for one line of output: `x.yaml: Cannot read "x.yaml": ...` names the
 * file twice, and a YAML parser's first line may end with a colon.
 */
export function tidyManifestError(error: ManifestError): ManifestError {
  const { file, document } = error.location;
  let message = error.message.replace(/:\s*$/, "");
  if (file !== undefined && document === undefined && message.startsWith(`${file}: `)) {
    message = message.slice(file.length + 2);
  }
  // The location is in the message already.
  return message === error.message ? error : new ManifestError(message, {}, { cause: error });
}

/**
 * Finds the definition `name`: in `--namespace` (or Keptn's namespace), or, without it, the one
 * definition of that name in any namespace.
 *
 * @returns The definition and the namespace the task runs in.
 * @throws {CodeResolutionError} When there is no such definition.
 * @throws {UsageError} When the name is in several namespaces and none was chosen.
 */
export function findDefinition(
  catalog: Catalog,
  name: string,
  args: ParsedArgs,
  paths: readonly string[],
): { definition: TaskDefinition; namespace: string; keptnNamespace: string } {
  const keptnNamespace = args.string("keptn-namespace") ?? DEFAULT_KEPTN_NAMESPACE;
  const where = paths.map((p) => `"${p}"`).join(", ");
  const namespace = args.string("namespace");
  const all = catalog.definitions();
  const notFound = (scope: string) => {
    const names = [...new Set(all.map((d) => d.name))];
    const known =
      names.length === 0
        ? "they hold no KeptnTaskDefinition"
        : `they define ${names
            .slice(0, 10)
            .map((n) => `"${n}"`)
            .join(", ")}${names.length > 10 ? ", ..." : ""}`;
    return new CodeResolutionError(
      `Cannot find KeptnTaskDefinition "${name}"${scope} in ${where}: ${known}`,
    );
  };
  if (namespace !== undefined) {
    const definition =
      catalog.findDefinition(name, namespace) ?? catalog.findDefinition(name, keptnNamespace);
    if (definition === undefined) {
      throw notFound(` in namespace "${namespace}" or "${keptnNamespace}"`);
    }
    return { definition, namespace, keptnNamespace };
  }
  const matches = all.filter((d) => d.name === name);
  const [first] = matches;
  if (first === undefined) throw notFound("");
  if (matches.length > 1) {
    throw new UsageError(
      `Cannot choose KeptnTaskDefinition "${name}": it is in namespaces ${matches.map((d) => `"${d.namespace}"`).join(", ")}: pick one with --namespace`,
    );
  }
  return { definition: first, namespace: first.namespace, keptnNamespace };
}

/**
 * `KEPTN_CONTEXT` fields from `--context` and the context flags (the flags win).
 *
 * @throws {UsageError} When the `--context` file cannot be read, or a flag is invalid.
 * @throws {KeptnTaskError} (`CONFIG_INVALID`) When `--context` is not a valid context.
 */
export async function contextFromArgs(
  command: string,
  args: ParsedArgs,
  cwd: string,
): Promise<Partial<TaskContext>> {
  const fields: { -readonly [K in keyof TaskContext]?: TaskContext[K] } = {};
  const given = args.string("context");
  if (given !== undefined) Object.assign(fields, await readContext(command, given, cwd));
  const app = args.string("app");
  const workload = args.string("workload");
  const version = args.string("version");
  const taskType = args.string("task-type");
  if (app !== undefined) fields.appName = app;
  if (workload !== undefined) {
    fields.workloadName = workload;
    fields.objectType = "Workload";
  }
  if (version !== undefined) {
    if ((fields.workloadName ?? "") !== "") fields.workloadVersion = version;
    else fields.appVersion = version;
  }
  if (taskType !== undefined) {
    if (!(TASK_TYPES as readonly string[]).includes(taskType)) {
      throw new UsageError(
        `Cannot use --task-type "${taskType}" with "keptn-task ${command}": expected "pre", "post" or "promotion"`,
      );
    }
    fields.taskType = taskType;
  }
  return fields;
}

async function readContext(
  command: string,
  given: string,
  cwd: string,
): Promise<Partial<TaskContext>> {
  const text = given.startsWith("@")
    ? await readArgumentFile(command, "--context", given.slice(1), cwd)
    : given;
  const shown = given.startsWith("@") ? given : "JSON";
  // Read fine but not a context Keptn sends: invalid configuration, as the runner's KEPTN_CONTEXT.
  const fail = (problem: string): never => {
    throw new KeptnTaskError(
      `Cannot use --context ${shown === "JSON" ? "" : `"${shown}" `}with "keptn-task ${command}": ${problem}`,
      "CONFIG_INVALID",
    );
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("expected a JSON object of KEPTN_CONTEXT fields");
  }
  const out: { -readonly [K in keyof TaskContext]?: TaskContext[K] } = {};
  const metadata: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    switch (key) {
      case "workloadName":
      case "appName":
      case "appVersion":
      case "workloadVersion":
      case "taskType":
      case "objectType":
        if (typeof field !== "string") fail(`${key}: expected a string`);
        out[key] = field as string;
        break;
      case "traceparent":
        // Keptn's docs show it at the top level; the operator puts it in metadata.
        if (typeof field !== "string") fail(`${key}: expected a string`);
        metadata.traceparent = field as string;
        break;
      case "metadata":
        if (typeof field !== "object" || field === null || Array.isArray(field)) {
          fail("metadata: expected an object of strings");
        }
        for (const [name, inner] of Object.entries(field as object)) {
          if (typeof inner !== "string") fail(`metadata.${name}: expected a string`);
          metadata[name] = inner as string;
        }
        break;
      default:
        fail(
          `unknown field "${key}": KEPTN_CONTEXT has workloadName, appName, appVersion, workloadVersion, taskType, objectType and metadata`,
        );
    }
  }
  if (out.taskType !== undefined && !(TASK_TYPES as readonly string[]).includes(out.taskType)) {
    fail(`taskType: expected "pre", "post" or "promotion", received "${out.taskType}"`);
  }
  if (
    out.objectType !== undefined &&
    !(OBJECT_TYPES as readonly string[]).includes(out.objectType)
  ) {
    fail(`objectType: expected "App" or "Workload", received "${out.objectType}"`);
  }
  if (Object.keys(metadata).length > 0) out.metadata = metadata;
  return out;
}

/**
 * Reads a file named by an `@FILE` argument.
 *
 * @throws {UsageError} Naming the flag and the file.
 */
export async function readArgumentFile(
  command: string,
  flag: string,
  path: string,
  cwd: string,
): Promise<string> {
  try {
    return await readFile(path.startsWith("/") ? path : `${cwd}/${path}`, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such file or directory"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory"
            : error instanceof Error
              ? error.message
              : String(error);
    throw new UsageError(`Cannot read ${flag} file "${path}" for "keptn-task ${command}": ${why}`);
  }
}

/**
 * Refuses a resolution with errors: Keptn would not run it as written.
 *
 * @throws {CodeResolutionError} When the errors mean there is no code to run.
 * @throws {KeptnTaskError} (`MANIFEST_INVALID`) for any other error.
 */
export function refuseErrors(action: string, resolved: ResolvedTask): void {
  const errors = resolved.diagnostics.filter((d) => d.level === "error");
  const [first] = errors;
  if (first === undefined) return;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""}: see keptn-task validate)`
      : "";
  const message = `Cannot ${action} "${resolved.definition.name}": ${first.code} ${first.message}${more}`;
  throw errors.some((d: Diagnostic) => CODE_PROBLEMS.has(d.code))
    ? new CodeResolutionError(message)
    : new KeptnTaskError(message, "MANIFEST_INVALID");
}

/**
 * Prints the resolution's warnings on stderr, one line each, except the codes in `skip`.
 */
export function printWarnings(
  resolved: ResolvedTask,
  context: CliContext,
  skip: ReadonlySet<DiagnosticCode> = new Set(),
): void {
  for (const warning of resolved.diagnostics) {
    if (!skip.has(warning.code)) context.note(formatDiagnostic(warning));
  }
}
