/**
 * Diagnostics: the traps in Keptn's resolution of task definitions, each with a stable code, a
 * level, and a message that says what Keptn would do and how to fix it. Messages name objects,
 * fields and URLs (through `redactUrl`: no user info, no secret-looking query values); they never
 * carry a secret value.
 */
import type { ManifestLocation } from "../errors/errors.js";

/** `error`: Keptn would not run the task as written. `warning`: it runs, but not as it reads. */
export type DiagnosticLevel = "error" | "warning";

/** Every diagnostic code with its default level and a one-line summary. */
export const DIAGNOSTIC_CODES = Object.freeze({
  FUNCTION_IGNORED: {
    level: "warning",
    summary: "spec.function is ignored by Keptn 2.x in every apiVersion",
  },
  NO_RUNTIME: { level: "error", summary: "no deno, python or container runtime is set" },
  EMPTY_RUNTIME: { level: "error", summary: "the runtime is set but empty, so no Job is created" },
  MULTIPLE_RUNTIMES: { level: "error", summary: "more than one runtime is set" },
  NO_CODE: {
    level: "error",
    summary: "a runtime has no inline code, httpRef, configMapRef or functionRef",
  },
  INLINE_AND_HTTPREF: { level: "warning", summary: "inline code and httpRef are both set" },
  INLINE_AND_CONFIGMAP: { level: "warning", summary: "inline code and configMapRef are both set" },
  CONFIGMAP_AND_HTTPREF: { level: "warning", summary: "configMapRef and httpRef are both set" },
  FUNCTIONREF_WITH_CODE: {
    level: "warning",
    summary: "a definition with functionRef also has code",
  },
  FUNCTIONREF_CHAIN: { level: "error", summary: "a functionRef chain is deeper than one level" },
  CYCLE: { level: "error", summary: "functionRefs form a cycle" },
  MISSING_PARENT: { level: "error", summary: "a functionRef names no definition" },
  PARENT_NOT_RUNTIME: {
    level: "error",
    summary: "a functionRef names a definition without deno or python",
  },
  PARENT_RUNTIME_DIFFERS: {
    level: "warning",
    summary: "the parent's runtime replaces the child's",
  },
  DEFINITION_NOT_FOUND: { level: "error", summary: "a KeptnTask names no definition" },
  CONFIGMAP_NOT_FOUND: {
    level: "warning",
    summary: "a referenced ConfigMap is not among the manifests",
  },
  CONFIGMAP_WITHOUT_CODE: { level: "error", summary: "a code ConfigMap has no key code" },
  CONFIGMAP_OTHER_NAMESPACE: {
    level: "error",
    summary: "the Job mounts a ConfigMap from its own namespace",
  },
  SECRET_NOT_FOUND: {
    level: "warning",
    summary: "the secureParameters Secret is not among the manifests",
  },
  SECRET_WITHOUT_KEY: {
    level: "error",
    summary: "the secureParameters Secret has no key SECURE_DATA",
  },
  OBJECTTYPE_APPLICATION: {
    level: "warning",
    summary: 'objectType is compared with "Application"',
  },
  PROMOTION_WORKLOAD: {
    level: "warning",
    summary: "promotion tasks run only for apps",
  },
  HTTPREF_INVALID: { level: "error", summary: "httpRef.url is not an http(s) URL" },
  HTTPREF_PIN_INVALID: {
    level: "warning",
    summary: "httpRef.url has a malformed #sha256 pin",
  },
  HTTPREF_UNPINNED: {
    level: "warning",
    summary: "httpRef code is fetched without an integrity pin",
  },
  CMD_PARAMETERS_SPLIT: { level: "warning", summary: "cmdParameters with quotes are word-split" },
  CONTAINER_IGNORES_PARAMETERS: {
    level: "warning",
    summary: "a container task ignores parameters",
  },
  JOB_INVALID: {
    level: "error",
    summary: "the API server refuses the Job Keptn builds from the definition",
  },
  CONTAINER_VOLUME_MOUNTS: {
    level: "error",
    summary: "only the first volumeMount of a container task gets a volume",
  },
  CONTAINER_CONTEXT_VALUE_FROM: {
    level: "error",
    summary: "a container's KEPTN_CONTEXT env uses valueFrom",
  },
  CONTAINER_VOLUME_TINY: {
    level: "warning",
    summary: "a container volume gets a 1-byte size limit",
  },
  TASK_JOB_FIELDS: {
    level: "warning",
    summary: "a hand-made KeptnTask overrides retries or timeout",
  },
  JOB_NAME_TOO_LONG: {
    level: "error",
    summary: "the Job's name would be over 63 characters, so Kubernetes refuses it",
  },
  TIMEOUT_TOO_SHORT: { level: "error", summary: "the timeout is shorter than one second" },
  TIMEOUT_INVALID: {
    level: "error",
    summary: "the API server takes the timeout, but the operator cannot use it",
  },
  PYTHON_CMD_PARAMETERS: {
    level: "error",
    summary: "python cmdParameters keep Keptn's image from running the script",
  },
  DENO_CMD_PARAMETERS_IGNORED: {
    level: "warning",
    summary: "Keptn's deno-runtime ignores cmdParameters",
  },
  HTTPREF_FILE: {
    level: "warning",
    summary: "httpRef.url is a file: URL, which only Keptn's stock images run",
  },
  CODE_SYNTAX_ERROR: { level: "error", summary: "inline or ConfigMap code does not parse" },
  METADATA_KEY_NEAR_MISS: {
    level: "warning",
    summary: "an annotation or label key is near one Keptn reads, which it ignores",
  },
  NAMESPACE_NOT_ENABLED: {
    level: "error",
    summary: "the namespace lacks the annotation keptn.sh/lifecycle-toolkit: enabled",
  },
  DUPLICATE_OBJECT: { level: "warning", summary: "the same object appears twice" },
  TASK_DEFINITION_NOT_FOUND: {
    level: "error",
    summary: "a workload or KeptnAppContext names a task definition that is not there",
  },
  EVALUATION_DEFINITION_NOT_FOUND: {
    level: "error",
    summary: "a workload or KeptnAppContext names an evaluation definition that is not there",
  },
  TASKS_IGNORED: {
    level: "error",
    summary: "a workload names tasks or evaluations where Keptn never reads them",
  },
  SDK_ON_STOCK_IMAGE: {
    level: "warning",
    summary: "the code imports @keptn-task/sdk or keptn_task, which Keptn's stock images lack",
  },
  EVALUATION_TARGET_INVALID: {
    level: "error",
    summary: 'an evaluationTarget is not "<" or ">" and a number, so the evaluation always fails',
  },
  SECRET_OTHER_NAMESPACE: {
    level: "warning",
    summary: "a shared definition's Secret is only in Keptn's namespace, not where its Job runs",
  },
  CONTAINER_ANNOTATION_UNMATCHED: {
    level: "warning",
    summary: "keptn.sh/container names no container of the pod",
  },
  DENO_PERMISSION_MISSING: {
    level: "warning",
    summary: "Deno code needs a permission Keptn's deno-runtime does not grant",
  },
  PYTHON_CMD_PARAMETERS_CHANGE_CODE: {
    level: "warning",
    summary: "python cmdParameters -O, -OO or -x change what the task's code does",
  },
  METADATA_LABEL_INVALID: {
    level: "error",
    summary: "a Keptn list label holds a value the API server refuses in a label",
  },
  APP_CONTEXT_UNMATCHED: {
    level: "warning",
    summary: "a KeptnAppContext is named after no KeptnApp or workload app",
  },
  KUSTOMIZE_RENAMES_CONFIGMAP: {
    level: "warning",
    summary: "kustomize renames a ConfigMap that a configMapRef names, and does not rewrite it",
  },
  WORKLOAD_NAME_INVALID: {
    level: "error",
    summary:
      "the KeptnWorkload or KeptnWorkloadVersion name Keptn builds from app, workload and version is refused",
  },
  SCHEDULING_GATE_REMOVED: {
    level: "error",
    summary: "a pod template carries keptn.sh/scheduling-gate-removed, so Keptn skips its pods",
  },
  NAMESPACE_EXCLUDED: {
    level: "error",
    summary: "Keptn's pod webhook is not called for the namespace, so its tasks never run",
  },
  ENV_TOO_LARGE: {
    level: "error",
    summary:
      "an env variable of the Job is over Linux's 128 KiB limit, so its container cannot start",
  },
  CONFIGMAP_TOO_LARGE: {
    level: "error",
    summary: "a ConfigMap, or the one Keptn makes from inline code, is over 1 MiB",
  },
  LAST_APPLIED_TOO_LARGE: {
    level: "warning",
    summary: "kubectl apply cannot store the object in its 262144-byte last-applied annotation",
  },
  CODE_ALL_COMMENT: {
    level: "warning",
    summary: "the code is one comment line (a folded scalar >), so nothing runs",
  },
  TTL_TOO_SHORT: {
    level: "warning",
    summary: "ttlSecondsAfterFinished is under Keptn's poll interval, so the task can run again",
  },
  EVALUATION_METRIC_REPEATED: {
    level: "warning",
    summary: "two objectives name one KeptnMetric, and Keptn keeps one result for both",
  },
  IMPORT_UNRESOLVABLE: {
    level: "warning",
    summary: "the code imports what Keptn's stock image cannot resolve",
  },
} satisfies Record<string, { level: DiagnosticLevel; summary: string }>);

