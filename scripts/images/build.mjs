#!/usr/bin/env node
// npm run images: builds the runner images with podman under the names docker-bake.hcl gives
// them (REGISTRY/TAG: ghcr.io/keptn-task/deno-runtime:<version> and .../python-runtime:<version>),
// from its Dockerfiles, contexts and build args, the raw-material images made locally by
// make-bases.sh. Podman must already work (scripts/images/setup-podman.sh).
//
// Reproducible: every build takes SOURCE_DATE_EPOCH (default: the last commit's time) as the
// image's creation time and the time of every file in its layers, so the same commit gives the
// same image (npm run artifacts checks it).
//
// Usage: node scripts/images/build.mjs [--no-cache] [target...]   (default: bake's "default" group)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadBake, podmanBuildArgs, repoRoot } from "./bake.mjs";

process.env.CONTAINERS_CONF ??= resolve(repoRoot, "images/containers.conf");

const fail = (message) => {
  console.error(`images: ${message}`);
  process.exit(1);
};

if (!existsSync(resolve(repoRoot, "runners/dist/bootstrap.js"))) {
  fail('Cannot build the images without "runners/dist/bootstrap.js": run npm run build first');
}

const revision = (() => {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
})();
const timestamp = (() => {
  let value = process.env.SOURCE_DATE_EPOCH;
  try {
    value ??= execFileSync("git", ["log", "-1", "--format=%ct"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
  } catch {
    fail("Cannot date the images outside a git checkout: set SOURCE_DATE_EPOCH");
  }
  if (!/^\d+$/.test(value)) fail(`Cannot use SOURCE_DATE_EPOCH "${value}": seconds since 1970`);
  return Number(value);
})();
const bake = await loadBake({
  env: { ...(revision ? { REVISION: revision } : {}), ...process.env },
});
const argv = process.argv.slice(2);
const noCache = argv.includes("--no-cache");
const requested = argv.filter((arg) => arg !== "--no-cache");
const names = requested.length > 0 ? requested : bake.groups.default;
if (!names?.length) fail('Cannot find the targets: docker-bake.hcl has no group "default"');

const started = Date.now();
const bases = Object.fromEntries(
  execFileSync("bash", [resolve(repoRoot, "scripts/images/make-bases.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .map((line) => line.split("=", 2)),
);
console.log(`images: bases ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

for (const name of names) {
  const target = bake.targets[name];
  if (!target) fail(`Cannot build target "${name}": docker-bake.hcl has no such target`);
  const args = podmanBuildArgs(target, bases, { timestamp, noCache });
  const t0 = Date.now();
  console.log(`images: podman ${args.join(" ")}`);
  const result = spawnSync("podman", args, { stdio: "inherit" });
  if (result.status !== 0) fail(`Cannot build target "${name}": podman exited ${result.status}`);
  console.log(`images: built ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
