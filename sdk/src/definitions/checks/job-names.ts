/**
 * Names Keptn copies from a definition into the Job's pod spec, which the API server holds to
 * Kubernetes' name rules although Keptn's CRD does not (kubernetes pkg/apis/core/validation/
 * validation.go): a volume's name is a DNS-1123 label (`ValidateVolumes`), a service account's
 * (`ValidateServiceAccountName`) and an env `secretKeyRef`'s (`validateSecretKeySelector`) are
 * DNS-1123 subdomains. Where Keptn copies them, read from keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384: the emptyDir of a container task is named after its
 * first volumeMount (keptntask/container_builder.go `generateVolume`); `serviceAccount.name` is
 * the pod's `serviceAccountName` (keptntask/job_utils.go); `secureParameters.secret` is the
 * `secretKeyRef` of `SECURE_DATA` (keptntask/function_utils.go).
 */
import type { TaskDefinition } from "../model.js";
import { dnsLabelProblem, dnsSubdomainProblem } from "../names.js";

/** One field of the Job the API server refuses, and why. */
export interface JobProblem {
  readonly field: string;
  readonly problem: string;
}

function named(field: string, what: string, value: string, problem: string | undefined) {
  return problem === undefined ? [] : [{ field, problem: `${what} "${value}" ${problem}` }];
}

/**
 * The names of a definition's Job that the API server refuses.
 *
 * @param def - The definition.
 */
export function jobNameProblems(def: TaskDefinition): JobProblem[] {
  const out: JobProblem[] = [];
  const account = def.serviceAccountName;
  if (account !== undefined && account !== "") {
    const problem = dnsSubdomainProblem(account);
    out.push(...named("spec.serviceAccount.name", "its service account", account, problem));
  }
  const secret = def.runtime?.secureParameters;
  if (def.runtimeField !== undefined && secret !== undefined && secret !== "") {
    const field = `spec.${def.runtimeField}.secureParameters.secret`;
    out.push(...named(field, "the Secret of SECURE_DATA", secret, dnsSubdomainProblem(secret)));
  }
  const mounts = def.runner === "container" ? def.container?.volumeMounts : undefined;
  const first = Array.isArray(mounts) ? (mounts[0] as { name?: unknown } | undefined) : undefined;
  if (typeof first?.name === "string") {
    const field = "spec.container.volumeMounts.0.name";
    const what = "the emptyDir volume Keptn names after its first volumeMount,";
    out.push(...named(field, what, first.name, dnsLabelProblem(first.name)));
  }
  return out;
}
