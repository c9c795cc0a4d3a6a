// keptn-task run --watch: a real file edit re-runs the task; a run in progress is stopped first
// and its summary kept; Ctrl-C ends the watching. Every step waits for the command's own output.
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { CLI, PYTHON } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-task-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MANIFEST = join(dir, "task.yaml");
writeFileSync(
  MANIFEST,
  `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: watched
spec:
  deno:
    inline:
      code: |
        console.log("the manifest's code");
`,
);
const CODE = join(dir, "task.ts");

/** A task that prints its version, then waits (a run to be stopped) or ends. */
const version = (n: number, wait: boolean) =>
  `console.log("version ${n}");\n${wait ? "await new Promise((resolve) => setTimeout(resolve, 120_000));\n" : ""}`;

/** Calls each step when its line first appears on the CLI's stderr or stdout. */
function onLines(steps: [RegExp | ((seen: string) => boolean), (child: ChildProcess) => void][]) {
  let seen = "";
  return (child: ChildProcess) => {
    const look = (chunk: Buffer | string) => {
      seen += chunk.toString();
      const step = steps[0];
      if (step === undefined) return;
      const [when, then] = step;
      if (typeof when === "function" ? when(seen) : when.test(seen)) {
        steps.shift();
        then(child);
      }
    };
    child.stdout?.on("data", look);
    child.stderr?.on("data", look);
  };
}

describe("keptn-task run --watch", () => {
  it("re-runs at an edit, stopping the run in progress first and keeping its summary", async () => {
    writeFileSync(CODE, version(1, true));
    const result = await runProcess(
      process.execPath,
      [CLI, "run", "watched", "-f", MANIFEST, "--code", CODE, "--watch"],
      {
        cwd: ROOT,
        env: { TMPDIR: dir, KEPTN_TASK_PYTHON: PYTHON },
        timeoutMs: 120_000,
        onSpawn: onLines([
          [/version 1\n/, () => writeFileSync(CODE, version(2, false))],
          [/for changes \(Ctrl-C to stop\)\n/, () => writeFileSync(CODE, version(3, false))],
          [
            (seen) => seen.includes("version 3\n") && seen.split("for changes").length === 3,
            (child) => child.kill("SIGINT"),
          ],
        ]),
      },
    );
    expect(result.stdout).toBe("version 1\nversion 2\nversion 3\n");
    const notes = result.stderr.split("\n").filter((line) => line.startsWith("keptn-task: "));
    expect(notes).toEqual([
      `keptn-task: Change in "${CODE}": stopping the run`,
      expect.stringMatching(
        /^keptn-task: watched \(code .*task\.ts, deno, local\) failed with exit code 143 in /,
      ),
      "keptn-task: Running again",
      expect.stringMatching(/^keptn-task: watched \(code .*task\.ts, deno, local\) succeeded in /),
      `keptn-task: Watching ${MANIFEST}, ${CODE} for changes (Ctrl-C to stop)`,
      "keptn-task: Running again",
      expect.stringMatching(/^keptn-task: watched \(code .*task\.ts, deno, local\) succeeded in /),
      `keptn-task: Watching ${MANIFEST}, ${CODE} for changes (Ctrl-C to stop)`,
    ]);
    expect(result.code).toBe(0);
  });

  it("keeps watching when an edited manifest cannot be read, and runs once it is fixed", async () => {
    writeFileSync(CODE, version(4, false));
    const good = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: watched
spec:
  deno:
    inline:
      code: |
        console.log("the manifest's code");
`;
    const result = await runProcess(
      process.execPath,
      [CLI, "run", "watched", "-f", MANIFEST, "--code", CODE, "-w"],
      {
        cwd: ROOT,
        env: { TMPDIR: dir, KEPTN_TASK_PYTHON: PYTHON },
        timeoutMs: 120_000,
        onSpawn: onLines([
          [/for changes/, () => writeFileSync(MANIFEST, "kind: [unclosed\n")],
          [/Cannot /, () => writeFileSync(MANIFEST, good)],
          [/version 4\n[\s\S]*version 4\n[\s\S]*succeeded/, (child) => child.kill("SIGINT")],
        ]),
      },
    );
    expect(result.stdout).toBe("version 4\nversion 4\n");
    expect(result.stderr).toMatch(/keptn-task: .*task\.yaml.*\n/);
    expect(result.code).toBe(0);
  });

  it("watching a folder, runs again for its manifests and the code, not for other files", async () => {
    writeFileSync(CODE, version(5, false));
    const result = await runProcess(
      process.execPath,
      [CLI, "run", "watched", "-f", dir, "--code", CODE, "-w"],
      {
        cwd: ROOT,
        env: { TMPDIR: tmpdir(), KEPTN_TASK_PYTHON: PYTHON },
        timeoutMs: 120_000,
        onSpawn: onLines([
          [
            /for changes/,
            () => {
              // The run's output kept next to the manifests, and a package install: no run.
              writeFileSync(join(dir, "run.log"), "output\n");
              mkdirSync(join(dir, "node_modules/pkg"), { recursive: true });
              writeFileSync(join(dir, "node_modules/pkg/package.json"), "{}\n");
              writeFileSync(CODE, version(6, false));
            },
          ],
          [/version 6\n[\s\S]*for changes/, (child) => child.kill("SIGINT")],
        ]),
      },
    );
    expect(result.stdout).toBe("version 5\nversion 6\n");
    expect(result.stderr.match(/keptn-task: Change in "[^"]*"/g) ?? []).toEqual([]);
    expect(result.stderr.match(/keptn-task: Running again/g)).toHaveLength(1);
  });

  it("refuses standard input, which cannot be watched", async () => {
    const result = await runProcess(process.execPath, [CLI, "run", "watched", "-f", "-", "-w"], {
      cwd: ROOT,
      env: { TMPDIR: dir },
    });
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      "keptn-task: Cannot use --watch with -f -: standard input cannot be watched: give the manifests' files or folders\n",
    );
  });
});
