// The runner runs a Deno task with nothing to supervise in its own process ("direct" mode), and
// every other task as a child process. These tests pin down that a task in the runner's own
// process cannot tell the difference.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runnerLogLines, runRunner } from "../helpers/runner.js";
import { runTask, tmp } from "./direct-mode-helpers.js";

afterAll(() => tmp.cleanup());

describe("direct mode: what a task in the runner's process must not notice", () => {
  it.each([
    ["import.meta?.main", "if (import.meta?.main) console.log('RAN');"],
    ["a destructured import.meta", "const { main } = import.meta; if (main) console.log('RAN');"],
    ["import.meta in a variable", "const m = import.meta; if (m.main) console.log('RAN');"],
    ["import.meta with a comment", "if (import/**/.meta.main) console.log('RAN');"],
  ])("runs code that asks for %s as a child, where it is the main module", async (_, code) => {
    const result = await runTask(`main-${code.length}.ts`, code);
    expect(result.stdout).toBe("RAN\n");
    expect(result.code).toBe(0);
  });

  it("gives code reading Node's process.argv a process of its own, with CMD_ARGS", async () => {
    const result = await runTask(
      "argv.ts",
      'import process from "node:process";\nconsole.log(JSON.stringify(process.argv.slice(2)));',
      { CMD_ARGS: "--env prod x" },
    );
    expect(result.stdout).toBe('["--env","prod","x"]\n');
  });

  it.each([
    ["a relative import", 'import { n } from "./helper.ts";\nconsole.log(Deno.pid + n);'],
    [
      "a computed import",
      'const m = "./helper.ts";\nconst { n } = await import(m);\nconsole.log(Deno.pid + n);',
    ],
  ])("runs code with %s, which it does not look into, as a child", async (_, code) => {
    tmp.file("unseen/helper.ts", "export const n = 0;\n");
    const script = tmp.file(`unseen/task-${code.length}.ts`, code);
    let pid: number | undefined;
    const result = await runRunner("deno", { SCRIPT: script }, { onSpawn: (c) => (pid = c.pid) });
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).not.toBe(pid);
  });

  it("still sees an unhandled rejection after the task adds a listener while one is dispatched", async () => {
    const log = tmp.file("termination-nested", "");
    const result = await runTask(
      "nested-listener.ts",
      `addEventListener("unhandledrejection", () => {
         addEventListener("unhandledrejection", () => {});
       });
       setTimeout(() => Promise.reject(new Error("first")), 10);`,
      { KEPTN_TASK_TERMINATION_LOG: log },
    );
    expect(result.code).toBe(1);
    expect(readFileSync(log, "utf8")).toBe("Task exited with code 1: uncaught Error: first");
  });

  it("ends with 0 and an empty termination log when an unload listener adds another", async () => {
    const log = tmp.file("termination-nested-unload", "");
    const result = await runTask(
      "nested-unload.ts",
      `addEventListener("unload", () => { addEventListener("unload", () => {}); });`,
      { KEPTN_TASK_TERMINATION_LOG: log },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it("lets a listener added through EventTarget.prototype prevent an unhandled rejection", async () => {
    const result = await runTask(
      "prototype-listener.ts",
      `setTimeout(() => {
         EventTarget.prototype.addEventListener.call(globalThis, "unhandledrejection", (e: Event) => e.preventDefault());
         Promise.reject(new Error("prevented"));
       }, 10);`,
    );
    expect(result.code).toBe(0);
    expect(runnerLogLines(result.stderr)).toEqual([]);
  });

  it("keeps the task's files and a clean termination log when the task dispatches an error itself", async () => {
    const log = tmp.file("termination-synthetic", "");
    tmp.file(
      "synthetic/code",
      `dispatchEvent(new ErrorEvent("error", { error: new Error("synthetic") }));
       await new Promise((resolve) => setTimeout(resolve, 50));
       Deno.statSync(import.meta.filename!);
       console.log("copy exists");`,
    );
    const result = await runRunner("deno", {
      SCRIPT: join(tmp.dir, "synthetic"),
      KEPTN_TASK_TERMINATION_LOG: log,
    });
    expect(result.stdout).toBe("copy exists\n");
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it.each(["a#b.ts", "c%41.ts", "q?x.ts"])("runs a file named %s", async (name) => {
    const result = await runTask(name, "console.log(Deno.pid);");
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).toBe(result.pid);
  });

  it("runs a SCRIPT given relative to the working directory", async () => {
    tmp.file("relative/task.ts", "console.log(Deno.pid);");
    let pid: number | undefined;
    const result = await runRunner(
      "deno",
      { SCRIPT: "task.ts" },
      { cwd: join(tmp.dir, "relative"), onSpawn: (child) => (pid = child.pid) },
    );
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).toBe(pid);
  });

  it("lets a handler the task adds later prevent an unhandled rejection, as deno run does", async () => {
    const log = tmp.file("termination-late-handler", "");
    const result = await runTask(
      "late-handler.ts",
      `setTimeout(() => {
         addEventListener("unhandledrejection", (event) => { event.preventDefault(); console.log("handled"); });
         Promise.reject(new Error("late"));
       }, 10);`,
      { KEPTN_TASK_TERMINATION_LOG: log },
    );
    expect(result.stdout).toBe("handled\n");
    expect(result.code).toBe(0);
    expect(runnerLogLines(result.stderr)).toEqual([]);
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it("ends with the exit code the task's own unload listener leaves", async () => {
    const log = tmp.file("termination-unload", "");
    const result = await runTask(
      "unload-flip.ts",
      `Deno.exitCode = 3; addEventListener("unload", () => { Deno.exitCode = 0; });`,
      { KEPTN_TASK_TERMINATION_LOG: log },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it("reports an error thrown in a microtask while the module loads", async () => {
    const result = await runTask(
      "microtask.ts",
      'queueMicrotask(() => { throw new Error("in a microtask"); });',
    );
    expect(result.code).toBe(1);
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      "Task exited with code 1: uncaught Error: in a microtask",
    ]);
  });

  it("reports a rejection with a value that cannot be turned into a string", async () => {
    const result = await runTask("null-proto.ts", "Promise.reject(Object.create(null));");
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("bootstrap.js");
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      "Task exited with code 1: uncaught [Object: null prototype] {}",
    ]);
  });

  it("never ends with 0 for an exit code the system would read as 0", async () => {
    const result = await runTask("exit-256.ts", "Deno.exit(256);");
    expect(result.code).toBe(1);
  });
});
