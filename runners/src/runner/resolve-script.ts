import { CodeResolutionError, UsageError } from "@keptn-task/sdk";
import { redactUrl } from "@keptn-task/sdk/contract";
import { connectsPending, fetchScript } from "./fetch-native.js";
import type { Runtime } from "./settings.js";

/** Where the task's code is, ready to run. */
export interface ResolvedScript {
  /** Local file to run. */
  readonly path: string;
  /** Where it came from, for messages: the mount path or the URL (credentials removed). */
  readonly source: string;
  /** For code fetched from a URL: the URL's directory, so relative imports still resolve there. */
  readonly baseUrl?: string;
  /** Whether the code names the SDK, which the runner then maps to its bundled copy. */
  readonly importsSdk: boolean;
  /**
   * Whether the code asks if it is the main module (`import.meta.main`, `Deno.mainModule`, or
   * `import.meta` in any way but its url, dirname, filename or resolve): only a process of its
   * own answers that as `deno run` does.
   */
  readonly checksMain: boolean;
  /**
   * Whether the code may read Node's `process` (`process`, `node:` or `npm:` imports), whose
   * `argv` only a process of its own gets right.
   */
  readonly usesNodeProcess: boolean;
  /**
   * Whether the code imports modules the runner does not look into: relative ones, or with an
   * import whose specifier is computed (or it reaches into `Deno[...]`).
   */
  readonly importsUnseen: boolean;
  /**
   * Whether the code may resolve a specifier itself (`import.meta.resolve`): against its URL
   * when fetched, as only a process of its own with an import map answers it.
   */
  readonly resolvesSpecifiers: boolean;
  /**
   * Set when fetching it left a connection still being made (one that timed out, which Deno
   * cannot cancel): it keeps Deno's event loop alive, so the task gets a process of its own and
   * the runner ends itself when the task ends.
   */
  readonly connectPending?: true;
}

