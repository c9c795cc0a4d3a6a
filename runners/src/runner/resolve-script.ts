import { CodeResolutionError, UsageError } from "@keptn-task/sdk";
import { redactUrl } from "@keptn-task/sdk/contract";
import { connectsPending, fetchScript } from "./fetch-native.js";
import type { Runtime } from "./settings.js";
import {
  type CodeTraits,
  DECLARATION_FILE,
  DEFAULT_EXTENSION,
  EXTENSIONS,
  inspectCode,
  MAX_CODE_BYTES,
} from "./task-code.js";

/** Where the task's code is, ready to run. */
export interface ResolvedScript extends CodeTraits {
  /** Local file to run. */
  readonly path: string;
  /** Where it came from, for messages: the mount path or the URL (credentials removed). */
  readonly source: string;
  /** For code fetched from a URL: the URL's directory, so relative imports still resolve there. */
  readonly baseUrl?: string;
  /**
   * Set when fetching it left a connection still being made (one that timed out, which Deno
   * cannot cancel): it keeps Deno's event loop alive, so the task gets a process of its own and
   * the runner ends itself when the task ends.
   */
  readonly connectPending?: true;
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
  if (runtime === "deno" && DECLARATION_FILE.test(path)) {
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
    return { path: copy, source: path, ...inspectCode(code) };
  }
  return { path, source: path, ...inspectCode(code) };
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
    ...inspectCode(code),
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
