// The runner runs a Deno task with nothing to supervise in its own process ("direct" mode), and
// every other task as a child process. These tests pin down when each happens, and how a task
// with no handler of its own meets SIGTERM; the task's view in each mode is in
// direct-mode-view.test.ts, what it must not notice in direct-mode-unnoticed.test.ts.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runnerLogLines, runRunner } from "../helpers/runner.js";
import { ABNORMAL_END, runTask, tmp } from "./direct-mode-helpers.js";

afterAll(() => tmp.cleanup());

describe("direct mode: when the runner runs a Deno task in its own process", () => {
  const PRINT_PID = "console.log(Deno.pid);";

  it("runs a plain task in its own process", async () => {
    const result = await runTask("pid-direct.ts", PRINT_PID);
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).toBe(result.pid);
  });

  it.each([
    ["a secret to mask", { SECURE_DATA: '{"token":"t-123"}' }, {}],
    ["KEPTN_TASK_ISOLATION=process", {}, { isolation: "process" as const }],
    ["custom permissions", { KEPTN_TASK_DENO_PERMISSIONS: "--allow-net --allow-env=DATA" }, {}],
    [
      "a runner started without --allow-all",
      {},
      { flags: ["--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-run"] },
    ],
  ])("starts the task as a child process with %s", async (_, env, options) => {
    const result = await runTask("pid-child.ts", PRINT_PID, env, options);
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).toBeGreaterThan(0);
    expect(Number(result.stdout)).not.toBe(result.pid);
  });

  it("needs its import map to run a task importing the SDK in its own process", async () => {
    const code = `import { task } from "@keptn-task/sdk";\nconsole.log(typeof task, Deno.pid);`;
    const mapped = await runTask("sdk-mapped.ts", code);
    const unmapped = await runTask("sdk-unmapped.ts", code, {}, { flags: ["-A", "--no-config"] });
    expect(mapped.stdout).toBe(`function ${mapped.pid}\n`);
    const [kind, pid] = unmapped.stdout.trim().split(" ");
    expect(kind).toBe("function");
    expect(Number(pid)).not.toBe(unmapped.pid);
  });

  it("starts a task that asks for import.meta.main as a child, where it is true", async () => {
    const result = await runTask("main-check.ts", "console.log(import.meta.main, Deno.pid);");
    expect(result.code).toBe(0);
    const [main, pid] = result.stdout.trim().split(" ");
    expect(main).toBe("true");
    expect(Number(pid)).not.toBe(result.pid);
  });

  it("writes a termination log under /dev, which Deno opens only with every permission", async () => {
    // Like /dev/termination-log in a pod: the runner opens it before giving permissions up.
    const log = `/dev/shm/keptn-task-termination-${process.pid}`;
    writeFileSync(log, "");
    try {
      const result = await runTask(
        "dev-log.ts",
        `try { Deno.writeTextFileSync(${JSON.stringify(log)}, "task wrote"); } catch (e) { console.log((e as Error).name); }
         Deno.exit(3);`,
        { KEPTN_TASK_TERMINATION_LOG: log },
      );
      expect(result.code).toBe(3);
      // The task itself may not (nor may it under Keptn's flags or ours as a child process).
      expect(result.stdout).toBe("NotCapable\n");
      expect(readFileSync(log, "utf8")).toBe("Task exited with code 3");
    } finally {
      rmSync(log, { force: true });
    }
  });

  it.each([
    ["in the runner's process", {}],
    ["as a child process, its secret masked", { SECURE_DATA: "relay-s3cret-77" }],
    ["as a child process (isolation process)", { KEPTN_TASK_ISOLATION: "process" }],
  ])("relays the SDK's fail() message to a termination log under /dev, %s", async (_, env) => {
    // The task may not open /dev/termination-log itself: it writes a relay file the runner copies.
    const log = `/dev/shm/keptn-task-relay-${process.pid}-${Object.keys(env).join("")}`;
    writeFileSync(log, "");
    try {
      const result = await runTask(
        `relay-${Object.keys(env).join("") || "direct"}.ts`,
        `import { task } from "@keptn-task/sdk";
         const t = task();
         t.fail(\`Webhook answered HTTP 401 for \${t.secureData ?? "no token"}\`, { exitCode: 5 });`,
        { KEPTN_TASK_TERMINATION_LOG: log, ...env },
      );
      expect(result.code).toBe(5);
      const token = "SECURE_DATA" in env ? "***" : "no token";
      expect(readFileSync(log, "utf8")).toBe(`Webhook answered HTTP 401 for ${token}`);
      expect(runnerLogLines(result.stderr).at(-1)?.msg).toBe("Task exited with code 5");
    } finally {
      rmSync(log, { force: true });
    }
  });

  it("relays succeed()'s message too, and leaves the file empty when the task writes none", async () => {
    const log = `/dev/shm/keptn-task-relay-ok-${process.pid}`;
    writeFileSync(log, "");
    try {
      const said = await runTask(
        "relay-ok.ts",
        `import { task } from "@keptn-task/sdk"; task().succeed("Deployed 3 of 3");`,
        { KEPTN_TASK_TERMINATION_LOG: log },
      );
      expect(said.code).toBe(0);
      expect(readFileSync(log, "utf8")).toBe("Deployed 3 of 3");
      writeFileSync(log, "");
      const silent = await runTask("relay-silent.ts", `console.log("ok");`, {
        KEPTN_TASK_TERMINATION_LOG: log,
      });
      expect(silent.code).toBe(0);
      expect(readFileSync(log, "utf8")).toBe("");
    } finally {
      rmSync(log, { force: true });
    }
  });

  it("refuses a KEPTN_TASK_ISOLATION it does not know, naming it, with 78", async () => {
    const result = await runTask("isolation.ts", PRINT_PID, { KEPTN_TASK_ISOLATION: "thread" });
    expect(result.code).toBe(78);
    expect(result.stdout).toBe("");
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      'Invalid task environment: options.KEPTN_TASK_ISOLATION: expected "auto" or "process", received "thread"',
    ]);
  });

  it("removes the scratch copy of a ConfigMap's code file when the task ends", async () => {
    const tmpDir = join(tmp.dir, "own-tmp");
    mkdirSync(tmpDir);
    tmp.file("configmap/code", "console.log(Deno.pid);\n");
    let pid: number | undefined;
    const result = await runRunner(
      "deno",
      { SCRIPT: join(tmp.dir, "configmap"), TMPDIR: tmpDir },
      { onSpawn: (child) => (pid = child.pid) },
    );
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).toBe(pid);
    expect(readdirSync(tmpDir)).toEqual([]);
  });
});

describe("direct mode: a task with no handler of its own and SIGTERM", () => {
  it("dies of it, as under deno run, and the termination log says it was killed", async () => {
    const log = tmp.file("termination-sigterm-direct", "");
    const result = await runTask(
      "no-handler.ts",
      `console.log("ready"); setInterval(() => {}, 1000);`,
      { KEPTN_TASK_TERMINATION_LOG: log },
      {
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
        timeoutMs: 30_000,
      },
    );
    // The task is the process: it dies of the signal (a container runtime reports 143).
    expect(result.signal).toBe("SIGTERM");
    expect(readFileSync(log, "utf8")).toBe(ABNORMAL_END);
  });

  it("is stopped with 143 and a reason when the runner has a child process", async () => {
    const log = tmp.file("termination-sigterm-child", "");
    const result = await runTask(
      "no-handler-child.ts",
      `console.log("ready"); setInterval(() => {}, 1000);`,
      { KEPTN_TASK_TERMINATION_LOG: log },
      {
        isolation: "process",
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
        timeoutMs: 30_000,
      },
    );
    expect(result.code).toBe(143);
    expect(readFileSync(log, "utf8")).toBe("Task stopped by SIGTERM with exit code 143");
  });
});
