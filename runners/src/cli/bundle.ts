/**
 * `keptn-task bundle FILE`: one self-contained ES module from a Deno task with remote imports,
 * so its Job starts with no network fetch. Remote modules are fetched once, now, through the
 * SDK's `fetchScript` (timeouts, retries, size limit, HTML pages refused), and bundled with
 * esbuild.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import {
  CodeResolutionError,
  FetchError,
  KeptnTaskError,
  RuntimeMissingError,
  UsageError,
} from "@keptn-task/sdk";
import { redactUrl } from "@keptn-task/sdk/fetch";
import type {
  BuildFailure,
  Loader,
  Message,
  Metafile,
  OnResolveArgs,
  OnResolveResult,
  Plugin,
} from "esbuild";
import type { Command, ParsedArgs } from "./args.js";

/** Specifiers the bootstrap runner resolves itself, offline (its import map). */
const RUNNER_PROVIDED = new Set(["@keptn-task/sdk", "npm:@keptn-task/sdk"]);
const REMOTE = "remote";

export const bundleCommand: Command = {
  name: "bundle",
  options: {
    outfile: { type: "string", values: "path" },
    minify: { type: "boolean" },
    external: { type: "string", multiple: true },
  },
  help: `Usage: keptn-task bundle FILE [--outfile OUT] [options]

Turns a Deno task with remote imports (https://...) into one self-contained ES module, ready to
paste into spec.deno.inline.code or a ConfigMap: its Job then starts with no network fetch, no
matter what the servers do. Remote modules (and their own relative imports) are fetched now,
with timeouts, retries and a size limit, HTML error pages refused, and bundled with esbuild.
Prints the bundle on stdout (or writes OUT) and the sizes before and after on stderr.

Kept as imports: node: built-ins, and @keptn-task/sdk (the runner maps it to the SDK it ships,
offline). npm:, jsr: and bare imports are refused: Deno would download them at run time.
Import them from an https URL (for example https://esm.sh/PACKAGE), or keep one deliberately
with --external.

Options:
      --outfile OUT       write the bundle to OUT instead of stdout
      --minify            minify the bundle
      --external SPEC     keep this import as it is (a trailing * matches a prefix); repeatable
  -h, --help              show this help

Exit codes: 0 bundled; 1 OUT cannot be written; 64 bad arguments; 66 FILE cannot be read or an
import cannot be bundled; 69 a remote module cannot be fetched; 127 esbuild is not installed.

Example:
  keptn-task bundle task.ts --outfile task.bundle.js
`,
  async run(args, context) {
    const { io } = context;
    const file = singleFile(args);
    const entry = await readableEntry(file, io.cwd);
    const outfile = args.string("outfile");
    const esbuild = await loadEsbuild();
    // Loaded here: the HTTP client is the CLI's slowest import, and only bundle needs it.
    const { fetchScript } = await import("@keptn-task/sdk/fetch");
    const fetches: FetchFailures = {};
    const plugin = remoteImportsPlugin(fetchScript, args.list("external"), fetches);
    const input = { entry, file, cwd: io.cwd, minify: args.flag("minify"), plugin };
    const built = await runEsbuild(esbuild, input).catch((error: unknown) => {
      throw bundleFailure(error, file, io.cwd, fetches.first);
    });

    const sizes = inputSizes(built.metafile);
    const pending = pendingImports(built.metafile, built.warnings);
    for (const warning of built.warnings) {
      context.note(`warning: ${describeLocation(warning, io.cwd)}${warning.text}`);
    }
    const offline = pending.length === 0;
    const header = `// Bundled by keptn-task bundle from ${displayPath(entry, io.cwd)}: ${sizes.remoteModules} remote module${sizes.remoteModules === 1 ? "" : "s"} inlined${offline ? "; needs no network to start" : ""}.\n`;
    const bundle = header + built.output;
    if (outfile !== undefined) await writeBundle(outfile, io.cwd, bundle);
    else context.out(bundle);
    const after = offline
      ? "no network fetch"
      : `but it still imports at run time: ${pending.join(", ")}`;
    context.note(
      `bundled "${file}": ${describeSizes(sizes)} -> ${formatBytes(Buffer.byteLength(bundle))} in one file, ${after}${outfile === undefined ? "" : ` (${outfile})`}`,
    );
    return 0;
  },
};

/** The one FILE argument. */
function singleFile(args: ParsedArgs): string {
  const [file, ...extra] = args.positionals;
  if (file === undefined || extra.length > 0 || args.rest.length > 0) {
    throw new UsageError(
      `Cannot run "keptn-task bundle": expected one FILE, received ${args.positionals.length + args.rest.length}: see keptn-task bundle --help`,
    );
  }
  return file;
}

