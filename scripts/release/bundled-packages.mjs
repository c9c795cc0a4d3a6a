// Which npm packages a bundle is made of, from esbuild's metafile: the build scripts record them
// (sdk/build/bundled-packages.json, runners/build/bundled-packages.json) so that the images'
// SBOMs (scripts/release/sbom.mjs) name what was bundled, with the versions of package-lock.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The package-lock keys (`node_modules/zod`, `node_modules/a/node_modules/b`) of the packages
 * whose files went into a bundle.
 *
 * @param {{ inputs: Record<string, unknown> }} metafile esbuild's metafile
 * @param {string} [cwd] the directory esbuild ran in (its input paths are relative to it)
 * @returns {string[]} sorted, without duplicates
 */
export function bundledPackages(metafile, cwd = process.cwd()) {
  const keys = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    // Plugin namespaces ("safe-hostname:os") are not files.
    if (/^[a-z-]+:/.test(input)) continue;
    const path = relative(repoRoot, resolve(cwd, input)).split("\\").join("/");
    const match = /^((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (match?.[1]) keys.add(match[1]);
  }
  return [...keys].sort();
}

/**
 * Writes the lock keys of the bundled packages to `file` (relative to the repository root), with
 * those already recorded in each of `include`.
 *
 * @param {string} file
 * @param {string[]} keys
 * @param {string[]} [include]
 */
export function recordBundledPackages(file, keys, include = []) {
  const all = new Set(keys);
  for (const other of include) {
    for (const key of JSON.parse(readFileSync(resolve(repoRoot, other), "utf8"))) all.add(key);
  }
  const path = resolve(repoRoot, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify([...all].sort(), null, 2)}\n`);
}
