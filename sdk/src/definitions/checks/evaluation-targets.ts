/**
 * `EVALUATION_TARGET_INVALID`: an objective's `evaluationTarget` that Keptn's evaluation cannot
 * read. lifecycle-operator/controllers/lifecycle/keptnevaluation/common.go (keptn/lifecycle-toolkit
 * at 40e195d78dd1886166e17d2e9c69b75a249fc384, `checkValue`) takes the first byte as the operator,
 * of which only `<` and `>` exist, and parses the rest with Go's `strconv.ParseFloat`; anything
 * else is an error of the evaluation (or, for NaN, a comparison that is never true), so the
 * objective fails on every retry and the phase with it. The CRD takes any string.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isRecord } from "../is-record.js";
import type { LoadedManifest, ManifestSet } from "../load-manifests.js";
import { formatFieldPath } from "../positions.js";

/** Go's float syntax for `ParseFloat`: decimal (no underscores), hexadecimal, or an infinity. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEXADECIMAL = /^[+-]?0[xX](?=[_.]*[0-9a-fA-F])[0-9a-fA-F_]*\.?[0-9a-fA-F_]*[pP][+-]?\d+$/;
const INFINITY = /^[+-]?(?:inf|infinity)$/i;
const NAN = /^[+-]?nan$/i;

/** Why Keptn cannot use a target, or `undefined` when it can. */
export function evaluationTargetProblem(target: string): string | undefined {
  if (target === "") return "it is empty, which the evaluation refuses";
  const operator = target.slice(0, 1);
  const number = target.slice(1);
  if (operator !== "<" && operator !== ">") {
    return `Keptn takes its first character as the operator, and operator ${JSON.stringify(operator)} is not "<" or ">"`;
  }
  if (NAN.test(number)) return "NaN compares false with every value, so the objective is never met";
  const finite = DECIMAL.test(number) && Number.isFinite(Number(number));
  if (finite || HEXADECIMAL.test(number) || INFINITY.test(number)) return undefined;
  return `Keptn parses what follows the operator, ${JSON.stringify(number)}, as a Go float, which it is not`;
}

function objectiveDiagnostics(manifest: LoadedManifest): Diagnostic[] {
  const spec = isRecord(manifest.raw.spec) ? manifest.raw.spec : {};
  const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
  return objectives.flatMap((objective, index) => {
    if (!isRecord(objective) || typeof objective.evaluationTarget !== "string") return [];
    const target = objective.evaluationTarget;
    const why = evaluationTargetProblem(target);
    if (why === undefined) return [];
    const number = target.replace(/^[\s<>=!]+/, "").trim() || "5";
    const example = `${target.includes(">") ? ">" : "<"}${number}`;
    return [
      createDiagnostic(
        "EVALUATION_TARGET_INVALID",
        `${manifest.kind} "${manifest.namespace}/${manifest.name ?? ""}" has evaluationTarget ${JSON.stringify(target)}: ${why}, so the evaluation fails on every retry and blocks its phase; write "<" or ">" then a number, such as ${JSON.stringify(example)}`,
        {
          kind: manifest.kind,
          name: manifest.name ?? "",
          namespace: manifest.namespace,
          location: manifest.location,
        },
        { field: formatFieldPath(["spec", "objectives", index, "evaluationTarget"]) },
      ),
    ];
  });
}

/**
 * `EVALUATION_TARGET_INVALID` for every objective of every KeptnEvaluationDefinition whose target
 * Keptn cannot read.
 *
 * @param set - The manifests.
 * @returns One error per such objective, at its `evaluationTarget`.
 */
export function checkEvaluationTargets(set: ManifestSet): Diagnostic[] {
  return set.objects
    .filter(
      (m) =>
        m.kind === "KeptnEvaluationDefinition" && m.apiVersion.startsWith("lifecycle.keptn.sh/"),
    )
    .flatMap(objectiveDiagnostics);
}
