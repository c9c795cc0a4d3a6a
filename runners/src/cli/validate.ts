/**
 * `keptn-task validate PATH...`: every object checked against its apiVersion's schema, every
 * definition and KeptnTask resolved as the operator would, every definition a workload or app
 * context names looked up, every trap reported as one line at the line and column of its field:
 * a check a team can run in CI on a GitOps repository.
 */

import { EXIT_CODES, ManifestError, UsageError } from "@keptn-task/sdk";
import {
  type Catalog,
  closestName,
  createCatalog,
  DEFAULT_KEPTN_NAMESPACE,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticLevel,
  KEPTN_GROUPS,
  loadManifests,
  type ManifestSet,
  validateCatalog,
} from "@keptn-task/sdk/definitions";
import { type Command, oneOf, type ParsedArgs } from "./args.js";
import { codeSyntaxErrors } from "./code-syntax.js";
import type { CliContext } from "./io.js";
import { findPython } from "./runtime-paths.js";
import { tidyManifestError } from "./task-input.js";

/** One problem, as every output format prints it. */
interface Finding {
  readonly file: string | null;
  /** 1-based line and column of the field (or of its object); `null` when unknown. */
  readonly line: number | null;
  readonly column: number | null;
  /** Field path inside the object (`spec.deno.httpRef.url`), `null` when it is the object. */
  readonly path: string | null;
  readonly code: string;
  readonly level: DiagnosticLevel;
  /** The message, without the location, object and path (those are fields of their own). */
  readonly message: string;
  /** 1-based index of the YAML document in the file. */
  readonly document: number | null;
  /** `Kind/namespace/name` of the object. */
  readonly object: string | null;
}

const OUTPUTS = ["text", "json", "github"] as const;
/** What `--images` takes: Keptn's stock runner images, or this project's. */
const IMAGES = ["keptn", "keptn-task"] as const;

/** Every code `--ignore` takes, wrapped for the help text. */
function codeList(): string {
  const lines: string[] = [];
  let line = " ";
  for (const code of Object.keys(DIAGNOSTIC_CODES)) {
    if (line.length + code.length + 1 > 96) {
      lines.push(line);
      line = " ";
    }
    line += ` ${code}`;
  }
  return [...lines, line].join("\n");
}

