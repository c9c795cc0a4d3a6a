import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { KEPTN_CONTEXT, runnerLogLines, runRunner, scratch } from "../helpers/runner.js";
import { startProxy, startScriptServer } from "../helpers/script-server.js";

const tmp = scratch("keptn-deno-runner-");
let server: FileServer;

const LIB = 'export const greeting: string = "hello from a relative import";\n';
const REMOTE_LIB = 'export const remote = "remote module";\n';

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/main.ts":
      'import { greeting } from "./lib.ts";\nconsole.log(greeting, Deno.args.join("|"));\n',
    "/tasks/lib.ts": LIB,
    "/tasks/plain.js": 'console.log("javascript from a URL");\n',
    "/lib/remote.ts": REMOTE_LIB,
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe("deno runner", () => {
  it("runs the code mounted at the ConfigMap path with the Job's environment", async () => {
    const script = tmp.file(
      "mount/function.ts",
      `const ctx = JSON.parse(Deno.env.get("KEPTN_CONTEXT")!);
       const data = JSON.parse(Deno.env.get("DATA")!);
       console.log(\`\${ctx.taskType} \${ctx.workloadName} \${data.url}\`);`,
    );
    const result = await runRunner("deno", { SCRIPT: script, DATA: '{"url":"http://svc"}' });
    expect(result.stdout).toBe("pre podtato-head-entry http://svc\n");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("runs the key file code of a ConfigMap mounted as a directory", async () => {
    const dir = join(tmp.dir, "configmap-dir");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the task's own template literal
    tmp.file("configmap-dir/code", "const n: number = 41;\nconsole.log(`typed ${n + 1}`);\n");
    const result = await runRunner("deno", { SCRIPT: dir });
    expect(result.stdout).toBe("typed 42\n");
    expect(result.code).toBe(0);
  });

  it("runs JavaScript as well as TypeScript", async () => {
    const result = await runRunner("deno", { SCRIPT: `${server.origin}/tasks/plain.js` });
    expect(result.stdout).toBe("javascript from a URL\n");
    expect(result.code).toBe(0);
  });

  it("fetches httpRef code and resolves its relative imports against the URL", async () => {
    const result = await runRunner("deno", {
      SCRIPT: `${server.origin}/tasks/main.ts`,
      CMD_ARGS: `one "two words"`,
    });
    expect(result.stdout).toBe("hello from a relative import one|two words\n");
    expect(result.code).toBe(0);
  });

  it("refuses httpRef code that fails its sha256 pin, and runs it when the pin matches", async () => {
    const bad = await runRunner("deno", {
      SCRIPT: `${server.origin}/tasks/lib.ts#sha256=${"0".repeat(64)}`,
    });
    expect(bad.code).toBe(69);
    expect(bad.stdout).toBe("");
    const { createHash } = await import("node:crypto");
    const pin = createHash("sha256").update(LIB).digest("hex");
    const good = await runRunner("deno", { SCRIPT: `${server.origin}/tasks/lib.ts#sha256=${pin}` });
    expect(good.code).toBe(0);
  });

  it("lets task code import @keptn-task/sdk with no network at all", async () => {
    const script = tmp.file(
      "sdk-task.ts",
      `import { task } from "@keptn-task/sdk";
       const t = task();
       t.log.info(\`running \${t.context.taskType} for \${t.context.workloadName}, token \${t.secureData}\`);`,
    );
    const result = await runRunner("deno", {
      SCRIPT: script,
      SECURE_DATA: "sdk-secret-value",
      // No --allow-net and no --allow-import: the SDK must come from the runner's own bundle.
      KEPTN_TASK_DENO_PERMISSIONS: "--allow-read --allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout);
    expect(line.msg).toBe("running pre for podtato-head-entry, token ***");
    expect(line.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("downloads a remote import once and serves it from DENO_DIR on the next run", async () => {
    const denoDir = join(tmp.dir, "deno-dir");
    const script = tmp.file(
      "remote-import.ts",
      `import { remote } from "${server.origin}/lib/remote.ts";\nconsole.log(remote);\n`,
    );
    const first = await runRunner("deno", { SCRIPT: script, DENO_DIR: denoDir });
    const second = await runRunner("deno", { SCRIPT: script, DENO_DIR: denoDir });
    expect(first.stdout).toBe("remote module\n");
    expect(second.stdout).toBe("remote module\n");
    expect(server.hits("/lib/remote.ts")).toBe(1);
  });

  it("applies narrower Deno permissions given in KEPTN_TASK_DENO_PERMISSIONS", async () => {
    const secretFile = tmp.file("not-for-the-task.txt", "private");
    const script = tmp.file(
      "reads-file.ts",
      `console.log(Deno.readTextFileSync(${JSON.stringify(secretFile)}));`,
    );
    const wide = await runRunner("deno", { SCRIPT: script });
    expect(wide.stdout).toBe("private\n");
    const narrow = await runRunner("deno", {
      SCRIPT: script,
      KEPTN_TASK_DENO_PERMISSIONS: "--allow-net",
    });
    expect(narrow.code).not.toBe(0);
    expect(narrow.stdout).toBe("");
    expect(narrow.stderr).toMatch(/Requires read access/);
  });

  it("masks SECURE_DATA printed raw, JSON-escaped, base64 and split across writes", async () => {
    const secret = '{"token":"tok-9f8e7d6c","password":"p\\"w/1234"}';
    const script = tmp.file(
      "leak.ts",
      `const s = Deno.env.get("SECURE_DATA")!;
       const enc = new TextEncoder();
       console.log("raw", s);
       console.log("json", JSON.stringify({ s }));
       console.log("b64", btoa(s));
       console.error("leaf", JSON.parse(s).token);
       Deno.stdout.writeSync(enc.encode("split tok-9f"));
       await new Promise((r) => setTimeout(r, 50));
       Deno.stdout.writeSync(enc.encode("8e7d6c end\\n"));`,
    );
    const result = await runRunner("deno", { SCRIPT: script, SECURE_DATA: secret });
    expect(result.code).toBe(0);
    const output = result.stdout + result.stderr;
    for (const needle of ["tok-9f8e7d6c", "9f8e7d6c", 'p\\"w/1234', btoa(secret).slice(0, 16)]) {
      expect(output).not.toContain(needle);
    }
    expect(result.stdout).toContain("split *** end");
    expect(result.stdout).toBe('raw ***\njson {"s":"***"}\nb64 ***\nsplit *** end\n');
    expect(result.stderr).toBe("leaf ***\n");
  });

  // A plain task runs in the runner's own process; with KEPTN_TASK_ISOLATION=process (or a
  // secret to mask), as a child. Both must behave alike.
  describe.each(["auto", "process"] as const)("with isolation %s", (isolation) => {
    it("passes SIGTERM to the task, whose handler runs before it exits", async () => {
      const script = tmp.file(
        `sigterm-${isolation}.ts`,
        `Deno.addSignalListener("SIGTERM", () => { console.log("cleanup after SIGTERM"); Deno.exit(143); });
         console.log("ready");
         setInterval(() => {}, 1000);`,
      );
      const result = await runRunner(
        "deno",
        { SCRIPT: script },
        { isolation, onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM") },
      );
      expect(result.stdout).toBe("ready\ncleanup after SIGTERM\n");
      expect(result.code).toBe(143);
      // Only a runner with a child process forwards the signal; in direct mode the task is the
      // process that receives it.
      expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
        isolation === "process"
          ? "Received SIGTERM: forwarded to the task"
          : "Received SIGTERM: the task handles it",
        "Task stopped by SIGTERM with exit code 143",
      ]);
    });

    it("kills a task that ignores SIGTERM once the grace period is over", async () => {
      const log = tmp.file(`termination-killed-${isolation}`, "");
      const script = tmp.file(
        `stubborn-${isolation}.ts`,
        `Deno.addSignalListener("SIGTERM", () => console.log("ignoring SIGTERM"));
         console.log("ready");
         setInterval(() => {}, 1000);`,
      );
      const result = await runRunner(
        "deno",
        { SCRIPT: script, KEPTN_TASK_GRACE_SECONDS: "1", KEPTN_TASK_TERMINATION_LOG: log },
        {
          isolation,
          onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
          timeoutMs: 30_000,
        },
      );
      expect(result.stdout).toBe("ready\nignoring SIGTERM\n");
      expect(result.signal).toBeNull();
      expect(result.code).toBe(137);
      expect(readFileSync(log, "utf8")).toBe("Task did not stop within 1 s of SIGTERM: killed");
    });

    it("ends with the task's exit code and writes it to the termination log", async () => {
      const log = tmp.file(`termination-exit3-${isolation}`, "");
      const script = tmp.file(`exit3-${isolation}.ts`, `console.log("failing"); Deno.exit(3);`);
      const result = await runRunner(
        "deno",
        { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log },
        { isolation },
      );
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("failing\n");
      expect(readFileSync(log, "utf8")).toBe("Task exited with code 3");
      const [line] = runnerLogLines(result.stderr);
      expect(line).toMatchObject({ level: "error", msg: "Task exited with code 3", exitCode: 3 });
    });

    it("keeps the reason the task wrote to the termination log itself", async () => {
      const log = tmp.file(`termination-own-${isolation}`, "");
      const script = tmp.file(
        `own-reason-${isolation}.ts`,
        `import { task } from "@keptn-task/sdk";
         task({ terminationLogPath: ${JSON.stringify(log)} }).fail("Service answered 503", { exitCode: 4 });`,
      );
      // The runner writes the same file: it must keep the task's own reason, not overwrite it.
      const result = await runRunner(
        "deno",
        { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log },
        { isolation },
      );
      expect(result.code).toBe(4);
      expect(readFileSync(log, "utf8")).toBe("Service answered 503");
      expect(runnerLogLines(result.stderr)[0]?.msg).toBe("Task exited with code 4");
    });

    it("gives the task Keptn's variables, and in a child process no others", async () => {
      const script = tmp.file(
        `env-${isolation}.ts`,
        `console.log(Deno.env.get("DATA"), Deno.env.get("HOME"));`,
      );
      const result = await runRunner(
        "deno",
        { SCRIPT: script, DATA: "{}", HOME: "/root" },
        { isolation },
      );
      if (isolation === "process") {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/Requires env access to "HOME"/);
      } else {
        // In the runner's process every variable is readable (see direct.ts): a Job holds no
        // secret there but SECURE_DATA, which always gets the task a child process.
        expect(result.stdout).toBe("{} /root\n");
        expect(result.code).toBe(0);
      }
    });
  });

  it("passes KEPTN_CONTEXT through unchanged", async () => {
    const script = tmp.file("ctx.ts", `console.log(Deno.env.get("KEPTN_CONTEXT"));`);
    const result = await runRunner("deno", { SCRIPT: script });
    expect(result.stdout.trim()).toBe(KEPTN_CONTEXT);
  });
});

// The runner's fetch chunk takes only undici's agents and request() (runners/scripts/build.mjs):
// the proxy agent must still be the one that sends the request.
describe("deno runner: httpRef through a proxy", () => {
  it("fetches the code through HTTP_PROXY and runs it", async () => {
    const server = await startScriptServer();
    const proxy = await startProxy();
    try {
      const url = `${server.origin}/ok.ts?via=proxy`;
      const result = await runRunner("deno", { SCRIPT: url, HTTP_PROXY: proxy.origin });
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe("hello from the script server\n");
      expect(result.code).toBe(0);
      expect(proxy.requests()).toEqual([url]);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
  it("reports a failed fetch through a proxy as a fetch failure (69) in one line", async () => {
    const proxy = await startProxy();
    try {
      // Bypassed for 127.0.0.1: undici's proxy agent connects to the closed port itself.
      const result = await runRunner("deno", {
        SCRIPT: "http://user:s3cret@127.0.0.1:9/x.ts?token=t0ps3cret",
        HTTP_PROXY: proxy.origin,
        NO_PROXY: "127.0.0.1",
      });
      expect(result.code).toBe(69);
      const lines = result.stderr.split("\n").filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      const last = JSON.parse(lines.at(-1) ?? "{}") as Record<string, unknown>;
      expect(last).toMatchObject({ code: "FETCH_FAILED", exitCode: 69 });
      expect(String(last.msg)).toMatch(
        /^Cannot fetch task code from "http:\/\/127\.0\.0\.1:9\/x\.ts\?token=\*\*\*": connection refused/,
      );
      expect(result.stderr).not.toMatch(/s3cret|t0ps3cret|\n\s+at /);
    } finally {
      await proxy.close();
    }
  });
});
