/**
 * Resolves a task the way the Keptn lifecycle-operator does: which definition, which runner and
 * image, where the code comes from, the runner's environment in the operator's order, and the Job
 * fields. Every trap met on the way is reported as a diagnostic.
 */

import { goJsonStringMap, parseGoDuration } from "../contract/go-compat.js";
import { CONTEXT_NAME_KEYS, encodeKeptnContext } from "../contract/keptn-context.js";
import { CodeResolutionError, ConfigError } from "../errors/errors.js";
import type { Catalog } from "./catalog.js";
import { checkCode, checkDefinition, MOUNT_PATHS } from "./check-definition.js";
import { secretInKeptnNamespaceOnly } from "./checks/secret-elsewhere.js";
import { createDiagnostic, hasErrors, objectId, uniqueDiagnostics } from "./diagnostics.js";
import { lookupNamespaces } from "./lookup-namespaces.js";
import type {
  ContextFieldsInput,
  EnvVar,
  KeptnContextFields,
  KeptnTask,
  TaskDefinition,
} from "./model.js";
import {
  type CodeParams,
  type Context,
  lookup,
  mergoFill,
  ref,
  resolveCode,
  runtimeField,
} from "./resolve-code.js";
import {
  type CodeSource,
  DEFAULT_KEPTN_NAMESPACE,
  DEFAULT_RUNNER_IMAGES,
  JOB_DEFAULTS,
  type JobFields,
  type ResolvedTask,
  type ResolveTaskOptions,
  type TaskInfo,
} from "./resolved-task.js";
import type { ContainerSpecManifest } from "./schemas.js";

export { inlineConfigMapName } from "./resolve-code.js";
export {
  type CodeSource,
  DEFAULT_KEPTN_NAMESPACE,
  DEFAULT_RUNNER_IMAGES,
  type DefinitionRef,
  JOB_DEFAULTS,
  type JobFields,
  type ResolvedTask,
  type ResolveTaskOptions,
  type TaskInfo,
} from "./resolved-task.js";

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
