/**
 * The internal model every apiVersion is normalised to. Unlike the schemas (which describe what a
 * user writes), these types describe what the SDK has understood: empty strings are absent, the
 * runtime is chosen, defaults are not yet applied (resolution applies them, as the operator does).
 */
import type { KeptnContextFields as BaseContextFields } from "../contract/keptn-context.js";
import type { ManifestLocation } from "../errors/errors.js";
import type { ContainerSpecManifest, DefinitionVersion } from "./schemas.js";

/** The kinds the SDK understands. */
export type KnownKind = "KeptnTaskDefinition" | "KeptnTask" | "ConfigMap" | "Secret";

/** The code and parameters of one runtime spec, with empty values removed. */
export interface RuntimeSpec {
  /** `functionRef.name`: the parent definition. */
  readonly functionRef?: string;
  /** `inline.code`. */
  readonly inline?: string;
  /** `httpRef.url`. */
  readonly httpRef?: string;
  /** `configMapRef.name`. */
  readonly configMapRef?: string;
  /** `parameters.map`; `undefined` when the definition sets none. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** `secureParameters.secret`: a Secret name. */
  readonly secureParameters?: string;
  /** `cmdParameters`. */
  readonly cmdParameters?: string;
}

/** Which field of `spec` held the runtime the operator uses. */
export type RuntimeField = "deno" | "python" | "function" | "container";

/** A `KeptnTaskDefinition`, whatever its apiVersion. */
export interface TaskDefinition {
  readonly kind: "KeptnTaskDefinition";
  /** The served version it was written in. */
  readonly version: DefinitionVersion;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * The runner the operator picks: `deno`, `python` (the first non-empty one), `container`, or
   * `none` when nothing runnable is set. `spec.function` never counts (Keptn 2.x ignores it).
   */
  readonly runner: "deno" | "python" | "container" | "none";
  /** The field the runner came from. */
  readonly runtimeField: RuntimeField | undefined;
  /** The runtime spec the operator reads, for the deno and python runners. */
  readonly runtime: RuntimeSpec | undefined;
  /** The container, for the container runner. */
  readonly container: ContainerSpecManifest | undefined;
  /** Every runtime field that is set (not nil), in the order deno, python, container, function. */
  readonly declaredRuntimes: readonly RuntimeField[];
  /** `spec.function` is set: Keptn 2.x ignores it in every apiVersion. */
  readonly ignoredFunction: boolean;
  /** Whether the definition has a `spec` at all (the CRD does not require one). */
  readonly hasSpec?: boolean;
  readonly retries: number | undefined;
  readonly timeout: string | undefined;
  readonly ttlSecondsAfterFinished: number | undefined;
  readonly serviceAccountName: string | undefined;
  readonly automountServiceAccountToken: boolean | undefined;
  /** As written; an entry without a name is `{}`, as the operator copies it into the Job. */
  readonly imagePullSecrets: readonly { readonly name?: string }[];
  readonly location: ManifestLocation | undefined;
}

/**
 * `KEPTN_CONTEXT` as the operator builds it from a `KeptnTask`: its strings as written, not yet
 * checked against the enums (the contract is in `contract/keptn-context.ts`).
 */
export type KeptnContextFields = BaseContextFields<string, string>;

/** A `KEPTN_CONTEXT` field that can be filled in. */
export type ContextFieldsInput = {
  -readonly [K in keyof KeptnContextFields]?: KeptnContextFields[K];
};

/** A `KeptnTask`, whatever its apiVersion. */
export interface KeptnTask {
  readonly kind: "KeptnTask";
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly taskDefinition: string;
  readonly context: Readonly<ContextFieldsInput>;
  readonly parameters: Readonly<Record<string, string>> | undefined;
  readonly secureParameters: string | undefined;
  readonly checkType: string | undefined;
  readonly retries: number | undefined;
  readonly timeout: string | undefined;
  readonly location: ManifestLocation | undefined;
}

/** A `ConfigMap`. */
export interface ConfigMap {
  readonly kind: "ConfigMap";
  readonly name: string;
  readonly namespace: string;
  readonly data: Readonly<Record<string, string>>;
  readonly location: ManifestLocation | undefined;
}

/** A `Secret`; values are kept out of every message. */
export interface Secret {
  readonly kind: "Secret";
  readonly name: string;
  readonly namespace: string;
  /** Key names present in `data` or `stringData`. */
  readonly keys: readonly string[];
  /** Decoded values by key. Never put one in a message. */
  readonly values: Readonly<Record<string, string>>;
  readonly location: ManifestLocation | undefined;
}

/** Any object the SDK understands. */
export type KnownObject = TaskDefinition | KeptnTask | ConfigMap | Secret;

/** A Kubernetes environment variable, as the operator writes it into the Job. */
export type EnvVar =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly valueFrom: {
        readonly secretKeyRef: { readonly name: string; readonly key: string };
      };
    };
