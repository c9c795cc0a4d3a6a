import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DENO, ROOT, SDK_BUNDLE } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";

// Task code importing "@keptn-task/sdk" by name, run as real processes: Node resolves the
// workspace package (sdk/dist, built by tsc); Deno maps the name to the single-file bundle.
const dir = mkdtempSync(join(tmpdir(), "keptn-sdk-process-"));
const importMap = join(dir, "import-map.json");
writeFileSync(importMap, JSON.stringify({ imports: { "@keptn-task/sdk": SDK_BUNDLE } }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => `${ROOT}test/fixtures/sdk/${name}`;
const KEPTN_DENO_FLAGS = [
  "--allow-net",
  "--allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT",
  "--allow-read",
];

const runtimes = {
  node: (script: string, args: string[]) => ({
    command: process.execPath,
    args: [script, ...args],
  }),
  deno: (script: string, args: string[]) => ({
    command: DENO,
    args: [
      "run",
      "--no-prompt",
      "--import-map",
      importMap,
      ...KEPTN_DENO_FLAGS,
      "--allow-write",
      script,
      ...args,
    ],
  }),
};

const CONTEXT = JSON.stringify({
  workloadName: "w",
  appName: "a",
  appVersion: "",
  workloadVersion: "1.2.3",
  taskType: "post",
  objectType: "Workload",
});

describe.each(Object.entries(runtimes))("task code under %s", (_name, make) => {
  it("imports the SDK by its package name and reads the Keptn environment", async () => {
    const { command, args } = make(fixture("print-context.mjs"), []);
    const result = await runProcess(command, args, {
      env: {
        KEPTN_CONTEXT: CONTEXT,
        DATA: '{"url":"http://127.0.0.1"}',
        SECURE_DATA: "hunter2-secret",
      },
      cwd: ROOT,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [first, second] = result.stdout.trim().split("\n");
    const printed = JSON.parse(first ?? "{}");
    expect(printed.context).toMatchObject({
      provided: true,
      workloadVersion: "1.2.3",
      taskType: "post",
    });
    expect(printed.data).toEqual({ url: "http://127.0.0.1" });
    expect(printed.hasSecret).toBe(true);
    expect(JSON.parse(second ?? "{}").msg).toBe("secret is ***");
    expect(result.stdout).not.toContain("hunter2");
  });

  it("fail() writes the masked reason to the termination log and exits with the given code", async () => {
    const log = join(dir, `termination-${_name}-fail`);
    writeFileSync(log, "");
    const { command, args } = make(fixture("exit.mjs"), ["fail", log, "3"]);
    const result = await runProcess(command, args, {
      env: { SECURE_DATA: "hunter2-secret" },
      cwd: ROOT,
    });
    expect(result.code).toBe(3);
    expect(readFileSync(log, "utf8")).toBe('Health check of "http://svc" failed: HTTP 503 (***)');
    expect(result.stdout).not.toContain("unreachable");
    expect(result.stdout).not.toContain("hunter2");
    expect(JSON.parse(result.stdout.trim()).level).toBe("error");
  });

  it("succeed() writes its message to the termination log and exits 0", async () => {
    const log = join(dir, `termination-${_name}-succeed`);
    writeFileSync(log, "old content that is longer than the new one");
    const { command, args } = make(fixture("exit.mjs"), ["succeed", log]);
    const result = await runProcess(command, args, { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("All checks passed");
    expect(result.stdout).not.toContain("unreachable");
  });

  it("fail() does not create a termination log where none exists", async () => {
    const log = join(dir, `missing-${_name}`, "termination-log");
    const { command, args } = make(fixture("exit.mjs"), ["fail", log, "1"]);
    const result = await runProcess(command, args, { cwd: ROOT });
    expect(result.code).toBe(1);
    expect(() => readFileSync(log)).toThrow();
  });

  it("aborts task.signal on SIGTERM and ends with exit code 143", async () => {
    const { command, args } = make(fixture("signal.mjs"), ["cooperate"]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      onStdout: (chunk, child) => {
        if (chunk.includes("ready")) child.kill("SIGTERM");
      },
    });
    expect(result.stdout).toContain("aborted: Received SIGTERM");
    expect(result.code).toBe(143);
  });

  it("does not let succeed() turn a task stopped by SIGTERM into a success", async () => {
    const { command, args } = make(fixture("signal.mjs"), ["succeed"]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      onStdout: (chunk, child) => {
        if (chunk.includes("ready")) child.kill("SIGTERM");
      },
    });
    expect(result.stdout).toContain("succeed() after a termination signal");
    expect(result.code).toBe(143);
  });

  it("gives a grace period beyond a timer's range in full, rather than ending the task at once", async () => {
    const { command, args } = make(fixture("signal.mjs"), ["finish-later", String(2 ** 31)]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      onStdout: (chunk, child) => {
        if (chunk.includes("ready")) child.kill("SIGTERM");
      },
    });
    expect(result.stdout).toContain("finished on its own");
    expect(result.code).toBe(143);
  });

  it("ends a task that ignores SIGTERM after the grace period", async () => {
    const { command, args } = make(fixture("signal.mjs"), ["ignore"]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      timeoutMs: 20_000,
      onStdout: (chunk, child) => {
        if (chunk.includes("ready")) child.kill("SIGTERM");
      },
    });
    expect(result.stdout).toContain("aborted: Received SIGTERM");
    expect(result.code).toBe(143);
    expect(result.signal).toBeNull();
  });
});