/** A stable diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** One finding about a definition, a task or their resolution. */
export interface Diagnostic {
  readonly level: DiagnosticLevel;
  readonly code: DiagnosticCode;
  /** What is wrong, what Keptn would do, how to fix it. Never holds a secret value. */
  readonly message: string;
  /** `Kind/namespace/name` of the object it is about. */
  readonly object?: string;
  /** Where that object was read from, when known. */
  readonly location?: ManifestLocation;
  /** The dot-separated path of the field inside the object, when known (`spec.deno.inline.code`). */
  readonly field?: string;
}

/** The object a diagnostic is about. */
export interface DiagnosticSubject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly location?: ManifestLocation | undefined;
}

/** Options of `createDiagnostic`. */
export interface DiagnosticOptions {
  /** Overrides the code's default level. */
  readonly level?: DiagnosticLevel;
  /** The dot-separated path of the field it is about, inside its object (`spec.deno.httpRef.url`). */
  readonly field?: string;
}

/**
 * Creates a diagnostic with the code's default level (or the one given).
 *
 * @param code The stable code.
 * @param message What is wrong, what Keptn would do, how to fix it.
 * @param subject The object it is about.
 * @param options The level (overriding the code's default) and the field, or just the level.
 * @returns A frozen diagnostic.
 * @example
 * ```ts
 * createDiagnostic("CYCLE", 'functionRef cycle "a -> b -> a": ...', definition, {
 *   field: "spec.deno.functionRef.name",
 * });
 * ```
 */
