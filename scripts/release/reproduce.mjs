#!/usr/bin/env node
// npm run artifacts:reproduce: proves that `npm run artifacts` is reproducible. In a clean clone
// of this checkout's HEAD (a temporary folder), after `npm ci`, it runs `npm run artifacts`, then
// removes everything git does not track but node_modules, runs it again, and compares the two
// SHA256SUMS and every file. Exit 0 when they are byte-identical.
//
// Usage: node scripts/release/reproduce.mjs [--keep DIR]
//   --keep DIR   copy the second run's artifacts/ to DIR (the image tests use them)
// Only committed work is built: commit first.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "../images/bake.mjs";

const argv = process.argv.slice(2);
const keepAt = argv.indexOf("--keep");
const keep = keepAt >= 0 ? argv[keepAt + 1] : undefined;
if (keepAt >= 0 && !keep) {
  console.error("reproduce: --keep needs a folder");
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "keptn-task-reproduce-"));
const clone = join(work, "src");
const fail = (message) => {
  console.error(`reproduce: ${message}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
};
const run = (command, args) => {
  const t0 = Date.now();
  const result = spawnSync(command, args, {
    cwd: clone,
    stdio: "inherit",
    env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" },
  });
  if (result.status !== 0) fail(`"${command} ${args.join(" ")}" exited ${result.status}`);
  return (Date.now() - t0) / 1000;
};

const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
execFileSync("git", ["clone", "--quiet", "--no-checkout", repoRoot, clone], { stdio: "inherit" });
execFileSync("git", ["checkout", "--quiet", head], { cwd: clone, stdio: "inherit" });
console.log(`reproduce: ${head} cloned into ${clone}`);
run("npm", ["ci", "--prefer-offline"]);

const first = run("npm", ["run", "artifacts"]);
const firstDir = join(work, "first");
cpSync(join(clone, "artifacts"), firstDir, { recursive: true });
run("git", ["clean", "-q", "-d", "-f", "-x", "-e", "node_modules"]);
const second = run("npm", ["run", "artifacts"]);
const secondDir = join(clone, "artifacts");

const sums = (dir) => readFileSync(join(dir, "SHA256SUMS"), "utf8");
console.log(`reproduce: first run (${first.toFixed(1)} s):\n${sums(firstDir)}`);
console.log(`reproduce: second run (${second.toFixed(1)} s):\n${sums(secondDir)}`);
const names = [...new Set([...readdirSync(firstDir), ...readdirSync(secondDir)])].sort();
const differ = names.filter((name) => {
  try {
    return !readFileSync(join(firstDir, name)).equals(readFileSync(join(secondDir, name)));
  } catch {
    return true;
  }
});
if (keep) cpSync(secondDir, resolve(keep), { recursive: true });
rmSync(work, { recursive: true, force: true });
if (differ.length > 0) {
  console.error(`reproduce: the two runs differ in ${differ.join(", ")}`);
  process.exit(1);
}
console.log(`reproduce: both runs gave the same ${names.length} files (SHA256SUMS above)`);