export const validateCommand: Command = {
  name: "validate",
  options: {
    namespace: { type: "string", short: "n" },
    "keptn-namespace": { type: "string" },
    strict: { type: "boolean" },
    ignore: { type: "string", multiple: true },
    output: { type: "string", short: "o", values: OUTPUTS },
    images: { type: "string", values: IMAGES },
  },
  help: `Usage: keptn-task validate PATH... [options]

Loads every object from PATH (a file; a folder: every .yaml, .yml and .json below it; or - for
standard input), checks every object of Keptn's API groups (lifecycle.keptn.sh,
metrics.keptn.sh) against the schema of its CRD (generated from Keptn's CRDs) and Keptn's
webhooks, ConfigMaps and Secrets against theirs, resolves every definition and task as the Keptn
lifecycle-operator does, parses inline and ConfigMap code (esbuild for Deno, python3 for Python),
and checks that every task and evaluation definition named by a workload (annotation or
label keptn.sh/pre-deployment-tasks, post-deployment-tasks, pre-deployment-evaluations,
post-deployment-evaluations) or a KeptnAppContext is there. A workload's names count where
Keptn's pod webhook reads them (pods of a Deployment, StatefulSet, DaemonSet or Argo Rollout that
name their workload, keptn.sh/workload or app.kubernetes.io/name); the others are TASKS_IGNORED
warnings: Keptn never runs them. One line per problem on stdout, at the line and column of the
field:

  FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE

errors: Keptn would not run the task as written, or would wait forever for a definition;
warnings: it runs, but not as it reads (spec.function in v1beta1, a functionRef chain, inline and
httpRef both set, a Secret without the key SECURE_DATA, ...). A count goes to stderr.

In a folder, files that hold no Kubernetes object (Helm values, Chart.yaml, templates with
{{ }}, kustomization.yaml) are skipped with a note on stderr; a file named on its own is read.
A kustomization.yaml in a folder adds the ConfigMaps of its configMapGenerator, the local
resources it names outside the folder (../base) and its patches, merged onto their objects.
More: docs/validate.md.

Options:
  -n, --namespace NS      the namespace of objects that name none (default "default"), as
                          kubectl apply -n
      --keptn-namespace NS  where Keptn is installed: the fallback for definitions
                          (default keptn-system)
      --images IMAGES     the runner images the cluster runs: keptn (default: the operator's
                          stock deno-runtime and python-runtime, which lack the SDK: code
                          importing @keptn-task/sdk or keptn_task gets SDK_ON_STOCK_IMAGE) or
                          keptn-task (this project's images, set as the operator's
                          functionRunnerImage and pythonRunnerImage)
      --strict            fail on warnings too
      --ignore CODE       leave out findings with this code (repeatable, or CODE,CODE), e.g.
                          SECRET_NOT_FOUND where Secrets are not kept in git
  -o, --output FORMAT     text (default), json (one document: counts and findings with file,
                          line, column, path, code, level, message), or github (workflow
                          commands: each finding shows on its line in a pull request)
  -h, --help              show this help

Codes:
${codeList()}

Exit codes: 0 valid (warnings allowed unless --strict); 64 bad arguments; 65 an error was found
(or a warning, with --strict), a path cannot be read, or nothing Keptn reads was found (no Keptn
object, no workload naming a task or evaluation; -o json still prints its document).

Examples:
  keptn-task validate . k8s/tasks.yaml
  keptn-task validate --strict --ignore SECRET_NOT_FOUND -o github deploy/
  keptn-task validate --images keptn-task -o github .
`,
  async run(args, context) {
    const paths = args.positionals;
    if (paths.length === 0 || args.rest.length > 0) {
      throw new UsageError(
        'Cannot run "keptn-task validate" without paths: give files, folders or - for standard input: see keptn-task validate --help',
      );
    }
    const output = oneOf("validate", "output", args.string("output"), OUTPUTS, "text");
    const ignored = ignoredCodes(args.list("ignore"));
    const keptnNamespace = args.string("keptn-namespace") ?? DEFAULT_KEPTN_NAMESPACE;
    const images = oneOf("validate", "images", args.string("images"), IMAGES, "keptn");
    const set = await load(paths, args, context);
    const catalog = createCatalog(set);
    const options = { keptnNamespace, stockImages: images === "keptn" };
    const python = pythonFor(context);
    const all = sortFindings(await collectFindings(set, catalog, { ...options, python }), set);
    const findings = all.filter((finding) => !ignored.has(finding.code));
    const report = summarize(set, findings, args.flag("strict"), all.length - findings.length);
    if (countKeptnObjects(set) === 0 && all.length === 0 && !namesKeptnWorkload(set)) {
      // Nothing Keptn reads: no Keptn object, no workload naming a definition, and none with
      // keptn.sh/workload or keptn.sh/app (Keptn tracks those even with no task: its own
      // chainsaw tests apply such folders).
      const error = `Cannot validate ${paths.map((p) => `"${p}"`).join(", ")}: no Keptn object (KeptnTaskDefinition, KeptnTask, KeptnAppContext, ...) and no workload naming a task or evaluation found`;
      if (output === "json") printJson(context, { ...report, valid: false }, set, error);
      throw new ManifestError(error);
    }
    if (output === "json") printJson(context, report, set);
    else printLines(context, report, output === "github" ? githubLine : textLine);
    return report.valid ? 0 : EXIT_CODES.MANIFEST_INVALID;
  },
};

/** Loads the paths, with `-n` as the namespace of objects that name none; notes skipped files. */
async function load(
  paths: readonly string[],
  args: ParsedArgs,
  context: CliContext,
): Promise<ManifestSet> {
  const namespace = args.string("namespace");
  if (namespace === "") {
    throw new UsageError(
      'Cannot use --namespace "" with "keptn-task validate": give a namespace name',
    );
  }
  const set = await loadManifests(paths, {
    onError: "collect",
    stdin: context.io.stdin,
    ...(namespace === undefined ? {} : { defaultNamespace: namespace }),
  });
  // A path that cannot be read is bad input, not a finding: nothing was validated.
  const unreadable = set.errors.find((e) => e.location.document === undefined);
  if (unreadable !== undefined) throw tidyManifestError(unreadable);
  for (const { file, reason } of set.skipped) context.note(`Skipping "${file}": ${reason}`);
  return set;
}

/**
 * The codes of `--ignore` (repeatable, or comma-separated).
 *
 * @throws {UsageError} For an unknown code (with the nearest known one), or MANIFEST_INVALID.
 */
