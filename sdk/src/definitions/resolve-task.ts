/**
 * Resolves a task the way the Keptn lifecycle-operator does: which definition, which runner and
 * image, where the code comes from, the runner's environment in the operator's order, and the Job
 * fields. Every trap met on the way is reported as a diagnostic.
 */

import { goJsonStringMap, parseGoDuration } from "../contract/go-compat.js";
import { CONTEXT_NAME_KEYS, encodeKeptnContext } from "../contract/keptn-context.js";
import { redactUrl } from "../contract/secret-rule.js";
import { CodeResolutionError, ConfigError } from "../errors/errors.js";
import type { Catalog } from "./catalog.js";
import { checkCode, checkDefinition, MOUNT_PATHS } from "./check-definition.js";
import { secretInKeptnNamespaceOnly } from "./checks/secret-elsewhere.js";
import {
  createDiagnostic,
  type Diagnostic,
  hasErrors,
  objectId,
  uniqueDiagnostics,
} from "./diagnostics.js";
import { lookupNamespaces, notInLookupNamespaces } from "./lookup-namespaces.js";
import type {
  ContextFieldsInput,
  EnvVar,
  KeptnContextFields,
  KeptnTask,
  TaskDefinition,
} from "./model.js";
import type { ContainerSpecManifest, DefinitionVersion } from "./schemas.js";

/** The namespace Keptn is installed in by default; definitions there serve every namespace. */
export const DEFAULT_KEPTN_NAMESPACE = "keptn-system";

/** The operator's default runner images (`FUNCTION_RUNNER_IMAGE`, `PYTHON_RUNNER_IMAGE`). */
export const DEFAULT_RUNNER_IMAGES = Object.freeze({
  deno: "ghcr.io/keptn/deno-runtime:v3.0.1",
  python: "ghcr.io/keptn/python-runtime:v1.0.8",
});

/** CRD defaults of the Job fields. */
export const JOB_DEFAULTS = Object.freeze({
  retries: 10,
  timeout: "5m",
  ttlSecondsAfterFinished: 300,
});

/** Options of `resolveTask`. */
export interface ResolveTaskOptions {
  /** The definition to run; taken from `task` when that is given. */
  definition?: string;
  /** The namespace the task runs in (where the Job is created); taken from `task` when given. */
  namespace?: string;
  /**
   * A hand-made `KeptnTask` (normalised), or the name of one in the catalog (then `namespace` is
   * required). Its parameters fill missing keys, its secret overrides, its retries and timeout
   * replace the definition's.
   */
  task?: KeptnTask | string;
  /** `KEPTN_CONTEXT` fields; override the task's. Defaults: `taskType` `pre`, `objectType` from the workload. */
  context?: Readonly<ContextFieldsInput>;
  /** Where Keptn is installed (default `keptn-system`): the fallback namespace for definitions. */
  keptnNamespace?: string;
  /** Runner images, for example our own (defaults: the operator's). */
  images?: { deno?: string; python?: string };
  /**
   * `keptn` (default): follow one functionRef level, exactly as Keptn does. `full`: follow chains
   * to the end, with cycle detection; this differs from Keptn and is reported as a warning.
   */
  functionRefs?: "keptn" | "full";
  /**
   * Parameters that win over the definition's and the task's (what `keptn-task run --data`
   * gives): merged into `parameters` and `DATA`. Not for container tasks, which get no `DATA`.
   */
  parameters?: Readonly<Record<string, string>>;
}

/** A definition, by name. */
export interface DefinitionRef {
  readonly name: string;
  readonly namespace: string;
  readonly version: DefinitionVersion;
}

/** Where the runner gets its code. */
export type CodeSource =
  | {
      readonly kind: "configMap";
      /** The ConfigMap the Job mounts (by name, in the Job's namespace). */
      readonly name: string;
      /** The namespace the ConfigMap is created in (Keptn's, for inline code) or expected in. */
      readonly namespace: string;
      /** Always `code`, mounted with `subPath: code`. */
      readonly key: "code";
      /** The code, when known (inline code, or a ConfigMap in the catalog). */
      readonly code: string | undefined;
      /** `true` for inline code, which Keptn stores in ConfigMap `keptnfn-<name>`. */
      readonly createdByKeptn: boolean;
      /** The definition the code belongs to. */
      readonly definition: DefinitionRef;
    }
  | { readonly kind: "url"; readonly url: string; readonly definition: DefinitionRef }
  | { readonly kind: "none" };

