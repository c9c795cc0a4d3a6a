import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DENO, ROOT } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";
import {
  KEPTN_CONTEXT,
  RUNNER,
  runnerCommand,
  runnerLogLines,
  runRunner,
  scratch,
} from "../helpers/runner.js";

// The entry module starts a Deno task's own process before the runner's script loads, gated by
// its preloaded exit guard until the runner has checked everything and built the same command
// (runners/src/runner/early-start.ts, exit-guard-preload.ts). What must hold: the task runs once,
// only after the go, and a process the runner does not take ends without running anything.

const DIST = `${ROOT}runners/dist`;
const HARNESS = `${ROOT}test/fixtures/runners/early-start-harness.js`;
const tmp = scratch("keptn-early-start-");
afterAll(() => tmp.cleanup());

let tasks = 0;
/** A task file that appends "ran" to its own counter file, then prints the secret. */
function countingTask(): { script: string; counter: string } {
  tasks += 1;
  const counter = join(tmp.dir, `count-${tasks}.txt`);
  writeFileSync(counter, "");
  const script = tmp.file(
    `task-${tasks}.ts`,
    `Deno.writeTextFileSync(${JSON.stringify(counter)}, "ran\\n", { append: true });\n` +
      'console.log("secret:", Deno.env.get("SECURE_DATA"));\n',
  );
  return { script, counter };
}

const SECRET = "early-start-secret-4711";

