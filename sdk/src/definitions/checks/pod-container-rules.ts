/**
 * What the API server refuses in the container of a Job's pod template that Keptn's CRD takes
 * in `spec.container` (the CRD embeds Kubernetes' Container schema without its enums and without
 * the rules of pod validation, `k8s.io/kubernetes/pkg/apis/core/validation`): the definition is
 * applied, the Job the operator builds from it is refused, and the task never runs. Keptn copies
 * the container into the Job as written, adding only `KEPTN_CONTEXT` and one emptyDir volume
 * (lifecycle-operator/controllers/lifecycle/keptntask/container_builder.go, keptn/lifecycle-toolkit
 * at 40e195d78dd1886166e17d2e9c69b75a249fc384).
 */
import { containerJobOnlyProblems } from "../container-schema.js";
import { isRecord } from "../is-record.js";

/** A problem, at its field inside the container. */
export interface PodContainerProblem {
  readonly field: string;
  readonly problem: string;
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** An env name: not empty, no "=" (Kubernetes' rule, relaxed or strict, refuses both). */
function envNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  if (name === "") return "is empty";
  return name.includes("=") ? 'holds "=", which no variable name may' : undefined;
}

function envProblems(container: Record<string, unknown>): PodContainerProblem[] {
  const out: PodContainerProblem[] = [];
  list(container.env).forEach((variable, index) => {
    const why = envNameProblem(variable.name);
    if (why !== undefined) {
      out.push({
        field: `env.${index}.name`,
        problem: `the env name ${JSON.stringify(variable.name)} ${why}`,
      });
    }
  });
  list(container.envFrom).forEach((source, index) => {
    const prefix = source.prefix;
    if (typeof prefix === "string" && prefix.includes("=")) {
      out.push({
        field: `envFrom.${index}.prefix`,
        problem: `the envFrom prefix ${JSON.stringify(prefix)} holds "="`,
      });
    }
  });
  return out;
}

function mountProblems(container: Record<string, unknown>): PodContainerProblem[] {
  const out: PodContainerProblem[] = [];
  list(container.volumeMounts).forEach((mount, index) => {
    const sub = mount.subPath;
    if (typeof sub === "string" && (sub.startsWith("/") || sub.split("/").includes(".."))) {
      out.push({
        field: `volumeMounts.${index}.subPath`,
        problem: `the subPath ${JSON.stringify(sub)} is absolute or holds ".."`,
      });
    }
  });
  if (list(container.volumeDevices).length > 0) {
    out.push({
      field: "volumeDevices",
      problem: "volumeDevices need a PersistentVolumeClaim volume, and Keptn adds only an emptyDir",
    });
  }
  return out;
}

function otherProblems(container: Record<string, unknown>): PodContainerProblem[] {
  const out: PodContainerProblem[] = [];
  if (container.restartPolicy !== undefined) {
    out.push({
      field: "restartPolicy",
      problem:
        "restartPolicy may be set only on init containers, and Keptn's Job has this one as its regular container",
    });
  }
  const security = isRecord(container.securityContext) ? container.securityContext : {};
  if (security.privileged === true && security.allowPrivilegeEscalation === false) {
    out.push({
      field: "securityContext.allowPrivilegeEscalation",
      problem: "allowPrivilegeEscalation false contradicts privileged true",
    });
  }
  return out;
}

/**
 * The pod-validation problems of a container task's container, and the enums of Kubernetes'
 * schema that Keptn's CRD does not check (`imagePullPolicy`, `terminationMessagePolicy`, ...).
 *
 * @param container - `spec.container` as written.
 */
export function podContainerProblems(container: unknown): PodContainerProblem[] {
  if (!isRecord(container)) return [];
  const enums = containerJobOnlyProblems(container).map(({ path, message }) => ({
    field: path.join("."),
    problem: `${path.join(".")} ${message}`,
  }));
  return [
    ...otherProblems(container),
    ...envProblems(container),
    ...mountProblems(container),
    ...enums,
  ];
}
