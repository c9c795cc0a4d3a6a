/**
 * Where the programs a local run needs are: the pinned Deno from npm and the bootstrap runner of
 * this repository. Each can be overridden with an environment variable.
 */
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RuntimeMissingError } from "../errors/errors.js";

const require = createRequire(import.meta.url);

function packageDir(name: string): string | undefined {
  try {
    return dirname(realpathSync(require.resolve(`${name}/package.json`)));
  } catch {
    return undefined;
  }
}

function onPath(command: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The Deno binary: `KEPTN_TASK_DENO`, else the npm package `deno` (the version pinned in
 * package.json), else `deno` on PATH.
 *
 * @throws {RuntimeMissingError} When none is found.
 */
export function findDeno(env: Readonly<Record<string, string | undefined>>): string {
  const given = env.KEPTN_TASK_DENO;
  if (given !== undefined && given !== "") return given;
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const candidates: string[] = [];
  const npmDeno = packageDir("deno");
  if (npmDeno !== undefined) candidates.push(join(npmDeno, "deno"));
  for (const name of [
    `@deno/${process.platform}-${arch}-glibc`,
    `@deno/${process.platform}-${arch}`,
  ]) {
    const dir = packageDir(name);
    if (dir !== undefined) candidates.push(join(dir, "deno"));
  }
  const found = candidates.find((path) => existsSync(path)) ?? onPath("deno", env.PATH);
  if (found === undefined) {
    throw new RuntimeMissingError(
      'Cannot start "deno": not found in node_modules or on PATH: run npm install, or set KEPTN_TASK_DENO',
    );
  }
  return found;
}

/**
 * The bundled bootstrap runner (`runners/dist/bootstrap.js`): `KEPTN_TASK_RUNNER`, else the
 * workspace package `@keptn-task/runners`, else this repository's `runners/` next to `sdk/`.
 *
 * @throws {RuntimeMissingError} When it has not been built.
 */
export function findRunner(env: Readonly<Record<string, string | undefined>>): string {
  const given = env.KEPTN_TASK_RUNNER;
  if (given !== undefined && given !== "") {
    if (!existsSync(given)) {
      throw new RuntimeMissingError(
        `Cannot find the runner "${given}" (KEPTN_TASK_RUNNER): no such file`,
      );
    }
    return given;
  }
  const workspace = packageDir("@keptn-task/runners");
  // dist/cli/ -> the package root -> the repository root.
  const repo = fileURLToPath(new URL("../../../runners/", import.meta.url));
  const candidates = [workspace, repo]
    .filter((dir): dir is string => dir !== undefined)
    .map((dir) => join(dir, "dist", "bootstrap.js"));
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new RuntimeMissingError(
      `Cannot find the runner "${candidates[candidates.length - 1]}": run npm run build, or set KEPTN_TASK_RUNNER`,
    );
  }
  return found;
}
