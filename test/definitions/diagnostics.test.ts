import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type Catalog,
  checkDefinition,
  createCatalog,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  formatDiagnostic,
  hasErrors,
  loadManifests,
  parseManifests,
  resolveTask,
  validateCatalog,
} from "../../sdk/src/definitions/index.js";
import { fixtureCatalog, fixturePath } from "../helpers/definition-fixtures.js";

interface Row {
  code: DiagnosticCode;
  it: string;
  fixture: string;
  run: (catalog: Catalog) => readonly Diagnostic[];
  level: "error" | "warning";
  object: string;
  /** Fragments the message must contain: what is wrong, what Keptn does, how to fix it. */
  says: string[];
}

const resolve =
  (definition: string, extra: object = {}) =>
  (catalog: Catalog) =>
    resolveTask(catalog, { definition, namespace: "shop", ...extra }).diagnostics;
const check = (definition: string) => (catalog: Catalog) => {
  const def = catalog.findDefinition(definition, "shop");
  if (def === undefined) throw new Error(`no fixture definition ${definition}`);
  return checkDefinition(def);
};
const validate = (catalog: Catalog) => validateCatalog(catalog);

const rows: Row[] = [
  {
    code: "FUNCTION_IGNORED",
    it: "warns that Keptn 2.x ignores spec.function in v1beta1 and runs spec.deno",
    fixture: "traps",
    run: resolve("function-and-deno-in-v1beta1"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/function-and-deno-in-v1beta1",
    says: [
      "sets spec.function, which Keptn 2.x ignores in every apiVersion",
      "it runs spec.deno instead",
      "remove spec.function",
    ],
  },
  {
    code: "FUNCTION_IGNORED",
    it: "warns that Keptn 2.x ignores spec.function in v1alpha3 too, and runs spec.python",
    fixture: "traps",
    run: resolve("function-and-python-alpha3"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/function-and-python-alpha3",
    says: ["ignores in every apiVersion", "it runs spec.python instead"],
  },
  {
    code: "NO_RUNTIME",
    it: "reports a v1beta1 definition with only spec.function as rejected by the webhook",
    fixture: "traps",
    run: check("function-in-v1beta1"),
    level: "error",
    object: "KeptnTaskDefinition/shop/function-in-v1beta1",
    says: [
      "sets only spec.function, which Keptn 2.x ignores in every apiVersion",
      'admission webhook rejects the definition ("Either Container, Python, or Deno field must be defined")',
      "move the code to spec.deno",
    ],
  },
  {
    code: "NO_RUNTIME",
    it: "reports a v1alpha3 definition with only spec.function as rejected by the webhook",
    fixture: "traps",
    run: check("function-in-alpha3"),
    level: "error",
    object: "KeptnTaskDefinition/shop/function-in-alpha3",
    says: ["sets only spec.function", "admission webhook rejects the definition"],
  },
  {
    code: "NO_RUNTIME",
    it: "reports a v1 definition without a runtime as rejected by the webhook",
    fixture: "traps",
    run: check("no-runtime"),
    level: "error",
    object: "KeptnTaskDefinition/shop/no-runtime",
    says: ["admission webhook rejects it", "set spec.deno, spec.python or spec.container"],
  },
  {
    code: "NO_RUNTIME",
    it: "reports a v1beta1 definition with only spec.function as rejected by the webhook",
    fixture: "traps",
    run: check("only-function-beta1"),
    level: "error",
    object: "KeptnTaskDefinition/shop/only-function-beta1",
    says: ["sets only spec.function", "admission webhook rejects the definition"],
  },
  {
    code: "EMPTY_RUNTIME",
    it: "reports deno: {} as accepted by Keptn, which then creates no Job",
    fixture: "traps",
    run: check("empty-deno"),
    level: "error",
    object: "KeptnTaskDefinition/shop/empty-deno",
    says: [
      "sets spec.deno with nothing in it",
      "Keptn accepts the definition, but creates no Job for its tasks",
      "give it code",
    ],
  },
  {
    code: "EMPTY_RUNTIME",
    it: 'reports inline code "" as nothing: Keptn creates no Job',
    fixture: "traps",
    run: check("empty-inline-code"),
    level: "error",
    object: "KeptnTaskDefinition/shop/empty-inline-code",
    says: ["sets spec.python with nothing in it (an empty inline.code counts as nothing)"],
  },
  {
    code: "MULTIPLE_RUNTIMES",
    it: "reports deno and python in v1alpha3 as an error: the webhook sees every version as v1",
    fixture: "traps",
    run: check("deno-and-python-alpha3"),
    level: "error",
    object: "KeptnTaskDefinition/shop/deno-and-python-alpha3",
    says: [
      "sets spec.deno, spec.python",
      "Only one of Container, Python, or Deno field can be defined",
    ],
  },
  {
    code: "MULTIPLE_RUNTIMES",
    it: "reports two runtimes in v1 as an error: the webhook rejects them",
    fixture: "traps",
    run: resolve("deno-and-python-v1"),
    level: "error",
    object: "KeptnTaskDefinition/shop/deno-and-python-v1",
    says: ["Only one of Container, Python, or Deno field can be defined", "keep one"],
  },
  {
    code: "NO_CODE",
    it: "reports a runtime without any code source",
    fixture: "traps",
    run: resolve("no-code"),
    level: "error",
    object: "KeptnTaskDefinition/shop/no-code",
    says: [
      "has no code in spec.deno",
      "Keptn fails to create the Job",
      "set inline.code, httpRef.url",
    ],
  },
  {
    code: "INLINE_AND_HTTPREF",
    it: "warns that inline code wins over httpRef",
    fixture: "code-sources",
    run: resolve("inline-and-http"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/inline-and-http",
    says: [
      'stores the inline code in ConfigMap "keptnfn-inline-and-http" and runs it',
      'ignoring "https://scripts.example.com/ignored.ts"',
      "remove one of them",
    ],
  },
  {
    code: "INLINE_AND_CONFIGMAP",
    it: "warns that inline code wins over configMapRef",
    fixture: "code-sources",
    run: resolve("inline-and-configmap"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/inline-and-configmap",
    says: ['Keptn runs the inline code and ignores ConfigMap "task-code"', "remove one of them"],
  },
  {
    code: "CONFIGMAP_AND_HTTPREF",
    it: "warns that a ConfigMap wins over httpRef",
    fixture: "code-sources",
    run: resolve("configmap-and-http"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/configmap-and-http",
    says: ['Keptn runs ConfigMap "task-code" when it exists', "ignores", "remove one of them"],
  },
  {
    code: "FUNCTIONREF_WITH_CODE",
    it: "warns that a child's own code is ignored next to a functionRef",
    fixture: "traps",
    run: resolve("ref-and-code"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/ref-and-code",
    says: ['Keptn runs the code of "helper" and ignores this definition\'s code'],
  },
  {
    code: "FUNCTIONREF_CHAIN",
    it: "explains that a python chain would succeed without running",
    fixture: "chains",
    run: resolve("a"),
    level: "error",
    object: "KeptnTaskDefinition/shop/a",
    says: [
      "functionRef chain a -> b -> c: Keptn follows one level, so SCRIPT would be empty and a python task would succeed without running",
      'point "a" at the definition with the code',
    ],
  },
  {
    code: "FUNCTIONREF_CHAIN",
    it: "explains that a deno chain would fail on every retry",
    fixture: "chains",
    run: resolve("d"),
    level: "error",
    object: "KeptnTaskDefinition/shop/d",
    says: [
      "functionRef chain d -> e -> f: Keptn follows one level",
      "the deno runner would fail on every retry",
    ],
  },
  {
    code: "FUNCTIONREF_CHAIN",
    it: "marks a fully resolved chain as differing from Keptn",
    fixture: "chains",
    run: resolve("d", { functionRefs: "full" }),
    level: "warning",
    object: "KeptnTaskDefinition/shop/d",
    says: [
      "functionRef chain d -> e -> f resolved to the end",
      "this differs from Keptn",
      'point "d" at "f" directly',
    ],
  },
  {
    code: "CYCLE",
    it: "reports a functionRef cycle",
    fixture: "chains",
    run: resolve("x"),
    level: "error",
    object: "KeptnTaskDefinition/shop/x",
    says: ["functionRef cycle x -> y -> x", "SCRIPT would be empty"],
  },
  {
    code: "CYCLE",
    it: "reports a definition that references itself",
    fixture: "chains",
    run: resolve("self", { functionRefs: "full" }),
    level: "error",
    object: "KeptnTaskDefinition/shop/self",
    says: ["functionRef cycle self -> self"],
  },
  {
    code: "MISSING_PARENT",
    it: "reports a functionRef to a definition that exists nowhere",
    fixture: "chains",
    run: resolve("orphan"),
    level: "error",
    object: "KeptnTaskDefinition/shop/orphan",
    says: [
      'neither namespace "shop" nor "keptn-system"',
      "Keptn cannot create the Job",
      'create "does-not-exist"',
    ],
  },
  {
    code: "PARENT_NOT_RUNTIME",
    it: "reports a functionRef to a container definition",
    fixture: "chains",
    run: resolve("child-of-container"),
    level: "error",
    object: "KeptnTaskDefinition/shop/child-of-container",
    says: [
      "is a container task",
      "fails to create the Job",
      "reference a deno or python definition",
    ],
  },
  {
    code: "PARENT_RUNTIME_DIFFERS",
    it: "warns that the parent's runtime replaces the child's",
    fixture: "merge",
    run: resolve("deno-child-of-python"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/deno-child-of-python",
    says: ["Keptn runs the parent's code on the python image", "use the same runtime in both"],
  },
  {
    code: "TASK_DEFINITION_NOT_FOUND",
    it: "reports a workload annotation naming no task definition, with the near miss",
    fixture: "references",
    run: validate,
    level: "error",
    object: "Deployment/shop/checkout",
    says: [
      'Deployment "shop/checkout" has pre-deployment task "notfy" (annotation keptn.sh/pre-deployment-tasks)',
      'no KeptnTaskDefinition "notfy" is in namespace "shop" or "keptn-system"',
      "Keptn waits for it forever",
      'did you mean "notify"?',
    ],
  },
  {
    code: "EVALUATION_DEFINITION_NOT_FOUND",
    it: "reports a KeptnAppContext naming no evaluation definition",
    fixture: "references",
    run: validate,
    level: "error",
    object: "KeptnAppContext/shop/shop",
    says: [
      'KeptnAppContext "shop/shop" has post-deployment evaluation "error-rate" (spec.postDeploymentEvaluations)',
      "the post-deployment phase never ends",
      "create the KeptnEvaluationDefinition, or fix the name",
    ],
  },
  {
    code: "TASKS_IGNORED",
    it: "refuses task annotations Keptn never reads: a Deployment's own when its pods name the workload",
    fixture: "references",
    run: validate,
    level: "error",
    object: "Deployment/shop/cart",
    says: [
      'Deployment "shop/cart" names pre-deployment tasks "notify" (annotation keptn.sh/pre-deployment-tasks)',
      "Keptn never runs them",
      "its pod template names the workload (annotation keptn.sh/workload)",
      "never the Deployment's own",
      "move it to spec.template.metadata.annotations",
    ],
  },
  {
    code: "DEFINITION_NOT_FOUND",
    it: "reports a KeptnTask naming no definition",
    fixture: "traps",
    run: validate,
    level: "error",
    object: "KeptnTask/shop/dangling",
    says: [
      'names KeptnTaskDefinition "nowhere"',
      "Keptn creates no Job",
      "fix spec.taskDefinition",
    ],
  },
  {
    code: "JOB_NAME_TOO_LONG",
    it: "reports a definition whose every Job name would be over 63 characters",
    fixture: "names",
    run: check("notify-the-release-channel-of-the-shop-frontends"),
    level: "error",
    object: "KeptnTaskDefinition/shop/notify-the-release-channel-of-the-shop-frontends",
    says: [
      'is 48 characters long, so the Job of its pre-deployment task would be named "pre-notify-the-release-channel-of-the-shop-frontends-NNNNN-NNNNN" (64 characters)',
      "job-name label, which holds at most 63",
      "no task of it ever runs",
      "shorten the name to at most 47 characters",
    ],
  },
  {
    code: "JOB_NAME_TOO_LONG",
    it: "warns when only the post-deployment and promotion Jobs' names would be too long",
    fixture: "names",
    run: check("notify-the-release-channel-of-the-shop-checkout"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/notify-the-release-channel-of-the-shop-checkout",
    says: [
      'its post-deployment task would be named "post-notify-the-release-channel-of-the-shop-checkout-NNNNN-NNNNN" (64 characters)',
      "its post-deployment, promotion tasks never run",
      "at most 46 characters",
    ],
  },
  {
    code: "JOB_NAME_TOO_LONG",
    it: "warns when only the promotion Job's name would be too long",
    fixture: "names",
    run: check("notify-the-release-channel-of-the-shop-kiosks"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/notify-the-release-channel-of-the-shop-kiosks",
    says: ["(67 characters)", "its promotion tasks never run", "at most 41 characters"],
  },
  {
    code: "JOB_NAME_TOO_LONG",
    it: "reports a hand-made KeptnTask whose Job name would be over 63 characters",
    fixture: "names",
    run: (catalog) => validate(catalog).filter((d) => d.object?.startsWith("KeptnTask/")),
    level: "error",
    object: "KeptnTask/shop/notify-the-release-channel-now-by-hand-for-release-2-4-17a",
    says: [
      'would get a Job named "notify-the-release-channel-now-by-hand-for-release-2-4-17a-NNNNN" (64 characters)',
      "shorten the name to at most 57 characters",
    ],
  },
  {
    code: "JOB_INVALID",
    it: "reports a container without an image, whose Job the API server refuses",
    fixture: "job-rules",
    run: check("no-image"),
    level: "error",
    object: "KeptnTaskDefinition/shop/no-image",
    says: [
      "is accepted, but the API server refuses the Job Keptn builds from it",
      "it has no image",
      "the task never runs",
      "fix spec.container.image",
    ],
  },
  {
    code: "CONFIGMAP_NOT_FOUND",
    it: "warns about a configMapRef to a ConfigMap that is not among the manifests",
    fixture: "code-sources",
    run: resolve("missing-configmap"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/missing-configmap",
    says: [
      'ConfigMap "not-applied"',
      "Keptn ignores configMapRef and fails to create the Job",
      'under key "code"',
    ],
  },
  {
    code: "CONFIGMAP_WITHOUT_CODE",
    it: "reports a code ConfigMap without the key code",
    fixture: "code-sources",
    run: resolve("configmap-without-code"),
    level: "error",
    object: "ConfigMap/shop/wrong-key",
    says: [
      'has no key "code"',
      "/var/data/function.py is an empty directory",
      'put the code under the key "code"',
    ],
  },
  {
    code: "CONFIGMAP_OTHER_NAMESPACE",
    it: "refuses a Job that mounts the function ConfigMap from its own namespace",
    fixture: "traps",
    run: resolve("shared-inline"),
    level: "error",
    object: "KeptnTaskDefinition/keptn-system/shared-inline",
    says: [
      'mounts ConfigMap "keptnfn-shared-inline" by name',
      'in namespace "keptn-system"',
      "copy it there",
    ],
  },
  {
    code: "SECRET_NOT_FOUND",
    it: "warns about a secureParameters Secret that is not among the manifests",
    fixture: "traps",
    run: resolve("secret-missing"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/secret-missing",
    says: [
      'Secret "not-applied"',
      "CreateContainerConfigError",
      "create it with the key SECURE_DATA",
    ],
  },
  {
    code: "SECRET_WITHOUT_KEY",
    it: "reports a Secret without the key SECURE_DATA",
    fixture: "traps",
    run: resolve("secret-wrong-key"),
    level: "error",
    object: "Secret/shop/wrong-key",
    says: ["has no key SECURE_DATA", "CreateContainerConfigError", "rename the key to SECURE_DATA"],
  },
  {
    code: "OBJECTTYPE_APPLICATION",
    it: 'warns about inline code comparing objectType with "Application"',
    fixture: "traps",
    run: resolve("checks-application"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/checks-application",
    says: [
      'compares objectType with "Application"',
      'the operator sends "App"',
      'compare with "App"',
    ],
  },
  {
    code: "OBJECTTYPE_APPLICATION",
    it: 'warns about python code in a ConfigMap comparing objectType with "Application"',
    fixture: "traps",
    run: resolve("checks-application-py"),
    level: "warning",
    object: "ConfigMap/shop/py-code",
    says: ['ConfigMap "py-code" compares objectType with "Application"'],
  },
  {
    code: "OBJECTTYPE_APPLICATION",
    it: 'warns about a context with objectType "Application"',
    fixture: "traps",
    run: resolve("helper", { context: { objectType: "Application" } }),
    level: "warning",
    object: "KeptnTaskDefinition/shop/helper",
    says: ['has objectType "Application"', 'use "App"'],
  },
  {
    code: "HTTPREF_INVALID",
    it: "reports an httpRef that is not http(s)",
    fixture: "traps",
    run: resolve("ftp-url"),
    level: "error",
    object: "KeptnTaskDefinition/shop/ftp-url",
    says: [
      '"ftp://scripts.example.com/task.ts", which is not an http or https URL',
      "use an https URL",
    ],
  },
  {
    code: "HTTPREF_UNPINNED",
    it: "warns about httpRef code without an integrity pin",
    fixture: "code-sources",
    run: resolve("http-only"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/http-only",
    says: ["without an integrity pin", 'append "#sha256=<hex>"'],
  },
  {
    code: "HTTPREF_PIN_INVALID",
    it: "warns of a malformed #sha256 pin, which our runners refuse and Keptn's images ignore",
    fixture: "secret-urls",
    run: check("sri-pin"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/sri-pin",
    says: [
      '"https://scripts.example.com/a.ts" with an invalid #sha256 pin',
      '"sha256-abc=" is a Subresource Integrity hash (base64), not a hex digest',
      "our runners refuse to fetch it",
      'write #sha256= and exactly 64 hex digits, as "sha256sum <file>" prints them',
    ],
  },
  {
    code: "CMD_PARAMETERS_SPLIT",
    it: "warns about python cmdParameters that the stock image word-splits",
    fixture: "traps",
    run: resolve("quoted-cmd"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/quoted-cmd",
    says: ["expands $CMD_ARGS unquoted", "the quotes reach python literally"],
  },
  {
    code: "CONTAINER_IGNORES_PARAMETERS",
    it: "warns that a container task gets no parameters",
    fixture: "traps",
    run: (c) => resolveTask(c, { task: "container-run", namespace: "shop" }).diagnostics,
    level: "warning",
    object: "KeptnTask/shop/container-run",
    says: ["Keptn passes only KEPTN_CONTEXT to it", "put the values in the container's env"],
  },
  {
    code: "CONTAINER_VOLUME_TINY",
    it: "warns that a container volume without a memory limit gets 1 byte",
    fixture: "traps",
    run: resolve("container-volume"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/container-volume",
    says: ["sizeLimit is 1 byte", "set resources.limits.memory"],
  },
  {
    code: "CONTAINER_VOLUME_MOUNTS",
    it: "reports a container task's second volumeMount, for which Keptn creates no volume",
    fixture: "traps",
    run: resolve("container-two-mounts"),
    level: "error",
    object: "KeptnTaskDefinition/shop/container-two-mounts",
    says: [
      'Keptn creates a volume for the first ("scratch") only',
      'the API server rejects the Job, whose other mounts ("cache") name no volume',
      "keep one volumeMount",
    ],
  },
  {
    code: "CONTAINER_CONTEXT_VALUE_FROM",
    it: "reports a container's KEPTN_CONTEXT env with valueFrom, which ends with value and valueFrom",
    fixture: "traps",
    run: resolve("container-context-from"),
    level: "error",
    object: "KeptnTaskDefinition/shop/container-context-from",
    says: [
      "Keptn writes the task's context into its value and keeps valueFrom",
      "the API server rejects a variable with both",
      "remove KEPTN_CONTEXT from the container's env",
    ],
  },
  {
    code: "PROMOTION_WORKLOAD",
    it: "warns that Keptn runs promotion tasks only for apps",
    fixture: "traps",
    run: resolve("helper", {
      context: { workloadName: "cart", objectType: "Workload", taskType: "promotion" },
    }),
    level: "warning",
    object: "KeptnTaskDefinition/shop/helper",
    says: [
      "Keptn runs promotion tasks only for apps",
      "promotionTasksEnabled",
      'use taskType "pre" or "post", or objectType "App"',
    ],
  },
  {
    code: "TASK_JOB_FIELDS",
    it: "warns that a hand-made KeptnTask ignores the definition's retries and timeout",
    fixture: "traps",
    run: (c) => resolveTask(c, { task: "tuned-run", namespace: "shop" }).diagnostics,
    level: "warning",
    object: "KeptnTask/shop/tuned-run",
    says: [
      "does not set retries or timeout",
      'ignores retries 2 (uses 10) and timeout "30s" (uses "5m")',
    ],
  },
  {
    code: "SDK_ON_STOCK_IMAGE",
    it: "warns that Deno code importing the SDK fails on Keptn's stock deno-runtime",
    fixture: "sdk-imports",
    run: (c) =>
      validateCatalog(c, { stockImages: true }).filter(
        (d) => d.object === "KeptnTaskDefinition/shop/deno-sdk",
      ),
    level: "warning",
    object: "KeptnTaskDefinition/shop/deno-sdk",
    says: [
      'code imports "@keptn-task/sdk"',
      'Keptn\'s stock image "ghcr.io/keptn/deno-runtime:v3.0.1" lacks',
      "functionRunnerImage",
      "--images keptn-task",
    ],
  },
  {
    code: "SDK_ON_STOCK_IMAGE",
    it: "warns that Python code importing keptn_task fails on Keptn's stock python-runtime",
    fixture: "sdk-imports",
    run: (c) =>
      validateCatalog(c, { stockImages: true }).filter(
        (d) => d.object === "KeptnTaskDefinition/shop/python-sdk",
      ),
    level: "warning",
    object: "KeptnTaskDefinition/shop/python-sdk",
    says: ["code imports keptn_task", "ghcr.io/keptn/python-runtime:v1.0.8", "pythonRunnerImage"],
  },
  {
    code: "TIMEOUT_TOO_SHORT",
    it: "reports a timeout under one second",
    fixture: "traps",
    run: resolve("tiny-timeout"),
    level: "error",
    object: "KeptnTaskDefinition/shop/tiny-timeout",
    says: ['spec.timeout "500ms"', "activeDeadlineSeconds to 0", 'use at least "1s"'],
  },
  {
    code: "TIMEOUT_INVALID",
    it: "reports a timeout the API server takes but Go cannot parse",
    fixture: "keptn-traps",
    run: check("no-duration"),
    level: "error",
    object: "KeptnTaskDefinition/shop/no-duration",
    says: ['spec.timeout "abc5m"', "the API server accepts it", "operator cannot decode"],
  },
  {
    code: "TIMEOUT_INVALID",
    it: "reports a hand-made KeptnTask's negative timeout, which the Job's deadline cannot be",
    fixture: "keptn-traps",
    run: (catalog) => validate(catalog).filter((d) => d.object?.startsWith("KeptnTask/")),
    level: "error",
    object: "KeptnTask/shop/negative-timeout",
    says: ['spec.timeout "-5m"', "activeDeadlineSeconds -300", "API server refuses a Job"],
  },
  {
    code: "PYTHON_CMD_PARAMETERS",
    it: "reports python cmdParameters that make Keptn's image print and exit without the script",
    fixture: "keptn-traps",
    run: check("help-only"),
    level: "error",
    object: "KeptnTaskDefinition/shop/help-only",
    says: ['"-h"', "python3 $CMD_ARGS $SCRIPT", "pass only interpreter options"],
  },
  {
    code: "DENO_CMD_PARAMETERS_IGNORED",
    it: "warns that Keptn's deno-runtime ignores cmdParameters",
    fixture: "keptn-traps",
    run: (catalog) => validateCatalog(catalog, { stockImages: true }),
    level: "warning",
    object: "KeptnTaskDefinition/shop/deno-args",
    says: ["without $CMD_ARGS", "Deno.args", "pass data through parameters"],
  },
  {
    code: "HTTPREF_FILE",
    it: "warns that only Keptn's stock images run a file: httpRef",
    fixture: "keptn-traps",
    run: check("file-url"),
    level: "warning",
    object: "KeptnTaskDefinition/shop/file-url",
    says: ["Keptn's stock images run it", "this project's runners refuse it"],
  },
  {
    code: "NAMESPACE_NOT_ENABLED",
    it: "refuses tasks in a namespace without keptn.sh/lifecycle-toolkit: enabled, which never run",
    fixture: "keptn-traps",
    run: validate,
    level: "error",
    object: "Deployment/quiet/cart",
    says: ['Namespace "quiet"', "never run", "kubectl annotate namespace quiet"],
  },
  {
    code: "METADATA_KEY_NEAR_MISS",
    it: "warns about a key a typo away from one Keptn reads",
    fixture: "keptn-traps",
    run: validate,
    level: "warning",
    object: "Deployment/quiet/cart",
    says: ['"app.kubernetes.io/part-off"', 'did you mean "app.kubernetes.io/part-of"?'],
  },
];

describe("diagnostics", () => {
  it.each(rows.map((row) => [row.code, row.it, row] as const))(
    "%s: %s",
    async (_code, _name, row) => {
      const found = row.run(await fixtureCatalog(row.fixture)).filter((d) => d.code === row.code);
      expect(found).toHaveLength(1);
      const [diagnostic] = found;
      expect(diagnostic).toMatchObject({ level: row.level, object: row.object });
      for (const fragment of row.says) expect(diagnostic?.message).toContain(fragment);
      expect(diagnostic?.message).not.toMatch(/\.$/);
    },
  );

  it("reports a duplicate object when catalogs are merged", async () => {
    const once = await loadManifests(fixturePath("merge"));
    const catalog = createCatalog([...once.objects, ...once.objects.slice(0, 1)]);
    expect(catalog.diagnostics.map((d) => [d.level, d.code, d.object])).toEqual([
      ["warning", "DUPLICATE_OBJECT", "KeptnTaskDefinition/shop/parent"],
    ]);
    expect(catalog.diagnostics[0]?.message).toContain("kubectl apply keeps the last one");
  });

  it("flags SDK imports only against Keptn's stock images, once, at the code's field", async () => {
    const catalog = await fixtureCatalog("sdk-imports");
    const found = validateCatalog(catalog, { stockImages: true }).filter(
      (d) => d.code === "SDK_ON_STOCK_IMAGE",
    );
    // The child runs its parent's code: reported on the parent only; mentions are no imports.
    expect(found.map((d) => [d.object, d.field])).toEqual([
      ["KeptnTaskDefinition/shop/deno-sdk", "spec.deno.inline.code"],
      ["KeptnTaskDefinition/shop/python-sdk", "spec.python.inline.code"],
    ]);
    expect(validateCatalog(catalog).filter((d) => d.code === "SDK_ON_STOCK_IMAGE")).toEqual([]);
  });

  it("has a test row for every diagnostic code", () => {
    // CODE_SYNTAX_ERROR needs esbuild and python3: the command reports it
    // (test/cli/validate-keptn-traps.test.ts).
    const tested = new Set<string>([
      ...rows.map((r) => r.code),
      "DUPLICATE_OBJECT",
      "CODE_SYNTAX_ERROR",
      // The review's cases, each with its test in test/cli/validate-review.test.ts.
      "EVALUATION_TARGET_INVALID",
      "SECRET_OTHER_NAMESPACE",
      "CONTAINER_ANNOTATION_UNMATCHED",
      "DENO_PERMISSION_MISSING",
      "PYTHON_CMD_PARAMETERS_CHANGE_CODE",
      "METADATA_LABEL_INVALID",
      "APP_CONTEXT_UNMATCHED",
      "KUSTOMIZE_RENAMES_CONFIGMAP",
      // The second review's, in test/cli/validate-review-2.test.ts and validate-review-2b.test.ts.
      ...["WORKLOAD_NAME_INVALID", "SCHEDULING_GATE_REMOVED", "NAMESPACE_EXCLUDED"],
      ...["ENV_TOO_LARGE", "CONFIGMAP_TOO_LARGE", "LAST_APPLIED_TOO_LARGE", "CODE_ALL_COMMENT"],
      ...["TTL_TOO_SHORT", "EVALUATION_METRIC_REPEATED", "IMPORT_UNRESOLVABLE"],
    ]);
    expect(Object.keys(DIAGNOSTIC_CODES).filter((code) => !tested.has(code))).toEqual([]);
  });

  it("reports nothing for clean definitions", async () => {
    const versions = await fixtureCatalog("versions");
    for (const name of ["alpha3", "beta1", "v1", "container"]) {
      expect(resolveTask(versions, { definition: name, namespace: "shop" }).diagnostics).toEqual(
        [],
      );
    }
    const merge = await fixtureCatalog("merge");
    expect(resolveTask(merge, { definition: "child", namespace: "shop" }).diagnostics).toEqual([]);
  });

  it("takes a #SHA256= pin with an upper-case key as a pin", async () => {
    const catalog = await fixtureCatalog("secret-urls");
    expect(check("upper-case-pin")(catalog)).toEqual([]);
  });

  it("redacts credentials in every httpRef URL a message names", async () => {
    const diagnostics = validateCatalog(await fixtureCatalog("secret-urls"));
    const byDefinition = (name: string) =>
      diagnostics
        .filter((d) => d.object === `KeptnTaskDefinition/shop/${name}`)
        .map((d) => `${d.code} ${d.message}`);
    const shown = '"https://scripts.example.com/a.ts?token=***&ref=main"';
    expect(byDefinition("inline-and-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^INLINE_AND_HTTPREF .*ignoring ${literal(shown)}`)),
      ]),
    );
    expect(byDefinition("configmap-and-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^CONFIGMAP_AND_HTTPREF .*ignores ${literal(shown)}`)),
      ]),
    );
    expect(byDefinition("missing-configmap-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^CONFIGMAP_NOT_FOUND .*runs ${literal(shown)} instead`)),
      ]),
    );
    expect(byDefinition("unpinned-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^HTTPREF_UNPINNED .*from ${literal(shown)} without`)),
      ]),
    );
    expect(byDefinition("ftp-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"ftp://scripts.example.com/a.ts?token=***", which is not an http'),
      ]),
    );
    expect(byDefinition("unparsable-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"https://scripts.example.com/a.ts", which is not an http'),
      ]),
    );
    const all = diagnostics.map((d) => d.message).join("\n");
    expect(all).not.toMatch(/url-pass|url\/pass|tok-secret|user:/);
  });

  it("never puts a secret value in a message", async () => {
    const catalog = await fixtureCatalog("traps");
    const all = validateCatalog(catalog)
      .map((d) => d.message)
      .join("\n");
    expect(all).toContain('Secret "wrong-key" has no key SECURE_DATA');
    expect(all).not.toContain("never-shown-value");
  });

  it("validates a whole catalog, errors and warnings with their locations", async () => {
    const file = fixturePath("chains");
    const diagnostics = validateCatalog(await fixtureCatalog("chains"));
    expect(diagnostics.map((d) => `${d.code} ${d.object}`)).toEqual([
      "FUNCTIONREF_CHAIN KeptnTaskDefinition/shop/a",
      "FUNCTIONREF_CHAIN KeptnTaskDefinition/shop/d",
      "HTTPREF_UNPINNED KeptnTaskDefinition/shop/f",
      "CYCLE KeptnTaskDefinition/shop/x",
      "CYCLE KeptnTaskDefinition/shop/y",
      "CYCLE KeptnTaskDefinition/shop/self",
      "MISSING_PARENT KeptnTaskDefinition/shop/orphan",
      "PARENT_NOT_RUNTIME KeptnTaskDefinition/shop/child-of-container",
    ]);
    expect(hasErrors(diagnostics)).toBe(true);
    // At the line and column of the object (or of its field, when the diagnostic names one),
    // inside the first document (lines 2 to 8).
    const first = diagnostics[0] as Diagnostic;
    const { line = 0, column = 0 } = first.location ?? {};
    expect(first.location).toMatchObject({ file, document: 1 });
    expect([line >= 2 && line <= 8, column >= 1]).toEqual([true, true]);
    expect(formatDiagnostic(first)).toBe(
      `${file}:${line}:${column}: error FUNCTIONREF_CHAIN functionRef chain a -> b -> c: Keptn follows one level, so SCRIPT would be empty and a python task would succeed without running; point "a" at the definition with the code`,
    );
  });

  it("names Keptn's namespace once when the object is in it", () => {
    const yaml = [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: { name: orphan, namespace: keptn-system }",
      "spec:",
      "  deno: { functionRef: { name: nowhere } }",
      "---",
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTask",
      "metadata: { name: dangling, namespace: keptn-system }",
      "spec: { taskDefinition: missing, context: { appName: a, appVersion: '1', objectType: App, taskType: pre, workloadName: w, workloadVersion: '1' } }",
      "---",
      // A KeptnAppContext: the pod webhook never sees a Deployment's pods in Keptn's namespace.
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnAppContext",
      "metadata: { name: checkout, namespace: keptn-system }",
      "spec: { preDeploymentTasks: [gone] }",
    ].join("\n");
    const set = parseManifests(yaml, "same.yaml", { onError: "collect" });
    const messages = validateCatalog(createCatalog(set)).map((d) => `${d.code}: ${d.message}`);
    const codes = messages.map((m) => m.slice(0, m.indexOf(":")));
    expect(codes).toEqual(
      expect.arrayContaining([
        "MISSING_PARENT",
        "DEFINITION_NOT_FOUND",
        "TASK_DEFINITION_NOT_FOUND",
      ]),
    );
    for (const message of messages) {
      expect(message).not.toMatch(/"keptn-system" (nor|or) "keptn-system"/);
    }
    expect(messages.join("\n")).toContain('not in namespace "keptn-system"');
    expect(messages.join("\n")).toContain('is in namespace "keptn-system": Keptn waits');
  });

  it("reports every Job rule a container task breaks, each at its field, and none for a Job Kubernetes takes", async () => {
    const catalog = await fixtureCatalog("job-rules");
    const found = (name: string) => {
      const def = catalog.findDefinition(name, "shop");
      return checkDefinition(def as NonNullable<typeof def>)
        .filter((d) => d.code === "JOB_INVALID")
        .map((d) => [
          d.field,
          d.message.slice(d.message.indexOf(" because ") + 9, d.message.indexOf(", so the task")),
        ]);
    };
    expect(found("job-rejected")).toEqual([
      ["spec.retries", "its backoffLimit would be negative (-1)"],
      [
        "spec.container.name",
        'its name "Task_1" must be a DNS-1123 label, as the API server requires: lower-case letters, digits and "-", starting and ending with a letter or a digit',
      ],
      ["spec.container.ports.0.containerPort", "port 70000 is outside 1-65535"],
      [
        "spec.container.ports.0.name",
        'the port name "thisnameiswaytoolong" is not an IANA service name (at most 15 lower-case letters, digits and single "-", with a letter)',
      ],
      [
        "spec.container.env.0",
        'env "X" has both value and valueFrom, of which a variable may have one',
      ],
      ["spec.container.resources.limits.cpu", "limits.cpu is negative (-1)"],
      [
        "spec.container.resources.requests.memory",
        "it requests more memory (1.5Gi) than its limit (1Gi)",
      ],
    ]);
    expect(found("job-accepted")).toEqual([]);
  });

  it("takes names whose every Job name fits in 63 characters", async () => {
    const catalog = await fixtureCatalog("names");
    for (const name of [
      "notify-the-release-channel-of-the-baskets",
      "notify-the-release-channel-of-the-shop-kiosks",
    ]) {
      const def = catalog.findDefinition(name, "shop");
      const codes = checkDefinition(def as NonNullable<typeof def>).map(
        (d) => `${d.code} ${d.level}`,
      );
      expect(codes).toEqual(name.endsWith("kiosks") ? ["JOB_NAME_TOO_LONG warning"] : []);
    }
  });

  it("formats a diagnostic without a location by its object", () => {
    expect(
      formatDiagnostic({
        level: "warning",
        code: "CYCLE",
        message: "m",
        object: "KeptnTaskDefinition/ns/a",
      }),
    ).toBe("KeptnTaskDefinition/ns/a: warning CYCLE m");
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("docs/validate.md", () => {
  it("has an example of every code, with its level", () => {
    const doc = readFileSync("docs/validate.md", "utf8");
    const rows = new Map(
      [...doc.matchAll(/^\| `([A-Z_]+)` \| (error|warning) \| .+ \|$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const [code, { level }] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(rows.get(code), code).toBe(level);
    }
  });
});
