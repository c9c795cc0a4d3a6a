/**
 * `@keptn-task/sdk/definitions`: the tooling half of the SDK. Load `KeptnTaskDefinition`,
 * `KeptnTask`, `ConfigMap` and `Secret` manifests (every served apiVersion), resolve a task
 * exactly as the Keptn lifecycle-operator does, report the traps on the way (at the line and
 * column of their field), check the definitions workloads and app contexts name, and render the
 * Job and function ConfigMap the operator would create.
 *
 * @example
 * ```ts
 * import { createCatalog, loadManifests, renderJob, resolveTask } from "@keptn-task/sdk/definitions";
 *
 * const catalog = createCatalog(await loadManifests(["k8s/"]));
 * const resolved = resolveTask(catalog, { definition: "notify", namespace: "shop" });
 * for (const d of resolved.diagnostics) console.error(`${d.level} ${d.code} ${d.message}`);
 * process.stdout.write(renderJob(resolved).yaml);
 * ```
 *
 * @module
 */
export { encodeKeptnContext } from "../contract/keptn-context.js";
export { type Catalog, createCatalog } from "./catalog.js";
export {
  checkDefinition,
  comparesObjectTypeWithApplication,
  MOUNT_PATHS,
} from "./check-definition.js";
export {
  createDiagnostic,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  type DiagnosticLevel,
  type DiagnosticOptions,
  type DiagnosticSubject,
  formatDiagnostic,
  hasErrors,
  objectId,
} from "./diagnostics.js";
export { envEntryBytes, MAX_ENV_ENTRY_BYTES } from "./env-limit.js";
export { KEPTN_GROUPS } from "./keptn-schema.js";
export {
  type LoadedManifest,
  type LoadManifestsOptions,
  loadManifests,
  type ManifestSet,
  type SkippedFile,
} from "./load-manifests.js";
export type {
  ConfigMap,
  EnvVar,
  KeptnContextFields,
  KeptnTask,
  KnownObject,
  RuntimeField,
  RuntimeSpec,
  Secret,
  TaskDefinition,
} from "./model.js";
export {
  DEFAULT_NAMESPACE,
  isRuntimeEmpty,
  type NormalizeOptions,
  normalizeConfigMap,
  normalizeDefinition,
  normalizeSecret,
  normalizeTask,
} from "./normalize.js";
export { parseManifests, parseObjects } from "./parse-manifests.js";
export {
  type FieldLocator,
  type FieldSegment,
  formatFieldPath,
  locateDiagnostics,
  parseFieldPath,
  type SourcePosition,
} from "./positions.js";
export { type CheckReferencesOptions, checkReferences } from "./references.js";
export {
  type KubernetesObject,
  type RenderedJob,
  type RenderJobOptions,
  renderJob,
} from "./render-job.js";
export {
  type CodeSource,
  DEFAULT_KEPTN_NAMESPACE,
  DEFAULT_RUNNER_IMAGES,
  type DefinitionRef,
  inlineConfigMapName,
  JOB_DEFAULTS,
  type JobFields,
  type ResolvedTask,
  type ResolveTaskOptions,
  resolveTask,
  type TaskInfo,
} from "./resolve-task.js";
export {
  type ConfigMapManifest,
  type ContainerSpecManifest,
  configMapSchema,
  containerSpecSchema,
  DEFINITION_SCHEMAS,
  DEFINITION_VERSIONS,
  type DefinitionVersion,
  definitionSchemaAny,
  definitionV1alpha1Schema,
  definitionV1alpha2Schema,
  definitionV1alpha3Schema,
  definitionV1beta1Schema,
  definitionV1Schema,
  KEPTN_GROUP,
  type KeptnTaskDefinitionManifest,
  type KeptnTaskManifest,
  keptnTaskSchema,
  type RuntimeSpecManifest,
  runtimeSpecSchema,
  type SecretManifest,
  secretSchema,
  type TaskContextManifest,
  taskContextSchema,
} from "./schemas.js";
export { closestName } from "./suggest.js";
export { type TaskEnvOptions, taskEnv } from "./task-env.js";
export { type ValidateCatalogOptions, validateCatalog } from "./validate-catalog.js";
