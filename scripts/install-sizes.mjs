// Measures what installing the packages costs, as the README states it: the SDK alone (packages,
// `du -sh node_modules`, bytes of files) and the whole toolset (@keptn-task/runners: its total,
// the Deno binary, esbuild). `node scripts/install-sizes.mjs` packs the workspaces, installs the
// tarballs into empty projects outside the repository and prints the README's sentence;
// test/packages/install.test.ts measures its own installs with `measure` and checks the README
// says the same.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `du -sh`'s size: 1024-based, rounded up, one decimal below 10. */
function human(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? Math.ceil(value * 10) / 10 : Math.ceil(value);
  return `${shown} ${units[unit]}`;
}

/** Bytes of the files below `path` (links not followed), as `find -type f` would sum them. */
function fileBytes(path) {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + fileBytes(join(path, name)), 0);
}

/** Disk usage of `path` as `du -sk` reports it, in bytes. */
function diskBytes(path) {
  return Number(execFileSync("du", ["-sk", path], { encoding: "utf8" }).split("\t")[0]) * 1024;
}

/** Installed packages of a project (scoped ones as `@scope/name`). */
function packages(project) {
  const root = join(project, "node_modules");
  return readdirSync(root)
    .filter((name) => !name.startsWith("."))
    .flatMap((name) =>
      name.startsWith("@") ? readdirSync(join(root, name)).map((n) => `${name}/${n}`) : [name],
    );
}

/**
 * What an installed project's `node_modules` holds.
 *
 * @param {string} project - A project with the packages installed.
 */
export function measure(project) {
  const modules = join(project, "node_modules");
  const deno = packages(project).find((name) => /^@deno\/[^/]+$/.test(name));
  return {
    packages: packages(project).length,
    disk: diskBytes(modules),
    files: fileBytes(modules),
    deno: deno === undefined ? 0 : diskBytes(join(modules, deno)),
    esbuild: packages(project)
      .filter((name) => name === "esbuild" || name.startsWith("@esbuild/"))
      .reduce((sum, name) => sum + diskBytes(join(modules, name)), 0),
  };
}

/**
 * The README's sentence about install sizes, from the measures of the SDK alone and the toolset.
 */
export function sizeSentence(sdk, tool) {
  return `It installs ${sdk.packages} packages, ${human(sdk.disk)} (\`du -sh node_modules\`;\n${human(sdk.files)} of files), against ${human(tool.disk)} for the whole toolset (\`@keptn-task/runners\`: ${human(tool.deno)} of it is\nthe Deno binary, ${human(tool.esbuild)} esbuild`;
}

function install(tarballs) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "keptn-task-sizes-")));
  const npm = (args) => execFileSync("npm", args, { cwd: dir, stdio: "ignore" });
  npm(["init", "-y"]);
  npm(["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs]);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const out = realpathSync(mkdtempSync(join(tmpdir(), "keptn-task-pack-")));
  const packed = JSON.parse(
    execFileSync(
      "npm",
      ["pack", "--json", "--pack-destination", out, "-w", "sdk", "-w", "runners"],
      {
        cwd: root,
        encoding: "utf8",
      },
    ),
  ).map((entry) => join(out, entry.filename));
  const sdkOnly = install(packed.filter((file) => file.includes("-sdk-")));
  const tool = install(packed);
  try {
    console.log(sizeSentence(measure(sdkOnly), measure(tool)));
  } finally {
    for (const dir of [out, sdkOnly, tool]) rmSync(dir, { recursive: true, force: true });
  }
}
