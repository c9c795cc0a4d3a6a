import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dir, fixture, jsonLines, runCode, runPython, SECRET } from "./keptn-task-helpers.js";

// The Python package `keptn_task` (sdk-python) exercised by the machine's real python3: how a task ends
// (its deadline, fail, succeed and SIGTERM).
// Shared helpers: keptn-task-helpers.ts.

describe("keptn_task deadline", () => {
  it("sets task.stopping at KEPTN_TASK_DEADLINE, logs it, and has no time left after it", async () => {
    // The deadline is set just before task() reads it, so a slow start cannot make it pass first.
    const result = await runCode(
      [
        "import os, time",
        "from keptn_task import task",
        "deadline = int(time.time() * 1000) + 500",
        'os.environ["KEPTN_TASK_DEADLINE"] = str(deadline)',
        "t = task()",
        'print("deadline", t.deadline == deadline / 1000, flush=True)',
        "t.stopping.wait(30)",
        'print("stopping", t.stopping.is_set(), t.remaining_seconds(), flush=True)',
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [deadline, warning, stopping] = result.stdout.trim().split("\n");
    expect(deadline).toBe("deadline True");
    expect(JSON.parse(warning ?? "")).toMatchObject({
      level: "warn",
      msg: "Task deadline reached: task.stopping is set",
    });
    expect(stopping).toBe("stopping True 0.0");
  });

  it("sets task.stopping at once, without a log line, for a deadline that has passed", async () => {
    const result = await runCode(
      [
        "from keptn_task import task",
        "t = task()",
        "print(t.stopping.is_set(), t.remaining_seconds(), t.deadline)",
      ].join("\n"),
      { KEPTN_TASK_DEADLINE: "2026-01-01T00:00:00Z" },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("True 0.0 1767225600.0\n");
  });

  it("has no deadline and infinite time without KEPTN_TASK_DEADLINE", async () => {
    const result = await runCode(
      "from keptn_task import task\nt = task()\nprint(t.deadline, t.remaining_seconds(), t.stopping.is_set())",
    );
    expect(result.stdout).toBe("None inf False\n");
  });
});

describe("keptn_task fail, succeed and SIGTERM", () => {
  it("fail() logs the error, writes the masked reason to an existing termination log and exits with the given code", async () => {
    const log = join(dir, "termination-fail");
    writeFileSync(log, "");
    const result = await runPython([fixture("exit.py"), "fail", log, "3"], {
      SECURE_DATA: SECRET,
    });
    expect(result.code).toBe(3);
    expect(readFileSync(log, "utf8")).toBe('Health check of "http://svc" failed: HTTP 503 (***)');
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({ level: "error", exitCode: 3 });
    expect(line?.msg).toBe('Health check of "http://svc" failed: HTTP 503 (***)');
    expect(result.stdout).not.toContain("unreachable");
    expect(result.stdout).not.toContain("hunter2");
  });

  it("succeed() replaces the termination log's content with its message and exits 0", async () => {
    const log = join(dir, "termination-succeed");
    writeFileSync(log, "old content that is longer than the new message");
    const result = await runPython([fixture("exit.py"), "succeed", log]);
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("All checks passed");
    expect(jsonLines(result.stdout)[0]).toMatchObject({ level: "info", msg: "All checks passed" });
    expect(result.stdout).not.toContain("unreachable");
  });

  it("fail() does not create a termination log where none exists", async () => {
    const log = join(dir, "missing", "termination-log");
    const sibling = join(dir, "termination-absent");
    const first = await runPython([fixture("exit.py"), "fail", log, "1"]);
    const second = await runPython([fixture("exit.py"), "fail", sibling, "2"]);
    expect(first.code).toBe(1);
    expect(second.code).toBe(2);
    expect(existsSync(log)).toBe(false);
    expect(existsSync(sibling)).toBe(false);
  });

  it("ends by Python's default SIGTERM handling when signals are not handled", async () => {
    const result = await runPython(
      [fixture("terminate.py"), "default"],
      {},
      {
        onStdout: (chunk, child) => {
          if (chunk.includes("ready")) child.kill("SIGTERM");
        },
      },
    );
    expect(result.signal).toBe("SIGTERM");
    expect(result.stdout).not.toContain("still running");
  });

  it("sets task.stopping on SIGTERM with handle_signals and exits 143 when the task returns", async () => {
    const result = await runPython(
      [fixture("terminate.py"), "handle"],
      {},
      {
        onStdout: (chunk, child) => {
          if (chunk.includes("ready")) child.kill("SIGTERM");
        },
      },
    );
    expect(result.stdout).toContain("stopping, cleaning up");
    expect(result.stdout).toContain('"msg":"Received SIGTERM: task.stopping is set"');
    expect(result.code).toBe(143);
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "handles %s by default: succeed() after it exits %i, as a stopped task",
    async (signal, code) => {
      const log = join(dir, `termination-succeed-${signal}`);
      writeFileSync(log, "");
      const result = await runPython(
        [fixture("terminate.py"), "succeed"],
        {},
        {
          onStdout: (chunk, child) => {
            if (chunk.includes("ready")) child.kill(signal);
          },
        },
      );
      expect(result.code).toBe(code);
      expect(result.signal).toBeNull();
      const lines = jsonLines(result.stdout.replace("ready\n", ""));
      expect(lines.map((line) => line.msg)).toEqual([
        `Received ${signal}: task.stopping is set`,
        "succeed() after a termination signal: exiting as stopped",
      ]);
      expect(lines[1]).toMatchObject({ level: "warn", exitCode: code });
      expect(result.stderr).not.toContain("KeyboardInterrupt");
    },
  );

  it("refuses to handle signals outside the main thread with a one-line error naming the fix", async () => {
    const result = await runCode(
      [
        "import threading",
        "from keptn_task import task",
        "errors = []",
        "def run():",
        "    try:",
        "        task()",
        "    except ValueError as error:",
        "        errors.append(str(error))",
        "thread = threading.Thread(target=run)",
        "thread.start()",
        "thread.join()",
        "print(errors[0])",
        "task(handle_signals=False)",
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      "Cannot handle SIGTERM and SIGINT outside the main thread: call task() from the main thread, or pass handle_signals=False\n",
    );
  });

  it("ends a task that ignores task.stopping with exit code 143 once the grace period is over", async () => {
    const started = Date.now();
    const result = await runPython(
      [fixture("terminate.py"), "ignore"],
      {},
      {
        onStdout: (chunk, child) => {
          if (chunk.includes("ready")) child.kill("SIGTERM");
        },
      },
    );
    expect(result.code).toBe(143);
    expect(result.stdout).not.toContain("still running");
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
