#!/usr/bin/env node
// Runs vitest and ends with the plain closing line CI reads: "N passed, N failed[, N skipped]".
// Usage: node scripts/run-tests.mjs [vitest args...]
// With KEPTN_TASK_TEST_TOTALS=<file>, also appends "passed failed skipped" to that file, so a
// caller running several test commands (.ci/run) can print one closing line for all of them.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "keptn-task-tests-"));
const report = join(dir, "report.json");
const result = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests;
  failed =
    json.numFailedTests +
    (json.numTotalTestSuites > 0 && json.success === false && json.numFailedTests === 0 ? 1 : 0);
  skipped = json.numPendingTests + json.numTodoTests;
} catch {
  failed = 1;
}
rmSync(dir, { recursive: true, force: true });
const status = result.status ?? 1;
if (status !== 0 && failed === 0) failed = 1;
if (process.env.KEPTN_TASK_TEST_TOTALS) {
  appendFileSync(process.env.KEPTN_TASK_TEST_TOTALS, `${passed} ${failed} ${skipped}\n`);
}
console.log(
  skipped > 0
    ? `${passed} passed, ${failed} failed, ${skipped} skipped`
    : `${passed} passed, ${failed} failed`,
);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
