/**
 * zod schemas for the manifests the SDK reads: `KeptnTaskDefinition` in every served apiVersion,
 * `KeptnTask`, `ConfigMap` and `Secret`. The TypeScript types are inferred from them.
 *
 * Objects and specs the Keptn CRDs define are strict (an unknown key is reported, so a typo like
 * `functionref` is caught instead of silently pruned by the API server); Kubernetes metadata and
 * core objects are loose.
 */
import { z } from "zod";
import { CONTEXT_NAME_KEYS } from "../contract/keptn-context.js";
import {
  dnsLabelProblem,
  dnsSubdomainProblem,
  labelValueProblem,
  qualifiedNameProblem,
} from "./names.js";

/** The API group of every Keptn lifecycle resource. */
export const KEPTN_GROUP = "lifecycle.keptn.sh";

/** The `KeptnTaskDefinition` versions the operator serves, oldest first. */
export const DEFINITION_VERSIONS = ["v1alpha1", "v1alpha2", "v1alpha3", "v1beta1", "v1"] as const;

/** One served `KeptnTaskDefinition` version. */
export type DefinitionVersion = (typeof DEFINITION_VERSIONS)[number];

const stringMap = z.record(z.string(), z.string());

/** An optional string schema for each key. */
function optionalStrings<K extends string>(
  keys: readonly K[],
): { [P in K]: z.ZodOptional<z.ZodString> } {
  return Object.fromEntries(keys.map((key) => [key, z.string().optional()])) as {
    [P in K]: z.ZodOptional<z.ZodString>;
  };
}
const int32 = z.number().int().min(-2_147_483_648).max(2_147_483_647);

// The CRD's pattern for a duration, as Keptn writes it: `^0|(...)+$` anchors "0" at the start
// and the rest at the end only, so the API server takes "+90s", ".5m", "-5m" and "abc5m"; what
// Go's time.ParseDuration then makes of them is checked by TIMEOUT_INVALID.
const CRD_DURATION = /^0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** A duration string the CRD takes, such as `5m`, `1h30m` or `90s`. */
export const durationSchema = z
  .string()
  .regex(CRD_DURATION, 'must be a Go duration such as "30s", "5m" or "1h30m"');

/** A zod check reporting what `problem` says of a (non-empty) name. */
function nameRule(problem: (name: string) => string | undefined) {
  return (ctx: z.core.ParsePayload<string>) => {
    const message = ctx.value === "" ? undefined : problem(ctx.value);
    if (message !== undefined) ctx.issues.push({ code: "custom", message, input: ctx.value });
  };
}

/** A zod check of a label or annotation map: its keys, and with `valueProblem` its values. */
function mapRule(what: string, valueProblem?: (value: string) => string | undefined) {
  return (ctx: z.core.ParsePayload<Record<string, string>>) => {
    for (const [key, value] of Object.entries(ctx.value)) {
      const keyProblem = qualifiedNameProblem(key);
      const problem =
        keyProblem === undefined ? valueProblem?.(value) : `the ${what} key ${keyProblem}`;
      if (problem === undefined) continue;
      const message = keyProblem === undefined ? `the ${what} value ${problem}` : problem;
      ctx.issues.push({ code: "custom", message, input: value, path: [key] });
    }
  };
}

/** Kubernetes object metadata; only the fields the SDK uses are typed. */
export const metadataSchema = z.looseObject({
  name: z.string().min(1, "must not be empty").check(nameRule(dnsSubdomainProblem)),
  namespace: z.string().min(1, "must not be empty").check(nameRule(dnsLabelProblem)).optional(),
  labels: stringMap.check(mapRule("label", labelValueProblem)).optional(),
  annotations: stringMap.check(mapRule("annotation")).optional(),
});

const functionRefSchema = z.strictObject({ name: z.string().optional() });
const inlineSchema = z.strictObject({ code: z.string().optional() });
const httpRefSchema = z.strictObject({ url: z.string().optional() });
const configMapRefSchema = z.strictObject({ name: z.string().optional() });

