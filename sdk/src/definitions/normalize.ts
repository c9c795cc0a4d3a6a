/**
 * Turns validated manifests of any apiVersion into the one internal model (see `model.ts`), the
 * way the operator reads them: empty strings count as unset, the runtime is picked in the
 * operator's order.
 */
import { CONTEXT_NAME_KEYS, type ContextNameKey } from "../contract/keptn-context.js";
import type { ManifestLocation } from "../errors/errors.js";
import type {
  ConfigMap,
  ContextFieldsInput,
  KeptnTask,
  RuntimeField,
  RuntimeSpec,
  Secret,
  TaskDefinition,
} from "./model.js";
import type {
  ConfigMapManifest,
  ContainerSpecManifest,
  DefinitionVersion,
  KeptnTaskDefinitionManifest,
  KeptnTaskManifest,
  RuntimeSpecManifest,
  SecretManifest,
} from "./schemas.js";

/** Options of the `normalize*` functions. */
export interface NormalizeOptions {
  /** Namespace of objects that name none (default `default`, as kubectl does). */
  defaultNamespace?: string;
  /** Where the object was read from. */
  location?: ManifestLocation;
}

/** The namespace kubectl applies an object without `metadata.namespace` to. */
export const DEFAULT_NAMESPACE = "default";

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function frozenRecord(
  record: Record<string, string> | undefined,
): Readonly<Record<string, string>> {
  return Object.freeze({ ...(record ?? {}) });
}

function toRuntimeSpec(spec: RuntimeSpecManifest | undefined): RuntimeSpec | undefined {
  if (spec === undefined) return undefined;
  const out: {
    -readonly [K in keyof RuntimeSpec]: RuntimeSpec[K];
  } = {};
  const functionRef = nonEmpty(spec.functionRef?.name);
  const inline = nonEmpty(spec.inline?.code);
  const httpRef = nonEmpty(spec.httpRef?.url);
  const configMapRef = nonEmpty(spec.configMapRef?.name);
  const secureParameters = nonEmpty(spec.secureParameters?.secret);
  const cmdParameters = nonEmpty(spec.cmdParameters);
  if (functionRef !== undefined) out.functionRef = functionRef;
  if (inline !== undefined) out.inline = inline;
  if (httpRef !== undefined) out.httpRef = httpRef;
  if (configMapRef !== undefined) out.configMapRef = configMapRef;
  // Go keeps a non-nil empty map as set, so `map: {}` still counts (it makes the spec non-empty).
  if (spec.parameters?.map !== undefined) out.parameters = frozenRecord(spec.parameters.map);
  if (secureParameters !== undefined) out.secureParameters = secureParameters;
  if (cmdParameters !== undefined) out.cmdParameters = cmdParameters;
  return Object.freeze(out);
}

/**
 * Whether a runtime spec is the zero value, which the operator skips (`deno: {}`).
 *
 * @param spec A normalised runtime spec.
 * @returns `true` when nothing is set in it.
 * @example
 * ```ts
 * isRuntimeEmpty(definition.runtime); // false for a runnable definition
 * ```
 */
export function isRuntimeEmpty(spec: RuntimeSpec | undefined): boolean {
  return spec === undefined || Object.keys(spec).length === 0;
}

/**
 * The runtime the operator runs, as Keptn 2.x picks it (`GetRuntimeSpec`, then the container):
 * the first non-empty of deno and python, else a non-empty container. `spec.function` plays no
 * part in any apiVersion: the controllers read only the v1 types, which no longer have it.
 */
function pickRuntime(
  specs: Partial<Record<"deno" | "python", RuntimeSpec | undefined>>,
  container: ContainerSpecManifest | undefined,
): { runner: TaskDefinition["runner"]; field: "deno" | "python" | "container" | undefined } {
  for (const field of ["deno", "python"] as const) {
    if (!isRuntimeEmpty(specs[field])) return { runner: field, field };
  }
  if (container !== undefined && Object.keys(container).length > 0) {
    return { runner: "container", field: "container" };
  }
  return { runner: "none", field: undefined };
}

/**
 * Normalises a validated `KeptnTaskDefinition` of any served version.
 *
 * @param manifest The definition, as validated by `definitionSchemaAny`.
 * @param options Default namespace and location.
 * @returns The definition in the internal model, frozen.
 * @example
 * ```ts
 * const def = normalizeDefinition(definitionSchemaAny.parse(yamlObject));
 * def.runner; // "deno"
 * ```
 */