/** The absolute path of FILE, once it is known to be a readable file. */
async function readableEntry(file: string, cwd: string): Promise<string> {
  const entry = isAbsolute(file) ? file : resolve(cwd, file);
  try {
    const info = await stat(entry);
    if (!info.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
    await readFile(entry);
  } catch (error) {
    throw new CodeResolutionError(`Cannot read "${file}": ${describeFsError(error)}`, {
      cause: error,
    });
  }
  return entry;
}

type FetchScript = typeof import("@keptn-task/sdk/fetch").fetchScript;

/** The first remote module that could not be fetched: its error is the bundle's. */
interface FetchFailures {
  first?: FetchError;
}

/**
 * The esbuild plugin that fetches remote imports through `fetchScript` and refuses imports Deno
 * would resolve at run time.
 */
function remoteImportsPlugin(
  fetchScript: FetchScript,
  externals: readonly string[],
  failures: FetchFailures,
): Plugin {
  return {
    name: "keptn-task-remote-imports",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (input) => resolveImport(input, externals));
      build.onLoad({ filter: /.*/, namespace: REMOTE }, async (input) => {
        try {
          const fetched = await fetchScript(input.path);
          return { contents: fetched.code, loader: loaderFor(input.path, fetched.contentType) };
        } catch (error) {
          if (error instanceof FetchError) failures.first ??= error;
          return refuse(error instanceof Error ? error.message : String(error));
        }
      });
    },
  };
}

