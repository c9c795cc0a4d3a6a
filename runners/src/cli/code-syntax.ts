/**
 * `CODE_SYNTAX_ERROR`: inline and ConfigMap code that does not parse, reported at its line inside
 * the manifest (or inside the file a kustomize generator read it from). Deno code is parsed by
 * esbuild (TypeScript, as the runner's `function.ts`), Python code by one `python3` process for
 * all snippets (`compile()`, nothing runs). httpRef code is not fetched.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  type Catalog,
  createDiagnostic,
  type Diagnostic,
  type LoadedManifest,
  type ManifestSet,
  objectId,
} from "@keptn-task/sdk/definitions";
import { transform } from "esbuild";

/** One piece of code to parse, and where it is. */
interface Snippet {
  readonly runner: "deno" | "python";
  readonly code: string;
  /** How a message names it: `"notify" (spec.deno.inline.code)`. */
  readonly what: string;
  readonly manifest: LoadedManifest;
  readonly field: string;
  /** The file the code was read from whole (a kustomize generator's), else undefined. */
  readonly file: string | undefined;
}

/** A syntax error at a line and column of the code (1-based). */
interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const PYTHON_CHECK = `
import json, sys
out = []
for code in json.load(sys.stdin):
    try:
        compile(code, "function.py", "exec", dont_inherit=True)
        out.append(None)
    except SyntaxError as e:
        out.append({"line": e.lineno or 1, "column": e.offset or 1, "message": e.msg})
    except ValueError as e:
        out.append({"line": 1, "column": 1, "message": str(e)})
json.dump({"version": list(sys.version_info[:2]), "results": out}, sys.stdout)
`;

/** The Python of Keptn's python-runtime image (python:3.13.0-alpine). */
const KEPTN_PYTHON: readonly [number, number] = [3, 13];

/** What the python3 at hand made of the code, and its version. */
interface PythonParse {
  readonly version: readonly [number, number];
  readonly results: readonly (SyntaxProblem | null)[];
}

/** The snippets validate parses: each definition's inline code, each code ConfigMap once. */
function snippetsOf(set: ManifestSet, catalog: Catalog): Snippet[] {
  const manifests = new Map(set.objects.map((m) => [m.location.object ?? "", m]));
  const out: Snippet[] = [];
  const seen = new Set<string>();
  for (const def of catalog.definitions()) {
    if (def.runner !== "deno" && def.runner !== "python") continue;
    const spec = def.runtime ?? {};
    const own = manifests.get(objectId(def));
    if (spec.inline !== undefined && own !== undefined) {
      const field = `spec.${def.runtimeField}.inline.code`;
      const what = `"${def.name}" (${field})`;
      out.push({
        runner: def.runner,
        code: spec.inline,
        what,
        manifest: own,
        field,
        file: undefined,
      });
    }
    const cm =
      spec.configMapRef === undefined
        ? undefined
        : catalog.findConfigMap(spec.configMapRef, def.namespace);
    const code = cm?.data.code;
    const manifest = cm === undefined ? undefined : manifests.get(objectId(cm));
    if (cm === undefined || code === undefined || manifest === undefined) continue;
    if (seen.has(`${objectId(cm)}/${def.runner}`)) continue;
    seen.add(`${objectId(cm)}/${def.runner}`);
    const file = manifest.generatedFrom?.code;
    const what = `ConfigMap "${cm.name}" (code of "${def.name}", ${def.runner})`;
    out.push({ runner: def.runner, code, what, manifest, field: "data.code", file });
  }
  return out;
}

async function denoProblem(code: string): Promise<SyntaxProblem | undefined> {
  try {
    await transform(code, { loader: "ts", format: "esm", logLevel: "silent" });
    return undefined;
  } catch (error) {
    const [first] =
      (error as { errors?: { text: string; location?: { line: number; column: number } }[] })
        .errors ?? [];
    if (first === undefined) return undefined;
    const { line = 1, column = 0 } = first.location ?? {};
    return { line, column: column + 1, message: first.text };
  }
}