export function normalizeDefinition(
  manifest: KeptnTaskDefinitionManifest,
  options: NormalizeOptions = {},
): TaskDefinition {
  const version = manifest.apiVersion.slice(
    manifest.apiVersion.indexOf("/") + 1,
  ) as DefinitionVersion;
  const spec = (manifest.spec ?? {}) as { function?: unknown };
  const specs: Partial<Record<"deno" | "python", RuntimeSpec | undefined>> = {};
  const declared: RuntimeField[] = [];
  let container: TaskDefinition["container"];
  let jobFields: {
    retries?: number | undefined;
    timeout?: string | undefined;
    ttlSecondsAfterFinished?: number | undefined;
    serviceAccount?: { name: string } | undefined;
    automountServiceAccountToken?: { type?: boolean | undefined } | undefined;
    imagePullSecrets?: { name?: string | undefined }[] | undefined;
  } = {};

  if (version !== "v1alpha1" && version !== "v1alpha2") {
    const s = spec as NonNullable<
      Extract<KeptnTaskDefinitionManifest, { apiVersion: "lifecycle.keptn.sh/v1" }>["spec"]
    >;
    if (s.deno !== undefined) {
      declared.push("deno");
      specs.deno = toRuntimeSpec(s.deno);
    }
    if (s.python !== undefined) {
      declared.push("python");
      specs.python = toRuntimeSpec(s.python);
    }
    if (s.container !== undefined) {
      declared.push("container");
      container = s.container;
    }
    jobFields = s;
  }
  // Kept in the model for the messages only: Keptn 2.x ignores it in every apiVersion.
  const ignoredFunction = spec.function !== undefined;
  if (ignoredFunction) declared.push("function");

  const picked = pickRuntime(specs, container);
  // Copied into the Job as written: an entry without a name stays, as `{}` (Go's omitempty).
  const imagePullSecrets = (jobFields.imagePullSecrets ?? []).map((secret) => {
    const name = nonEmpty(secret.name);
    return Object.freeze(name === undefined ? {} : { name });
  });

  return Object.freeze({
    kind: "KeptnTaskDefinition",
    version,
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? options.defaultNamespace ?? DEFAULT_NAMESPACE,
    labels: frozenRecord(manifest.metadata.labels),
    annotations: frozenRecord(manifest.metadata.annotations),
    runner: picked.runner,
    runtimeField: picked.field,
    runtime:
      picked.field === undefined || picked.field === "container" ? undefined : specs[picked.field],
    container: picked.runner === "container" ? container : undefined,
    declaredRuntimes: Object.freeze(declared),
    ignoredFunction,
    hasSpec: manifest.spec !== undefined,
    retries: jobFields.retries,
    timeout: jobFields.timeout,
    ttlSecondsAfterFinished: jobFields.ttlSecondsAfterFinished,
    serviceAccountName: nonEmpty(jobFields.serviceAccount?.name),
    automountServiceAccountToken: jobFields.automountServiceAccountToken?.type,
    imagePullSecrets: Object.freeze(imagePullSecrets),
    location: options.location,
  } satisfies TaskDefinition);
}

/**
 * Normalises a validated `KeptnTask`. The pre-`v1beta1` top-level `app`, `workload` and version
 * fields fill the context where `spec.context` leaves them unset.
 *
 * @param manifest The task, as validated by `keptnTaskSchema`.
 * @param options Default namespace and location.
 * @returns The task in the internal model, frozen.
 * @example
 * ```ts
 * const task = normalizeTask(keptnTaskSchema.parse(yamlObject));
 * task.taskDefinition; // "slack-notify"
 * ```
 */