/** `parameters: {map: {key: value}}`; values must be strings, as in the CRD. */
export const taskParametersSchema = z.strictObject({ map: stringMap.optional() });

/** `secureParameters: {secret: name}`. */
export const secureParametersSchema = z.strictObject({ secret: z.string().optional() });

const functionSpecShape = {
  functionRef: functionRefSchema.optional(),
  inline: inlineSchema.optional(),
  httpRef: httpRefSchema.optional(),
  configMapRef: configMapRefSchema.optional(),
  parameters: taskParametersSchema.optional(),
  secureParameters: secureParametersSchema.optional(),
};

/** `spec.function` of `v1alpha1` and `v1alpha2` (no `cmdParameters` yet). */
export const functionSpecSchema = z.strictObject(functionSpecShape);

/** `spec.deno`, `spec.python` and (deprecated) `spec.function` from `v1alpha3` on. */
export const runtimeSpecSchema = z.strictObject({
  ...functionSpecShape,
  cmdParameters: z.string().optional(),
});

const envVarSchema = z.looseObject({
  // Keptn's CRD takes an empty name; the API server refuses it in the Job (job-rules).
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.record(z.string(), z.unknown()).optional(),
});

/** `spec.container`: a Kubernetes container, used as-is by the operator. */
export const containerSpecSchema = z.looseObject({
  name: z.string().min(1, "must not be empty"),
  image: z.string().optional(),
  env: z.array(envVarSchema).optional(),
  volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: z.string() })).optional(),
  resources: z
    .looseObject({ limits: z.record(z.string(), z.union([z.string(), z.number()])).optional() })
    .optional(),
});

const jobFieldsShape = {
  retries: int32.optional(),
  timeout: durationSchema.optional(),
  serviceAccount: z.strictObject({ name: z.string() }).optional(),
  automountServiceAccountToken: z
    .strictObject({ type: z.boolean({ error: "is required by the CRD: true or false" }) })
    .optional(),
  ttlSecondsAfterFinished: int32.optional(),
  imagePullSecrets: z.array(z.looseObject({ name: z.string().optional() })).optional(),
};

const statusSchema = z.unknown().optional();

function definitionSchema<V extends DefinitionVersion, S extends z.ZodType>(version: V, spec: S) {
  return z.looseObject({
    apiVersion: z.literal(`${KEPTN_GROUP}/${version}`),
    kind: z.literal("KeptnTaskDefinition"),
    metadata: metadataSchema,
    // The CRD does not require spec; Keptn's webhook refuses a definition without a runtime.
    spec: spec.optional(),
    status: statusSchema,
  });
}

/** `KeptnTaskDefinition` of `lifecycle.keptn.sh/v1alpha1`. */
export const definitionV1alpha1Schema = definitionSchema(
  "v1alpha1",
  z.strictObject({ function: functionSpecSchema.optional() }),
);

/** `KeptnTaskDefinition` of `lifecycle.keptn.sh/v1alpha2`. */
export const definitionV1alpha2Schema = definitionSchema(
  "v1alpha2",
  z.strictObject({ function: functionSpecSchema.optional() }),
);

const runtimesShape = {
  function: runtimeSpecSchema.optional(),
  deno: runtimeSpecSchema.optional(),
  python: runtimeSpecSchema.optional(),
  container: containerSpecSchema.optional(),
  ...jobFieldsShape,
};

/** `KeptnTaskDefinition` of `lifecycle.keptn.sh/v1alpha3` (`spec.function` deprecated). */
export const definitionV1alpha3Schema = definitionSchema("v1alpha3", z.strictObject(runtimesShape));

/** `KeptnTaskDefinition` of `lifecycle.keptn.sh/v1beta1` (`spec.function` deprecated). */
export const definitionV1beta1Schema = definitionSchema("v1beta1", z.strictObject(runtimesShape));

