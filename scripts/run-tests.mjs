#!/usr/bin/env node
// Runs vitest and ends with the plain closing line CI reads: "N passed, N failed[, N skipped]".
// Usage: node scripts/run-tests.mjs [--build] [--checks] [vitest args...]
// --build builds every workspace first, in package.json's order (vitest needs what they build).
// --checks also runs the lint (`npm run lint`) from the start and the type check (`npm run
// typecheck`) once the SDK's declarations are built (it reads them): the build keeps one core
// busy, the checks take the other, and what is left of them runs alongside vitest. Their output
// is printed after vitest's; each check that fails counts as one failed test, and a build that
// fails ends the run as one failed test.
// With KEPTN_TASK_TEST_TOTALS=<file>, also appends "passed failed skipped" to that file, so a
// caller running several test commands (.ci/run) can print one closing line for all of them.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs a command to its end; resolves with its exit code (1 for a signal) and its output. */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, options);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const args = process.argv.slice(2);
const flags = new Set();
while (args[0] === "--build" || args[0] === "--checks") flags.add(args.shift());
const withChecks = flags.has("--checks");
const vitestArgs = args;

const dir = mkdtempSync(join(tmpdir(), "keptn-task-tests-"));
const report = join(dir, "report.json");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/** Starts `npm run SCRIPT` with its output kept for the end. */
const check = (script) =>
  run(npm, ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] }).then((result) => ({
    script,
    ...result,
  }));
const checks = withChecks ? [check("lint")] : [];
const workspaces = flags.has("--build")
  ? JSON.parse(readFileSync("package.json", "utf8")).workspaces
  : [];
for (const [index, workspace] of workspaces.entries()) {
  const build = await run(npm, ["run", "build", "--if-present", "-w", workspace], {
    stdio: "inherit",
  });
  if (build.code !== 0) {
    console.log(`npm run build -w ${workspace}: failed (exit code ${build.code})`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  if (index === 0 && withChecks) checks.push(check("typecheck"));
}
if (withChecks && workspaces.length === 0) checks.push(check("typecheck"));
const tests = await run(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...vitestArgs,
  ],
  { stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests;
  // A file that failed without a failed test (its hook threw, it did not load) ran none of its
  // tests: each of them counts as failed, not skipped, and the file as one if it had none.
  const unrun = json.testResults
    .filter((file) => file.status === "failed")
    .filter((file) => !file.assertionResults.some((test) => test.status === "failed"))
    .map((file) => Math.max(1, file.assertionResults.length));
  const unrunTests = unrun.reduce((sum, count) => sum + count, 0);
  failed = json.numFailedTests + unrunTests;
  skipped = Math.max(0, json.numPendingTests + json.numTodoTests - unrunTests);
} catch {
  failed = 1;
}
rmSync(dir, { recursive: true, force: true });
if (tests.code !== 0 && failed === 0) failed = 1;
for (const check of await Promise.all(checks)) {
  if (check.output.trim() !== "") process.stdout.write(`\n${check.output.trimEnd()}\n`);
  if (check.code === 0) {
    passed += 1;
    console.log(`npm run ${check.script}: passed`);
  } else {
    failed += 1;
    console.log(`npm run ${check.script}: failed (exit code ${check.code})`);
  }
}
if (process.env.KEPTN_TASK_TEST_TOTALS) {
  appendFileSync(process.env.KEPTN_TASK_TEST_TOTALS, `${passed} ${failed} ${skipped}\n`);
}
console.log(
  skipped > 0
    ? `${passed} passed, ${failed} failed, ${skipped} skipped`
    : `${passed} passed, ${failed} failed`,
);
process.exit(failed > 0 ? 1 : 0);
