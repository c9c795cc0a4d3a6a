// The order in which `npm test` starts its files: the slowest first (as vitest itself orders
// them once it has timed a run, which a fresh clone, as in CI, has not), so that no long file
// starts last and runs alone on a machine whose other cores have nothing left to do.
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest files of the suite on a 2-core machine, slowest first (the durations `npm test`
 * prints). The package tests share one install (test/helpers/run-cache.ts): the first of them
 * makes it while the others are still queued.
 */
export const SLOWEST_FIRST = [
  "test/docs/site.test.ts",
  "test/packages/install.test.ts",
  "test/runners/masking-fuzz.test.ts",
  "test/packages/init.test.ts",
  "test/cli/command.test.ts",
  "test/packages/tracing.test.ts",
  "test/sdk/authoring.test.ts",
  "test/cli/author-loop.test.ts",
  "test/cli/init.test.ts",
  "test/cli/run.test.ts",
  "test/safety/secrets.test.ts",
];

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const rank = (file: TestSpecification) => {
      const at = SLOWEST_FIRST.indexOf(relative(root, file.moduleId));
      return at === -1 ? SLOWEST_FIRST.length : at;
    };
    return sorted
      .map((file, index) => ({ file, index }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index)
      .map(({ file }) => file);
  }
}
