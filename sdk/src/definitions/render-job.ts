/**
 * Renders a resolved task as the Kubernetes objects the operator creates: the Job (and, for a
 * task Keptn generates, the KeptnTask), plus the function ConfigMap for inline code. Fields Keptn
 * leaves unset are left out, and keys follow the Go structs' order so the YAML reads like
 * `kubectl get -o yaml`.
 */
import { stringify } from "yaml";
import {
  createResourceName,
  formatGoDuration,
  goJsonStringMap,
  parseGoDuration,
} from "../contract/go-compat.js";
import { canonicalQuantity } from "./job-rules.js";
import type { ResolvedTask } from "./resolve-task.js";

/** A Kubernetes object as plain JSON data. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** Options of `renderJob`. */
export interface RenderJobOptions {
  /**
   * Source of the operator's random 5-digit name suffixes (10000-99998), a function returning a
   * number in [0, 1) like `Math.random` (the default). Pass a fixed one for stable output.
   */
  random?: () => number;
  /** The KeptnTask's name, instead of `<checkType>-<definition>-<5 digits>`. */
  taskName?: string;
  /** The Job's name, instead of `<task name>-<5 digits>`. */
  jobName?: string;
}

/** The rendered objects. */
export interface RenderedJob {
  /** The KeptnTask Keptn would create; `undefined` for a hand-made task (it exists already). */
  readonly task: KubernetesObject | undefined;
  readonly job: KubernetesObject;
  /** ConfigMap `keptnfn-<name>` Keptn creates for inline code; `undefined` otherwise. */
  readonly configMap: KubernetesObject | undefined;
  /** The objects above, in apply order. */
  readonly objects: readonly KubernetesObject[];
  /** The objects as multi-document YAML. */
  readonly yaml: string;
}

const MAX_NAME = 253;
const MIN_NAME_PART = 80;
const FUNCTION_MOUNT = "function-mount";

function suffix(random: () => number): string {
  return String(10_000 + Math.floor(random() * 89_999));
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value === undefined || Object.keys(value).length === 0 ? undefined : value;
}

/** Drops `undefined` fields so the objects compare and print as the operator's JSON would. */
/** Drops unset fields, as Go's `omitempty` does for a nil pointer, slice or map (`command: null`). */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined && inner !== null) out[key] = clean(inner);
    }
    return out;
  }
  return value;
}

/** A Go map as the API server prints it: keys sorted bytewise (`undefined` stays unset). */
function sortedMap(
  map: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  return JSON.parse(goJsonStringMap(map)) as Record<string, string>;
}

function keptnAnnotations(resolved: ResolvedTask, taskName: string): Record<string, string> {
  const { context } = resolved;
  const keptn: Record<string, string> =
    context.workloadName === ""
      ? {
          "keptn.sh/app": context.appName,
          "keptn.sh/version": context.appVersion,
          "keptn.sh/task-name": taskName,
        }
      : {
          "keptn.sh/app": context.appName,
          "keptn.sh/workload": context.workloadName,
          "keptn.sh/version": context.workloadVersion,
          "keptn.sh/task-name": taskName,
        };
  return sortedMap({ ...resolved.task.annotations, ...keptn }) ?? {};
}

function runnerContainer(resolved: ResolvedTask): {
  container: unknown;
  volumes: unknown[] | undefined;
} {
  if (resolved.runner === "container") {
    const container = resolved.container ?? {};
    const mount = resolved.container?.volumeMounts?.[0];
    if (mount === undefined) return { container, volumes: undefined };
    const memory = resolved.container?.resources?.limits?.memory;
    return {
      container,
      // The operator's default is resource.NewQuantity(1, "Gi"): the quantity 1, printed "1".
      volumes: [
        {
          name: mount.name,
          emptyDir: {
            medium: "Memory",
            sizeLimit: memory === undefined ? "1" : canonicalQuantity(memory),
          },
        },
      ],
    };
  }
  const mounted = resolved.code.kind === "configMap";
  return {
    container: {
      name: "keptn-function-runner",
      image: resolved.image,
      env: resolved.env,
      volumeMounts: mounted
        ? [{ name: FUNCTION_MOUNT, readOnly: true, mountPath: resolved.mountPath, subPath: "code" }]
        : undefined,
      imagePullPolicy: "IfNotPresent",
    },
    volumes:
      resolved.code.kind === "configMap"
        ? [{ name: FUNCTION_MOUNT, configMap: { name: resolved.code.name } }]
        : undefined,
  };
}

