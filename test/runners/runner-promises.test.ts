// The runner's promises under hostile input: a secret never reaches any output, the exit code
// is the task's (or a documented one for bad input), and bad input gets one line.
import { readFileSync, truncateSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runnerLogLines, runRunner, runRunnerWithBytes, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-runner-promises-");
afterAll(() => tmp.cleanup());

/** A Secret's data that is not valid UTF-8: a lone 0xff and a Latin-1 é. */
const RAW_SECRET = Buffer.concat([
  Buffer.from("s3cr"),
  Buffer.from([0xff]),
  Buffer.from("et-v"),
  Buffer.from([0xe9]),
  Buffer.from("lue-9f2k"),
]);

/** The runner's single error line: its message and exit code. */
function failure(result: { stderr: string; code: number | null }) {
  const lines = runnerLogLines(result.stderr);
  expect(lines).toHaveLength(1);
  return { msg: String(lines[0]?.msg), code: result.code };
}

describe("a SECURE_DATA that is not valid UTF-8", () => {
  it("is masked when a python task prints its bytes, raw, decoded or as repr", async () => {
    const log = tmp.file("termination-raw-py", "");
    const script = tmp.file(
      "raw-secret.py",
      [
        "import os, sys",
        "raw = os.environb[b'SECURE_DATA']",
        "sys.stdout.buffer.write(b'raw: ' + raw + b'\\n')",
        "print('latin1:', raw.decode('latin1'))",
        "print('replace:', raw.decode('utf-8', 'replace'))",
        "print('repr:', raw)",
        "sys.stdout.flush()",
        "open(os.environ['KEPTN_TASK_TERMINATION_LOG'], 'wb').write(b'failed with ' + raw)",
        "sys.exit(3)",
      ].join("\n"),
    );
    const result = await runRunnerWithBytes(
      "python",
      { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log },
      { SECURE_DATA: RAW_SECRET },
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("raw: ***\nlatin1: ***\nreplace: ***\nrepr: b'***'\n");
    expect(readFileSync(log, "utf8")).toBe("failed with ***");
  });

  it("is never quoted when a Deno task reads it and Deno refuses it", async () => {
    const log = tmp.file("termination-raw-deno", "");
    const script = tmp.file("raw-secret.ts", 'console.log(Deno.env.get("SECURE_DATA"));\n');
    const result = await runRunnerWithBytes(
      "deno",
      { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log },
      { SECURE_DATA: RAW_SECRET },
    );
    expect(result.code).toBe(1);
    // Deno's error names the variable: it ran as a child (in the runner's process, Deno would
    // have dropped the variable and the task would have printed undefined).
    expect(result.stderr).toContain("was not valid unicode");
    for (const output of [result.stdout, result.stderr, readFileSync(log, "utf8")]) {
      expect(output).not.toMatch(/9f2k|et-v|s3cr/);
    }
  });
});

describe("the termination log", () => {
  it("is masked when the task wrote a secret there and exited 0", async () => {
    const log = tmp.file("termination-done", "");
    const script = tmp.file(
      "done.py",
      "import os\nopen(os.environ['KEPTN_TASK_TERMINATION_LOG'], 'w').write('done ' + os.environ['SECURE_DATA'])\n",
    );
    const result = await runRunner("python", {
      SCRIPT: script,
      SECURE_DATA: "term-log-secret-42",
      KEPTN_TASK_TERMINATION_LOG: log,
    });
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("done ***");
  });

  it("receives configuration errors too", async () => {
    const log = tmp.file("termination-config", "");
    const script = tmp.file("never-config.ts", 'console.log("never");');
    const result = await runRunner("deno", {
      SCRIPT: script,
      KEPTN_CONTEXT: "[]",
      KEPTN_TASK_TERMINATION_LOG: log,
    });
    expect(failure(result).code).toBe(78);
    expect(readFileSync(log, "utf8")).toMatch(/KEPTN_CONTEXT: expected a JSON object/);
  });

  it("receives usage errors too", async () => {
    const log = tmp.file("termination-usage", "");
    const result = await runRunner("node", { KEPTN_TASK_TERMINATION_LOG: log });
    expect(failure(result).code).toBe(64);
    expect(readFileSync(log, "utf8")).toMatch(/^Cannot start the runner: expected "deno"/);
  });
});

describe("a process the task leaves behind, holding its output, with SECURE_DATA set", () => {
  it("does not change the task's exit code", async () => {
    const script = tmp.file(
      "leaves-sleep.py",
      "import subprocess, sys\nsubprocess.Popen(['sleep', '20'])\nprint('bye', flush=True)\nsys.exit(5)\n",
    );
    const result = await runRunner(
      "python",
      { SCRIPT: script, SECURE_DATA: "leftover-secret" },
      { timeoutMs: 30_000 },
    );
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("bye\n");
    expect(result.stderr).not.toContain("BadResource");
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      "Task exited with code 5",
    ]);
  });

  it("ends with 0 after a successful task, also at debug log level", async () => {
    const script = tmp.file(
      "leaves-sleep-ok.py",
      "import subprocess\nsubprocess.Popen(['sleep', '20'])\n",
    );
    const result = await runRunner(
      "python",
      { SCRIPT: script, SECURE_DATA: "leftover-secret", KEPTN_TASK_RUNNER_LOG_LEVEL: "debug" },
      { timeoutMs: 30_000 },
    );
    expect(result.code).toBe(0);
    expect(runnerLogLines(result.stderr).at(-1)?.msg).toBe("Task succeeded");
  });

  it("ends with 143 and a one-line reason at SIGTERM", async () => {
    const log = tmp.file("termination-sleep", "");
    const script = tmp.file(
      "waits-on-sleep.py",
      "import subprocess\nprint('ready\\n', end='', flush=True)\nsubprocess.run(['sleep', '8'])\n",
    );
    const result = await runRunner(
      "python",
      { SCRIPT: script, SECURE_DATA: "leftover-secret", KEPTN_TASK_TERMINATION_LOG: log },
      {
        timeoutMs: 30_000,
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGTERM"),
      },
    );
    expect(result.code).toBe(143);
    expect(readFileSync(log, "utf8")).toBe("Task stopped by SIGTERM with exit code 143");
  });
});