/**
 * `KeptnTaskDefinition` of `lifecycle.keptn.sh/v1`, the storage version. It has no
 * `spec.function`: kubectl apply refuses one as an unknown field.
 */
const { function: _noFunction, ...v1Shape } = runtimesShape;
export const definitionV1Schema = definitionSchema("v1", z.strictObject(v1Shape));

/** A `KeptnTaskDefinition` of any served version. */
export const definitionSchemaAny = z.discriminatedUnion("apiVersion", [
  definitionV1alpha1Schema,
  definitionV1alpha2Schema,
  definitionV1alpha3Schema,
  definitionV1beta1Schema,
  definitionV1Schema,
]);

/** The schema of each served `KeptnTaskDefinition` version. */
export const DEFINITION_SCHEMAS = Object.freeze({
  v1alpha1: definitionV1alpha1Schema,
  v1alpha2: definitionV1alpha2Schema,
  v1alpha3: definitionV1alpha3Schema,
  v1beta1: definitionV1beta1Schema,
  v1: definitionV1Schema,
});

/** A `KeptnTaskDefinition` as written, in any served version. */
export type KeptnTaskDefinitionManifest = z.infer<typeof definitionSchemaAny>;
/** A runtime spec (`spec.deno`, `spec.python`, `spec.function`) as written. */
export type RuntimeSpecManifest = z.infer<typeof runtimeSpecSchema>;
/** `spec.container` as written. */
export type ContainerSpecManifest = z.infer<typeof containerSpecSchema>;

/** `spec.context` of a `KeptnTask`: what the runner receives as `KEPTN_CONTEXT`. */
export const taskContextSchema = z.looseObject({
  // The keys come from the context contract; the operator copies their strings as written.
  ...optionalStrings(CONTEXT_NAME_KEYS),
  taskType: z.string().optional(),
  objectType: z.string().optional(),
  metadata: stringMap.optional(),
});

/** A `KeptnTask` context as written. */
export type TaskContextManifest = z.infer<typeof taskContextSchema>;

/**
 * `KeptnTask` (hand-made ones add `spec.parameters` and `spec.secureParameters`). Versions before
 * `v1beta1` carried the app and workload at the top of `spec`; both forms are accepted.
 */
export const keptnTaskSchema = z.looseObject({
  apiVersion: z.enum(DEFINITION_VERSIONS.map((v) => `${KEPTN_GROUP}/${v}` as const)),
  kind: z.literal("KeptnTask"),
  metadata: metadataSchema,
  spec: z.looseObject({
    taskDefinition: z.string().min(1, "must name a KeptnTaskDefinition"),
    context: taskContextSchema.optional(),
    parameters: taskParametersSchema.optional(),
    secureParameters: secureParametersSchema.optional(),
    checkType: z.string().optional(),
    retries: int32.optional(),
    timeout: durationSchema.optional(),
    app: z.string().optional(),
    appVersion: z.string().optional(),
    workload: z.string().optional(),
    workloadVersion: z.string().optional(),
  }),
  status: statusSchema,
});

/** A `KeptnTask` as written. */
export type KeptnTaskManifest = z.infer<typeof keptnTaskSchema>;

/** A core `ConfigMap`. */
export const configMapSchema = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("ConfigMap"),
  metadata: metadataSchema,
  data: stringMap.optional(),
  binaryData: stringMap.optional(),
});

/** A `ConfigMap` as written. */
export type ConfigMapManifest = z.infer<typeof configMapSchema>;

/** A core `Secret` (`data` is base64, `stringData` plain). */
export const secretSchema = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("Secret"),
  metadata: metadataSchema,
  type: z.string().optional(),
  data: stringMap.optional(),
  stringData: stringMap.optional(),
});

/** A `Secret` as written. */
export type SecretManifest = z.infer<typeof secretSchema>;