export function createDiagnostic(
  code: DiagnosticCode,
  message: string,
  subject?: DiagnosticSubject,
  options: DiagnosticOptions | DiagnosticLevel = {},
): Diagnostic {
  const { level = DIAGNOSTIC_CODES[code].level, field } =
    typeof options === "string" ? { level: options } : options;
  const diagnostic: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { level, code, message };
  if (subject !== undefined) {
    diagnostic.object = objectId(subject);
    if (subject.location !== undefined) diagnostic.location = subject.location;
  }
  if (field !== undefined) diagnostic.field = field;
  return Object.freeze(diagnostic);
}

/**
 * The `Kind/namespace/name` id of an object, as diagnostics and locations name it.
 *
 * @param subject The object.
 * @returns Its id.
 * @example
 * ```ts
 * objectId({ kind: "ConfigMap", namespace: "shop", name: "code" }); // "ConfigMap/shop/code"
 * ```
 */
export function objectId(subject: Pick<DiagnosticSubject, "kind" | "name" | "namespace">): string {
  return `${subject.kind}/${subject.namespace}/${subject.name}`;
}

/**
 * Whether any diagnostic is an error.
 *
 * @param diagnostics The diagnostics to check.
 * @returns `true` when Keptn would not run the task as written.
 * @example
 * ```ts
 * if (hasErrors(resolved.diagnostics)) process.exitCode = 1;
 * ```
 */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.level === "error");
}

/**
 * Formats a diagnostic as one line: `file:line:column: level CODE message` when its position is
 * known (see `locateDiagnostics`), else `file:document: level CODE message`, or the object in
 * place of the location when there is none.
 *
 * @param diagnostic The diagnostic.
 * @returns One line of text.
 * @example
 * ```ts
 * for (const d of diagnostics) console.error(formatDiagnostic(d));
 * ```
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnosticPlace(diagnostic);
  const prefix = where === undefined ? "" : `${where}: `;
  return `${prefix}${diagnostic.level} ${diagnostic.code} ${diagnostic.message}`;
}

/** `file:line:column`, `file:document`, `file`, or the object: the most precise one known. */
function diagnosticPlace({ location, object }: Diagnostic): string | undefined {
  if (location?.file === undefined) return object;
  if (location.line !== undefined)
    return `${location.file}:${location.line}:${location.column ?? 1}`;
  return location.document === undefined ? location.file : `${location.file}:${location.document}`;
}

/** Removes repeated diagnostics (same code, object and message), keeping the first. */
export function uniqueDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}\u0000${d.object ?? ""}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