describe("bad input: one line, a documented exit code", () => {
  it("ends with 78 for a SCRIPT URL with a malformed %-escape, never quoting its password", async () => {
    const log = tmp.file("termination-uri", "");
    const result = await runRunner("deno", {
      SCRIPT: "http://u:p%ZZss@127.0.0.1:1/x.ts",
      KEPTN_TASK_TERMINATION_LOG: log,
    });
    const { code, msg } = failure(result);
    expect(code).toBe(78);
    expect(msg).not.toContain("\n");
    expect(result.stdout + result.stderr + readFileSync(log, "utf8")).not.toContain("p%ZZss");
  });

  for (const name of ["DATA", "KEPTN_CONTEXT"]) {
    it(`ends with 78 naming ${name} when it is not valid UTF-8`, async () => {
      const script = tmp.file(`never-${name}.ts`, 'console.log("never");');
      const result = await runRunnerWithBytes(
        "deno",
        { SCRIPT: script },
        { [name]: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) },
      );
      const { code, msg } = failure(result);
      expect(code).toBe(78);
      expect(msg).toContain(`${name}: is not valid UTF-8`);
      expect(result.stdout).toBe("");
    });
  }

  // Deno leaves such a variable out: the task would have run without its arguments.
  for (const [runtime, extension, body] of [
    ["deno", "ts", 'console.log("ran with", Deno.args);'],
    ["python", "py", 'import sys\nprint("ran with", sys.argv[1:])'],
  ] as const) {
    it(`ends with 78 naming CMD_ARGS or SCRIPT when it is not valid UTF-8 (${runtime})`, async () => {
      const script = tmp.file(`never-args.${extension}`, `${body}\n`);
      const args = await runRunnerWithBytes(
        runtime,
        { SCRIPT: script },
        { CMD_ARGS: Buffer.from([0x2d, 0x2d, 0x20, 0x78, 0xff, 0x79]) },
      );
      expect(failure(args)).toMatchObject({ code: 78 });
      expect(failure(args).msg).toContain("CMD_ARGS: is not valid UTF-8: set it as UTF-8 text");
      expect(args.stdout).toBe("");
      const path = Buffer.from(script.replace(/never-args/, "never-\xff"), "latin1");
      const scriptBytes = await runRunnerWithBytes(runtime, {}, { SCRIPT: path });
      expect(failure(scriptBytes)).toMatchObject({ code: 78 });
      expect(failure(scriptBytes).msg).toContain("SCRIPT: is not valid UTF-8");
    });
  }

  it("ends with 78 naming KEPTN_TASK_DENO_PERMISSIONS for a flag Deno does not know", async () => {
    const script = tmp.file("never-perm.ts", 'console.log("never");');
    const result = await runRunner("deno", {
      SCRIPT: script,
      KEPTN_TASK_DENO_PERMISSIONS: "--allow-net --allow-foo",
    });
    const { code, msg } = failure(result);
    expect(code).toBe(78);
    expect(msg).toContain("KEPTN_TASK_DENO_PERMISSIONS");
    expect(msg).toContain('"--allow-foo"');
  });

  it("accepts every permission flag Deno knows, with and without a list", async () => {
    const script = tmp.file("perm-ok.ts", 'console.log("ran");');
    const result = await runRunner("deno", {
      SCRIPT: script,
      KEPTN_TASK_DENO_PERMISSIONS:
        "--allow-net=example.com --allow-read --deny-write --allow-env=DATA --allow-sys=hostname --allow-import --deny-net=10.0.0.1",
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("ran\n");
  });

  for (const args of ["--version", "-V", "-h", "--help", "-c print(1)", "-m json.tool", "-VV"]) {
    it(`refuses python CMD_ARGS "${args}", which would not run the script, with 64`, async () => {
      const script = tmp.file("never-args.py", "print('task ran')\n");
      const result = await runRunner("python", { SCRIPT: script, CMD_ARGS: args });
      const { code, msg } = failure(result);
      expect(code).toBe(64);
      expect(msg).toContain("CMD_ARGS");
      expect(result.stdout).toBe("");
    });
  }

  it("refuses a SCRIPT that is a .d.ts file, which would run nothing, with 64", async () => {
    const script = tmp.file("types.d.ts", "export declare const x: number;\n");
    const result = await runRunner("deno", { SCRIPT: script });
    const { code, msg } = failure(result);
    expect(code).toBe(64);
    expect(msg).toContain(".d.ts");
  });

  it("refuses a local SCRIPT larger than the fetch limit without reading it, with 66", async () => {
    const script = tmp.file("huge.ts", "");
    truncateSync(script, 60 * 1024 * 1024);
    const result = await runRunner("deno", { SCRIPT: script });
    const { code, msg } = failure(result);
    expect(code).toBe(66);
    expect(msg).toMatch(/larger than 5242880 bytes/);
  });
});

describe("a runner started with plain deno run -A", () => {
  it("runs a task that imports @keptn-task/sdk", async () => {
    const script = tmp.file(
      "sdk-plain.ts",
      'import { maskSecrets } from "@keptn-task/sdk";\nconsole.log(maskSecrets("sdk ok"));\n',
    );
    const result = await runRunner("deno", { SCRIPT: script }, { flags: ["-A"] });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("sdk ok\n");
    expect(result.code).toBe(0);
  });
});

describe("the runner's log", () => {
  it("starts its line on a line of its own after task output with no final newline", async () => {
    const script = tmp.file(
      "partial.py",
      "import sys\nsys.stderr.write('partial line')\nsys.exit(3)\n",
    );
    const result = await runRunner("python", { SCRIPT: script, SECURE_DATA: "newline-secret" });
    expect(result.code).toBe(3);
    expect(result.stderr.split("\n")[0]).toBe("partial line");
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      "Task exited with code 3",
    ]);
  });

  it("says the task was killed at a second signal, not after the grace period", async () => {
    const log = tmp.file("termination-second", "");
    const script = tmp.file(
      "stubborn.py",
      "import signal, time\nsignal.signal(signal.SIGTERM, lambda *_: print('ignoring', flush=True))\nprint('ready\\n', end='', flush=True)\ntime.sleep(30)\n",
    );
    let sent = 0;
    const result = await runRunner(
      "python",
      { SCRIPT: script, KEPTN_TASK_TERMINATION_LOG: log, KEPTN_TASK_GRACE_SECONDS: "20" },
      {
        timeoutMs: 30_000,
        onStdout: (chunk, child) => {
          if (chunk.includes("ready") && sent++ === 0) child.kill("SIGTERM");
          if (chunk.includes("ignoring") && sent++ === 1) child.kill("SIGTERM");
        },
      },
    );
    expect(result.code).toBe(137);
    expect(readFileSync(log, "utf8")).toMatch(
      /^Task killed at a second SIGTERM, \d+(\.\d)? s after the first$/,
    );
  });
});

describe("python keptn_task with handle_signals=True", () => {
  it("treats SIGINT like SIGTERM: sets stopping and ends with 130, no traceback", async () => {
    const script = tmp.file(
      "sigint.py",
      [
        "from keptn_task import task",
        "t = task(handle_signals=True)",
        "print('ready\\n', end='', flush=True)",
        "t.stopping.wait(20)",
        "print('stopping is set:', t.stopping.is_set(), flush=True)",
      ].join("\n"),
    );
    const result = await runRunner(
      "python",
      { SCRIPT: script },
      {
        timeoutMs: 30_000,
        onStdout: (chunk, child) => chunk.includes("ready") && child.kill("SIGINT"),
      },
    );
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("ready");
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({
      msg: "Received SIGINT: task.stopping is set",
      signal: "SIGINT",
    });
    expect(lines[2]).toBe("stopping is set: True");
    expect(result.stderr).not.toContain("KeyboardInterrupt");
    expect(result.code).toBe(130);
  });
});
