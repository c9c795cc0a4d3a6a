/**
 * What `render` and `run` share: loading the manifests given with `-f`, finding the definition
 * by name, reading the context flags, and refusing a definition Keptn would not run.
 */
import {
  CodeResolutionError,
  ConfigError,
  type ConfigIssue,
  ManifestError,
  parseContext,
  UsageError,
} from "@keptn-task/sdk";
import {
  CONTEXT_KEYS,
  CONTEXT_MESSAGES,
  readContextJson,
  TASK_TYPES,
} from "@keptn-task/sdk/contract";
import type { KeptnContextFields, TaskDefinition } from "@keptn-task/sdk/definitions";
import {
  type Catalog,
  closestName,
  createCatalog,
  DEFAULT_KEPTN_NAMESPACE,
  type Diagnostic,
  type DiagnosticCode,
  formatDiagnostic,
  loadManifests,
  type ResolvedTask,
} from "@keptn-task/sdk/definitions";
import { lookupNamespaces, readFileStart } from "@keptn-task/sdk/internal";
import type { OptionSpecs, ParsedArgs } from "./args.js";
import type { CliContext } from "./io.js";

/** Options every command that resolves one definition takes. */
export const DEFINITION_OPTIONS: OptionSpecs = {
  file: { type: "string", short: "f", multiple: true, values: "path" },
  namespace: { type: "string", short: "n" },
  "keptn-namespace": { type: "string" },
  app: { type: "string" },
  workload: { type: "string" },
  version: { type: "string" },
  "task-type": { type: "string", values: TASK_TYPES },
  context: { type: "string" },
};

