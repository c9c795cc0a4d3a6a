// The public API of each entry point, pinned: an export added or removed by accident fails here.
// The root entry point is what docs/guide/typescript.md documents for task authors, name by name.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";

const ROOT_EXPORTS = [
  "CodeResolutionError",
  "ConfigError",
  "EXIT_CODES",
  "FetchError",
  "KeptnTaskError",
  "MASK",
  "ManifestError",
  "RuntimeMissingError",
  "SecretMasker",
  "SecretRegistry",
  "TASK_ENV_VARS",
  "UsageError",
  "childTraceparent",
  "createLogger",
  "createMaskingStream",
  "defaultSecrets",
  "keptnContextSchema",
  "maskSecrets",
  "parseContext",
  "parseData",
  "parseSecureData",
  "parseTraceparent",
  "registerSecret",
  "run",
  "task",
  "writeTerminationLog",
  "z",
];

const TESTING_EXPORTS = ["TEST_CONTEXT", "runHandler"];

const ENTRY_POINTS: Record<string, string[]> = {
  "@keptn-task/sdk": ROOT_EXPORTS,
  // The same API as one file for Deno.
  "@keptn-task/sdk/bundle": ROOT_EXPORTS,
  "@keptn-task/sdk/definitions": [
    "DEFAULT_KEPTN_NAMESPACE",
    "DEFAULT_NAMESPACE",
    "DEFAULT_RUNNER_IMAGES",
    "DEFINITION_SCHEMAS",
    "DEFINITION_VERSIONS",
    "DIAGNOSTIC_CODES",
    "JOB_DEFAULTS",
    "KEPTN_GROUP",
    "KEPTN_GROUPS",
    "MAX_ENV_ENTRY_BYTES",
    "MOUNT_PATHS",
    "checkDefinition",
    "checkReferences",
    "closestName",
    "comparesObjectTypeWithApplication",
    "configMapSchema",
    "containerSpecSchema",
    "createCatalog",
    "createDiagnostic",
    "definitionSchemaAny",
    "definitionV1Schema",
    "definitionV1alpha1Schema",
    "definitionV1alpha2Schema",
    "definitionV1alpha3Schema",
    "definitionV1beta1Schema",
    "encodeKeptnContext",
    "envEntryBytes",
    "formatDiagnostic",
    "formatFieldPath",
    "hasErrors",
    "inlineConfigMapName",
    "isRuntimeEmpty",
    "keptnTaskSchema",
    "loadManifests",
    "locateDiagnostics",
    "normalizeConfigMap",
    "normalizeDefinition",
    "normalizeSecret",
    "normalizeTask",
    "objectId",
    "parseFieldPath",
    "parseManifests",
    "parseObjects",
    "renderJob",
    "resolveTask",
    "runtimeSpecSchema",
    "secretSchema",
    "taskContextSchema",
    "taskEnv",
    "validateCatalog",
  ],
  "@keptn-task/sdk/fetch": ["FETCH_DEFAULTS", "fetchScript", "redactUrl"],
  // Running a task handler in a unit test, for Node and (as a file importing the bundle) Deno.
  "@keptn-task/sdk/testing": TESTING_EXPORTS,
  "@keptn-task/sdk/bundle/testing": TESTING_EXPORTS,
  // Keptn's contract written once (sdk/src/contract/): what the runner, the command and other
  // tools that speak it share. No definitions tooling behind it.
  "@keptn-task/sdk/contract": [
    "DEFAULT_DENO_PERMISSIONS",
    "DENO_TASK_ENV",
    "runnerDenoFlags",
    "EXIT_CODES",
    // Go's encodings as the operator applies them.
    "createResourceName",
    "formatGoDuration",
    "goJsonString",
    "goJsonStringMap",
    "parseGoDuration",
    // The one rule for python options before the script: the runner refuses, validate reports.
    "PYTHON_INSPECTS",
    "pythonArgsProblem",
    "pythonEntryCommand",
    "readDataMap",
    // The KEPTN_CONTEXT contract (sdk/src/contract/keptn-context.ts) and its trace context.
    "CONTEXT_KEYS",
    "CONTEXT_MESSAGES",
    "OBJECT_TYPES",
    "TASK_TYPES",
    "isPlainContext",
    "readContextJson",
    "childTraceparent",
    "parseTraceparent",
    // The process policy (sdk/src/contract/process-policy.ts).
    "COMMAND_STOP_SIGNALS",
    "DEFAULT_GRACE_MS",
    "DEFAULT_TERMINATION_LOG",
    "DRAIN_MS",
    "KILLED_EXIT_CODE",
    "MAX_TIMER_MS",
    "POD_GRACE_MS",
    "PROVISIONAL_REASON",
    "STOP_SIGNALS",
    "StopSequence",
    "TERMINATION_MESSAGE_MAX_BYTES",
    "TerminationLogWriter",
    "clampTimerMs",
    "exitCodeForSignalNumber",
    "failExitCode",
    "isPolicySignal",
    "notStartedReason",
    "parseGraceSeconds",
    "readsAsSuccess",
    "readsAsSuccessReason",
    "signalExitCode",
    "taskEndReason",
    "timerDelay",
    "truncateUtf8",
    "uncaughtReason",
    // The one exit path (process-policy.ts).
    "childExitCode",
    "taskExitCode",
    "terminationReadBytes",
    // The one rule of what is secret (sdk/src/contract/secret-rule.ts).
    "SECRET_QUERY_PARAM",
    "headerSecrets",
    "otelSecrets",
    "redactUrl",
    "registerTaskSecrets",
    "urlSecrets",
  ],
  // Not public API (the TypeScript guide says so), but pinned too: what the runner and the
  // command share that is not Keptn's contract.
  "@keptn-task/sdk/internal": [
    "closestName",
    "lookupNamespaces",
    "parseDeadline",
    // Bounded reads (sdk/src/core/bounded-read.ts).
    "readFileStart",
    "readFileStartSync",
    // The standard OpenTelemetry variables, read with no OpenTelemetry code (sdk/src/trace/otel-env.ts).
    "OTEL_ENV_VARS",
    "TRACE_ENV_VARS",
    "otelWanted",
    "readOtelConfig",
  ],
  // Span export with the OpenTelemetry SDK, loaded only when an endpoint is set (the SDK's t.span,
  // the runner's span of a task run).
  "@keptn-task/sdk/internal/tracing": ["parseTraceparent", "readOtelConfig", "startTracing"],
  // Not public API either: the runner's httpRef fetch on Deno's own fetch.
  "@keptn-task/sdk/internal/fetch": [
    "PROXY_VARIABLES",
    "fetchScriptWith",
    "socketConnectsPending",
    "socketTransport",
    "webTransport",
  ],
};

