/**
 * Checks one definition on its own (no other object needed): the traps of its apiVersion, its
 * runtime and its code source.
 */

import { parseGoDuration } from "../contract/go-compat.js";
import { type PythonArgsProblem, pythonArgsProblem } from "../contract/python-args.js";
import { redactUrl } from "../contract/secret-rule.js";
import { parseIntegrityPin, VALID_PIN } from "../fetch/integrity-pin.js";
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import { checkJobRules } from "./job-rules.js";
import type { ConfigMap, KeptnTask, RuntimeSpec, TaskDefinition } from "./model.js";
import { checkJobNames } from "./names.js";

/** Where the operator mounts the code of each runner. */
export const MOUNT_PATHS = Object.freeze({
  deno: "/var/data/function.ts",
  python: "/var/data/function.py",
});

// `objectType` compared with the string "Application", in JS/TS or Python, either side.
const APPLICATION_COMPARISON =
  /objectType["'\]]*\s*\)?\s*(?:===?|!==?|is not|is)\s*["']Application["']|["']Application["']\s*(?:===?|!==?)\s*[\w.[\]"'()]*objectType/;

/**
 * Whether code compares `objectType` with `"Application"`; the operator sends `"App"`.
 *
 * @param code Task code (TypeScript, JavaScript or Python).
 * @returns `true` when such a comparison is found.
 * @example
 * ```ts
 * comparesObjectTypeWithApplication('if (ctx.objectType === "Application") {}'); // true
 * ```
 */
export function comparesObjectTypeWithApplication(code: string): boolean {
  return APPLICATION_COMPARISON.test(code);
}

/**
 * A diagnostic when code compares `objectType` with `"Application"`.
 *
 * @param code The task code.
 * @param where How to name the code in the message.
 * @param subject The object the code is in: its definition, or its ConfigMap.
 * @param field The field that holds the code, in that object.
 */
export function checkCode(
  code: string,
  where: string,
  subject: TaskDefinition | ConfigMap,
  field?: string,
): Diagnostic[] {
  if (!comparesObjectTypeWithApplication(code)) return [];
  return [
    createDiagnostic(
      "OBJECTTYPE_APPLICATION",
      `${where} compares objectType with "Application": the operator sends "App" for app tasks (only old releases sent "Application"), so that branch never runs; compare with "App", or accept both`,
      subject,
      field === undefined ? {} : { field },
    ),
  ];
}

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the runtime Keptn runs (`spec.deno`, `spec.python` or `spec.function`): where its code
 * comes from, its `httpRef`, its `cmdParameters` and its inline code.
 */
function checkRuntime(def: TaskDefinition, spec: RuntimeSpec): Diagnostic[] {
  const field = `spec.${def.runtimeField ?? "deno"}`;
  const name = `"${def.name}"`;
  const out = checkCodeSources(def, spec, field, name);
  if (spec.httpRef !== undefined) out.push(...checkHttpRef(def, spec.httpRef, field, name));
  out.push(...checkCmdParameters(def, spec, field, name));
  if (spec.inline !== undefined) {
    const where = `${name} (${field}.inline.code)`;
    out.push(...checkCode(spec.inline, where, def, `${field}.inline.code`));
  }
  return out;
}

/** No code at all, or two sources of code of which Keptn silently runs one. */
function checkCodeSources(
  def: TaskDefinition,
  spec: RuntimeSpec,
  field: string,
  name: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hasCode =
    spec.inline !== undefined || spec.httpRef !== undefined || spec.configMapRef !== undefined;
  if (spec.functionRef !== undefined && hasCode) {
    out.push(
      createDiagnostic(
        "FUNCTIONREF_WITH_CODE",
        `${name} has ${field}.functionRef "${spec.functionRef}" and code of its own: Keptn runs the code of "${spec.functionRef}" and ignores this definition's code; remove one of them`,
        def,
        { field: `${field}.functionRef.name` },
      ),
    );
  }
  if (spec.functionRef === undefined && !hasCode) {
    out.push(
      createDiagnostic(
        "NO_CODE",
        `${name} has no code in ${field}: Keptn fails to create the Job ("No ConfigMap specified or HTTP source specified"); set inline.code, httpRef.url, configMapRef.name or functionRef.name`,
        def,
        { field: field },
      ),
    );
  }
  out.push(...checkTwoSources(def, spec, field, name));
  return out;
}

