import type { Diagnostic } from "./diagnostics.js";
import type { ContextFieldsInput, EnvVar, KeptnContextFields, KeptnTask } from "./model.js";
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
