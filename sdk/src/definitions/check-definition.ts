/**
 * Checks one definition on its own (no other object needed): the traps of its apiVersion, its
 * runtime and its code source.
 */
import { parseIntegrityPin, VALID_PIN } from "../fetch/integrity-pin.js";
import { redactUrl } from "../fetch/redact-url.js";
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import { parseGoDuration } from "./go-compat.js";
import type { RuntimeSpec, TaskDefinition } from "./model.js";

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
 * @param subject The definition the code belongs to.
 */
export function checkCode(code: string, where: string, subject: TaskDefinition): Diagnostic[] {
  if (!comparesObjectTypeWithApplication(code)) return [];
  return [
    createDiagnostic(
      "OBJECTTYPE_APPLICATION",
      `${where} compares objectType with "Application": the operator sends "App" for app tasks (only old releases sent "Application"), so that branch never runs; compare with "App", or accept both`,
      subject,
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
    out.push(...checkCode(spec.inline, `${name} (${field}.inline.code)`, def));
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
      ),
    );
  }
  if (spec.functionRef === undefined && !hasCode) {
    out.push(
      createDiagnostic(
        "NO_CODE",
        `${name} has no code in ${field}: Keptn fails to create the Job ("No ConfigMap specified or HTTP source specified"); set inline.code, httpRef.url, configMapRef.name or functionRef.name`,
        def,
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
      ),
    );
  }
  if (spec.inline !== undefined && spec.configMapRef !== undefined) {
    out.push(
      createDiagnostic(
        "INLINE_AND_CONFIGMAP",
        `${name} sets both ${field}.inline and ${field}.configMapRef: Keptn runs the inline code and ignores ConfigMap "${spec.configMapRef}"; remove one of them`,
        def,
      ),
    );
  }
  if (spec.inline === undefined && spec.configMapRef !== undefined && spec.httpRef !== undefined) {
    out.push(
      createDiagnostic(
        "CONFIGMAP_AND_HTTPREF",
        `${name} sets both ${field}.configMapRef and ${field}.httpRef: Keptn runs ConfigMap "${spec.configMapRef}" when it exists and ignores "${redactUrl(spec.httpRef)}"; remove one of them`,
        def,
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
  const url = httpUrl(httpRef);
  if (url === undefined) {
    return [
      createDiagnostic(
        "HTTPREF_INVALID",
        `${name} has ${field}.httpRef.url "${redactUrl(httpRef)}", which is not an http or https URL: the runner cannot fetch it and the task fails on every retry; use an https URL`,
        def,
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
      ),
    ];
  }
  if (pin.kind === "none") {
    return [
      createDiagnostic(
        "HTTPREF_UNPINNED",
        `${name} fetches its code from "${redactUrl(url)}" without an integrity pin: the stock images run whatever the server returns, on every retry; append "#sha256=<hex>" to the URL (our runners check it; the fragment is never sent)`,
        def,
      ),
    ];
  }
  return [];
}

/** Quotes or shell characters in python `cmdParameters`, which the stock image splits unquoted. */
function checkCmdParameters(
  def: TaskDefinition,
  spec: RuntimeSpec,
  field: string,
  name: string,
): Diagnostic[] {
  if (def.runner !== "python" || spec.cmdParameters === undefined) return [];
  if (!/["'\\*?[$`]/.test(spec.cmdParameters)) return [];
  return [
    createDiagnostic(
      "CMD_PARAMETERS_SPLIT",
      `${name} has ${field}.cmdParameters with quotes or shell characters: the stock python image expands $CMD_ARGS unquoted, so it is split on spaces and globbed and the quotes reach python literally; pass plain options only, and data through parameters`,
      def,
    ),
  ];
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
  ];
}

/** Whether Keptn's admission webhook checks this apiVersion. */
function hasWebhook(def: TaskDefinition): boolean {
  return def.version === "v1beta1" || def.version === "v1";
}

/** `spec.function`, ignored in v1 and deprecated since v1alpha3. */
function checkFunctionField(def: TaskDefinition): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = `"${def.name}"`;
  if (def.ignoredFunction) {
    out.push(
      createDiagnostic(
        "FUNCTION_IN_V1",
        def.runner === "none"
          ? `${name} sets spec.function in lifecycle.keptn.sh/v1: Keptn ignores it, so this definition has no code and its tasks never run; move it to spec.deno (or spec.python)`
          : `${name} sets spec.function in lifecycle.keptn.sh/v1: Keptn ignores it and runs spec.${def.runtimeField} instead; remove spec.function`,
        def,
      ),
    );
  }
  if (
    def.declaredRuntimes.includes("function") &&
    def.version !== "v1alpha1" &&
    def.version !== "v1alpha2"
  ) {
    out.push(
      createDiagnostic(
        "FUNCTION_DEPRECATED",
        `${name} uses spec.function, deprecated in ${def.version}: Keptn runs it on the deno image here, but the v1 API drops it; move it to spec.deno`,
        def,
      ),
    );
  }
  return out;
}

/** No runtime Keptn can run, or several of which it runs one (or which its webhook rejects). */
function checkRuntimeChoice(def: TaskDefinition): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = `"${def.name}"`;
  const webhook = hasWebhook(def);
  if (def.runner === "none" && !def.ignoredFunction) {
    out.push(
      createDiagnostic(
        "NO_RUNTIME",
        webhook
          ? `${name} sets no runtime: Keptn's admission webhook rejects it ("Either Container, Python, or Deno field must be defined"); set spec.deno, spec.python or spec.container`
          : `${name} sets no runnable runtime: Keptn creates no Job, so its tasks never run; set ${def.version === "v1alpha1" || def.version === "v1alpha2" ? "spec.function" : "spec.deno, spec.python or spec.container"}`,
        def,
      ),
    );
  }
  const runtimes = def.declaredRuntimes.filter((r) => r !== "function" || !webhook);
  if (def.version === "v1beta1" && def.runner !== "none" && runtimes.length === 0) {
    out.push(
      createDiagnostic(
        "NO_RUNTIME",
        `${name} sets only spec.function: Keptn's admission webhook for v1beta1 rejects it ("Either Container, Python, or Deno field must be defined"); move it to spec.deno`,
        def,
      ),
    );
  }
  if (runtimes.length > 1) out.push(multipleRuntimes(def, runtimes, webhook));
  return out;
}

function multipleRuntimes(
  def: TaskDefinition,
  runtimes: readonly string[],
  webhook: boolean,
): Diagnostic {
  const name = `"${def.name}"`;
  const list = runtimes.map((r) => `spec.${r}`).join(", ");
  const chosen = def.runtimeField === undefined ? "nothing" : `spec.${def.runtimeField}`;
  return createDiagnostic(
    "MULTIPLE_RUNTIMES",
    webhook
      ? `${name} sets ${list}: Keptn's admission webhook rejects it ("Only one of Container, Python, or Deno field can be defined"); keep one`
      : `${name} sets ${list}: Keptn runs ${chosen} and ignores the rest; keep one`,
    def,
    webhook ? "error" : "warning",
  );
}

/** A `spec.timeout` under one second, which Keptn turns into an active deadline of 0. */
function checkTimeout(def: TaskDefinition): Diagnostic[] {
  if (def.timeout === undefined) return [];
  const nanos = parseGoDuration(def.timeout) ?? 0;
  if (nanos >= 1e9) return [];
  return [
    createDiagnostic(
      "TIMEOUT_TOO_SHORT",
      `"${def.name}" has spec.timeout "${def.timeout}": Keptn sets activeDeadlineSeconds to 0, so the Job is stopped before it can run; use at least "1s"`,
      def,
    ),
  ];
}

/** Container volumes without a memory limit, which Keptn sizes at 1 byte. */
function checkContainerVolumes(def: TaskDefinition): Diagnostic[] {
  const mounts = def.container?.volumeMounts;
  if (mounts === undefined || mounts.length === 0) return [];
  if (def.container?.resources?.limits?.memory !== undefined) return [];
  return [
    createDiagnostic(
      "CONTAINER_VOLUME_TINY",
      `"${def.name}" mounts volume "${mounts[0]?.name ?? ""}" without resources.limits.memory: Keptn backs it with an in-memory emptyDir whose sizeLimit is 1 byte (the operator means 1Gi but builds the quantity 1), so writes fail; set resources.limits.memory`,
      def,
    ),
  ];
}