/** Inline code next to an `httpRef` or a `configMapRef`, or a `configMapRef` next to an `httpRef`. */
function checkTwoSources(
  def: TaskDefinition,
  spec: RuntimeSpec,
  field: string,
  name: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (spec.inline !== undefined && spec.httpRef !== undefined) {
    out.push(
      createDiagnostic(
        "INLINE_AND_HTTPREF",
        `${name} sets both ${field}.inline and ${field}.httpRef: Keptn stores the inline code in ConfigMap "keptnfn-${def.name}" and runs it, ignoring "${redactUrl(spec.httpRef)}"; remove one of them`,
        def,
        { field: `${field}.httpRef.url` },
      ),
    );
  }
  if (spec.inline !== undefined && spec.configMapRef !== undefined) {
    out.push(
      createDiagnostic(
        "INLINE_AND_CONFIGMAP",
        `${name} sets both ${field}.inline and ${field}.configMapRef: Keptn runs the inline code and ignores ConfigMap "${spec.configMapRef}"; remove one of them`,
        def,
        { field: `${field}.configMapRef.name` },
      ),
    );
  }
  if (spec.inline === undefined && spec.configMapRef !== undefined && spec.httpRef !== undefined) {
    out.push(
      createDiagnostic(
        "CONFIGMAP_AND_HTTPREF",
        `${name} sets both ${field}.configMapRef and ${field}.httpRef: Keptn runs ConfigMap "${spec.configMapRef}" when it exists and ignores "${redactUrl(spec.httpRef)}"; remove one of them`,
        def,
        { field: `${field}.httpRef.url` },
      ),
    );
  }
  return out;
}

/** An `httpRef` that is not an http(s) URL, or has an invalid or no `#sha256` pin. */
function checkHttpRef(
  def: TaskDefinition,
  httpRef: string,
  field: string,
  name: string,
): Diagnostic[] {
  if (/^file:/i.test(httpRef)) {
    return [
      createDiagnostic(
        "HTTPREF_FILE",
        `${name} has ${field}.httpRef.url "${redactUrl(httpRef)}", a file in the runner's image: Keptn's stock images run it if the image has that file (deno run, curl), this project's runners refuse it; put the code in a ConfigMap, or serve it over https`,
        def,
        { field: `${field}.httpRef.url` },
      ),
    ];
  }
  const url = httpUrl(httpRef);
  if (url === undefined) {
    return [
      createDiagnostic(
        "HTTPREF_INVALID",
        `${name} has ${field}.httpRef.url "${redactUrl(httpRef)}", which is not an http or https URL: the runner cannot fetch it and the task fails on every retry; use an https URL`,
        def,
        { field: `${field}.httpRef.url` },
      ),
    ];
  }
  const pin = parseIntegrityPin(url.hash);
  if (pin.kind === "invalid") {
    return [
      createDiagnostic(
        "HTTPREF_PIN_INVALID",
        `${name} has ${field}.httpRef.url "${redactUrl(url)}" with an invalid #sha256 pin (${pin.problem}): our runners refuse to fetch it, so the task fails on every retry, and the stock images ignore the pin; write #sha256= and ${VALID_PIN}`,
        def,
        { field: `${field}.httpRef.url` },
      ),
    ];
  }
  if (pin.kind === "none") {
    return [
      createDiagnostic(
        "HTTPREF_UNPINNED",
        `${name} fetches its code from "${redactUrl(url)}" without an integrity pin: the stock images run whatever the server returns, on every retry; append "#sha256=<hex>" to the URL (our runners check it; the fragment is never sent)`,
        def,
        { field: `${field}.httpRef.url` },
      ),
    ];
  }
  return [];
}

/**
 * Python `cmdParameters` that keep the script from running on every image (Keptn's and this
 * project's: the words before a lone `--`), and quotes or shell characters, which the stock
 * image splits unquoted.
 */