/** The Job fields the operator sets. */
export interface JobFields {
  /** `backoffLimit`. */
  readonly retries: number;
  /** The Go duration the deadline comes from. */
  readonly timeout: string;
  readonly activeDeadlineSeconds: number;
  readonly ttlSecondsAfterFinished: number;
  readonly serviceAccountName: string | undefined;
  readonly automountServiceAccountToken: boolean | undefined;
  readonly imagePullSecrets: readonly { readonly name?: string }[];
}

/** The KeptnTask the Job belongs to. */
export interface TaskInfo {
  /** The hand-made task's name; `undefined` when Keptn would generate one. */
  readonly name: string | undefined;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** `pre`, `post` or `promotion`. */
  readonly checkType: string;
  readonly definition: string;
  /** Task-level parameters and secret, as written on a hand-made task. */
  readonly parameters: Readonly<Record<string, string>> | undefined;
  readonly secureParameters: string | undefined;
  readonly handMade: boolean;
}

/** What the operator would run for a task. Frozen. */
export interface ResolvedTask {
  /** How functionRefs were followed. */
  readonly mode: "keptn" | "full";
  /** The definition the task names. */
  readonly definition: DefinitionRef;
  /** The definitions read, the task's first, then its parents. */
  readonly chain: readonly DefinitionRef[];
  readonly runner: "deno" | "python" | "container";
  readonly image: string;
  /** Where the code is mounted; `undefined` for container tasks. */
  readonly mountPath: string | undefined;
  readonly code: CodeSource;
  /** Merged parameters (`DATA`). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The Secret `SECURE_DATA` comes from. */
  readonly secureParameters: string | undefined;
  /** `CMD_ARGS`. */
  readonly cmdParameters: string;
  /** `KEPTN_CONTEXT`. */
  readonly context: KeptnContextFields;
  /** The runner container's env, in the operator's order. */
  readonly env: readonly EnvVar[];
  /** The user's container, with `KEPTN_CONTEXT` set, for container tasks. */
  readonly container: ContainerSpecManifest | undefined;
  readonly job: JobFields;
  readonly task: TaskInfo;
  readonly diagnostics: readonly Diagnostic[];
  /** No diagnostic is an error. */
  readonly ok: boolean;
}

interface CodeParams {
  configMap:
    | { name: string; namespace: string; createdByKeptn: boolean; definition: TaskDefinition }
    | undefined;
  url: string | undefined;
  urlDefinition: TaskDefinition | undefined;
  parameters: Readonly<Record<string, string>> | undefined;
  secure: string | undefined;
  cmd: string | undefined;
  runner: "deno" | "python";
  chain: TaskDefinition[];
}

interface Context {
  readonly catalog: Catalog;
  readonly namespace: string;
  readonly keptnNamespace: string;
  readonly mode: "keptn" | "full";
  readonly diagnostics: Diagnostic[];
}

/**
 * The ConfigMap name the operator stores a definition's inline code in: `keptnfn-` and the
 * definition name cut to 245 characters.
 *
 * @param definitionName The definition's name.
 * @returns The ConfigMap name.
 * @example
 * ```ts
 * inlineConfigMapName("notify"); // "keptnfn-notify"
 * ```
 */
export function inlineConfigMapName(definitionName: string): string {
  return `keptnfn-${definitionName.slice(0, 245)}`;
}

/**
 * Fills `base` from `extra` as the operator does with Go's `mergo.Merge(&base, extra)` (mergo
 * v1.0.0, no options): a key of `extra` is taken when `base` lacks it or holds `""`, which mergo
 * treats as unset. So a non-empty value in `base` wins, and `""` in `base` never does.
 */
function mergoFill(
  base: Readonly<Record<string, string>> | undefined,
  extra: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (base === undefined && extra === undefined) return undefined;
  const out: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (!Object.hasOwn(out, key) || out[key] === "") out[key] = value;
  }
  return Object.freeze(out);
}

function ref(def: TaskDefinition): DefinitionRef {
  return Object.freeze({ name: def.name, namespace: def.namespace, version: def.version });
}

/** The path of a field inside the runtime spec a definition's code comes from. */
function runtimeField(def: TaskDefinition, path: string): string {
  return `spec.${def.runtimeField ?? "deno"}.${path}`;
}

