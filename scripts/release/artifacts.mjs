#!/usr/bin/env node
// npm run artifacts: writes into artifacts/ everything a release publishes, reproducibly:
//   keptn-task-sdk-<v>.tgz, keptn-task-runners-<v>.tgz     npm pack of both packages
//   keptn_task-<v>-py3-none-any.whl, keptn_task-<v>.tar.gz  the Python wheel and sdist
//   deno-runtime-<v>.oci.tar, python-runtime-<v>.oci.tar   the images (linux/amd64), OCI archives
//   *.cdx.json                                              CycloneDX SBOMs of each of the four
//   SHA256SUMS                                              over all of the above
// Two runs from the same commit give byte-identical files: SOURCE_DATE_EPOCH (default: the last
// commit's time) dates the images and the SBOMs; npm pack and the Python backend write fixed
// times themselves; the OCI archives are tarred with sorted names, fixed times and owners. The
// images are built without podman's cache: a cached layer keeps the times of the build that made
// it, whatever --timestamp says. scripts/release/reproduce.mjs proves it on a clean clone.
//
// Usage: node scripts/release/artifacts.mjs
// Needs: npm ci, python3, podman (scripts/images/setup-podman.sh).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { imageTags, loadBake, repoRoot } from "../images/bake.mjs";
import { imageSbom, npmPackageSbom, projectVersions } from "./sbom.mjs";

process.env.CONTAINERS_CONF ??= resolve(repoRoot, "images/containers.conf");
const out = resolve(repoRoot, "artifacts");

const fail = (message) => {
  console.error(`artifacts: ${message}`);
  process.exit(1);
};
const git = (...args) =>
  execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: "inherit", ...options });
  if (result.status !== 0) {
    fail(`Cannot run "${command} ${args.join(" ")}": exited ${result.status ?? result.signal}`);
  }
};

let revision;
let epoch = process.env.SOURCE_DATE_EPOCH;
try {
  revision = git("rev-parse", "HEAD").trim();
  epoch ??= git("log", "-1", "--format=%ct").trim();
  if (git("status", "--porcelain", "--untracked-files=normal").trim() !== "") {
    console.warn(
      "artifacts: the tree has uncommitted changes: these artifacts are not the commit's, and another run need not reproduce them",
    );
  }
} catch {
  if (epoch === undefined)
    fail("Cannot date the artifacts outside a git checkout: set SOURCE_DATE_EPOCH");
}
if (!/^\d+$/.test(epoch ?? "")) fail(`Cannot use SOURCE_DATE_EPOCH "${epoch}": seconds since 1970`);
const timestamp = Number(epoch);
const env = {
  ...process.env,
  SOURCE_DATE_EPOCH: String(timestamp),
  ...(revision ? { REVISION: revision } : {}),
};

const started = Date.now();
const times = [];
const step = (name, action) => {
  const t0 = Date.now();
  action();
  times.push([name, (Date.now() - t0) / 1000]);
  console.log(`artifacts: ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const { version } = projectVersions();

step("build", () => run("npm", ["run", "build"], { env }));

step("npm packages", () => {
  const packed = JSON.parse(
    execFileSync(
      "npm",
      ["pack", "--json", "--pack-destination", out, "-w", "sdk", "-w", "runners"],
      { cwd: repoRoot, encoding: "utf8", env, stdio: ["ignore", "pipe", "inherit"] },
    ),
  );
  for (const { filename } of packed) console.log(`artifacts: ${filename}`);
  for (const workspace of ["sdk", "runners"]) {
    const { name } = JSON.parse(readFileSync(resolve(repoRoot, workspace, "package.json"), "utf8"));
    writeFileSync(
      join(out, `${name.replace(/^@/, "").replace("/", "-")}-${version}.cdx.json`),
      npmPackageSbom({ workspace, timestamp }),
    );
  }
});

step("Python wheel and sdist", () => {
  // The PEP 517 hooks of the package's own backend (sdk-python/_build), called directly:
  // no pip, build or wheel package needed, and it writes fixed times itself.
  const program = [
    "import sys",
    "sys.path.insert(0, sys.argv[1])",
    "import backend",
    "print(backend.build_wheel(sys.argv[2]))",
    "print(backend.build_sdist(sys.argv[2]))",
  ].join("\n");
  const built = execFileSync(
    "python3",
    ["-c", program, resolve(repoRoot, "sdk-python/_build"), out],
    { cwd: repoRoot, encoding: "utf8", env: { ...env, PYTHONDONTWRITEBYTECODE: "1" } },
  );
  for (const file of built.trim().split("\n")) console.log(`artifacts: ${file}`);
});

const bake = await loadBake({ env });
const tags = await imageTags(env);
const targets = bake.groups.default ?? [];

step("images", () =>
  run(process.execPath, ["scripts/images/build.mjs", "--no-cache", ...targets], { env }),
);

step("image archives", () => {
  for (const target of targets) {
    const tag = tags[target];
    if (!tag) fail(`Cannot name the image of target "${target}"`);
    const layout = mkdtempSync(join(tmpdir(), "keptn-task-oci-"));
    try {
      const dir = join(layout, "image");
      // An OCI layout (compressed layers; the same bytes for the same image), then one tar of
      // it with sorted names, the epoch as every time, root as owner: podman load reads it as
      // the oci-archive that `podman save --format oci-archive` writes.
      execFileSync("podman", ["save", "--quiet", "--format", "oci-dir", "-o", dir, tag], {
        env,
        stdio: ["ignore", "ignore", "inherit"],
      });
      const archive = join(out, `${target}-${version}.oci.tar`);
      execFileSync(
        "tar",
        [
          "--create",
          "--file",
          archive,
          "--directory",
          dir,
          "--sort=name",
          "--format=gnu",
          `--mtime=@${timestamp}`,
          "--owner=0",
          "--group=0",
          "--numeric-owner",
          "--mode=u=rwX,go=rX",
          "oci-layout",
          "index.json",
          "blobs",
        ],
        { env: { ...env, LC_ALL: "C" } },
      );
      const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
      const digest = index.manifests?.[0]?.digest;
      writeFileSync(
        join(out, `${target}-${version}.cdx.json`),
        imageSbom({ image: target, tag, timestamp, digest }),
      );
      console.log(`artifacts: ${target}-${version}.oci.tar (${tag}@${digest})`);
    } finally {
      rmSync(layout, { recursive: true, force: true });
    }
  }
});

// sha256sum's format: "<hex>  <name>", sorted by name; `sha256sum --check SHA256SUMS` reads it.
// Files only: the docs test keeps a screenshot in artifacts/docs/, which no release publishes.
const files = readdirSync(out)
  .filter((file) => statSync(join(out, file)).isFile())
  .sort();
const sums = files.map((file) => {
  const hash = createHash("sha256")
    .update(readFileSync(join(out, file)))
    .digest("hex");
  return `${hash}  ${file}\n`;
});
writeFileSync(join(out, "SHA256SUMS"), sums.join(""));

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
console.log("artifacts: written to artifacts/:");
for (const file of [...files, "SHA256SUMS"]) {
  console.log(`  ${file.padEnd(44)} ${mb(statSync(join(out, file)).size).padStart(9)}`);
}
console.log(
  `artifacts: done in ${((Date.now() - started) / 1000).toFixed(1)} s (${times
    .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
    .join(", ")})${revision ? ` from ${revision}` : ""}, SOURCE_DATE_EPOCH=${timestamp}`,
);
