#!/usr/bin/env node
// Runs vitest and ends with the plain closing line CI reads: "N passed, N failed[, N skipped]".
// Usage: node scripts/run-tests.mjs [--checks] [vitest args...]
// --checks also runs the type check (`npm run typecheck`) and the lint (`npm run lint`), each
// alongside vitest rather than before it: the tests mostly wait on the processes they start, and
// the two checks fill that idle CPU (about 10 s off `npm test` on a 2-core machine). Their output
// is printed after vitest's; each check that fails counts as one failed test.
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
const withChecks = args[0] === "--checks";
const vitestArgs = withChecks ? args.slice(1) : args;

const dir = mkdtempSync(join(tmpdir(), "keptn-task-tests-"));
const report = join(dir, "report.json");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const checks = withChecks
  ? ["typecheck", "lint"].map((script) =>
      run(npm, ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] }).then(
        (result) => ({ script, ...result }),
      ),
    )
  : [];
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
