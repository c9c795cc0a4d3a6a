/**
 * `WORKLOAD_NAME_INVALID` and `SCHEDULING_GATE_REMOVED`: what Keptn's pod webhook does with a
 * workload's app, workload and version, read from keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384.
 *
 * - lifecycle-operator/common/common.go `CreateResourceName` only lower-cases and turns "_" into
 *   "-" (`sanitizeResourceNameString`). handlers/workload.go names the KeptnWorkload
 *   `<app>-<workload>` (the version lower-cased in its spec); when the API server refuses that
 *   name, pod_mutating_webhook.go answers `admission.Errored`: no pod is created.
 *   controllers/lifecycle/keptnworkload/controller.go names the KeptnWorkloadVersion
 *   `<app>-<workload>-<version>`: when it is refused, the controller retries forever and the
 *   pods keep their `keptn-prechecks-gate` (controllers/schedulinggates/controller.go removes it
 *   only for a WorkloadVersion that exists).
 * - pod_mutating_webhook.go `handleScheduling` returns "gate of the pod already removed" for a pod
 *   with `keptn.sh/scheduling-gate-removed` set (annotation or label, any non-empty value), before
 *   any KeptnWorkload is made: such a pod template's tasks and evaluations never run.
 */
import { createResourceName } from "../../contract/go-compat.js";
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import type { ManifestSet } from "../load-manifests.js";
import { dnsSubdomainProblem } from "../names.js";
import { type PodKeys, type PodValue, podKeys, readKey } from "./pod-metadata.js";

/** `MaxK8sObjectLength` and `MinKeptnNameLen` of apis/lifecycle/v1/common/common.go. */
const MAX_NAME = 253;
const MIN_PART = 80;

const sanitize = (...parts: string[]) =>
  createResourceName(MAX_NAME, MIN_PART, ...parts).replaceAll("_", "-");

const subjectOf = ({ manifest }: PodKeys) => ({
  kind: manifest.kind,
  name: manifest.name ?? "",
  namespace: manifest.namespace,
  location: manifest.location,
});

const label = ({ manifest }: PodKeys) =>
  `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}"`;

const HOW =
  'Keptn only lower-cases it and turns "_" into "-": use lower-case letters, digits, "-", "_" and "."';

function invalid(keys: PodKeys, object: string, name: string, blamed: PodValue, effect: string) {
  return createDiagnostic(
    "WORKLOAD_NAME_INVALID",
    `${label(keys)}: Keptn names the ${object} "${name}" from ${blamed.source} (${JSON.stringify(blamed.value)}), which the API server refuses (${dnsSubdomainProblem(name)}), so ${effect}; ${HOW} in ${blamed.source}`,
    subjectOf(keys),
    { field: blamed.field },
  );
}

/** The first name Keptn builds for the workload that the API server refuses, if any. */
function workloadNames(keys: PodKeys): Diagnostic[] {
  const appValue = keys.app ?? keys.workload;
  const app = sanitize(appValue.value);
  const workload = sanitize(app, keys.workload.value);
  const noPod = "its pod webhook fails and no pod of it is created";
  if (dnsSubdomainProblem(workload) !== undefined) {
    const blamed = dnsSubdomainProblem(app) !== undefined ? appValue : keys.workload;
    return [invalid(keys, "KeptnWorkload", workload, blamed, noPod)];
  }
  const { version } = keys;
  if (version === undefined) return [];
  const versionName = sanitize(workload, version.value.toLowerCase());
  if (dnsSubdomainProblem(versionName) === undefined) return [];
  const gated =
    "the KeptnWorkloadVersion is never created and the pods keep Keptn's scheduling gate forever";
  return [invalid(keys, "KeptnWorkloadVersion", versionName, version, gated)];
}

function gateRemoved(keys: PodKeys): Diagnostic[] {
  const found = readKey(keys.pod, keys.podPath, ["keptn.sh/scheduling-gate-removed"]);
  if (found === undefined) return [];
  return [
    createDiagnostic(
      "SCHEDULING_GATE_REMOVED",
      `${label(keys)} has ${found.source} in its pod template: Keptn's pod webhook takes its pods as already released and makes no KeptnWorkload, so their tasks and evaluations never run; remove it (Keptn sets it on the pods it releases)`,
      subjectOf(keys),
      { field: found.field },
    ),
  ];
}

/**
 * The names Keptn builds for each workload whose pods its webhook handles, and the
 * scheduling-gate key that makes it skip them.
 *
 * @param set - The manifests.
 */
export function checkWorkloadNames(set: ManifestSet): Diagnostic[] {
  return set.objects.flatMap((manifest) => {
    const keys = podKeys(manifest);
    if (keys === undefined) return [];
    const gate = gateRemoved(keys);
    return gate.length > 0 ? gate : workloadNames(keys);
  });
}
