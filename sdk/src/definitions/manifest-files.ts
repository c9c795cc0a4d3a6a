/**
 * Finding and reading manifest files: folders walked in name order (regular files only, no
 * links, no installed packages or tool folders), each file and standard input read bounded.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readFileStart } from "../core/bounded-read.js";
import { ManifestError } from "../errors/errors.js";
import { isRecord } from "./is-record.js";

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

/**
 * The most a manifest file (or standard input) may hold: far more than any Kubernetes object
 * (etcd keeps 1.5 MiB), and a bound on what a planted file (a link to /dev/zero) costs.
 */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export async function readStream(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    if (bytes > MAX_MANIFEST_BYTES) throw tooLarge("-");
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** The text of a manifest file, bounded; a link is followed only for a file named on its own. */
export async function readManifest(file: string, named: boolean): Promise<string> {
  const { bytes, truncated } = await readFileStart(file, MAX_MANIFEST_BYTES, { follow: named });
  if (truncated) throw tooLarge(file);
  return bytes.toString("utf8");
}

function tooLarge(file: string): Error {
  return Object.assign(
    new Error(`larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB: split it into smaller files`),
    { code: "ETOOLARGE", file },
  );
}

/**
 * Files of a JavaScript or Deno project that are never manifests: a folder walk leaves them out
 * without a note, so `-f .` in a task's project is quiet.
 */
const PROJECT_FILES = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "tsconfig.json",
  "jsconfig.json",
  "deno.json",
  "biome.json",
]);

/**
 * The manifest files below `dir`, in name order: regular files only. A link is not followed (a
 * committed `x.yaml -> /dev/zero` or a link out of the repository is not read), nor is a FIFO,
 * socket or device.
 */
export async function listManifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Installed packages and tool folders (.git, .github's workflows) hold no manifests.
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      files.push(...(await listManifestFiles(path)));
    } else if (
      entry.isFile() &&
      MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) &&
      !PROJECT_FILES.has(entry.name)
    ) {
      files.push(path);
    }
  }
  return files;
}

export function readError(file: string, error: unknown): ManifestError {
  return new ManifestError(`Cannot read "${file}": ${describe(error)}`, { file }, { cause: error });
}

function describe(error: unknown): string {
  if (isRecord(error) && typeof error.code === "string") {
    if (error.code === "ENOENT") return "no such file or directory";
    if (error.code === "EACCES") return "permission denied";
    if (error.code === "ENOTREGULAR") return "not a regular file: name a file or a folder";
    if (error.code === "ETOOLARGE" && error instanceof Error) return error.message;
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