function pythonProblems(python: string, codes: readonly string[]): Promise<PythonParse> {
  const none: PythonParse = { version: KEPTN_PYTHON, results: codes.map(() => null) };
  if (codes.length === 0) return Promise.resolve(none);
  return new Promise((resolve) => {
    const child = execFile(
      python,
      ["-I", "-S", "-c", PYTHON_CHECK],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        // No python3: the check is left out, as run would need python3 anyway.
        if (error !== null) return resolve(none);
        resolve(JSON.parse(stdout) as PythonParse);
      },
    );
    child.stdin?.end(JSON.stringify(codes));
  });
}

/** The python3's version when it is older than Keptn's image's (`3.11`), else undefined. */
function olderPython([major, minor]: readonly [number, number]): string | undefined {
  const [keptnMajor, keptnMinor] = KEPTN_PYTHON;
  return major * 100 + minor < keptnMajor * 100 + keptnMinor ? `${major}.${minor}` : undefined;
}

/** Where line `line` of the code is: in its own file, in a `|` block, or at the field. */
function placeOf(snippet: Snippet, problem: SyntaxProblem, texts: Map<string, string[]>) {
  if (snippet.file !== undefined) {
    return { file: snippet.file, line: problem.line, column: problem.column };
  }
  const file = snippet.manifest.location.file;
  const at = snippet.manifest.locate(snippet.field);
  if (file === undefined || at === undefined) return undefined;
  if (file !== "-" && !texts.has(file)) {
    texts.set(file, readFileSync(file, "utf8").split("\n"));
  }
  const lines = texts.get(file) ?? [];
  const keyLine = lines[at.line - 1] ?? "";
  // A literal block (`code: |`) keeps the code's lines as they are, one for one.
  if (!/:\s*\|[0-9+-]*\s*(#.*)?$/.test(keyLine)) return { file, line: at.line, column: at.column };
  const first = lines.slice(at.line).find((l) => l.trim() !== "") ?? "";
  const indent = first.length - first.trimStart().length;
  return { file, line: at.line + problem.line, column: indent + problem.column };
}

/**
 * `CODE_SYNTAX_ERROR` for every inline or ConfigMap code that does not parse.
 *
 * @param set - The manifests (for positions).
 * @param catalog - Their catalog.
 * @param python - The Python interpreter to parse Python code with.
 */
export async function codeSyntaxErrors(
  set: ManifestSet,
  catalog: Catalog,
  python: string,
): Promise<Diagnostic[]> {
  const snippets = snippetsOf(set, catalog);
  const deno = snippets.filter((s) => s.runner === "deno");
  const py = snippets.filter((s) => s.runner === "python");
  const [denoResults, pyResults] = await Promise.all([
    Promise.all(deno.map((s) => denoProblem(s.code))),
    pythonProblems(
      python,
      py.map((s) => s.code),
    ),
  ]);
  const texts = new Map<string, string[]>();
  const found: [Snippet, SyntaxProblem | null | undefined][] = [
    ...deno.map((s, i) => [s, denoResults[i]] as [Snippet, SyntaxProblem | undefined]),
    ...py.map((s, i) => [s, pyResults.results[i]] as [Snippet, SyntaxProblem | null | undefined]),
  ];
  const older = olderPython(pyResults.version);
  return found.flatMap(([snippet, problem]) => {
    if (problem === null || problem === undefined) return [];
    const language = snippet.runner === "deno" ? "TypeScript" : "Python";
    // An older python3 than Keptn's image's may refuse newer syntax the image runs: a warning.
    const unsure = snippet.runner === "python" && older !== undefined;
    const outcome = unsure
      ? `python3 ${older} cannot parse it, and Keptn's image runs Python ${KEPTN_PYTHON.join(".")}: newer syntax runs there, anything else fails on every retry`
      : "the task fails on every retry; fix the code";
    const diagnostic = createDiagnostic(
      "CODE_SYNTAX_ERROR",
      `${snippet.what} does not parse as ${language}: ${problem.message} (line ${problem.line} of the code, column ${problem.column}): ${outcome}`,
      {
        kind: snippet.manifest.kind,
        name: snippet.manifest.name ?? "",
        namespace: snippet.manifest.namespace,
        location: snippet.manifest.location,
      },
      { field: snippet.field, ...(unsure ? { level: "warning" as const } : {}) },
    );
    const place = placeOf(snippet, problem, texts);
    if (place === undefined) return [diagnostic];
    return [{ ...diagnostic, location: { ...diagnostic.location, ...place } }];
  });
}
