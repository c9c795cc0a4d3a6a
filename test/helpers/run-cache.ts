// A directory shared by every test file of one `vitest run` (a globalSetup of vitest.config.ts),
// for what is costly to make and the same for every file: the packed tarballs and the projects
// they are installed into. The first file to ask makes an entry; the others wait for it. Removed
// when the run ends.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestProject } from "vitest/node";
import { resolvePython } from "./python.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's shared directory (see test/helpers/run-cache.ts). */
    runCache: string;
  }
}

/** vitest globalSetup: makes the run's directory, removes it when the run ends. */
export default function setup(project: TestProject): () => void {
  // Every test file's workers start from this process's environment: python3 is asked once.
  process.env.KEPTN_TASK_TEST_PYTHON ||= resolvePython();
  const dir = mkdtempSync(join(tmpdir(), "keptn-task-run-cache-"));
  project.provide("runCache", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * The directory `key` in the run's cache, made once by `make(dir)` (for every file of the run):
 * the first caller makes it, a concurrent one waits until it is made, or fails as it failed.
 */
export async function cached(
  root: string,
  key: string,
  make: (dir: string) => void,
): Promise<string> {
  const dir = join(root, key);
  const done = `${dir}.done`;
  const failed = `${dir}.failed`;
  try {
    mkdirSync(`${dir}.lock`);
  } catch {
    // Another file is making it.
    for (;;) {
      if (existsSync(done)) return dir;
      if (existsSync(failed)) throw new Error(readFileSync(failed, "utf8"));
      await sleep(200);
    }
  }
  try {
    mkdirSync(dir);
    make(dir);
    writeFileSync(done, "");
    return dir;
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    writeFileSync(failed, `Cannot make "${key}" for the tests: ${String(error)} ${stderr ?? ""}`);
    throw error;
  }
}
