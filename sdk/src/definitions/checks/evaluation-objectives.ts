/**
 * `EVALUATION_METRIC_REPEATED`: keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384,
 * lifecycle-operator/controllers/lifecycle/keptnevaluation/controller.go (`evaluateObjective`,
 * `updateStatusSummary`): a KeptnEvaluation's status is a map keyed by `keptnMetricRef.name`
 * alone. Two objectives on one metric name (in one namespace or two) share one entry: the last
 * one's result is stored, and on the retry an objective whose entry says "succeeded" is counted
 * as met without being evaluated, so a failing target can pass.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import { formatFieldPath } from "../positions.js";

function repeated(manifest: LoadedManifest): Diagnostic[] {
  const spec = isRecord(manifest.raw.spec) ? manifest.raw.spec : {};
  const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
  const first = new Map<string, number>();
  const out: Diagnostic[] = [];
  objectives.forEach((objective, index) => {
    const ref = isRecord(objective) ? objective.keptnMetricRef : undefined;
    const name = isRecord(ref) && typeof ref.name === "string" ? ref.name : undefined;
    if (name === undefined) return;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, index);
      return;
    }
    out.push(
      createDiagnostic(
        "EVALUATION_METRIC_REPEATED",
        `KeptnEvaluationDefinition "${manifest.namespace}/${manifest.name ?? ""}" has objectives ${earlier} and ${index} on KeptnMetric "${name}": Keptn keeps one result per metric name, so one objective's result stands for both and a failing target can pass; make one objective per metric (a second KeptnMetric with the same query for a range)`,
        {
          kind: manifest.kind,
          name: manifest.name ?? "",
          namespace: manifest.namespace,
          location: manifest.location,
        },
        { field: formatFieldPath(["spec", "objectives", index, "keptnMetricRef", "name"]) },
      ),
    );
  });
  return out;
}

/**
 * `EVALUATION_METRIC_REPEATED` for each objective naming a metric an earlier one names.
 *
 * @param set - The manifests.
 */
export function checkEvaluationObjectives(set: ManifestSet): Diagnostic[] {
  return set.objects
    .filter(
      (m) =>
        m.kind === "KeptnEvaluationDefinition" && m.apiVersion.startsWith("lifecycle.keptn.sh/"),
    )
    .flatMap(repeated);
}