/** Where an import goes: kept external, fetched as a remote module, read locally, or refused. */
function resolveImport(
  input: OnResolveArgs,
  externals: readonly string[],
): OnResolveResult | undefined {
  const spec = input.path;
  if (input.kind === "entry-point") return undefined;
  if (RUNNER_PROVIDED.has(spec) || matches(spec, externals) || spec.startsWith("node:")) {
    return { path: spec, external: true };
  }
  const scheme = /^(npm|jsr):/.exec(spec)?.[1];
  if (scheme !== undefined) {
    return refuse(
      `"${spec}" is ${scheme === "npm" ? "an" : "a"} ${scheme}: import, which Deno downloads at run time: import it from an https URL (for example https://esm.sh/${spec.slice(scheme.length + 1)}), or keep it with --external ${spec}`,
    );
  }
  if (/^https?:\/\//i.test(spec)) return { path: spec, namespace: REMOTE };
  if (input.namespace === REMOTE) return resolveFromRemote(spec, input.importer);
  if (/^\.{0,2}\//.test(spec) || spec.startsWith("file:")) return undefined;
  return refuse(
    /^[a-z][a-z0-9+.-]*:/i.test(spec)
      ? `"${spec}" uses a scheme Deno cannot bundle here: import http(s) URLs or relative files`
      : `"${spec}" is a bare import: Deno resolves it through an import map or deno.json at run time, which an inline task does not have: import it from an https URL, or keep it with --external ${spec}`,
  );
}

/** An import inside a remote module: a relative one is another remote module. */
function resolveFromRemote(spec: string, importer: string): OnResolveResult {
  if (/^\.{0,2}\//.test(spec)) return { path: new URL(spec, importer).href, namespace: REMOTE };
  return refuse(
    `"${spec}" (imported by "${redactUrl(importer)}") is a bare import: it only resolves through an import map; import it by URL`,
  );
}

/** What `runEsbuild` needs to know about the bundle to make. */
interface BuildInput {
  /** The entry's absolute path. */
  readonly entry: string;
  /** The entry as the user gave it. */
  readonly file: string;
  readonly cwd: string;
  readonly minify: boolean;
  readonly plugin: Plugin;
}

/** A successful build: the code, credentials removed, with esbuild's metafile and warnings. */
interface Built {
  readonly output: string;
  readonly metafile: Metafile;
  readonly warnings: readonly Message[];
}

/** Runs esbuild; rejects with esbuild's own error, for `bundleFailure`. */
async function runEsbuild(esbuild: Esbuild, input: BuildInput): Promise<Built> {
  const result = await esbuild.build({
    entryPoints: [input.entry],
    absWorkingDir: input.cwd,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    minify: input.minify,
    charset: "utf8",
    legalComments: "inline",
    logLevel: "silent",
    // An import esbuild cannot follow stays an import, fetched at run time: say so.
    logOverride: {
      "unsupported-dynamic-import": "warning",
      "unsupported-require-call": "warning",
    },
    metafile: true,
    plugins: [input.plugin],
  });
  // esbuild names each module in a comment: a URL's credentials must not stay in the code.
  const output = (result.outputFiles[0]?.text ?? "").replace(
    /^(\s*\/\/ remote:)(.*)$/gm,
    (_line, prefix: string, url: string) => `${prefix}${redactUrl(url)}`,
  );
  return { output, metafile: result.metafile, warnings: result.warnings };
}

/**
 * The error for a failed build: the first fetch failure as it is, else the first problem in
 * source order (so the line points at the first import to fix), else esbuild's error.
 */
function bundleFailure(
  error: unknown,
  file: string,
  cwd: string,
  fetchFailure: FetchError | undefined,
): unknown {
  if (fetchFailure !== undefined) return fetchFailure;
  const errors = (error as Partial<BuildFailure>).errors ?? [];
  const [first] = [...errors].sort(
    (a, b) =>
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0),
  );
  if (first === undefined) return error;
  const where = describeLocation(first, cwd);
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""})`
      : "";
  return new CodeResolutionError(`Cannot bundle "${file}": ${where}${first.text}${more}`, {
    cause: error,
  });
}

/** The sizes of the inputs: local files, and remote modules fetched now. */
interface InputSizes {
  localBytes: number;
  remoteBytes: number;
  remoteModules: number;
}

function inputSizes(metafile: Metafile): InputSizes {
  const sizes: InputSizes = { localBytes: 0, remoteBytes: 0, remoteModules: 0 };
  for (const [path, input] of Object.entries(metafile.inputs)) {
    if (path.startsWith(`${REMOTE}:`)) {
      sizes.remoteModules += 1;
      sizes.remoteBytes += input.bytes;
    } else {
      sizes.localBytes += input.bytes;
    }
  }
  return sizes;
}

/** The task before bundling, for the summary line. */
function describeSizes({ localBytes, remoteBytes, remoteModules }: InputSizes): string {
  return remoteModules === 0
    ? `${formatBytes(localBytes)} with no remote import`
    : `${formatBytes(localBytes)} importing ${remoteModules} remote module${remoteModules === 1 ? "" : "s"} (${formatBytes(remoteBytes)} fetched on every run)`;
}

/**
 * What still loads at run time: an import kept with --external that is not the runner's own or a
 * built-in, or one esbuild cannot follow (import(variable)). Empty when the bundle is offline.
 */
function pendingImports(metafile: Metafile, warnings: readonly Message[]): string[] {
  const keptRemote = Object.values(metafile.outputs).flatMap((out) =>
    out.imports
      .filter((i) => i.external && !RUNNER_PROVIDED.has(i.path) && !i.path.startsWith("node:"))
      .map((i) => (/^https?:/i.test(i.path) ? redactUrl(i.path) : i.path)),
  );
  const unfollowed = warnings.filter(
    (w) => w.id === "unsupported-dynamic-import" || w.id === "unsupported-require-call",
  ).length;
  return [
    ...keptRemote.map((path) => `"${path}"`),
    ...(unfollowed === 0
      ? []
      : [`${unfollowed} import${unfollowed === 1 ? "" : "s"} of a computed name`]),
  ];
}

/** Writes the bundle to OUT; a refusal of the file system is exit code 1, not a usage mistake. */
async function writeBundle(outfile: string, cwd: string, bundle: string): Promise<void> {
  try {
    await writeFile(isAbsolute(outfile) ? outfile : resolve(cwd, outfile), bundle);
  } catch (error) {
    throw new KeptnTaskError(
      `Cannot write "${outfile}": ${describeFsError(error)}`,
      "KEPTN_TASK_ERROR",
      { cause: error },
    );
  }
}

type Esbuild = typeof import("esbuild");

async function loadEsbuild(): Promise<Esbuild> {
  try {
    return (await import("esbuild")) as Esbuild;
  } catch (error) {
    throw new RuntimeMissingError(
      'Cannot bundle: the package "esbuild" is not installed: run npm install --save-dev esbuild',
      { cause: error },
    );
  }
}

function refuse(text: string) {
  return { errors: [{ text }] };
}

function matches(spec: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith("*") ? spec.startsWith(pattern.slice(0, -1)) : spec === pattern,
  );
}

/** Deno picks a remote module's language by its content type, then by its extension. */
function loaderFor(url: string, contentType: string | undefined): Loader {
  const path = new URL(url).pathname.toLowerCase();
  const extension = /\.([a-z]+)$/.exec(path)?.[1];
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (extension === "tsx" || extension === "jsx") return extension;
  if (type.includes("typescript")) return "ts";
  if (type.includes("javascript") || type.includes("ecmascript")) return "js";
  if (type.includes("json")) return "json";
  if (extension === "js" || extension === "mjs" || extension === "cjs") return "js";
  if (extension === "json") return "json";
  return "ts";
}

/** `FILE:LINE:COLUMN: ` of an esbuild message, a remote module's URL without credentials. */
function describeLocation(message: Message, cwd: string): string {
  const location = message.location;
  if (location === null || location === undefined) return "";
  const file = location.file.startsWith(`${REMOTE}:`)
    ? redactUrl(location.file.slice(REMOTE.length + 1))
    : displayPath(resolve(cwd, location.file), cwd);
  return `${file}:${location.line}:${location.column}: `;
}

function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const shown = relative(cwd, path);
  return shown.startsWith("..") ? path : shown;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}

/**
 * A size for people: `812 B`, `4.5 kB`, `1.2 MB`.
 *
 * @param bytes - The size.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
