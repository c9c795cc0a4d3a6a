// The runner runs a Deno task with nothing to supervise in its own process ("direct" mode), and
// every other task as a child process. These tests pin down when each happens, and that a task
// cannot tell the difference: same permissions, arguments, exit codes, failures and signals.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunnerOptions, runnerLogLines, runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-direct-mode-");
const ABNORMAL_END =
  "Task ended abnormally: killed by a signal or the kernel, or its top-level await never resolved";
afterAll(() => tmp.cleanup());

/** Runs `code` as a Deno task; `pid` is the runner's own process id. */
async function runTask(
  name: string,
  code: string,
  env: Record<string, string> = {},
  options: RunnerOptions = {},
) {
  const script = tmp.file(name, code);
  let pid: number | undefined;
  const result = await runRunner(
    "deno",
    { SCRIPT: script, ...env },
    {
      ...options,
      onSpawn: (child) => {
        pid = child.pid;
        options.onSpawn?.(child);
      },
    },
  );
  return { ...result, pid };
}

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
