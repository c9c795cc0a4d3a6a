// Packs the publishable packages with `npm pack` and installs the tarballs into empty projects
// outside the repository, as a user does: `npm init -y && npm i ./*.tgz`, dependencies from the
// registry (npm's cache first). Nothing of this checkout is reachable from there.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { inject } from "vitest";
import { ROOT } from "./deno.js";
import { cached } from "./run-cache.js";

/** The publishable workspaces, by folder. */
export const PUBLISHED = ["sdk", "runners"] as const;

/** Tarballs made by `npm pack`, by workspace folder. */
export type Tarballs = Record<(typeof PUBLISHED)[number], string>;

/**
 * Packs every publishable workspace into a fresh directory outside the repository. The packages
 * must have been built (`npm run build`).
 */
export function packWorkspaces(
  dir = realpathSync(mkdtempSync(join(tmpdir(), "keptn-task-pack-"))),
): { dir: string; tarballs: Tarballs } {
  const out = execFileSync(
    "npm",
    ["pack", "--json", "--pack-destination", dir, ...PUBLISHED.flatMap((w) => ["-w", w])],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const packed = JSON.parse(out) as { name: string; filename: string }[];
  const find = (name: string): string => {
    const entry = packed.find((p) => p.name === name);
    if (entry === undefined) throw new Error(`npm pack made no tarball for ${name}`);
    return join(dir, entry.filename);
  };
  return { dir, tarballs: { sdk: find("@keptn-task/sdk"), runners: find("@keptn-task/runners") } };
}

/**
 * Makes an empty npm project outside the repository and installs `tarballs` into it.
 *
 * @returns The project's directory.
 */
export function installTarballs(
  tarballs: readonly string[],
  dir = realpathSync(mkdtempSync(join(tmpdir(), "keptn-task-user-"))),
): string {
  const npm = (args: string[]) =>
    execFileSync("npm", args, {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" },
    });
  npm(["init", "-y"]);
  npm(["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs]);
  return dir;
}

/**
 * The tarballs of this test run: packed once for every test file of the run (see
 * `run-cache.ts`). Read them, never change them.
 */
export async function packedOnce(): Promise<{ dir: string; tarballs: Tarballs }> {
  let tarballs: Tarballs | undefined;
  const dir = await cached(inject("runCache"), "pack", (into) => {
    tarballs = packWorkspaces(into).tarballs;
  });
  if (tarballs !== undefined) return { dir, tarballs };
  const names = readdirSync(dir);
  const find = (prefix: string): string => {
    const name = names.find((n) => n.startsWith(prefix) && n.endsWith(".tgz"));
    if (name === undefined) throw new Error(`No ${prefix}*.tgz in ${dir}`);
    return join(dir, name);
  };
  return { dir, tarballs: { sdk: find("keptn-task-sdk-"), runners: find("keptn-task-runners-") } };
}

/**
 * A fresh empty project with `packages` (this run's tarballs, or names from the registry)
 * installed, as `installTarballs` makes it: one install per `key` for the whole test run, and
 * each caller a copy of its own (hard links: a test may add, rename or remove files in its
 * copy, never write into an installed file). Remove it with `removeAll`.
 */
export async function installedOnce(
  key: string,
  packages: (tarballs: Tarballs) => readonly string[],
): Promise<string> {
  const { tarballs } = await packedOnce();
  const installed = await cached(inject("runCache"), `install-${key}`, (into) => {
    installTarballs(packages(tarballs), into);
    // Every copy shares these files: none may be written in place.
    execFileSync("find", [into, "-type", "f", "-exec", "chmod", "a-w", "{}", "+"]);
  });
  const copy = realpathSync(mkdtempSync(join(tmpdir(), "keptn-task-user-")));
  execFileSync("cp", ["-al", `${installed}/.`, copy]);
  return copy;
}

/**
 * The caller's PATH without anything of this repository (npm puts `node_modules/.bin` of the
 * checkout first when it runs the tests), so an installed project cannot borrow its `deno`.
 */
export function pathOutsideRepository(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => entry !== "" && !entry.startsWith(ROOT.replace(/\/$/, "")))
    .join(delimiter);
}

/** Lists the packages in a project's `node_modules` (scoped ones as `@scope/name`). */
export function installedPackages(project: string): string[] {
  const root = join(project, "node_modules");
  return readdirSync(root)
    .filter((name) => !name.startsWith("."))
    .flatMap((name) =>
      name.startsWith("@") ? readdirSync(join(root, name)).map((n) => `${name}/${n}`) : [name],
    );
}

/** Writes `files` (relative path → content) into `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
}

/** Removes the given directories. */
export function removeAll(...dirs: (string | undefined)[]): void {
  for (const dir of dirs) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