/** The specifier task code imports the SDK by. */
export const SDK_SPECIFIER = "@keptn-task/sdk";
const PLAIN_META = /^\s*\.\s*(url|dirname|filename|resolve)\b/;
const NODE_PROCESS = /\bprocess\b|["'`](node|npm):/;
// Each alternative is unambiguous (`\s*(?:\(\s*)?`, not `\s*\(?\s*`): linear in the code.
const UNSEEN_IMPORT =
  /\b(?:from|import)\s*(?:\(\s*)?["'`]\.{1,2}\/|\bimport\s*\(\s*(?!["'])|\bDeno\s*\[/;

/** How far white space and comments may reach between `import`, `.` and `meta` before the code counts as using `import.meta`. */
const META_GAP = 256;

/**
 * Whether the code may use `import.meta` for anything but `url`, `dirname`, `filename` and
 * `resolve` (white space and comments may stand around the dot; strings and comments are not told
 * apart, so a mention counts). A scan, not a regular expression (one with comments in a loop
 * backtracks exponentially on a run of `/* *\/`), and each `import` looks at most `META_GAP`
 * characters ahead: linear in the code, whatever it holds. A longer gap counts as a use: the task
 * then runs as a child, where `import.meta.main` is true.
 */
function usesImportMeta(code: string): boolean {
  for (let at = code.indexOf("import"); at >= 0; at = code.indexOf("import", at + 6)) {
    if (/[\w$]/.test(code[at - 1] ?? " ")) continue;
    const dot = skipSpaceAndComments(code, at + 6);
    if (dot < 0) return true;
    if (code[dot] !== ".") continue;
    const meta = skipSpaceAndComments(code, dot + 1);
    if (meta < 0) return true;
    if (!code.startsWith("meta", meta) || /[\w$]/.test(code[meta + 4] ?? " ")) continue;
    if (!PLAIN_META.test(code.slice(meta + 4, meta + 44))) return true;
  }
  return false;
}

/**
 * The index of the first character from `at` on that is neither white space nor in a comment;
 * -1 when that is more than `META_GAP` characters away.
 */
function skipSpaceAndComments(code: string, at: number): number {
  const limit = Math.min(code.length, at + META_GAP);
  let i = at;
  for (;;) {
    while (i < limit && /\s/.test(code[i] as string)) i++;
    if (i >= limit) return i >= code.length ? code.length : -1;
    if (!code.startsWith("/*", i)) return i;
    // Searched within the gap only: an unclosed /* far from its end costs nothing more.
    const close = code.slice(i + 2, limit).indexOf("*/");
    if (close < 0) return limit === code.length ? code.length : -1;
    i = i + 2 + close + 2;
  }
}

/** What the runner needs to know about the code itself. */
function inspect(
  code: string,
): Pick<
  ResolvedScript,
  "importsSdk" | "checksMain" | "usesNodeProcess" | "importsUnseen" | "resolvesSpecifiers"
> {
  const checksMain = /\bmainModule\b/.test(code) || usesImportMeta(code);
  return {
    importsSdk: code.includes(SDK_SPECIFIER),
    checksMain,
    usesNodeProcess: NODE_PROCESS.test(code),
    importsUnseen: UNSEEN_IMPORT.test(code),
    resolvesSpecifiers: /\bresolve\b/.test(code),
  };
}

/** Options for fetching `httpRef` code. */
export interface FetchOptions {
  /** URL of the fetch through undici (`fetch-loader.ts`), for an environment naming a proxy. */
  readonly loader: string;
  /** Aborts the fetch (the runner's signal relay). */
  readonly signal?: AbortSignal;
  /** Told of each retry, for the runner's log. */
  readonly onRetry?: (message: string, fields: Record<string, unknown>) => void;
}

const EXTENSIONS: Record<Runtime, RegExp> = {
  deno: /\.(ts|tsx|mts|js|jsx|mjs)$/i,
  python: /\.py$/i,
};
const DEFAULT_EXTENSION: Record<Runtime, string> = { deno: ".ts", python: ".py" };
/**
 * The most task code the runner reads from a file: the limit `fetchScript` applies to fetched
 * code (`FETCH_DEFAULTS.maxBytes`, not imported: that module brings the HTTP client). A
 * ConfigMap holds at most 1 MiB.
 */
export const MAX_CODE_BYTES = 5 * 1024 * 1024;

/**
 * Turns `SCRIPT` into a local file: a file path (the ConfigMap mounted with `subPath`), a
 * directory holding the key file `code` (a ConfigMap mounted without `subPath`), or an
 * http(s) URL fetched with the SDK's `fetchScript` (retries, size limit, integrity pin).
 *
 * @throws {CodeResolutionError} when there is no code to run. @throws {FetchError} when it cannot be fetched.
 */
export async function resolveScript(
  script: string,
  runtime: Runtime,
  workDir: () => Promise<string>,
  options: FetchOptions,
): Promise<ResolvedScript> {
  if (script === "") {
    throw new CodeResolutionError(
      "Cannot run the task: SCRIPT is empty: give the definition inline code, a configMapRef or an httpRef " +
        "(a functionRef to a definition that itself only has a functionRef also gives an empty SCRIPT)",
    );
  }
  if (/^https?:\/\//i.test(script)) return await fetchToFile(script, runtime, workDir, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(script)) {
    throw new CodeResolutionError(
      `Cannot run the task from "${redactUrl(script)}": only http and https URLs or file paths are supported`,
    );
  }
  let path = script;
  let info = statOrThrow(path);
  if (info.isDirectory) {
    path = `${script.replace(/\/+$/, "")}/code`;
    info = statOrThrow(
      path,
      `the directory "${script}" has no file "code" (the ConfigMap needs the key code)`,
    );
  }
  if (!info.isFile)
    throw new CodeResolutionError(`Cannot read task code from "${path}": not a regular file`);
  if (info.size > MAX_CODE_BYTES) {
    // Checked before reading: a file read whole costs many times its size in memory.
    throw new CodeResolutionError(
      `Cannot read task code from "${path}": the file is larger than ${MAX_CODE_BYTES} bytes (${info.size} bytes): a ConfigMap holds at most 1 MiB`,
    );
  }
  if (runtime === "deno" && /\.d\.[mc]?ts$/i.test(path)) {
    // Deno runs a declaration file as an empty module: exit 0 with nothing run.
    throw new UsageError(
      `Cannot run the task from "${path}": a .d.ts file only declares types, so nothing would run: point SCRIPT at the task's code`,
    );
  }
  const code = readOrThrow(path);
  assertNotEmpty(code, path);
  if (runtime === "deno" && !EXTENSIONS.deno.test(path)) {
    // Deno picks the language by extension; a ConfigMap key file has none. TypeScript runs JS too.
    const copy = `${await workDir()}/function.ts`;
    Deno.writeTextFileSync(copy, code);
    return { path: copy, source: path, ...inspect(code) };
  }
  return { path, source: path, ...inspect(code) };
}

async function fetchToFile(
  url: string,
  runtime: Runtime,
  workDir: () => Promise<string>,
  options: FetchOptions,
): Promise<ResolvedScript> {
  // Deno's sockets with the SDK's fetch steps (fetch-native.ts).
  const fetched = await fetchScript(url, options.loader, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onRetry: (event) => options.onRetry?.("Fetching task code failed: retrying", { ...event }),
  });
  const code = fetched.code;
  const parsed = new URL(url);
  parsed.hash = "";
  // Relative imports resolve here. Deno would print (not send) credentials in it: none kept.
  parsed.username = "";
  parsed.password = "";
  const name = parsed.pathname.split("/").pop() ?? "";
  const extension = EXTENSIONS[runtime].test(name)
    ? (name.match(/\.[^.]+$/)?.[0] ?? "")
    : DEFAULT_EXTENSION[runtime];
  assertNotEmpty(code, redactUrl(url));
  const path = `${await workDir()}/function${extension}`;
  Deno.writeTextFileSync(path, code);
  return {
    path,
    source: redactUrl(url),
    baseUrl: new URL(".", parsed).href,
    ...inspect(code),
    ...(connectsPending() ? { connectPending: true } : {}),
  };
}

// Local files are read synchronously: an asynchronous call costs an extra turn of the event
// loop, and nothing else runs meanwhile.
function statOrThrow(path: string, missing?: string): Deno.FileInfo {
  try {
    return Deno.statSync(path);
  } catch (error) {
    throw new CodeResolutionError(
      `Cannot read task code from "${path}": ${describe(error, missing)}`,
      { cause: error },
    );
  }
}

function readOrThrow(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    throw new CodeResolutionError(`Cannot read task code from "${path}": ${describe(error)}`, {
      cause: error,
    });
  }
}

function assertNotEmpty(code: string, source: string): void {
  if (code.trim() === "") {
    throw new CodeResolutionError(
      `Cannot run the task from "${source}": the code is empty, so nothing would run: check the definition's code source`,
    );
  }
}

function describe(error: unknown, missing?: string): string {
  if (error instanceof Deno.errors.NotFound) {
    return (
      missing ?? "no such file: mount the ConfigMap at this path or set SCRIPT to an http(s) URL"
    );
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "permission denied: make the file readable by the container's user";
  }
  return error instanceof Error ? error.message : String(error);
}