function ignoredCodes(values: readonly string[]): ReadonlySet<string> {
  const codes = values.flatMap((value) => value.split(",")).map((code) => code.trim());
  for (const code of codes) {
    if (Object.hasOwn(DIAGNOSTIC_CODES, code)) continue;
    if (code === "MANIFEST_INVALID") {
      throw new UsageError(
        'Cannot use --ignore "MANIFEST_INVALID" with "keptn-task validate": an object that cannot be read is not checked at all; fix it, or leave its file out',
      );
    }
    const near = closestName(code, Object.keys(DIAGNOSTIC_CODES));
    throw new UsageError(
      `Cannot use --ignore "${code}" with "keptn-task validate": unknown code${near === undefined ? "" : `: did you mean ${near}?`} (see keptn-task validate --help for the codes)`,
    );
  }
  return new Set(codes);
}

/**
 * Every problem: the manifests that failed to load, the diagnostics of the catalog, and the
 * code that does not parse.
 */
async function collectFindings(
  set: ManifestSet,
  catalog: Catalog,
  options: { keptnNamespace: string; stockImages: boolean; python: string },
): Promise<Finding[]> {
  const { python, ...validateOptions } = options;
  // Started first: esbuild and python3 parse the code in their own processes meanwhile.
  const syntax = codeSyntaxErrors(set, catalog, python);
  const diagnostics = validateCatalog(catalog, validateOptions);
  return [
    ...set.errors.map(fromManifestError),
    ...diagnostics.map(fromDiagnostic),
    ...(await syntax).map(fromDiagnostic),
  ];
}

/** The python3 that parses Python code; without one, Python code is not parsed. */
function pythonFor(context: CliContext): string {
  try {
    return findPython(context.io.env);
  } catch {
    return "python3";
  }
}

function fromManifestError(error: ManifestError): Finding {
  const { file, document, object, field, line, column } = error.location;
  const message = error.problem.replace(/:\s*$/, "");
  return {
    file: file ?? null,
    line: line ?? null,
    column: column ?? null,
    path: field ?? null,
    code: error.code,
    level: "error",
    message,
    document: document ?? null,
    object: object ?? null,
  };
}

function fromDiagnostic(diagnostic: Diagnostic): Finding {
  const { location } = diagnostic;
  return {
    file: location?.file ?? null,
    line: location?.line ?? null,
    column: location?.column ?? null,
    path: diagnostic.field ?? null,
    code: diagnostic.code,
    level: diagnostic.level,
    message: diagnostic.message,
    document: location?.document ?? null,
    object: diagnostic.object ?? null,
  };
}

