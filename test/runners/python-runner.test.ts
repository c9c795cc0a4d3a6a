import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { runnerLogLines, runRunner, scratch } from "../helpers/runner.js";

const SIGTERM_TASK = `${ROOT}test/fixtures/runners/sigterm.py`;
const tmp = scratch("keptn-python-runner-");
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/remote.py":
      'import sys\nprint("remote python", __file__.endswith(".py"), sys.argv[1:])\n',
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe("python runner", () => {
  it("runs the mounted code from a file, so __file__ exists", async () => {
    const script = tmp.file(
      "mount/function.py",
      "import json, os\nctx = json.loads(os.environ['KEPTN_CONTEXT'])\nprint(ctx['taskType'], __file__)\n",
    );
    const result = await runRunner("python", { SCRIPT: script });
    expect(result.stdout).toBe(`pre ${script}\n`);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("runs the key file code of a ConfigMap mounted as a directory", async () => {
    tmp.file("cm/code", "print('from the code key')\n");
    const result = await runRunner("python", { SCRIPT: join(tmp.dir, "cm") });
    expect(result.stdout).toBe("from the code key\n");
    expect(result.code).toBe(0);
  });

  it("fetches httpRef code and runs it from a file", async () => {
    const result = await runRunner("python", {
      SCRIPT: `${server.origin}/tasks/remote.py`,
      CMD_ARGS: "-- --flag",
    });
    expect(result.stdout).toBe("remote python True ['--flag']\n");
    expect(result.code).toBe(0);
  });

  it("splits CMD_ARGS with shell quoting rules and never through a shell", async () => {
    const script = tmp.file("args.py", "import sys\nprint(sys.flags.utf8_mode, sys.argv[1:])\n");
    const result = await runRunner("python", {
      SCRIPT: script,
      CMD_ARGS: `-X utf8 -- --name "hello world" 'single $HOME' $(touch pwned) ;echo`,
    });
    expect(result.stdout).toBe(
      "1 ['--name', 'hello world', 'single $HOME', '$(touch', 'pwned)', ';echo']\n",
    );
    expect(result.code).toBe(0);
  });

  it("splits CMD_ARGS with unbalanced quotes at white space, as Keptn's image does, with a warning", async () => {
    const script = tmp.file("obrien.py", "import sys\nprint(sys.argv[1:])\n");
    const result = await runRunner("python", { SCRIPT: script, CMD_ARGS: "-- --name O'Brien" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`['--name', "O'Brien"]\n`);
    expect(runnerLogLines(result.stderr)[0]).toMatchObject({ level: "warn" });
    expect(String(runnerLogLines(result.stderr)[0]?.msg)).toMatch(
      /^CMD_ARGS has unbalanced quotes/,
    );
  });

  it("ends with the task's exit code", async () => {
    const script = tmp.file("exit3.py", "import sys\nprint('failing')\nsys.exit(3)\n");
    const result = await runRunner("python", { SCRIPT: script });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("failing\n");
  });

  it("reports an uncaught exception as a failure, never a success", async () => {
    const script = tmp.file("raise.py", "raise RuntimeError('boom')\n");
    const result = await runRunner("python", { SCRIPT: script });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("RuntimeError: boom");
  });

  it("masks SECURE_DATA printed raw, JSON-escaped, base64 and split across writes", async () => {
    const script = tmp.file(
      "leak.py",
      [
        "import base64, json, os, sys, time",
        "s = os.environ['SECURE_DATA']",
        "print('raw', s)",
        "print('json', json.dumps({'s': s}))",
        "print('b64', base64.b64encode(s.encode()).decode())",
        "sys.stdout.write('split py-sec'); sys.stdout.flush(); time.sleep(0.05)",
        "sys.stdout.write('ret-77\"x end\\n'); sys.stdout.flush()",
        "print('stderr', s, file=sys.stderr)",
      ].join("\n"),
    );
    const result = await runRunner("python", { SCRIPT: script, SECURE_DATA: 'py-secret-77"x' });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain("py-secret");
    expect(result.stdout).toBe('raw ***\njson {"s": "***"}\nb64 ***\nsplit *** end\n');
    expect(result.stderr).toBe("stderr ***\n");
  });

  it("forwards SIGTERM to the task, whose handler runs before it exits", async () => {
    const script = SIGTERM_TASK;
    const result = await runRunner(
      "python",
      { SCRIPT: script },
      { onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM") },
    );
    expect(result.stdout).toBe("ready\ncleanup after SIGTERM\n");
    expect(result.code).toBe(143);
  });

  it("ends with 143 when the task dies of the forwarded SIGTERM", async () => {
    const script = tmp.file(
      "default-sigterm.py",
      "import time\nprint('ready\\n', end='', flush=True)\ntime.sleep(30)\n",
    );
    const log = tmp.file("termination-python", "");
    const result = await runRunner(
      "python",
      { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log },
      { onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM") },
    );
    expect(result.code).toBe(143);
    expect(readFileSync(log, "utf8")).toBe("Task stopped by SIGTERM with exit code 143");
  });

  it("lets python tasks import keptn_task without installing anything", async () => {
    const script = tmp.file(
      "sdk.py",
      "import keptn_task\nt = keptn_task.task()\nprint(t.context.task_type, t.context.workload_name)\n",
    );
    const result = await runRunner("python", { SCRIPT: script });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("pre podtato-head-entry\n");
  });

  it("fails with exit code 127 when the interpreter is missing", async () => {
    const script = tmp.file("never.py", "print('never')\n");
    const result = await runRunner("python", {
      SCRIPT: script,
      KEPTN_TASK_PYTHON: "/nonexistent/python3",
    });
    expect(result.code).toBe(127);
    expect(runnerLogLines(result.stderr)[0]?.msg).toMatch(/^Cannot start "\/nonexistent\/python3"/);
  });
});