/**
 * Renders the Job the operator would create for a resolved task, the KeptnTask it would generate
 * (when the task is not hand-made) and the function ConfigMap it keeps for inline code.
 * Owner references are left out: they need the UIDs the cluster assigns.
 *
 * @param resolved The result of `resolveTask`.
 * @param options Name suffix source, or fixed names.
 * @returns The objects, and their YAML.
 * @example
 * ```ts
 * const { yaml } = renderJob(resolveTask(catalog, { definition: "notify", namespace: "shop" }));
 * process.stdout.write(yaml);
 * ```
 */
export function renderJob(resolved: ResolvedTask, options: RenderJobOptions = {}): RenderedJob {
  const random = options.random ?? Math.random;
  const info = resolved.task;
  const taskName =
    options.taskName ??
    info.name ??
    createResourceName(MAX_NAME, MIN_NAME_PART, info.checkType, info.definition, suffix(random));
  const jobName =
    options.jobName ?? createResourceName(MAX_NAME, MIN_NAME_PART, taskName, suffix(random));
  const labels = sortedMap(nonEmpty(info.labels));
  const podAnnotations = sortedMap(nonEmpty(info.annotations));
  const { container, volumes } = runnerContainer(resolved);

  const task: KubernetesObject | undefined = info.handMade
    ? undefined
    : (clean({
        apiVersion: "lifecycle.keptn.sh/v1",
        kind: "KeptnTask",
        metadata: {
          name: taskName,
          namespace: info.namespace,
          labels,
          annotations: podAnnotations,
        },
        // In KeptnTaskSpec's field order, as the operator generates it (GenerateTask).
        spec: {
          taskDefinition: info.definition,
          context: { ...resolved.context, metadata: sortedMap(resolved.context.metadata) },
          parameters: {},
          secureParameters: {},
          checkType: info.checkType,
          retries: resolved.job.retries,
          // A metav1.Duration is printed by Go's time.Duration.String(): "5m" becomes "5m0s".
          timeout: formatGoDuration(parseGoDuration(resolved.job.timeout) ?? 0),
        },
      }) as KubernetesObject);

  const job = clean({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobName,
      namespace: info.namespace,
      labels,
      annotations: keptnAnnotations(resolved, taskName),
    },
    spec: {
      activeDeadlineSeconds: resolved.job.activeDeadlineSeconds,
      backoffLimit: resolved.job.retries,
      template: {
        metadata: { labels, annotations: podAnnotations },
        spec: {
          volumes,
          containers: [container],
          restartPolicy: "OnFailure",
          serviceAccountName: resolved.job.serviceAccountName,
          automountServiceAccountToken: resolved.job.automountServiceAccountToken,
          imagePullSecrets:
            resolved.job.imagePullSecrets.length === 0 ? undefined : resolved.job.imagePullSecrets,
        },
      },
      ttlSecondsAfterFinished: resolved.job.ttlSecondsAfterFinished,
    },
  }) as KubernetesObject;

  const configMap: KubernetesObject | undefined =
    resolved.code.kind === "configMap" && resolved.code.createdByKeptn
      ? {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: resolved.code.name, namespace: resolved.code.namespace },
          data: { code: resolved.code.code ?? "" },
        }
      : undefined;

  const objects = [configMap, task, job].filter((o): o is KubernetesObject => o !== undefined);
  const yaml = objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
  return Object.freeze({ task, job, configMap, objects: Object.freeze(objects), yaml });
}