function lookup(ctx: Context, name: string): TaskDefinition | undefined {
  return (
    ctx.catalog.findDefinition(name, ctx.namespace) ??
    ctx.catalog.findDefinition(name, ctx.keptnNamespace)
  );
}

function ownParams(ctx: Context, def: TaskDefinition): CodeParams {
  const spec = def.runtime ?? {};
  let configMap: CodeParams["configMap"];
  if (spec.inline !== undefined) {
    configMap = {
      name: inlineConfigMapName(def.name),
      namespace: def.namespace,
      createdByKeptn: true,
      definition: def,
    };
  } else if (spec.configMapRef !== undefined) {
    if (ctx.catalog.findConfigMap(spec.configMapRef, def.namespace) === undefined) {
      const otherwise =
        spec.httpRef !== undefined
          ? `runs "${redactUrl(spec.httpRef)}" instead`
          : spec.functionRef !== undefined
            ? "takes the code from the functionRef only"
            : "fails to create the Job";
      ctx.diagnostics.push(
        createDiagnostic(
          "CONFIGMAP_NOT_FOUND",
          `ConfigMap "${spec.configMapRef}" (configMapRef of "${def.name}") is not among the manifests: if it does not exist in namespace "${def.namespace}", Keptn ignores configMapRef and ${otherwise}; ${hashedHint(ctx, spec.configMapRef, def.namespace)}`,
          def,
          { field: runtimeField(def, "configMapRef.name") },
        ),
      );
    }
    configMap = {
      name: spec.configMapRef,
      namespace: def.namespace,
      createdByKeptn: false,
      definition: def,
    };
  }
  return {
    configMap,
    url: spec.httpRef,
    urlDefinition: spec.httpRef === undefined ? undefined : def,
    parameters: spec.parameters,
    secure: spec.secureParameters,
    cmd: spec.cmdParameters,
    runner: def.runner === "python" ? "python" : "deno",
    chain: [def],
  };
}

/**
 * How to fix a missing code ConfigMap: a kustomize `configMapGenerator` that named it with a hash
 * suffix (which kustomize does not write into a KeptnTaskDefinition's configMapRef), or create it.
 */
function hashedHint(ctx: Context, name: string, namespace: string): string {
  const hashed = ctx.catalog.objects.find(
    (o) =>
      o.kind === "ConfigMap" &&
      o.namespace === namespace &&
      /^-[a-z0-9]{10}$/.test(o.name.slice(name.length)) &&
      o.name.startsWith(name),
  );
  if (hashed === undefined) return 'create the ConfigMap with the code under key "code"';
  return `kustomize's configMapGenerator names it "${hashed.name}" and does not rewrite configMapRef in a KeptnTaskDefinition: set generatorOptions.disableNameSuffixHash: true (or options.disableNameSuffixHash on the generator)`;
}

/** Follows functionRefs from `start` for a message, stopping at a repeat or a missing definition. */
function describeChain(ctx: Context, start: TaskDefinition): { names: string[]; cycle: boolean } {
  const names = [start.name];
  const seen = new Set([objectId(start)]);
  let current: TaskDefinition | undefined = start;
  while (current?.runtime?.functionRef !== undefined) {
    const next = lookup(ctx, current.runtime.functionRef);
    names.push(current.runtime.functionRef);
    if (next === undefined) return { names, cycle: false };
    if (seen.has(objectId(next))) return { names, cycle: true };
    seen.add(objectId(next));
    current = next;
  }
  return { names, cycle: false };
}

function noCode(own: CodeParams): CodeParams {
  return { ...own, configMap: undefined, url: undefined, urlDefinition: undefined };
}

/**
 * The parent a functionRef names, or `undefined` (with a diagnostic) when Keptn cannot take code
 * from it: it is missing, a cycle (full chains only), or not a deno or python definition.
 */
