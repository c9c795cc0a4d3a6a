// The runner runs a Deno task with nothing to supervise in its own process ("direct" mode), and
// every other task as a child process. These tests pin down that a task cannot tell the
// difference: same permissions, arguments, exit codes, failures and signals.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runnerLogLines } from "../helpers/runner.js";
import { ABNORMAL_END, runTask, tmp } from "./direct-mode-helpers.js";

afterAll(() => tmp.cleanup());

// What the task can observe must not depend on the mode, but for reading variables.
describe.each(["auto", "process"] as const)("a task's view, isolation %s", (isolation) => {
  it("has the default permissions", async () => {
    const result = await runTask(
      `permissions-${isolation}.ts`,
      `const q = (d: Deno.PermissionDescriptor) => Deno.permissions.querySync(d).state;
       const attempt = (f: () => unknown) => { try { f(); return "allowed"; } catch (e) { return (e as Error).name; } };
       const vars = ["DATA", "SECURE_DATA", "KEPTN_CONTEXT", "CMD_ARGS", "SCRIPT", "KEPTN_TASK_DEADLINE",
         "KEPTN_TASK_LOG_LEVEL", "KEPTN_TASK_TERMINATION_LOG", "KEPTN_TASK_GRACE_SECONDS", "TMPDIR", "DENO_DIR", "HTTPS_PROXY", "HOME"];
       console.log(JSON.stringify({
         ...Object.fromEntries(["net", "read", "write", "import", "env", "run", "ffi", "sys"].map((name) => [name, q({ name } as Deno.PermissionDescriptor)])),
         vars: Object.fromEntries(vars.map((variable) => [variable, q({ name: "env", variable })])),
         spawn: attempt(() => new Deno.Command("true").outputSync()),
         environ: attempt(() => Deno.readTextFileSync("/proc/self/environ")),
         hostname: attempt(() => Deno.hostname()),
       }));`,
      { KEPTN_TASK_GRACE_SECONDS: "5", HTTPS_PROXY: "http://proxy.invalid:3128" },
      { isolation },
    );
    expect(result.code).toBe(0);
    const seen = JSON.parse(result.stdout);
    const allowed = ["DATA", "SECURE_DATA", "KEPTN_CONTEXT", "CMD_ARGS", "SCRIPT"];
    allowed.push("KEPTN_TASK_DEADLINE", "KEPTN_TASK_LOG_LEVEL", "KEPTN_TASK_TERMINATION_LOG");
    // In the runner's process every variable is readable (see direct.ts); nothing else differs.
    const everyVariable = isolation === "auto";
    expect(seen).toEqual({
      net: "granted",
      read: "granted",
      write: "granted",
      import: "granted",
      env: everyVariable ? "granted" : "prompt",
      run: "prompt",
      ffi: "prompt",
      sys: "prompt",
      vars: Object.fromEntries(
        Object.keys(seen.vars).map((v) => [
          v,
          everyVariable || allowed.includes(v) ? "granted" : "prompt",
        ]),
      ),
      spawn: "NotCapable",
      environ: "NotCapable",
      hostname: "NotCapable",
    });
  });

  it("gets CMD_ARGS as Deno.args, split with shell quoting", async () => {
    const result = await runTask(
      `args-${isolation}.ts`,
      "console.log(JSON.stringify(Deno.args));",
      { CMD_ARGS: `one "two words" -- three` },
      { isolation },
    );
    expect(result.stdout).toBe('["one","two words","three"]\n');
  });

  it.each([
    ["throws on its top level", 'throw new Error("boom on top");', /boom on top/],
    [
      "throws in a timer",
      'setTimeout(() => { throw new Error("boom later"); }, 10);',
      /boom later/,
    ],
    ["leaves a promise rejected", 'Promise.reject(new Error("rejected"));', /rejected/],
    ["awaits forever on its top level", "await new Promise(() => {});", /never resolved/],
  ])("fails, never succeeds, when it %s", async (_, code, message) => {
    const log = tmp.file(`termination-${isolation}-${code.length}`, "");
    const result = await runTask(
      `failing-${isolation}-${code.length}.ts`,
      code,
      { KEPTN_TASK_TERMINATION_LOG: log },
      { isolation },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    const reason = readFileSync(log, "utf8");
    const lines = runnerLogLines(result.stderr).map((line) => line.msg);
    if (isolation === "auto" && code.startsWith("await")) {
      // In the runner's process nothing runs after Deno's verdict: the provisional reason stands.
      expect(reason).toBe(ABNORMAL_END);
      expect(lines).toEqual([]);
    } else {
      expect(reason).toMatch(/^Task exited with code 1/);
      expect(lines).toEqual([expect.stringMatching(/^Task exited with code 1/)]);
    }
  });

  it("ends with the code set in Deno.exitCode", async () => {
    const result = await runTask(
      `exit-code-${isolation}.ts`,
      "Deno.exitCode = 5;",
      {},
      { isolation },
    );
    expect(result.code).toBe(5);
  });

  it("leaves the termination log empty when it succeeds", async () => {
    const log = tmp.file(`termination-ok-${isolation}`, "");
    const result = await runTask(
      `ok-${isolation}.ts`,
      'console.log("done");',
      { KEPTN_TASK_TERMINATION_LOG: log },
      { isolation },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("");
    expect(runnerLogLines(result.stderr)).toEqual([]);
  });

  it("is not killed when it handles SIGTERM and then finishes on its own", async () => {
    const log = tmp.file(`termination-graceful-${isolation}`, "");
    const result = await runTask(
      `graceful-${isolation}.ts`,
      `const timer = setInterval(() => {}, 1000);
       Deno.addSignalListener("SIGTERM", () => { console.log("finishing"); clearInterval(timer); });
       console.log("ready");`,
      // A grace period far longer than the test: the task must end when its work does.
      { KEPTN_TASK_GRACE_SECONDS: "600", KEPTN_TASK_TERMINATION_LOG: log },
      {
        isolation,
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
        timeoutMs: 30_000,
      },
    );
    expect(result.stdout).toBe("ready\nfinishing\n");
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it("is killed at a second signal without waiting for the grace period", async () => {
    let sent = 0;
    const result = await runTask(
      `twice-${isolation}.ts`,
      `Deno.addSignalListener("SIGTERM", () => console.log("ignoring"));
       console.log("ready");
       setInterval(() => {}, 1000);`,
      { KEPTN_TASK_GRACE_SECONDS: "600" },
      {
        isolation,
        onStdout: (chunk, child) => {
          if (chunk.includes("ready") || (chunk.includes("ignoring") && sent === 1)) {
            sent += 1;
            child.kill("SIGTERM");
          }
        },
        timeoutMs: 30_000,
      },
    );
    expect(sent).toBe(2);
    expect(result.code).toBe(137);
  });

  it("runs to its end when its SIGTERM handler removes itself", async () => {
    const result = await runTask(
      `self-removing-${isolation}.ts`,
      `const timer = setInterval(() => {}, 1000);
       const handler = () => {
         Deno.removeSignalListener("SIGTERM", handler);
         setTimeout(() => { console.log("flushed"); clearInterval(timer); }, 300);
       };
       Deno.addSignalListener("SIGTERM", handler);
       console.log("ready");`,
      { KEPTN_TASK_GRACE_SECONDS: "600" },
      {
        isolation,
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
        timeoutMs: 30_000,
      },
    );
    expect(result.stdout).toBe("ready\nflushed\n");
    expect(result.code).toBe(0);
  });

  it("is stopped by SIGTERM when it handles only SIGINT", async () => {
    const result = await runTask(
      `sigint-only-${isolation}.ts`,
      `Deno.addSignalListener("SIGINT", () => console.log("not this one"));
       console.log("ready");
       setInterval(() => {}, 1000);`,
      {},
      {
        isolation,
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
        timeoutMs: 30_000,
      },
    );
    expect(result.stdout).toBe("ready\n");
    // Dead of the signal (the task is the process) or ended with 143 by its parent runner.
    expect(result.code === 143 || result.signal === "SIGTERM").toBe(true);
  });

  it("dies of SIGINT when it handles only SIGTERM", async () => {
    const result = await runTask(
      `sigint-${isolation}.ts`,
      `Deno.addSignalListener("SIGTERM", () => console.log("not this one"));
       console.log("ready");
       setInterval(() => {}, 1000);`,
      {},
      {
        isolation,
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGINT"),
        timeoutMs: 30_000,
      },
    );
    expect(result.stdout).toBe("ready\n");
    // Dead of the signal (the task is the process) or ended with 130 by its parent runner.
    expect(result.code === 130 || result.signal === "SIGINT").toBe(true);
  });
});