/** Help lines for `DEFINITION_OPTIONS`. */
export const DEFINITION_OPTIONS_HELP = `  -f, --file PATH         manifests: a file, a folder (every .yaml, .yml, .json below it) or -
                          for standard input; repeatable, required
  -n, --namespace NS      the namespace of objects that name none (as kubectl apply -n), and
                          the one the task runs in (default: the definition's own, when its
                          name is unique)
      --keptn-namespace NS  where Keptn is installed: the fallback for definitions
                          (default keptn-system)
      --app NAME          KEPTN_CONTEXT appName
      --workload NAME     KEPTN_CONTEXT workloadName (objectType becomes Workload); Keptn
                          sends the KeptnWorkload's name, "<app>-<workload>" (cart-cart for
                          keptn.sh/workload: cart without an app)
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
  "EMPTY_RUNTIME",
]);

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
  const namespace = args.string("namespace");
  if (namespace === "") {
    throw new UsageError(
      `Cannot use --namespace "" with "keptn-task ${command}": give a namespace name`,
    );
  }
  // kubectl's convention: -n is the namespace of the objects that name none.
  const options = {
    stdin: context.io.stdin,
    ...(namespace === undefined ? {} : { defaultNamespace: namespace }),
  };
  const set = await loadManifests(paths, options).catch((error: unknown) => {
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
 * definition of that name in any namespace. Objects that name no namespace are in `--namespace`
 * already (`loadCatalog`), as `kubectl apply -n` puts them.
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
    const elsewhere = all.find((d) => d.name === name)?.namespace;
    const near = closestName(name, names);
    const known =
      elsewhere !== undefined
        ? `it is in namespace "${elsewhere}": use -n ${elsewhere}`
        : near !== undefined
          ? `did you mean "${near}"?`
          : names.length === 0
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
      throw notFound(` in ${lookupNamespaces(namespace, keptnNamespace)}`);
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

/** `KEPTN_CONTEXT` fields to fill in: those given on the command line. */
type ContextFields = { -readonly [K in keyof KeptnContextFields]?: KeptnContextFields[K] };

/**
 * `KEPTN_CONTEXT` fields from `--context` and the context flags (the flags win).
 *
 * @throws {UsageError} When the `--context` file cannot be read, or a flag is invalid.
 * @throws {ConfigError} When `--context` is not a context the runner would accept.
 */
export async function contextFromArgs(
  command: string,
  args: ParsedArgs,
  context: CliContext,
): Promise<ContextFields> {
  const given = args.string("context");
  const fields =
    given === undefined ? {} : await readContext(command, given, context.io.cwd, context.note);
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
        `Cannot use --task-type "${taskType}" with "keptn-task ${command}": ${CONTEXT_MESSAGES.taskType}`,
      );
    }
    fields.taskType = taskType;
  }
  return fields;
}

/**
 * Reads `--context` as the runner reads `KEPTN_CONTEXT` (the SDK's `parseContext`), keeping the
 * fields it names; a top-level `traceparent` moves into `metadata`, where the operator puts it.
 */
async function readContext(
  command: string,
  given: string,
  cwd: string,
  note: (line: string) => void,
): Promise<ContextFields> {
  const file = given.startsWith("@") ? given.slice(1) : undefined;
  const text = file === undefined ? given : await readArgumentFile(command, "--context", file, cwd);
  const shown = file === undefined ? "" : ` "${given}"`;
  const fail = (issues: ConfigIssue[]) =>
    new ConfigError(issues, {
      summary: `Cannot use --context${shown} with "keptn-task ${command}"`,
    });
  const json = readContextJson(text);
  if (json.issue !== undefined) throw fail([json.issue]);
  if (json.value === undefined) return {};
  // Only some fields may be given: the enums the operator always writes are filled in later.
  const { context, issues } = parseContext(
    JSON.stringify({ taskType: "", objectType: "", ...json.value }),
  );
  if (issues.length > 0 || !context.provided) throw fail(issues);
  const keys = new Set(Object.keys(json.value));
  const fields: ContextFields = {};
  for (const key of CONTEXT_KEYS) {
    if (keys.has(key) && key !== "metadata") fields[key] = context[key];
  }
  const traceparent = context.metadata.traceparent ?? context.traceparent;
  const metadata =
    traceparent === undefined ? { ...context.metadata } : { ...context.metadata, traceparent };
  if (Object.keys(metadata).length > 0) fields.metadata = metadata;
  const unknown = [...keys].filter(
    (key) => key !== "traceparent" && !(CONTEXT_KEYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    note(
      `warning: Leaving out --context field${unknown.length > 1 ? "s" : ""} ${unknown.map((key) => `"${key}"`).join(", ")}: the operator writes only ${CONTEXT_KEYS.join(", ")} into KEPTN_CONTEXT`,
    );
  }
  return fields;
}

/** The most an `@FILE` argument may hold: Kubernetes keeps no Secret or ConfigMap over 1 MiB. */
const MAX_ARGUMENT_FILE_BYTES = 1024 * 1024;

/**
 * Reads a file named by an `@FILE` argument: a regular file of at most 1 MiB.
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
    const file = path.startsWith("/") ? path : `${cwd}/${path}`;
    const { bytes, truncated } = await readFileStart(file, MAX_ARGUMENT_FILE_BYTES, {
      follow: true,
    });
    if (truncated) throw Object.assign(new Error("too large"), { code: "ETOOLARGE" });
    return bytes.toString("utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ${flag} file "${path}" for "keptn-task ${command}": ${readProblem(error)}`,
    );
  }
}

const READ_PROBLEMS: Record<string, string> = {
  ETOOLARGE: `larger than ${MAX_ARGUMENT_FILE_BYTES / 1024 / 1024} MiB, as no Secret, ConfigMap or KEPTN_CONTEXT can be`,
  ENOTREGULAR: "not a regular file",
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
};

/** What went wrong reading a file, in a few words. */
function readProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const known = typeof code === "string" ? READ_PROBLEMS[code] : undefined;
  return known ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Refuses a resolution with errors: Keptn would not run it as written. Codes in `moot` are
 * left out (`run --code` gives the code a definition lacks).
 *
 * @throws {CodeResolutionError} When the errors mean there is no code to run.
 * @throws {ManifestError} For any other error.
 */
export function refuseErrors(
  action: string,
  resolved: ResolvedTask,
  moot: ReadonlySet<DiagnosticCode> = new Set(),
): void {
  const errors = resolved.diagnostics.filter((d) => d.level === "error" && !moot.has(d.code));
  const [first] = errors;
  if (first === undefined) return;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""}: see keptn-task validate)`
      : "";
  const message = `Cannot ${action} "${resolved.definition.name}": ${first.code} ${first.message}${more}`;
  throw errors.some((d: Diagnostic) => CODE_PROBLEMS.has(d.code))
    ? new CodeResolutionError(message)
    : new ManifestError(message);
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
