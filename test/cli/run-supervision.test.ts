import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/keptn-task-cli.js";
import { ctrlC, isRunning, runScratch, TASKS } from "./run-helpers.js";

const { dir, manifest } = runScratch();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keptn-task run", () => {
  describe("supervising the task as its Job would", () => {
    it("ends when the task's process does, killing what it left running", async () => {
      const path = manifest(
        "background.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: background }
spec:
  python:
    inline:
      code: |
        import subprocess, sys
        child = subprocess.Popen(["sleep", "40"])
        print(child.pid, flush=True)
        sys.exit(4)
`,
      );
      // The sleep holds the output pipes open: waiting for them would last 40 s.
      const result = await runCli(["run", "background", "-f", path], { timeoutMs: 20_000 });
      expect(result.signal).toBeNull();
      expect(result.stderrLines.at(-1)).toMatch(
        /^keptn-task: background \(inline, python, local\) failed with exit code 4 in /,
      );
      expect(result.code).toBe(4);
      expect(isRunning(Number(result.stdout.trim()))).toBe(false);
      expect(result.leftovers).toEqual([]);
    });

    it("leaves no runner and no task running when the command itself is killed (SIGKILL)", async () => {
      const path = manifest(
        "outlives.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: outlives }
spec:
  python:
    inline:
      code: |
        import os, time
        print(os.getpid(), os.getppid(), flush=True)
        time.sleep(40)
`,
      );
      let printed = "";
      let pids: number[] = [];
      // A cancelled CI job or an OOM kill: the command gets no chance to stop what it started.
      const result = await runCli(["run", "outlives", "-f", path], {
        timeoutMs: 20_000,
        onStdout: (chunk, child) => {
          printed += chunk;
          if (!printed.includes("\n") || pids.length > 0) return;
          pids = printed.trim().split(" ").map(Number);
          child.kill("SIGKILL");
        },
      });
      expect(result.signal).toBe("SIGKILL");
      expect(pids).toHaveLength(2);
      // The kernel sends the runner SIGTERM (setpriv --pdeathsig): it stops the task, then ends.
      const deadline = Date.now() + 15_000;
      while (pids.some(isRunning) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(pids.filter(isRunning)).toEqual([]);
    });

    it("delivers one Ctrl-C to a Deno task exactly once", async () => {
      const path = manifest(
        "counts-sigint.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: counter }
spec:
  deno:
    inline:
      code: |
        let count = 0;
        Deno.addSignalListener("SIGINT", () => {
          count += 1;
          console.log("SIGINT", count);
          setTimeout(() => Deno.exit(3), 300);
        });
        console.log("ready");
        setInterval(() => {}, 1000);
`,
      );
      const result = await runCli(["run", "counter", "-f", path], {
        detached: true,
        timeoutMs: 20_000,
        onStdout: (chunk, child) => chunk.includes("ready") && ctrlC(child),
      });
      expect(result.stdout).toBe("ready\nSIGINT 1\n");
      expect(result.code).toBe(3);
      expect(result.leftovers).toEqual([]);
    });

    it("runs a task whose timeout is beyond setTimeout's range", async () => {
      const path = manifest(
        "long-timeout.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: month }
spec:
  timeout: 720h
  deno:
    inline: { code: 'console.log("ran to its end")' }
`,
      );
      const result = await runCli(["run", "month", "-f", path]);
      expect(result.stdout).toBe("ran to its end\n");
      expect(result.stderrLines.at(-1)).toMatch(
        /^keptn-task: month \(inline, deno, local\) succeeded/,
      );
      expect(result.code).toBe(0);
    });

    it("kills the task at a second Ctrl-C when it ignores the first", async () => {
      let sent = 0;
      const result = await runCli(
        [
          "run",
          "container-task",
          "-f",
          TASKS,
          "--",
          process.execPath,
          "-e",
          'process.on("SIGINT", () => console.log("got SIGINT")); console.log("ready"); setInterval(() => {}, 1000);',
        ],
        {
          detached: true,
          timeoutMs: 20_000,
          onStdout: (chunk, child) => {
            if (
              (chunk.includes("ready") && sent === 0) ||
              (chunk.includes("got SIGINT") && sent === 1)
            ) {
              sent += 1;
              ctrlC(child);
            }
          },
        },
      );
      expect(result.signal).toBeNull();
      expect(result.stdout).toBe("ready\ngot SIGINT\n");
      expect(result.stderrLines.at(-1)).toMatch(/failed with exit code 137 in /);
      expect(result.code).toBe(137);
      expect(result.leftovers).toEqual([]);
    });

    it("runs the task to its end when the reader of its output goes away (| head)", async () => {
      const path = manifest(
        "chatty.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: chatty }
spec:
  deno:
    inline:
      code: |
        for (let i = 0; i < 200; i++) {
          console.log("line " + i);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        Deno.exit(3);
`,
      );
      const result = await runCli(["run", "chatty", "-f", path], {
        // As head -c 5 does: read the first chunk, then close the pipe.
        onStdout: (_chunk, child) => child.stdout?.destroy(),
      });
      expect(result.stdout).toMatch(/^line 0\n/);
      expect(result.stderr).not.toMatch(/EPIPE|Internal error/);
      expect(result.stderrLines.at(-1)).toMatch(
        /^keptn-task: chatty \(inline, deno, local\) failed with exit code 3 in /,
      );
      expect(result.code).toBe(3);
      expect(result.leftovers).toEqual([]);
    });

    it("keeps the task's HOME, TMPDIR and code to this user (mode 0700)", async () => {
      const path = manifest(
        "modes.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: modes }
spec:
  python:
    inline:
      code: |
        import json, os
        home = os.environ["HOME"]
        paths = {"run": os.path.dirname(home), "HOME": home, "TMPDIR": os.environ["TMPDIR"],
                 "code": os.path.dirname(__file__)}
        print(json.dumps({name: oct(os.stat(p).st_mode & 0o777) for name, p in paths.items()}))
`,
      );
      const result = await runCli(["run", "modes", "-f", path]);
      expect(JSON.parse(result.stdout)).toEqual({
        run: "0o700",
        HOME: "0o700",
        TMPDIR: "0o700",
        code: "0o700",
      });
      expect(result.code).toBe(0);
    });

    it("warns of each container env variable it cannot fill, and runs the task without it", async () => {
      const path = manifest(
        "value-from.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: value-from }
spec:
  container:
    name: job
    image: example.com/acme/task:1.0.0
    env:
      - { name: TEAM, value: checkout }
      - name: LOG_LEVEL
        valueFrom: { configMapKeyRef: { name: settings, key: level } }
      - name: POD_NAME
        valueFrom: { fieldRef: { fieldPath: metadata.name } }
    envFrom:
      - configMapRef: { name: settings }
`,
      );
      const result = await runCli([
        "run",
        "value-from",
        "-f",
        path,
        "--",
        process.execPath,
        "-e",
        "console.log(Object.keys(process.env).filter((k) => /^(TEAM|LOG_LEVEL|POD_NAME)$/.test(k)).join())",
      ]);
      expect(result.stdout).toBe("TEAM\n");
      expect(result.stderrLines.slice(0, -1)).toEqual([
        'keptn-task: warning: Leaving out env "LOG_LEVEL" of "value-from": keptn-task run fills valueFrom only from a Secret among the manifests (secretKeyRef), not from configMapKeyRef',
        'keptn-task: warning: Leaving out env "POD_NAME" of "value-from": keptn-task run fills valueFrom only from a Secret among the manifests (secretKeyRef), not from fieldRef',
        'keptn-task: warning: Leaving out env "envFrom[0]" of "value-from": keptn-task run fills valueFrom only from a Secret among the manifests (secretKeyRef), not from envFrom configMapRef',
      ]);
      expect(result.code).toBe(0);
    });

    it("fails with exit code 65 naming the field for a Secret whose data is not valid base64", async () => {
      const path = manifest(
        "bad-base64-secret.yaml",
        `apiVersion: v1
kind: Secret
metadata: { name: cli-secret, namespace: shop }
data:
  SECURE_DATA: 'n0t-base64!pAsSw0rd'
`,
      );
      for (const command of [
        ["run", "print-secret", "-f", TASKS, "-f", path],
        ["validate", TASKS, path],
      ]) {
        const result = await runCli(command);
        expect(result.stdout + result.stderr).not.toContain("pAsSw0rd");
        if (command[0] === "run") expect(result.stderr).not.toContain("not among the manifests");
        expect(result.stdout + result.stderr).toMatch(
          /bad-base64-secret\.yaml:5:3: (error MANIFEST_INVALID )?Secret\/shop\/cli-secret: data\.SECURE_DATA: Invalid Secret: not valid base64/,
        );
        expect(result.code).toBe(65);
      }
    });

    it("fails with exit code 65 and never shows the value for a Secret read as a YAML alias", async () => {
      const path = manifest(
        "alias-secret.yaml",
        `apiVersion: v1
kind: Secret
metadata: { name: cli-secret, namespace: shop }
stringData:
  SECURE_DATA: *pAsSw0rdValue
`,
      );
      for (const command of [
        ["run", "print-secret", "-f", TASKS, "-f", path],
        ["validate", path],
      ]) {
        const result = await runCli(command);
        expect(result.stdout + result.stderr).not.toContain("pAsSw0rd");
        expect(result.stdout + result.stderr).toMatch(
          /alias-secret\.yaml:5:16: (error MANIFEST_INVALID )?Cannot parse YAML: an alias \(\*\) with no anchor \(&\) before it at line 5, column 16: quote a value that starts with \*\n/,
        );
        expect(result.code).toBe(65);
      }
    });
  });
});