export function normalizeTask(
  manifest: KeptnTaskManifest,
  options: NormalizeOptions = {},
): KeptnTask {
  const spec = manifest.spec;
  const given = spec.context ?? {};
  // Before v1beta1 the app and workload sat at the top of spec; spec.context wins.
  const legacy = {
    workloadName: spec.workload,
    appName: spec.app,
    appVersion: spec.appVersion,
    workloadVersion: spec.workloadVersion,
  } satisfies Record<ContextNameKey, string | undefined>;
  const context: ContextFieldsInput = {};
  for (const key of CONTEXT_NAME_KEYS) {
    const value = given[key] ?? legacy[key];
    if (value !== undefined) context[key] = value;
  }
  if (given.taskType !== undefined) context.taskType = given.taskType;
  if (given.objectType !== undefined) context.objectType = given.objectType;
  if (given.metadata !== undefined) context.metadata = frozenRecord(given.metadata);
  return Object.freeze({
    kind: "KeptnTask",
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? options.defaultNamespace ?? DEFAULT_NAMESPACE,
    labels: frozenRecord(manifest.metadata.labels),
    annotations: frozenRecord(manifest.metadata.annotations),
    taskDefinition: spec.taskDefinition,
    context: Object.freeze(context),
    parameters: spec.parameters?.map === undefined ? undefined : frozenRecord(spec.parameters.map),
    secureParameters: nonEmpty(spec.secureParameters?.secret),
    checkType: nonEmpty(spec.checkType),
    retries: spec.retries,
    timeout: spec.timeout,
    location: options.location,
  } satisfies KeptnTask);
}

/**
 * Normalises a validated `ConfigMap` (binary data is ignored: the operator mounts text code).
 *
 * @param manifest The ConfigMap, as validated by `configMapSchema`.
 * @param options Default namespace and location.
 * @returns The ConfigMap in the internal model, frozen.
 * @example
 * ```ts
 * normalizeConfigMap(configMapSchema.parse(yamlObject)).data.code;
 * ```
 */
export function normalizeConfigMap(
  manifest: ConfigMapManifest,
  options: NormalizeOptions = {},
): ConfigMap {
  return Object.freeze({
    kind: "ConfigMap",
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? options.defaultNamespace ?? DEFAULT_NAMESPACE,
    data: frozenRecord(withBinaryData(manifest)),
    location: options.location,
  } satisfies ConfigMap);
}

/**
 * `data` with each `binaryData` key decoded as UTF-8: a ConfigMap volume projects both as files,
 * so task code under `binaryData.code` is mounted at `subPath: code` like `data.code`.
 */
function withBinaryData(manifest: ConfigMapManifest): Record<string, string> | undefined {
  const binary = Object.entries(manifest.binaryData ?? {}).filter(([, value]) => isBase64(value));
  if (binary.length === 0) return manifest.data;
  const decoded = binary.map(([key, value]) => [
    key,
    Buffer.from(value, "base64").toString("utf8"),
  ]);
  return { ...Object.fromEntries(decoded), ...manifest.data };
}

/**
 * Whether `value` is base64 as the API server decodes a Secret's `data` (Go's standard
 * encoding, padded; line breaks are ignored).
 *
 * @param value - A value of a Secret's `data`.
 * @returns `true` when the API server accepts it.
 * @example
 * ```ts
 * isBase64("c2VjcmV0"); // true
 * isBase64("secret!"); // false
 * ```
 */
export function isBase64(value: string): boolean {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(
    value.replace(/[\r\n]+/g, ""),
  );
}

function decodeBase64(value: string): string | undefined {
  if (!isBase64(value)) return undefined;
  try {
    const binary = atob(value.replace(/[\r\n]+/g, ""));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Normalises a validated `Secret`: `data` is base64-decoded and `stringData` wins over it, as the
 * API server does.
 *
 * @param manifest The Secret, as validated by `secretSchema`.
 * @param options Default namespace and location.
 * @returns The Secret in the internal model, frozen.
 * @example
 * ```ts
 * normalizeSecret(secretSchema.parse(yamlObject)).keys; // ["SECURE_DATA"]
 * ```
 */
export function normalizeSecret(manifest: SecretManifest, options: NormalizeOptions = {}): Secret {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(manifest.data ?? {})) {
    const decoded = decodeBase64(value);
    if (decoded !== undefined) values[key] = decoded;
  }
  Object.assign(values, manifest.stringData ?? {});
  const keys = [...new Set([...Object.keys(manifest.data ?? {}), ...Object.keys(values)])];
  return Object.freeze({
    kind: "Secret",
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? options.defaultNamespace ?? DEFAULT_NAMESPACE,
    keys: Object.freeze(keys),
    values: Object.freeze(values),
    location: options.location,
  } satisfies Secret);
}
