import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { SlowestFirst } from "./test/helpers/sequencer.js";

/**
 * The fast loop (`npm run test:unit`): files that start no process and open no socket, read from
 * each file. A file that starts doing either moves to the `processes` project. The package tests
 * import the built entry points: `npm run build` once first.
 */
export const UNIT_TESTS = [
  "examples/change-freeze/handler.test.ts",
  "test/definitions/*.test.ts",
  "test/docs/readme.test.ts",
  "test/docs/reference.test.ts",
  "test/packages/exports.test.ts",
  "test/packages/version.test.ts",
  "test/sdk/env-json.property.test.ts",
  "test/sdk/process-policy.test.ts",
  "test/sdk/termination-log.test.ts",
  "test/architecture/layout.test.ts",
];

export default defineConfig({
  test: {
    // Real processes (deno, python3) start inside tests; a 2-core CI machine needs headroom.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    typecheck: { enabled: false },
    // One directory for the whole run, for what every file can share (test/helpers/run-cache.ts).
    globalSetup: ["test/helpers/run-cache.ts"],
    sequence: { sequencer: SlowestFirst },
    // vitest's default in a run is one worker fewer than the cores: one on a 2-core machine, so
    // every file ran after the other. The tests mostly wait on the processes they start (deno,
    // python3, the command) or on a deadline passing, so more files than cores keep them busy.
    // On this project's 2-core machine, with files sharing their workers, 4 at a time ran
    // `npm test` in 314 s, 3 in 317-341 s, 5 in 344 s while a stray process took ~0.6 core;
    // quiet, 4 at a time, 244-246 s.
    maxWorkers: availableParallelism() + 2,
    // Test files share their worker process and its loaded modules instead of each starting a
    // fresh one (vitest's default): on this 2-core machine that took ~110 s of CPU off a run of
    // ~580 s. So a test file must leave no state behind for the next: it restores what it sets
    // in process.env, and a helper that makes a scratch folder at import keeps it for the
    // worker's life (removed at exit), or hands each file its own (test/cli/run-helpers.ts).
    isolate: false,
    projects: [
      { extends: true, test: { name: "unit", include: UNIT_TESTS } },
      {
        extends: true,
        test: {
          name: "processes",
          // The examples' own unit tests (examples/change-freeze/handler.test.ts) run in the
          // suite too, in the unit project.
          include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
          exclude: [...UNIT_TESTS, "test/images/**", "**/node_modules/**"],
        },
      },
    ],
  },
});
