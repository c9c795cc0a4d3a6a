// What the keptn-task run tests share: the fixture definitions, a secret, a scratch folder and
// the ways to stop and watch the CLI's processes. Each test file makes its own scratch folder
// (runScratch) and removes it in its own afterAll.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TASKS = "test/cli/fixtures/tasks.yaml";
export const SECRET = '{"token":"s3cr3t-t0ken-value"}';
/**
 * A scratch folder of the calling test file's own (files may share one worker, and this
 * module, so nothing here is made at import), and `manifest(name, yaml)`, which writes a
 * manifest into it and returns its path.
 */
export function runScratch(): { dir: string; manifest: (name: string, yaml: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), "keptn-task-run-test-"));
  const manifest = (name: string, yaml: string): string => {
    const path = join(dir, name);
    writeFileSync(path, yaml);
    return path;
  };
  return { dir, manifest };
}

/** Ctrl-C as a terminal sends it: SIGINT to the CLI's whole process group. */
export function ctrlC(child: ChildProcess): void {
  if (child.pid !== undefined) process.kill(-child.pid, "SIGINT");
}

/** Whether a process is still running (a zombie waiting to be reaped is not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
