/**
 * `keptn-task validate PATH...`: every object checked against its apiVersion's schema, every
 * definition and KeptnTask resolved as the operator would, every trap reported as one line.
 */

import { EXIT_CODES, ManifestError, UsageError } from "@keptn-task/sdk";
import {
  type Catalog,
  createCatalog,
  DEFAULT_KEPTN_NAMESPACE,
  type DiagnosticLevel,
  formatDiagnostic,
  loadManifests,
  type ManifestSet,
  validateCatalog,
} from "@keptn-task/sdk/definitions";
import { type Command, oneOf } from "./args.js";
import type { CliContext } from "./io.js";
import { tidyManifestError } from "./task-input.js";

/** One problem, as `--output json` prints it. */
interface Finding {
  readonly level: DiagnosticLevel;
  readonly code: string;
  readonly message: string;
  readonly file: string | undefined;
  readonly document: number | undefined;
  readonly object: string | undefined;
  /** The line of text output. */
  readonly line: string;
}

function fromManifestError(error: ManifestError): Finding {
  const { file, document, object } = error.location;
  const where =
    file === undefined ? undefined : document === undefined ? file : `${file}:${document}`;
  const full = error.message.replace(/:\s*$/, "");
  const message =
    where !== undefined && full.startsWith(`${where}: `) ? full.slice(where.length + 2) : full;
  return {
    level: "error",
    code: error.code,
    message,
    file,
    document,
    object,
    line: `${where === undefined ? "" : `${where}: `}error ${error.code} ${message}`,
  };
}

export const validateCommand: Command = {
  name: "validate",
  options: {
    "keptn-namespace": { type: "string" },
    strict: { type: "boolean" },
    output: { type: "string", short: "o" },
  },
  help: `Usage: keptn-task validate PATH... [options]

Loads every KeptnTaskDefinition, KeptnTask, ConfigMap and Secret from PATH (a file, a folder:
every .yaml, .yml and .json below it, or - for standard input), checks each object against the
schema of its apiVersion, resolves every definition and task as the Keptn lifecycle-operator
does, and prints one line per problem on stdout:

  FILE:DOCUMENT: LEVEL CODE MESSAGE

errors: Keptn would not run the task as written; warnings: it runs, but not as it reads
(spec.function in v1, a functionRef chain, inline and httpRef both set, objectType compared with
"Application", a Secret without the key SECURE_DATA, ...). A count goes to stderr.

Options:
      --keptn-namespace NS  where Keptn is installed: the fallback for definitions
                          (default keptn-system)
      --strict            fail on warnings too
  -o, --output FORMAT     text (default) or json
  -h, --help              show this help

Exit codes: 0 valid (warnings allowed unless --strict); 64 bad arguments; 65 an error was found
(or a warning, with --strict), a path cannot be read, or no Keptn object was found.

Example:
  keptn-task validate examples/ k8s/tasks.yaml
`,
  async run(args, context) {
    const paths = args.positionals;
    if (paths.length === 0 || args.rest.length > 0) {
      throw new UsageError(
        'Cannot run "keptn-task validate" without paths: give files, folders or - for standard input: see keptn-task validate --help',
      );
    }
    const output = oneOf("validate", "output", args.string("output"), ["text", "json"], "text");
    const keptnNamespace = args.string("keptn-namespace") ?? DEFAULT_KEPTN_NAMESPACE;
    const set = await loadManifests(paths, { onError: "collect", stdin: context.io.stdin });
    // A path that cannot be read is bad input, not a finding: nothing was validated.
    const unreadable = set.errors.find((e) => e.location.document === undefined);
    if (unreadable !== undefined) throw tidyManifestError(unreadable);

    const catalog = createCatalog(set);
    const findings = sortFindings(collectFindings(set, catalog, keptnNamespace), set);
    if (countKeptnObjects(catalog) === 0 && findings.length === 0) {
      throw new ManifestError(
        `Cannot validate ${paths.map((p) => `"${p}"`).join(", ")}: no KeptnTaskDefinition or KeptnTask found`,
      );
    }
    const report = summarize(set, findings, args.flag("strict"));
    if (output === "json") printJson(context, report);
    else printText(context, report);
    return report.valid ? 0 : EXIT_CODES.MANIFEST_INVALID;
  },
};

/** Every problem: the manifests that failed to load, then the diagnostics of the catalog. */
function collectFindings(set: ManifestSet, catalog: Catalog, keptnNamespace: string): Finding[] {
  const findings: Finding[] = set.errors.map(fromManifestError);
  for (const diagnostic of validateCatalog(catalog, { keptnNamespace })) {
    findings.push({
      level: diagnostic.level,
      code: diagnostic.code,
      message: diagnostic.message,
      file: diagnostic.location?.file,
      document: diagnostic.location?.document,
      object: diagnostic.object,
      line: formatDiagnostic(diagnostic),
    });
  }
  return findings;
}

/** Findings in a stable order: by file as given, then by document, then as found. */
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
        (a.finding.document ?? 0) - (b.finding.document ?? 0) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

function countKeptnObjects(catalog: Catalog): number {
  return catalog.objects.filter((o) => o.kind === "KeptnTaskDefinition" || o.kind === "KeptnTask")
    .length;
}

/** The outcome of a validation, as both output formats print it. */
interface ValidationReport {
  readonly valid: boolean;
  readonly objects: number;
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly Finding[];
}

/** Counts the findings; valid means no error, and no warning either with `--strict`. */
function summarize(
  set: ManifestSet,
  findings: readonly Finding[],
  strict: boolean,
): ValidationReport {
  const errors = findings.filter((f) => f.level === "error").length;
  const warnings = findings.length - errors;
  const files = new Set([
    ...set.objects.map((o) => o.location.file),
    ...findings.map((f) => f.file),
  ]).size;
  return {
    valid: errors === 0 && (warnings === 0 || !strict),
    objects: set.objects.length,
    files,
    errors,
    warnings,
    findings,
  };
}

/** `--output json`: one JSON document on stdout. */
function printJson(context: CliContext, report: ValidationReport): void {
  const { valid, objects, errors, warnings } = report;
  const findings = report.findings.map(({ line: _line, ...finding }) => finding);
  context.out(`${JSON.stringify({ valid, objects, errors, warnings, findings }, null, 2)}\n`);
}

/** Text output: one line per finding on stdout, the counts on stderr. */
function printText(context: CliContext, report: ValidationReport): void {
  const { findings, errors, warnings, valid } = report;
  for (const finding of findings) context.out(`${finding.line}\n`);
  const counts = [plural(errors, "error"), plural(warnings, "warning")].join(", ");
  context.note(
    `checked ${plural(report.objects, "object")} in ${plural(report.files, "file")}: ${
      findings.length === 0 ? "valid" : counts
    }${valid || errors > 0 ? "" : " (--strict)"}`,
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
