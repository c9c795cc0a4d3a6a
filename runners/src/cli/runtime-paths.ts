/**
 * Where the programs a local run needs are: the Deno this package depends on (the version the
 * images carry), the bootstrap runner shipped in this package's `dist/`, and the machine's
 * `python3`. Each can be overridden with an environment variable, none has to be.
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RuntimeMissingError } from "@keptn-task/sdk";

const require = createRequire(import.meta.url);

/** This package's root (`lib/cli/` -> the root). */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

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
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The version of the npm package `deno` this package depends on (the images' Deno). */
export function pinnedDenoVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return pkg.dependencies?.deno ?? "unknown";
}

/**
 * The Deno binary: `KEPTN_TASK_DENO`, else the npm package `deno` this package depends on (its
 * platform package holds the binary, so this works even where npm skipped deno's install
 * script), else `deno` on PATH.
 *
 * @throws {RuntimeMissingError} When none is found.
 */
export function findDeno(env: Readonly<Record<string, string | undefined>>): string {
  const given = env.KEPTN_TASK_DENO;
  if (given !== undefined && given !== "") {
    if (!isExecutable(given)) {
      throw new RuntimeMissingError(
        `Cannot start "deno": KEPTN_TASK_DENO names "${given}", which is not an executable file: point it at a Deno binary, or unset it to use the Deno that comes with @keptn-task/runners`,
      );
    }
    return given;
  }
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const candidates: string[] = [];
  for (const name of [
    `@deno/${process.platform}-${arch}-glibc`,
    `@deno/${process.platform}-${arch}`,
  ]) {
    const dir = packageDir(name);
    if (dir !== undefined) candidates.push(join(dir, "deno"));
  }
  const npmDeno = packageDir("deno");
  if (npmDeno !== undefined) candidates.push(join(npmDeno, "deno"));
  const found = candidates.find((path) => isExecutable(path)) ?? onPath("deno", env.PATH);
  if (found === undefined) {
    throw new RuntimeMissingError(
      `Cannot start "deno": the npm package "deno@${pinnedDenoVersion()}" has no binary for ${process.platform}-${process.arch} in node_modules and none is on PATH: reinstall @keptn-task/runners with npm install (optional dependencies included), or set KEPTN_TASK_DENO to a Deno binary`,
    );
  }
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The bootstrap runner shipped in this package (`dist/bootstrap.js`, with its import map, the SDK
 * bundle and `keptn_task` next to it), or `KEPTN_TASK_RUNNER`.
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
  const bundled = join(PACKAGE_ROOT, "dist", "bootstrap.js");
  if (!existsSync(bundled)) {
    throw new RuntimeMissingError(
      `Cannot find the runner "${bundled}": in a checkout of keptn-task-runtime run npm run build; an installed @keptn-task/runners is incomplete: reinstall it`,
    );
  }
  return bundled;
}

/**
 * The Python interpreter a local python task runs with: `KEPTN_TASK_PYTHON`, else `python3` on
 * PATH.
 *
 * @throws {RuntimeMissingError} When it cannot be found.
 */
export function findPython(env: Readonly<Record<string, string | undefined>>): string {
  const given = env.KEPTN_TASK_PYTHON;
  if (given !== undefined && given !== "") {
    const path = isAbsolute(given) || given.includes("/") ? given : onPath(given, env.PATH);
    if (path === undefined || !isExecutable(path)) {
      throw new RuntimeMissingError(
        `Cannot start "${given}" (KEPTN_TASK_PYTHON): not found or not executable: point it at a Python 3 interpreter, or unset it to use python3 from PATH`,
      );
    }
    return given;
  }
  const found = onPath("python3", env.PATH);
  if (found === undefined) {
    throw new RuntimeMissingError(
      'Cannot start "python3": not found on PATH: install Python 3 (Debian: apt-get install python3; macOS: brew install python), or set KEPTN_TASK_PYTHON to an interpreter',
    );
  }
  return found;
}
