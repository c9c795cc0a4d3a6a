import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO, ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { runProcess } from "../helpers/run-process.js";
import {
  IMAGE_FLAGS,
  KEPTN_CONTEXT,
  RUNNER,
  runnerLogLines,
  runRunner,
  scratch,
} from "../helpers/runner.js";

const SIGTERM_TASK = `${ROOT}test/fixtures/runners/sigterm.py`;
const tmp = scratch("keptn-runner-failures-");
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/main.ts": 'import { x } from "./lib.ts";\nconsole.log(x);\n',
    "/tasks/lib.ts": 'export const x = "relative import without credentials";\n',
    "/slow.ts": { body: 'console.log("should not run");\n', delayMs: 20_000 },
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

/** The runner's single error line: its message and exit code. */
function failure(result: { stderr: string; code: number | null }) {
  const lines = runnerLogLines(result.stderr);
  expect(lines).toHaveLength(1);
  return { msg: String(lines[0]?.msg), code: result.code, level: lines[0]?.level };
}

describe("runner failures: one clear line, a distinct exit code, never a success", () => {
  // bootstrap.js compiles runner.js (and, with SECURE_DATA, early-start.js): a broken install is
  // the runner's bug, said in one line.
  it.each([
    ["runner.js", "empty", ""],
    ["runner.js", "cut", "var keptnRunner=(()=>{"],
    ["runner.js", "without the runner", "var other = 1;"],
    ["early-start.js", "cut", "var keptnEarlyStart=(()=>{"],
  ])("ends with 70 in one line when %s is %s", async (file, name, text) => {
    const dist = join(tmp.dir, `dist-${file}-${name.replace(/ /g, "-")}`);
    cpSync(`${ROOT}runners/dist`, dist, { recursive: true });
    writeFileSync(join(dist, file), text);
    const flags = IMAGE_FLAGS.map((flag) =>
      flag.startsWith("--import-map=") ? `--import-map=${dist}/import-map.json` : flag,
    );
    const result = await runProcess(DENO, ["run", ...flags, join(dist, "bootstrap.js"), "deno"], {
      env: {
        KEPTN_CONTEXT,
        SCRIPT: tmp.file("never.ts", 'console.log("ran");\n'),
        CMD_ARGS: "",
        // The early start is loaded only for a task with a secret to mask.
        ...(file === "early-start.js" ? { SECURE_DATA: "broken-install-secret" } : {}),
      },
    });
    expect(failure(result)).toMatchObject({ code: 70, level: "fatal" });
    expect(failure(result).msg).toMatch(
      new RegExp(`^Runner failed: cannot load ${file.replace(".", "\\.")}: \\w+: `),
    );
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  for (const runtime of ["deno", "python"]) {
    it(`ends with 66 when SCRIPT is empty (${runtime})`, async () => {
      const result = await runRunner(runtime, { SCRIPT: "" });
      expect(failure(result)).toMatchObject({ code: 66, level: "error" });
      expect(failure(result).msg).toMatch(/^Cannot run the task: SCRIPT is empty/);
      expect(result.stdout).toBe("");
    });
  }

  it("ends with 66 when SCRIPT is not set at all", async () => {
    const result = await runRunner("deno", { SCRIPT: undefined });
    expect(failure(result).code).toBe(66);
  });

  it("ends with 66 when the mounted file does not exist", async () => {
    const result = await runRunner("python", { SCRIPT: "/var/data/nope/function.py" });
    expect(failure(result)).toMatchObject({
      code: 66,
      msg: 'Cannot read task code from "/var/data/nope/function.py": no such file: mount the ConfigMap at this path or set SCRIPT to an http(s) URL',
    });
  });

  it("ends with 66 when a ConfigMap directory has no key file code", async () => {
    tmp.file("no-code/other", "print(1)\n");
    const result = await runRunner("python", { SCRIPT: join(tmp.dir, "no-code") });
    expect(failure(result).code).toBe(66);
    expect(failure(result).msg).toContain('has no file "code"');
  });

  it("ends with 66 when the code is empty, since nothing would run", async () => {
    const script = tmp.file("empty.ts", "  \n\n");
    const log = tmp.file("termination-empty", "");
    const result = await runRunner("deno", { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log });
    expect(failure(result).code).toBe(66);
    expect(readFileSync(log, "utf8")).toMatch(/the code is empty, so nothing would run/);
  });

  it("ends with 64 for an unknown runtime", async () => {
    const result = await runRunner("node", { SCRIPT: tmp.file("x.ts", "1") });
    expect(failure(result)).toMatchObject({
      code: 64,
      msg: 'Cannot start the runner: expected "deno" or "python" as first argument, received "node"',
    });
  });

  it("ends with 78 when DATA or KEPTN_CONTEXT is malformed, naming each", async () => {
    const script = tmp.file("never.ts", 'console.log("never");');
    const result = await runRunner("deno", { SCRIPT: script, DATA: "{nope", KEPTN_CONTEXT: "[]" });
    expect(result.stdout).toBe("");
    const { code, msg } = failure(result);
    expect(code).toBe(78);
    expect(msg).toMatch(/KEPTN_CONTEXT: expected a JSON object, received an array/);
    expect(msg).toMatch(/DATA: is not valid JSON/);
  });

  it("ends with 78 for a malformed KEPTN_TASK_DENO_PERMISSIONS", async () => {
    const script = tmp.file("never2.ts", 'console.log("never");');
    const result = await runRunner("deno", {
      SCRIPT: script,
      KEPTN_TASK_DENO_PERMISSIONS: "--allow-net rm -rf",
    });
    expect(failure(result).code).toBe(78);
    expect(failure(result).msg).toContain('received "rm -rf"');
  });

  it("ends with 78 for a KEPTN_TASK_RUNNER_LOG_LEVEL it does not know, naming the levels", async () => {
    const script = tmp.file("never3.ts", 'console.log("never");');
    const log = tmp.file("termination-log-level", "");
    const result = await runRunner("deno", {
      SCRIPT: script,
      KEPTN_TASK_RUNNER_LOG_LEVEL: "loud",
      KEPTN_TASK_TERMINATION_LOG: log,
    });
    expect(result.stdout).toBe("");
    const message =
      'Invalid task environment: options.KEPTN_TASK_RUNNER_LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, received "loud"';
    expect(failure(result)).toMatchObject({ code: 78, level: "error", msg: message });
    expect(readFileSync(log, "utf8")).toBe(message);
  });

  it("runs a hand-made KeptnTask's context with empty fields, as Keptn's image does", async () => {
    const script = tmp.file("ran.ts", 'console.log("ran");');
    const context = JSON.stringify({ workloadName: "vm", taskType: "", objectType: "" });
    const result = await runRunner("deno", { SCRIPT: script, KEPTN_CONTEXT: context });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ran\n");
    expect(result.stderr).toBe("");
  });

  it("runs an old operator's objectType Application, with one warning", async () => {
    const script = tmp.file("ran-old.ts", 'console.log("ran");');
    const context = JSON.stringify({ taskType: "pre", objectType: "Application" });
    const result = await runRunner("deno", { SCRIPT: script, KEPTN_CONTEXT: context });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ran\n");
    const lines = runnerLogLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn" });
    expect(String(lines[0]?.msg)).toContain('not "Application"');
  });

  it("runs a task with a 120 KiB secret (near Linux's limit for one variable) and masks it", async () => {
    const secret = Array.from(
      { length: 1900 },
      (_, i) => `line-${String(i).padStart(5, "0")}-${"k".repeat(50)}`,
    ).join("\n");
    const script = tmp.file(
      "big-secret.py",
      "import os\nprint(os.environ['SECURE_DATA'].splitlines()[1800])\n",
    );
    const result = await runRunner("python", { SCRIPT: script, SECURE_DATA: secret });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("***\n");
  });

  it("keeps the task's exit code when the reader of the runner's output goes away", async () => {
    const script = tmp.file(
      "chatty.py",
      "import sys\nfor i in range(200000): print('line', i)\nsys.exit(5)\n",
    );
    const result = await runProcess(
      "bash",
      [
        "-c",
        `set -o pipefail; "$DENO" run -A --no-config "$RUNNER" python | head -c 50 >/dev/null`,
      ],
      { env: { DENO, RUNNER, SCRIPT: script, SECURE_DATA: "chatty-secret", KEPTN_CONTEXT: "{}" } },
    );
    expect(result.code).toBe(5);
    expect(result.stderr).not.toContain("Uncaught");
  });

  it("ends when the task ends, even if a process it started keeps the output open", async () => {
    const script = tmp.file(
      "leaves-child.py",
      "import subprocess\nsubprocess.Popen(['sleep', '60'])\nprint('parent done', flush=True)\n",
    );
    const result = await runRunner(
      "python",
      { SCRIPT: script, SECURE_DATA: "lingering-secret" },
      { timeoutMs: 30_000 },
    );
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("parent done\n");
  });

  it("reports a task that died of a signal with 128 + its number", async () => {
    const log = tmp.file("termination-abort", "");
    const script = tmp.file("abort.py", "import os\nos.abort()\n");
    const result = await runRunner("python", { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log });
    expect(result.code).toBe(134);
    expect(readFileSync(log, "utf8")).toBe("Task died of SIGABRT (exit code 134)");
  });

  it("never prints the credentials of an httpRef URL, even when Deno downloads its imports", async () => {
    const url = server.origin.replace("http://", "http://deploy:pw-in-url-123@");
    const result = await runRunner("deno", { SCRIPT: `${url}/tasks/main.ts` });
    expect(result.stdout).toBe("relative import without credentials\n");
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain("pw-in-url-123");
  });

  it("never prints the credentials of a malformed URL in its error", async () => {
    const result = await runRunner("deno", {
      SCRIPT: "https://deploy:ghp_S3cretTok3n@exa mple.com/task.ts?token=t0k",
    });
    expect(failure(result).code).toBe(69);
    expect(result.stderr).not.toMatch(/ghp_S3cretTok3n|t0k/);
  });

  it("does not start the task when SIGTERM arrives while its code is being fetched", async () => {
    const log = tmp.file("termination-early", "");
    const result = await runRunner(
      "deno",
      { SCRIPT: `${server.origin}/slow.ts`, KEPTN_TASK_TERMINATION_LOG: log },
      {
        // SIGTERM once the runner is waiting for the (slow) server: the code is being fetched.
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (server.hits("/slow.ts") > 0) {
              clearInterval(poll);
              child.kill("SIGTERM");
            }
          }, 20);
          child.on("exit", () => clearInterval(poll));
        },
      },
    );
    expect(result.code).toBe(143);
    expect(result.stdout).toBe("");
    expect(readFileSync(log, "utf8")).toBe("Received SIGTERM before the task started: not run");
  });

  it("forwards SIGTERM through the masked output path too", async () => {
    const script = SIGTERM_TASK;
    const result = await runRunner(
      "python",
      { SCRIPT: script, SECURE_DATA: "signal-path-secret" },
      { onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM") },
    );
    expect(result.stdout).toBe("ready\ncleanup with ***\n");
    expect(result.code).toBe(143);
  });
});