function checkCmdParameters(
  def: TaskDefinition,
  spec: RuntimeSpec,
  field: string,
  name: string,
): Diagnostic[] {
  if (def.runner !== "python" || spec.cmdParameters === undefined) return [];
  const words = spec.cmdParameters.split(/\s+/).filter((word) => word !== "");
  const separator = words.indexOf("--");
  const problem = pythonArgsProblem(separator < 0 ? words : words.slice(0, separator));
  const out = problem === undefined ? [] : [pythonCmdParameters(def, problem, field, name)];
  if (!/["'\\*?[$`]/.test(spec.cmdParameters)) return out;
  return [
    ...out,
    createDiagnostic(
      "CMD_PARAMETERS_SPLIT",
      `${name} has ${field}.cmdParameters with quotes or shell characters: the stock python image expands $CMD_ARGS unquoted, so it is split on spaces and globbed and the quotes reach python literally; pass plain options only, and data through parameters`,
      def,
      { field: `${field}.cmdParameters` },
    ),
  ];
}

/**
 * `PYTHON_CMD_PARAMETERS`: Keptn's image runs `python3 $CMD_ARGS $SCRIPT`, so these options
 * replace or skip the script.
 */
export function pythonCmdParameters(
  def: TaskDefinition,
  problem: PythonArgsProblem,
  field: string,
  name: string,
): Diagnostic {
  return createDiagnostic(
    "PYTHON_CMD_PARAMETERS",
    `${name} has ${field}.cmdParameters with "${problem.word}", which ${problem.why}: Keptn's image runs python3 $CMD_ARGS $SCRIPT, so the task does not run as written; pass only interpreter options that leave the script alone (-u, -B, -W ..., -X ...), and data through parameters`,
    def,
    { field: `${field}.cmdParameters` },
  );
}

/**
 * Checks a definition on its own: apiVersion traps, runtimes, code sources, timeout.
 *
 * @param def The definition.
 * @returns Its diagnostics, in a stable order.
 * @example
 * ```ts
 * for (const d of checkDefinition(def)) console.log(d.code);
 * ```
 */
export function checkDefinition(def: TaskDefinition): Diagnostic[] {
  return [
    ...checkFunctionField(def),
    ...checkRuntimeChoice(def),
    ...(def.runtime === undefined ? [] : checkRuntime(def, def.runtime)),
    ...checkTimeout(def),
    ...checkContainerVolumes(def),
    ...checkContainerContext(def),
    ...checkJobRules(def),
    ...checkJobNames(def),
  ];
}

/** What Keptn's admission webhook answers when no runtime is set. */
const WEBHOOK_NO_RUNTIME = '"Either Container, Python, or Deno field must be defined"';

/**
 * `spec.function`: Keptn 2.x ignores it in every apiVersion (the deprecated fields were removed in
 * March 2024): its controllers read only the v1 types, and its webhook, which sees every
 * apiVersion's objects as v1, rejects a definition with nothing else.
 */
function checkFunctionField(def: TaskDefinition): Diagnostic[] {
  if (!def.ignoredFunction) return [];
  const name = `"${def.name}"`;
  const others = def.declaredRuntimes.filter((r) => r !== "function");
  if (others.length === 0) {
    return [
      createDiagnostic(
        "NO_RUNTIME",
        `${name} sets only spec.function, which Keptn 2.x ignores in every apiVersion: its admission webhook rejects the definition (${WEBHOOK_NO_RUNTIME}); move the code to spec.deno`,
        def,
        { field: "spec.function" },
      ),
    ];
  }
  const runs = def.runtimeField === undefined ? "nothing else" : `spec.${def.runtimeField} instead`;
  return [
    createDiagnostic(
      "FUNCTION_IGNORED",
      `${name} sets spec.function, which Keptn 2.x ignores in every apiVersion: it runs ${runs}; remove spec.function`,
      def,
      { field: "spec.function" },
    ),
  ];
}

/**
 * No runtime, an empty one, or several (Keptn's webhook rejects more than one, in every
 * apiVersion: it sees them all as v1).
 */
function checkRuntimeChoice(def: TaskDefinition): Diagnostic[] {
  const name = `"${def.name}"`;
  const runtimes = def.declaredRuntimes.filter((r) => r !== "function");
  if (runtimes.length > 1) {
    const list = runtimes.map((r) => `spec.${r}`).join(", ");
    return [
      createDiagnostic(
        "MULTIPLE_RUNTIMES",
        `${name} sets ${list}: Keptn's admission webhook rejects it ("Only one of Container, Python, or Deno field can be defined"); keep one`,
        def,
        { field: `spec.${runtimes[1]}` },
      ),
    ];
  }
  const [only] = runtimes;
  if (only === undefined) {
    if (def.ignoredFunction) return []; // said by checkFunctionField
    return [
      createDiagnostic(
        "NO_RUNTIME",
        def.hasSpec === false
          ? `${name} has no spec, which Keptn's CRD takes, but Keptn's admission webhook rejects it (${WEBHOOK_NO_RUNTIME}); add a spec with deno, python or container`
          : `${name} sets no runtime: Keptn's admission webhook rejects it (${WEBHOOK_NO_RUNTIME}); set spec.deno, spec.python or spec.container`,
        def,
        def.hasSpec === false ? {} : { field: "spec" },
      ),
    ];
  }
  if (def.runner !== "none") return [];
  const what =
    only === "container"
      ? "set its name and image"
      : "give it code: inline.code, httpRef.url, configMapRef.name or functionRef.name";
  return [
    createDiagnostic(
      "EMPTY_RUNTIME",
      `${name} sets spec.${only} with nothing in it (an empty inline.code counts as nothing): Keptn accepts the definition, but creates no Job for its tasks, so they never run; ${what}`,
      def,
      { field: `spec.${only}` },
    ),
  ];
}

/** A `spec.timeout` under one second, which Keptn turns into an active deadline of 0. */
function checkTimeout(def: TaskDefinition): Diagnostic[] {
  if (def.timeout === undefined) return [];
  const nanos = parseGoDuration(def.timeout);
  if (nanos === undefined || nanos < 0) return [timeoutInvalid(def, def.timeout, nanos)];
  if (nanos >= 1e9) return [];
  return [
    createDiagnostic(
      "TIMEOUT_TOO_SHORT",
      `"${def.name}" has spec.timeout "${def.timeout}": Keptn sets activeDeadlineSeconds to 0, so the Job is stopped before it can run; use at least "1s"`,
      def,
      { field: "spec.timeout" },
    ),
  ];
}

/**
 * A `spec.timeout` the API server takes (the CRD's pattern `^0|(...)+$` anchors its second
 * branch at the end only) but the operator cannot use: no Go duration, or a negative one.
 */
export function timeoutInvalid(
  subject: TaskDefinition | KeptnTask,
  timeout: string,
  nanos: number | undefined,
): Diagnostic {
  const what = subject.kind === "KeptnTask" ? "the task" : "the definition and its tasks";
  const why =
    nanos === undefined
      ? `but it is no Go duration (time.ParseDuration refuses it), so the operator cannot decode ${what}, which never run${subject.kind === "KeptnTask" ? "s" : ""}`
      : `but Keptn turns it into activeDeadlineSeconds ${Math.trunc(nanos / 1e9)}, and the API server refuses a Job with a negative deadline, so the task never runs`;
  return createDiagnostic(
    "TIMEOUT_INVALID",
    `"${subject.name}" has spec.timeout "${timeout}": the API server accepts it (the CRD's pattern only checks how the value ends), ${why}; write a positive duration such as "5m" or "1h30m"`,
    subject,
    { field: "spec.timeout" },
  );
}

/**
 * `TIMEOUT_INVALID` for a hand-made KeptnTask whose `spec.timeout` the operator cannot use.
 *
 * @param task - The KeptnTask.
 */
export function checkTaskTimeout(task: KeptnTask): Diagnostic[] {
  if (task.timeout === undefined) return [];
  const nanos = parseGoDuration(task.timeout);
  return nanos === undefined || nanos < 0 ? [timeoutInvalid(task, task.timeout, nanos)] : [];
}

/** Container volumes without a memory limit, which Keptn sizes at 1 byte. */
function checkContainerVolumes(def: TaskDefinition): Diagnostic[] {
  const mounts = def.container?.volumeMounts;
  if (mounts === undefined || mounts.length === 0) return [];
  const out: Diagnostic[] = [];
  if (mounts.length > 1) {
    const names = mounts.slice(1).map((mount) => `"${mount.name ?? ""}"`);
    out.push(
      createDiagnostic(
        "CONTAINER_VOLUME_MOUNTS",
        `"${def.name}" has ${mounts.length} volumeMounts, but Keptn creates a volume for the first ("${mounts[0]?.name ?? ""}") only: the API server rejects the Job, whose other mounts (${names.join(", ")}) name no volume, so the task never runs; keep one volumeMount and use subPath for more paths`,
        def,
        { field: "spec.container.volumeMounts.1" },
      ),
    );
  }
  if (def.container?.resources?.limits?.memory === undefined) {
    out.push(
      createDiagnostic(
        "CONTAINER_VOLUME_TINY",
        `"${def.name}" mounts volume "${mounts[0]?.name ?? ""}" without resources.limits.memory: Keptn backs it with an in-memory emptyDir whose sizeLimit is 1 byte (the operator means 1Gi but builds the quantity 1), so writes fail; set resources.limits.memory`,
        def,
        { field: "spec.container.volumeMounts.0" },
      ),
    );
  }
  return out;
}

/** A `KEPTN_CONTEXT` env with `valueFrom`: Keptn sets its `value` too, which Kubernetes refuses. */
function checkContainerContext(def: TaskDefinition): Diagnostic[] {
  const env = def.container?.env ?? [];
  const index = env.findIndex((e) => e.name === "KEPTN_CONTEXT" && e.valueFrom !== undefined);
  if (index < 0) return [];
  return [
    createDiagnostic(
      "CONTAINER_CONTEXT_VALUE_FROM",
      `"${def.name}" sets env KEPTN_CONTEXT with valueFrom: Keptn writes the task's context into its value and keeps valueFrom, and the API server rejects a variable with both, so the Job is never created; remove KEPTN_CONTEXT from the container's env (Keptn sets it)`,
      def,
      { field: `spec.container.env.${index}.valueFrom` },
    ),
  ];
}