/** Findings in a stable order: by file as given, then by line and column, then as found. */
function sortFindings(findings: readonly Finding[], set: ManifestSet): Finding[] {
  const fileOrder = new Map<string, number>();
  const files = [...set.objects.map((o) => o.location.file), ...findings.map((f) => f.file)];
  for (const file of files) {
    if (!fileOrder.has(file ?? "")) fileOrder.set(file ?? "", fileOrder.size);
  }
  const rank = (finding: Finding) => fileOrder.get(finding.file ?? "") ?? 0;
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        rank(a.finding) - rank(b.finding) ||
        (a.finding.line ?? 0) - (b.finding.line ?? 0) ||
        (a.finding.column ?? 0) - (b.finding.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

/** Objects of Keptn's API groups: definitions, tasks, app contexts, metrics, analyses. */
/** Keptn's own keys that make a workload Keptn's (app.kubernetes.io/* may be anybody's). */
const KEPTN_WORKLOAD_KEYS = ["keptn.sh/workload", "keptn.sh/app"];

/** Whether some object's metadata or pod template names a Keptn workload or app. */
function namesKeptnWorkload(set: ManifestSet): boolean {
  const has = (metadata: unknown) =>
    ["annotations", "labels"].some((where) => {
      const block = (metadata as Record<string, unknown> | undefined)?.[where];
      return KEPTN_WORKLOAD_KEYS.some(
        (key) => typeof block === "object" && block !== null && key in block,
      );
    });
  return set.objects.some((o) => {
    const spec = o.raw.spec as { template?: { metadata?: unknown } } | undefined;
    return has(o.raw.metadata) || has(spec?.template?.metadata);
  });
}

function countKeptnObjects(set: ManifestSet): number {
  return set.objects.filter((o) => KEPTN_GROUPS.includes(o.apiVersion.split("/")[0] ?? "")).length;
}

/**
 * Objects read: the valid ones and those whose schema error was reported (one per object,
 * however many errors it has), but not a path that could not be read.
 */
function countObjects(set: ManifestSet): number {
  const keys = new Set<string>();
  for (const { location } of set.objects) {
    keys.add(`${location.file}\u0000${location.document}\u0000${location.object ?? ""}`);
  }
  for (const { location } of set.errors) {
    if (location.document === undefined) continue;
    keys.add(`${location.file}\u0000${location.document}\u0000${location.object ?? ""}`);
  }
  return keys.size;
}

/** The outcome of a validation, as every output format prints it. */
interface ValidationReport {
  readonly valid: boolean;
  readonly objects: number;
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  /** Findings left out with `--ignore`. */
  readonly ignored: number;
  readonly findings: readonly Finding[];
}

/** Counts the findings; valid means no error, and no warning either with `--strict`. */
function summarize(
  set: ManifestSet,
  findings: readonly Finding[],
  strict: boolean,
  ignored: number,
): ValidationReport {
  const errors = findings.filter((f) => f.level === "error").length;
  const warnings = findings.length - errors;
  const files = new Set([
    ...set.objects.map((o) => o.location.file),
    ...findings.map((f) => f.file ?? undefined),
  ]).size;
  return {
    valid: errors === 0 && (warnings === 0 || !strict),
    objects: countObjects(set),
    files,
    errors,
    warnings,
    ignored,
    findings,
  };
}

/**
 * `--output json`: one JSON document on stdout, always; `error` says why it is invalid when no
 * finding does (nothing Keptn reads was found).
 */
function printJson(
  context: CliContext,
  report: ValidationReport,
  set: ManifestSet,
  error?: string,
): void {
  const { valid, objects, errors, warnings, ignored, findings } = report;
  const skipped = set.skipped.map(({ file, reason }) => ({ file, reason }));
  const document = {
    valid,
    objects,
    errors,
    warnings,
    ignored,
    skipped,
    findings,
    ...(error === undefined ? {} : { error }),
  };
  context.out(`${JSON.stringify(document, null, 2)}\n`);
}

/** The message with what locates it inside the object: the object (for schema errors), the path. */
function describe(finding: Finding): string {
  const object = finding.code === "MANIFEST_INVALID" ? finding.object : null;
  const parts = [object, finding.path].filter((part): part is string => part !== null);
  return [...parts, finding.message].join(": ");
}

/** `FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE`, as compilers and linters write it. */
function textLine(finding: Finding): string {
  const where = [finding.file, finding.line, finding.column].filter((part) => part !== null);
  const prefix = where.length === 0 ? "" : `${where.join(":")}: `;
  // One finding, one line: a line break inside a message (a name read from YAML) is escaped.
  const message = describe(finding).replaceAll("\r", "\\r").replaceAll("\n", "\\n");
  return `${prefix}${finding.level} ${finding.code} ${message}`;
}

/**
 * A GitHub Actions workflow command (`::error file=F,line=L,col=C,title=CODE::MESSAGE`): the
 * finding shows on its line in a pull request. Values are escaped as the runner unescapes them.
 */
function githubLine(finding: Finding): string {
  const data = (text: string) =>
    text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
  const property = (text: string) => data(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
  const properties = [
    finding.file === null ? undefined : `file=${property(finding.file)}`,
    finding.line === null ? undefined : `line=${finding.line}`,
    finding.column === null ? undefined : `col=${finding.column}`,
    `title=${property(finding.code)}`,
  ].filter((part) => part !== undefined);
  return `::${finding.level} ${properties.join(",")}::${data(describe(finding))}`;
}

/** Text and GitHub output: one line per finding on stdout, the counts on stderr. */
function printLines(
  context: CliContext,
  report: ValidationReport,
  format: (finding: Finding) => string,
): void {
  const { findings, errors, warnings, valid } = report;
  for (const finding of findings) context.out(`${format(finding)}\n`);
  const counts = [plural(errors, "error"), plural(warnings, "warning")].join(", ");
  const ignored = report.ignored === 0 ? "" : ` (${plural(report.ignored, "finding")} ignored)`;
  context.note(
    `checked ${plural(report.objects, "object")} in ${plural(report.files, "file")}: ${
      findings.length === 0 ? "valid" : counts
    }${valid || errors > 0 ? "" : " (--strict)"}${ignored}`,
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