/** Whether process `pid` is still running (a zombie has ended). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Waits for `pid` to end; false when it still runs after `ms` (a wait, not a timing). */
async function ended(pid: number, ms = 20_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; )
    if (running(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    else return true;
  return !running(pid);
}

describe("the task's process started early by the entry module", () => {
  it("runs the task once, after the runner's go, its output masked", async () => {
    const { script, counter } = countingTask();
    const result = await runRunner("deno", {
      SCRIPT: script,
      SECURE_DATA: SECRET,
      KEPTN_TASK_RUNNER_LOG_LEVEL: "debug",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("secret: ***\n");
    expect(readFileSync(counter, "utf8")).toBe("ran\n");
    const succeeded = runnerLogLines(result.stderr).find((line) => line.msg === "Task succeeded");
    expect(succeeded?.startedEarly).toBe(true);
    expect(result.stderr).not.toContain(SECRET);
  });

  it("is not started without a secret to mask: the task runs once, as before", async () => {
    for (const secret of [undefined, "  "]) {
      const { script, counter } = countingTask();
      const result = await runRunner(
        "deno",
        { SCRIPT: script, SECURE_DATA: secret, KEPTN_TASK_RUNNER_LOG_LEVEL: "debug" },
        { isolation: "process" },
      );
      expect(result.code).toBe(0);
      expect(readFileSync(counter, "utf8")).toBe("ran\n");
      const succeeded = runnerLogLines(result.stderr).find((l) => l.msg === "Task succeeded");
      expect(succeeded?.startedEarly).toBe(false);
    }
  });

  it.each([
    ["KEPTN_CONTEXT is not JSON", { KEPTN_CONTEXT: "{not json" }, 78],
    ["DATA is not a map of strings", { DATA: '{"a":1}' }, 78],
    ["a runner option is bad", { KEPTN_TASK_GRACE_SECONDS: "soon" }, 78],
  ])("never runs the task when the runner refuses it: %s", async (_name, env, code) => {
    const { script, counter } = countingTask();
    const result = await runRunner("deno", { SCRIPT: script, SECURE_DATA: SECRET, ...env });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe("");
    expect(readFileSync(counter, "utf8")).toBe("");
  });

  it.each([
    ["mismatch", "another command"],
    ["inherit", "output not masked"],
    ["env", "another environment"],
  ])("ends without running the task when the runner starts %s (%s)", async (scenario) => {
    const { script, counter } = countingTask();
    const result = await runProcess(DENO, ["run", "-A", "--no-config", HARNESS, DIST, scenario], {
      env: { SCRIPT: script, SECURE_DATA: SECRET, KEPTN_CONTEXT, TMPDIR: tmp.dir },
    });
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { started: true, pid: expect.any(Number) },
      { taken: false },
      { done: true },
    ]);
    expect(running(lines[0].pid)).toBe(false);
    expect(readFileSync(counter, "utf8")).toBe("");
  });

  it("ends by itself, nothing run, when the runner ends without a go", async () => {
    const { script, counter } = countingTask();
    const result = await runProcess(DENO, ["run", "-A", "--no-config", HARNESS, DIST, "exit"], {
      env: { SCRIPT: script, SECURE_DATA: SECRET, KEPTN_CONTEXT, TMPDIR: tmp.dir },
    });
    const [started] = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(started).toEqual({ started: true, pid: expect.any(Number) });
    expect(await ended(started.pid)).toBe(true);
    expect(readFileSync(counter, "utf8")).toBe("");
  });

  it.each([
    ["an httpRef URL", { SCRIPT: "http://127.0.0.1:9/task.ts" }],
    ["custom permissions", { KEPTN_TASK_DENO_PERMISSIONS: "--allow-read" }],
    ["a ConfigMap folder (no extension)", { SCRIPT: ROOT }],
    ["a declaration file", { SCRIPT: `${DIST}/keptn-task-sdk.d.ts` }],
    ["OpenTelemetry export", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }],
  ])("is not started for %s", async (_name, env) => {
    const { script } = countingTask();
    const result = await runProcess(DENO, ["run", "-A", "--no-config", HARNESS, DIST, "mismatch"], {
      env: { SCRIPT: script, SECURE_DATA: SECRET, KEPTN_CONTEXT, TMPDIR: tmp.dir, ...env },
    });
    expect(JSON.parse(result.stdout.trim())).toEqual({ started: false });
  });

  it("is not started while SIGINT is ignored (cmd &): the forwarded SIGINT still stops the task", async () => {
    // A process inherits an ignored signal; one the runner starts once it listens does not.
    const script = tmp.file(
      "sigint-task.ts",
      'console.log("ready");\nawait new Promise((resolve) => setTimeout(resolve, 30_000));\nconsole.log("finished");\n',
    );
    const result = await runProcess(
      "bash",
      ["-c", 'trap "" INT; exec "$@"', "bash", ...runnerCommand("deno")],
      {
        env: { KEPTN_CONTEXT, SCRIPT: script, SECURE_DATA: SECRET, CMD_ARGS: "", TMPDIR: tmp.dir },
        onStdout: (chunk, child) => {
          if (chunk.includes("ready")) child.kill("SIGINT");
        },
      },
    );
    expect(result.stdout).toBe("ready\n");
    expect(result.code).toBe(130);
  });

  it("without the permission to read the environment, fails as the runner does: one line, 70", async () => {
    const { script, counter } = countingTask();
    const result = await runProcess(
      DENO,
      [
        "run",
        "--allow-env=SECURE_DATA",
        "--allow-read",
        "--no-prompt",
        "--no-config",
        RUNNER,
        "deno",
      ],
      { env: { KEPTN_CONTEXT, SCRIPT: script, SECURE_DATA: SECRET } },
    );
    expect(result.code).toBe(70);
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      "Runner failed: unhandled NotCapable",
    ]);
    expect(readFileSync(counter, "utf8")).toBe("");
  });
});

describe("the gate of a Deno task's own process (exit-guard.js?gate)", () => {
  it.each([
    ["no byte (the runner is gone)", 70, "", ""],
    ["another byte", 70, "x", ""],
    ["the go", 0, "g", "ran\n"],
  ])("given %s, ends with %i", async (_name, code, input, ran) => {
    const { script, counter } = countingTask();
    const guard = `file://${DIST}/exit-guard.js?gate`;
    const result = await runProcess(
      DENO,
      ["run", "--no-config", "-A", `--preload=${guard}`, script],
      { input, env: { SECURE_DATA: "" } },
    );
    expect(result.code).toBe(code);
    expect(readFileSync(counter, "utf8")).toBe(ran);
  });

  it("leaves the task's stdin empty after the go", async () => {
    const script = tmp.file(
      "stdin.ts",
      "const read = await Deno.stdin.read(new Uint8Array(8));\nconsole.log(JSON.stringify(read));\n",
    );
    const guard = `file://${DIST}/exit-guard.js?gate`;
    const result = await runProcess(DENO, ["run", "--no-config", `--preload=${guard}`, script], {
      input: "g",
    });
    expect(result.stdout).toBe("null\n");
    expect(result.code).toBe(0);
  });
});
