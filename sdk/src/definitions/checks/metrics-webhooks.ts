/**
 * What Keptn's metrics webhooks refuse in a KeptnMetric or an Analysis that their CRDs take, so
 * `kubectl apply` fails although the schema passes. Read from keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384:
 *
 * - `metrics-operator/api/v1/keptnmetric_webhook.go`: when `spec.range` is set, its `interval`
 *   must parse as a Go duration (`time.ParseDuration`, so an empty one fails too), and so must a
 *   non-empty `step`; `step` and `aggregation` are set together or not at all.
 * - `metrics-operator/api/v1/analysis_webhook.go`: a non-zero `spec.timeframe.recent` must come
 *   alone; without it, `from` and `to` are both needed, with `to` after `from`.
 */
import { parseGoDuration } from "../../contract/go-compat.js";
import { isRecord } from "../is-record.js";
import type { SchemaProblem } from "../keptn-schema.js";

const WHY = "Keptn's metrics webhook refuses it, so kubectl apply fails";

function refuse(kind: string, field: string, why: string): SchemaProblem {
  return { message: `Invalid ${kind}: ${WHY}: ${why}`, field };
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined ? "" : String(value);
}

/** `spec.range` of a KeptnMetric, as `validateKeptnMetric` checks it. */
function metricProblems(spec: Record<string, unknown>): SchemaProblem[] {
  const range = spec.range;
  if (!isRecord(range)) return [];
  const out: SchemaProblem[] = [];
  const [interval, step, aggregation] = [
    text(range.interval),
    text(range.step),
    text(range.aggregation),
  ];
  const duration = (field: string, value: string) =>
    refuse(
      "KeptnMetric",
      `spec.range.${field}`,
      `spec.range.${field} ${JSON.stringify(value)} is not a Go duration; write it as "5m", "1h30m" or "90s"`,
    );
  if (parseGoDuration(interval) === undefined) out.push(duration("interval", interval));
  if (step !== "" && parseGoDuration(step) === undefined) out.push(duration("step", step));
  if (step !== "" && aggregation === "") {
    out.push(
      refuse(
        "KeptnMetric",
        "spec.range.step",
        "spec.range.step is set without spec.range.aggregation; set both or neither",
      ),
    );
  } else if (step === "" && aggregation !== "") {
    out.push(
      refuse(
        "KeptnMetric",
        "spec.range.aggregation",
        "spec.range.aggregation is set without spec.range.step; set both or neither",
      ),
    );
  }
  return out;
}

/** Milliseconds of an RFC 3339 time, `undefined` when unset (Go's zero time). */
function time(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const parsed = Date.parse(String(value));
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** `spec.timeframe` of an Analysis, as `validateTimeframe` checks it. */
function analysisProblems(spec: Record<string, unknown>): SchemaProblem[] {
  const frame = isRecord(spec.timeframe) ? spec.timeframe : {};
  const recent = parseGoDuration(text(frame.recent)) ?? 0;
  const [from, to] = [time(frame.from), time(frame.to)];
  const field = "spec.timeframe";
  if (recent !== 0) {
    return from === undefined && to === undefined
      ? []
      : [
          refuse(
            "Analysis",
            field,
            "spec.timeframe sets recent together with from or to; keep recent alone, or use from and to",
          ),
        ];
  }
  if (from === undefined || to === undefined) {
    return [
      refuse(
        "Analysis",
        field,
        "spec.timeframe needs a non-zero recent, or both from and to; set them",
      ),
    ];
  }
  if (to <= from) {
    return [
      refuse(
        "Analysis",
        field,
        "spec.timeframe.to must be later than spec.timeframe.from; swap or fix them",
      ),
    ];
  }
  return [];
}

/**
 * The metrics webhooks' refusals of an object its CRD schema took.
 *
 * @param raw - The object.
 * @returns The problems, each at its field; empty for other kinds.
 */
export function metricsWebhookProblems(raw: Readonly<Record<string, unknown>>): SchemaProblem[] {
  const spec = isRecord(raw.spec) ? raw.spec : {};
  if (raw.kind === "KeptnMetric") return metricProblems(spec);
  if (raw.kind === "Analysis") return analysisProblems(spec);
  return [];
}