function usableParent(
  ctx: Context,
  def: TaskDefinition,
  parentName: string,
  visited: ReadonlySet<string>,
): TaskDefinition | undefined {
  const parent = lookup(ctx, parentName);
  if (parent === undefined) {
    ctx.diagnostics.push(
      createDiagnostic(
        "MISSING_PARENT",
        `"${def.name}" has functionRef "${parentName}", which is ${notInLookupNamespaces(ctx.namespace, ctx.keptnNamespace)}: Keptn cannot create the Job and retries forever, so the task never runs; create "${parentName}" or fix the name`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
    return undefined;
  }
  if (ctx.mode === "full" && visited.has(objectId(parent))) {
    const { names } = describeChain(ctx, def);
    ctx.diagnostics.push(
      createDiagnostic(
        "CYCLE",
        `functionRef cycle ${names.join(" -> ")}: following it never reaches code (Keptn follows one level only, so it runs the code of "${parent.name}" if that has any); point one of them at a definition with code`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
    return undefined;
  }
  if (parent.runner !== "deno" && parent.runner !== "python") {
    ctx.diagnostics.push(
      createDiagnostic(
        "PARENT_NOT_RUNTIME",
        `"${def.name}" has functionRef "${parentName}", which ${parent.runner === "container" ? "is a container task" : "has no runtime"}: Keptn only takes code from deno or python definitions and fails to create the Job; reference a deno or python definition`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
    return undefined;
  }
  return parent;
}

/** Full chains (not Keptn's way): follows the parent's own functionRef to the end. */
function inheritFullChain(
  ctx: Context,
  def: TaskDefinition,
  parent: TaskDefinition,
  visited: ReadonlySet<string>,
): CodeParams {
  if (parent.runtime?.functionRef !== undefined && visited.size === 1) {
    const { names, cycle } = describeChain(ctx, def);
    if (!cycle) {
      ctx.diagnostics.push(
        createDiagnostic(
          "FUNCTIONREF_CHAIN",
          `functionRef chain ${names.join(" -> ")} resolved to the end because full chains were asked for: this differs from Keptn, which follows one level and would not run this code; point "${def.name}" at "${names[names.length - 1]}" directly`,
          def,
          { level: "warning", field: runtimeField(def, "functionRef.name") },
        ),
      );
    }
  }
  return resolveCode(ctx, parent, new Set([...visited, objectId(parent)]));
}

/** Keptn's way: the parent's own code and parameters, its functionRef not followed. */
function inheritOneLevel(ctx: Context, def: TaskDefinition, parent: TaskDefinition): CodeParams {
  const inherited = ownParams(ctx, parent);
  if (parent.runtime?.functionRef === undefined) return inherited;
  const { names, cycle } = describeChain(ctx, def);
  const empty = inherited.configMap === undefined && inherited.url === undefined;
  const outcome = empty
    ? `SCRIPT would be empty and ${parent.runner === "python" ? "a python task would succeed without running" : "the deno runner would fail on every retry"}`
    : `it runs the code of "${parent.name}", not of the end of the chain`;
  ctx.diagnostics.push(
    createDiagnostic(
      // A cycle whose parent has code runs that code, as any chain does: only an empty one is a CYCLE.
      cycle && empty ? "CYCLE" : "FUNCTIONREF_CHAIN",
      `functionRef ${cycle ? "cycle" : "chain"} ${names.join(" -> ")}: Keptn follows one level, so ${outcome}; point "${def.name}" at the definition with the code`,
      def,
      {
        field: runtimeField(def, "functionRef.name"),
        // With code of its own, the parent is what Keptn runs: a surprise, not a failure.
        level: empty ? "error" : "warning",
      },
    ),
  );
  return inherited;
}

/** The code, parameters, secret and arguments of a definition, through its functionRef. */
function resolveCode(ctx: Context, def: TaskDefinition, visited: ReadonlySet<string>): CodeParams {
  const own = ownParams(ctx, def);
  const parentName = def.runtime?.functionRef;
  if (parentName === undefined) return own;
  const parent = usableParent(ctx, def, parentName, visited);
  if (parent === undefined) return noCode(own);
  ctx.diagnostics.push(...checkDefinition(parent));
  if (parent.runner !== own.runner) {
    ctx.diagnostics.push(
      createDiagnostic(
        "PARENT_RUNTIME_DIFFERS",
        `"${def.name}" is a ${own.runner} definition but its functionRef "${parent.name}" is ${parent.runner}: Keptn runs the parent's code on the ${parent.runner} image; use the same runtime in both`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
  }
  const inherited =
    ctx.mode === "full"
      ? inheritFullChain(ctx, def, parent, visited)
      : inheritOneLevel(ctx, def, parent);
  // mergo.Merge(child, parent): the child's non-empty values win. secureParameters and
  // cmdParameters are normalised so "" is undefined, which is mergo's rule for strings too.
  // Code, image and mount path come from the parent.
  return {
    configMap: inherited.configMap,
    url: inherited.url,
    urlDefinition: inherited.urlDefinition,
    parameters: mergoFill(own.parameters, inherited.parameters),
    secure: own.secure ?? inherited.secure,
    cmd: own.cmd ?? inherited.cmd,
    runner: inherited.runner,
    chain: [def, ...inherited.chain],
  };
}

function buildContext(
  task: KeptnTask | undefined,
  given: Readonly<ContextFieldsInput> | undefined,
): KeptnContextFields {
  const base: ContextFieldsInput = { ...(task?.context ?? {}), ...(given ?? {}) };
  const context: ContextFieldsInput = {};
  for (const key of CONTEXT_NAME_KEYS) context[key] = base[key] ?? "";
  // A hand-made task gets exactly what it says; a generated one is filled in by the operator.
  context.taskType = base.taskType ?? (task === undefined ? "pre" : "");
  const workloadType = context.workloadName === "" ? "App" : "Workload";
  context.objectType = base.objectType ?? (task === undefined ? workloadType : "");
  if (base.metadata !== undefined && Object.keys(base.metadata).length > 0) {
    context.metadata = Object.freeze({ ...base.metadata });
  }
  return Object.freeze(context as KeptnContextFields);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function resolveTaskInput(catalog: Catalog, options: ResolveTaskOptions): KeptnTask | undefined {
  if (typeof options.task !== "string") return options.task;
  if (options.namespace === undefined) {
    throw new ConfigError([
      { source: "options", path: "namespace", message: "is required to find a KeptnTask by name" },
    ]);
  }
  const task = catalog.findTask(options.task, options.namespace);
  if (task === undefined) {
    throw new CodeResolutionError(
      `Cannot find KeptnTask "${options.task}" in namespace "${options.namespace}"`,
    );
  }
  return task;
}

/** The definition name and namespace to resolve, from the task or the options. */
function resolveTarget(
  task: KeptnTask | undefined,
  options: ResolveTaskOptions,
): { definitionName: string; namespace: string } {
  const definitionName = task?.taskDefinition ?? options.definition;
  const namespace = task?.namespace ?? options.namespace;
  const missing = (path: string) => ({
    source: "options" as const,
    path,
    message: "is required unless task is given",
  });
  if (definitionName === undefined || namespace === undefined) {
    throw new ConfigError([
      ...(definitionName === undefined ? [missing("definition")] : []),
      ...(namespace === undefined ? [missing("namespace")] : []),
    ]);
  }
  return { definitionName, namespace };
}

/** The definition the task names, which must exist and set a runtime. */
function findRoot(ctx: Context, definitionName: string): TaskDefinition {
  const root = lookup(ctx, definitionName);
  if (root === undefined) {
    throw new CodeResolutionError(
      `Cannot find KeptnTaskDefinition "${definitionName}" in ${lookupNamespaces(ctx.namespace, ctx.keptnNamespace)}`,
    );
  }
  const rootDiagnostics = checkDefinition(root);
  if (root.runner === "none") {
    const reason = rootDiagnostics[0]?.message ?? "it sets no runtime";
    throw new CodeResolutionError(
      `Cannot resolve KeptnTaskDefinition "${root.namespace}/${root.name}": ${reason}`,
    );
  }
  ctx.diagnostics.push(...rootDiagnostics);
  return root;
}

/** A hand-made KeptnTask's retries and timeout replace the definition's, even when unset. */
function checkTaskJobFields(ctx: Context, task: KeptnTask, root: TaskDefinition): void {
  const unset: string[] = [];
  const ignored: string[] = [];
  const { retries, timeout } = JOB_DEFAULTS;
  if (task.retries === undefined && root.retries !== undefined && root.retries !== retries) {
    unset.push("retries");
    ignored.push(`retries ${root.retries} (uses ${retries})`);
  }
  if (task.timeout === undefined && root.timeout !== undefined && root.timeout !== timeout) {
    unset.push("timeout");
    ignored.push(`timeout "${root.timeout}" (uses "${timeout}")`);
  }
  if (ignored.length === 0) return;
  ctx.diagnostics.push(
    createDiagnostic(
      "TASK_JOB_FIELDS",
      `KeptnTask "${task.name}" does not set ${unset.join(" or ")}: Keptn takes them from the KeptnTask, not from "${root.name}", so it ignores ${ignored.join(" and ")}; set them on the KeptnTask`,
      task,
      { field: "spec" },
    ),
  );
}

/** The Job fields the operator sets: retries and timeout from the task when hand-made. */
function jobFields(ctx: Context, task: KeptnTask | undefined, root: TaskDefinition): JobFields {
  if (task !== undefined) checkTaskJobFields(ctx, task, root);
  const from = task ?? root;
  const timeout = from.timeout ?? JOB_DEFAULTS.timeout;
  return {
    retries: from.retries ?? JOB_DEFAULTS.retries,
    timeout,
    activeDeadlineSeconds: Math.trunc((parseGoDuration(timeout) ?? 0) / 1e9),
    ttlSecondsAfterFinished: root.ttlSecondsAfterFinished ?? JOB_DEFAULTS.ttlSecondsAfterFinished,
    serviceAccountName: root.serviceAccountName,
    automountServiceAccountToken: root.automountServiceAccountToken,
    imagePullSecrets: root.imagePullSecrets,
  };
}

/** What the resolution of any runner shares. */
interface Common {
  readonly ctx: Context;
  readonly root: TaskDefinition;
  readonly task: KeptnTask | undefined;
  readonly context: KeptnContextFields;
  readonly job: JobFields;
  readonly taskInfo: TaskInfo;
}

/** A container task: the user's container, with `KEPTN_CONTEXT` set in its env. */
function resolveContainer(common: Common): ResolvedTask {
  const { ctx, root, task, context } = common;
  if (task?.parameters !== undefined || task?.secureParameters !== undefined) {
    ctx.diagnostics.push(
      createDiagnostic(
        "CONTAINER_IGNORES_PARAMETERS",
        `KeptnTask "${task.name}" sets parameters or secureParameters, but "${root.name}" is a container task: Keptn passes only KEPTN_CONTEXT to it; put the values in the container's env`,
        task,
        { field: task.parameters === undefined ? "spec.secureParameters" : "spec.parameters" },
      ),
    );
  }
  const container = root.container as ContainerSpecManifest;
  const contextJson = encodeKeptnContext(context);
  const env = [...(container.env ?? [])].map((e) => ({ ...e }));
  const existing = env.find((e) => e.name === "KEPTN_CONTEXT");
  if (existing !== undefined) existing.value = contextJson;
  else env.push({ name: "KEPTN_CONTEXT", value: contextJson });
  return finish(common, {
    definition: ref(root),
    chain: [ref(root)],
    runner: "container",
    image: container.image ?? "",
    mountPath: undefined,
    code: { kind: "none" },
    parameters: {},
    secureParameters: undefined,
    cmdParameters: "",
    env: env as EnvVar[],
    container: { ...container, env },
  });
}

/** The ConfigMap's code: inline code, or the `code` key of a ConfigMap in the catalog. */
function configMapCode(
  ctx: Context,
  cm: NonNullable<CodeParams["configMap"]>,
  mountPath: string,
): string | undefined {
  if (cm.createdByKeptn) return cm.definition.runtime?.inline;
  const found = ctx.catalog.findConfigMap(cm.name, cm.namespace);
  const text = found?.data.code;
  if (found !== undefined && text === undefined) {
    ctx.diagnostics.push(
      createDiagnostic(
        "CONFIGMAP_WITHOUT_CODE",
        `ConfigMap "${cm.name}" (code of "${cm.definition.name}") has no key "code": Keptn mounts it with subPath "code", so ${mountPath} is an empty directory and the task fails on every retry; put the code under the key "code"`,
        found,
        { field: "data" },
      ),
    );
  }
  if (text !== undefined) {
    ctx.diagnostics.push(
      ...checkCode(text, `ConfigMap "${cm.name}"`, found ?? cm.definition, "data.code"),
    );
  }
  return text;
}

/** Where the runner gets its code: the ConfigMap mounted at `mountPath`, a URL, or nothing. */
function codeSource(ctx: Context, resolved: CodeParams, mountPath: string): CodeSource {
  const cm = resolved.configMap;
  if (cm === undefined) {
    return resolved.url !== undefined && resolved.urlDefinition !== undefined
      ? { kind: "url", url: resolved.url, definition: ref(resolved.urlDefinition) }
      : { kind: "none" };
  }
  const code = configMapCode(ctx, cm, mountPath);
  const { namespace, catalog } = ctx;
  if (cm.namespace !== namespace && catalog.findConfigMap(cm.name, namespace) === undefined) {
    ctx.diagnostics.push(
      createDiagnostic(
        "CONFIGMAP_OTHER_NAMESPACE",
        `The Job runs in namespace "${namespace}" and mounts ConfigMap "${cm.name}" by name, but ${cm.createdByKeptn ? "Keptn creates it" : "it is expected"} in namespace "${cm.namespace}" (where "${cm.definition.name}" is): the pod cannot start unless the ConfigMap also exists in "${namespace}"; copy it there, or use httpRef for shared definitions`,
        cm.definition,
        { field: runtimeField(cm.definition, cm.createdByKeptn ? "inline" : "configMapRef.name") },
      ),
    );
  }
  return {
    kind: "configMap",
    name: cm.name,
    namespace: cm.namespace,
    key: "code",
    code,
    createdByKeptn: cm.createdByKeptn,
    definition: ref(cm.definition),
  };
}

/** The Secret `SECURE_DATA` comes from must exist, with the key `SECURE_DATA`. */
function checkSecret(ctx: Context, secure: string, subject: KeptnTask | TaskDefinition): void {
  const secret = ctx.catalog.findSecret(secure, ctx.namespace);
  const field =
    subject.kind === "KeptnTask"
      ? "spec.secureParameters.secret"
      : runtimeField(subject, "secureParameters.secret");
  const elsewhere = secretInKeptnNamespaceOnly(ctx, secure, subject, field);
  if (elsewhere !== undefined) ctx.diagnostics.push(elsewhere);
  else if (secret === undefined) {
    ctx.diagnostics.push(
      createDiagnostic(
        "SECRET_NOT_FOUND",
        `Secret "${secure}" (secureParameters) is not among the manifests: if it does not exist in namespace "${ctx.namespace}", the pod fails with CreateContainerConfigError and the task never starts; create it with the key SECURE_DATA`,
        subject,
        { field },
      ),
    );
  } else if (!secret.keys.includes("SECURE_DATA")) {
    ctx.diagnostics.push(
      createDiagnostic(
        "SECRET_WITHOUT_KEY",
        `Secret "${secure}" has no key SECURE_DATA: Keptn reads SECURE_DATA from that key only, so the pod fails with CreateContainerConfigError and the task never starts; rename the key to SECURE_DATA`,
        secret,
        { field: "data" },
      ),
    );
  }
}

/** The runner container's env, in the operator's order. */
function runnerEnv(fields: {
  parameters: Readonly<Record<string, string>>;
  context: KeptnContextFields;
  cmd: string;
  secure: string | undefined;
  script: string;
}): EnvVar[] {
  const env: EnvVar[] = [];
  if (Object.keys(fields.parameters).length > 0) {
    env.push({ name: "DATA", value: goJsonStringMap(fields.parameters) });
  }
  env.push({ name: "KEPTN_CONTEXT", value: encodeKeptnContext(fields.context) });
  env.push({ name: "CMD_ARGS", value: fields.cmd });
  if (fields.secure !== undefined) {
    const secretKeyRef = { name: fields.secure, key: "SECURE_DATA" };
    env.push({ name: "SECURE_DATA", valueFrom: { secretKeyRef } });
  }
  env.push({ name: "SCRIPT", value: fields.script });
  return env;
}

/** A deno or python task: its code, parameters and secret, through its functionRef. */
function resolveRuntime(common: Common, options: ResolveTaskOptions): ResolvedTask {
  const { ctx, root, task, context } = common;
  const resolved = resolveCode(ctx, root, new Set([objectId(root)]));
  // mergo.Merge(definition's, task's): the task fills missing and empty keys.
  const merged = mergoFill(resolved.parameters, task?.parameters) ?? {};
  const parameters = Object.freeze({ ...merged, ...options.parameters });
  const secure = task?.secureParameters ?? resolved.secure;
  const mountPath = MOUNT_PATHS[resolved.runner];
  const code = codeSource(ctx, resolved, mountPath);
  if (secure !== undefined) checkSecret(ctx, secure, task ?? root);
  const script = code.kind === "configMap" ? mountPath : code.kind === "url" ? code.url : "";
  const cmd = resolved.cmd ?? "";
  return finish(common, {
    definition: ref(root),
    chain: resolved.chain.map(ref),
    runner: resolved.runner,
    image: { ...DEFAULT_RUNNER_IMAGES, ...options.images }[resolved.runner],
    mountPath,
    code,
    parameters,
    secureParameters: secure,
    cmdParameters: cmd,
    env: runnerEnv({ parameters, context, cmd, secure, script }),
    container: undefined,
  });
}

/** The frozen result, with the diagnostics gathered on the way. */
function finish(
  common: Common,
  fields: Omit<ResolvedTask, "mode" | "context" | "job" | "task" | "diagnostics" | "ok">,
): ResolvedTask {
  const diagnostics = uniqueDiagnostics(common.ctx.diagnostics);
  return deepFreeze({
    mode: common.ctx.mode,
    ...fields,
    context: common.context,
    job: common.job,
    task: common.taskInfo,
    diagnostics,
    ok: !hasErrors(diagnostics),
  } satisfies ResolvedTask);
}

/**
 * Resolves what the Keptn operator would run for a task: runner, image, mount path, code source,
 * env (in the operator's order) and Job fields, with a diagnostic for every trap met.
 *
 * @param catalog The objects to look definitions, ConfigMaps and Secrets up in.
 * @param options Which definition (or KeptnTask), the namespace, context, images, chain mode.
 * @returns The frozen resolution, with `diagnostics` and `ok`.
 * @throws {ConfigError} When neither `task` nor both `definition` and `namespace` are given.
 * @throws {CodeResolutionError} When the definition (or named task) does not exist, or the
 *   definition has no runtime at all.
 * @example
 * ```ts
 * const catalog = createCatalog(await loadManifests("k8s/"));
 * const resolved = resolveTask(catalog, { definition: "notify", namespace: "shop" });
 * resolved.env.map((e) => e.name); // ["DATA", "KEPTN_CONTEXT", "CMD_ARGS", "SCRIPT"]
 * ```
 */
export function resolveTask(catalog: Catalog, options: ResolveTaskOptions): ResolvedTask {
  const task = resolveTaskInput(catalog, options);
  const { definitionName, namespace } = resolveTarget(task, options);
  const ctx: Context = {
    catalog,
    namespace,
    keptnNamespace: options.keptnNamespace ?? DEFAULT_KEPTN_NAMESPACE,
    mode: options.functionRefs ?? "keptn",
    diagnostics: [],
  };
  const root = findRoot(ctx, definitionName);
  const context = buildContext(task, options.context);
  if (context.objectType === "Application") {
    ctx.diagnostics.push(
      createDiagnostic(
        "OBJECTTYPE_APPLICATION",
        `The context of "${task?.name ?? definitionName}" has objectType "Application": the operator sends "App" for app tasks, so code that checks for "App" takes the wrong branch; use "App"`,
        task ?? root,
        { field: task === undefined ? "spec" : "spec.context.objectType" },
      ),
    );
  }
  if (context.taskType === "promotion" && context.objectType === "Workload") {
    ctx.diagnostics.push(
      createDiagnostic(
        "PROMOTION_WORKLOAD",
        `The context of "${task?.name ?? definitionName}" is a promotion task of a workload: Keptn runs promotion tasks only for apps (a KeptnAppVersion, from its KeptnAppContext's promotionTasks) and only when the operator has promotionTasksEnabled (PROMOTION_TASKS_ENABLED), so no workload ever runs this; use taskType "pre" or "post", or objectType "App"`,
        task ?? root,
        { field: task === undefined ? "spec" : "spec.context.taskType" },
      ),
    );
  }
  const taskInfo: TaskInfo = {
    name: task?.name,
    namespace,
    labels: task?.labels ?? root.labels,
    annotations: task?.annotations ?? root.annotations,
    checkType: task?.checkType ?? context.taskType,
    definition: root.name,
    parameters: task?.parameters,
    secureParameters: task?.secureParameters,
    handMade: task !== undefined,
  };
  const common = { ctx, root, task, context, job: jobFields(ctx, task, root), taskInfo };
  return root.runner === "container" ? resolveContainer(common) : resolveRuntime(common, options);
}