describe.each(Object.entries(ENTRY_POINTS))("the entry point %s", (specifier, expected) => {
  it("exports exactly its public API", async () => {
    const module = (await import(specifier)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual([...expected].sort());
  });
});

describe("the SDK's public API", () => {
  const guide = readFileSync(`${ROOT}docs/guide/typescript.md`, "utf8");

  it.each(ROOT_EXPORTS)("documents %s in the TypeScript guide", (name) => {
    expect(guide).toMatch(new RegExp(`\`${name}[\`(.<]`));
  });

  it("keeps the runner's and the command's helpers out of the root entry point", async () => {
    const internal = (await import("@keptn-task/sdk/internal")) as Record<string, unknown>;
    const root = (await import("@keptn-task/sdk")) as Record<string, unknown>;
    const shared = Object.keys(internal).filter((name) => name in root);
    expect(shared).toEqual([]);
  });

  it("ships the editor schema of KeptnTaskDefinition at @keptn-task/sdk/schemas/", async () => {
    const { createRequire } = await import("node:module");
    const require = createRequire(`${ROOT}package.json`);
    const path = require.resolve("@keptn-task/sdk/schemas/keptn-task-definition.schema.json");
    const schema = JSON.parse(readFileSync(path, "utf8")) as { title: string };
    expect(schema.title).toBe("KeptnTaskDefinition");
  });

  it("declares every entry point in the package's exports map, types first", () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}sdk/package.json`, "utf8")) as {
      exports: Record<string, string | Record<string, string>>;
    };
    const entries = Object.keys(ENTRY_POINTS).map((s) => s.replace("@keptn-task/sdk", "."));
    for (const entry of [...entries, "./internal", "./internal/fetch"]) {
      const target = pkg.exports[entry];
      expect(target, entry).toBeTypeOf("object");
      expect(Object.keys(target as object)[0], entry).toBe("types");
    }
  });
});
