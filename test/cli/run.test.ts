import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { CLI, runCli } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";
import { ctrlC, runScratch, SECRET, TASKS } from "./run-helpers.js";

const { dir, manifest } = runScratch();

// keptn-task run: running a definition as its Job would. --dry-run, the errors, supervising the
// task and the container engines are in run-dry-run, run-errors, run-supervision and
// run-engines.test.ts.
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/remote.ts": 'console.log("remote code, DATA " + Deno.env.get("DATA"));\n',
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("keptn-task run", () => {
  it("runs a definition with the Job's variables, --data winning over its parameters", async () => {
    const result = await runCli([
      "run",
      "print-env",
      "-f",
      TASKS,
      "--data",
      "size=large",
      "--data",
      "extra=a=b",
      "--app",
      "podtato-head",
      "--workload",
      "podtato-head-entry",
      "--version",
      "0.3.1",
      "--task-type",
      "post",
    ]);
    expect(result.code).toBe(0);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen).toEqual({
      DATA: '{"extra":"a=b","region":"eu","size":"large"}',
      KEPTN_CONTEXT:
        '{"workloadName":"podtato-head-entry","appName":"podtato-head","appVersion":"","workloadVersion":"0.3.1","taskType":"post","objectType":"Workload"}',
      CMD_ARGS: 'first "second word"',
      // ConfigMap code, written where a local run can read it, named like its mount path.
      script: expect.stringMatching(/\/keptn-task-run-[^/]+\/code\/function\.ts$/),
      args: ["first", "second word"],
      secure: false,
    });
    expect(result.stderrLines).toEqual([
      // "extra" is passed on all the same, as Keptn passes a KeptnTask's extra keys.
      'keptn-task: warning: Passing --data "extra" to "print-env", which has no such parameter (parameters.map): it has "region", "size"',
      expect.stringMatching(/^keptn-task: print-env \(inline, deno, local\) succeeded in \d+ ms$/),
    ]);
    expect(result.leftovers).toEqual([]);
  });

  it("takes KEPTN_CONTEXT fields from --context @FILE, the flags winning", async () => {
    const context = manifest(
      "context.json",
      JSON.stringify({
        appName: "shop",
        appVersion: "2.0.0",
        taskType: "promotion",
        metadata: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      }),
    );
    const result = await runCli([
      "run",
      "print-env",
      "-f",
      TASKS,
      "--context",
      `@${context}`,
      "--app",
      "store",
    ]);
    expect(result.code).toBe(0);
    const seen = JSON.parse(result.stdout) as { KEPTN_CONTEXT: string };
    expect(JSON.parse(seen.KEPTN_CONTEXT)).toEqual({
      workloadName: "",
      appName: "store",
      appVersion: "2.0.0",
      workloadVersion: "",
      taskType: "promotion",
      objectType: "App",
      metadata: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
  });

  it("reads --context as the runner reads KEPTN_CONTEXT: an unknown key is left out with a warning, a top-level traceparent moves into metadata", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const result = await runCli([
      "run",
      "print-env",
      "-f",
      TASKS,
      "--context",
      JSON.stringify({ workloadName: "cart", objectType: "Workload", traceparent, region: "eu" }),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'keptn-task: warning: Leaving out --context field "region": the operator writes only workloadName, appName, appVersion, workloadVersion, taskType, objectType, metadata into KEPTN_CONTEXT',
    );
    const seen = JSON.parse(result.stdout) as { KEPTN_CONTEXT: string };
    expect(JSON.parse(seen.KEPTN_CONTEXT)).toEqual({
      workloadName: "cart",
      appName: "",
      appVersion: "",
      workloadVersion: "",
      taskType: "pre",
      objectType: "Workload",
      metadata: { traceparent },
    });
  });

  it("runs python code from a file named like its mount path, function.py", async () => {
    const result = await runCli(["run", "python-env", "-f", TASKS]);
    expect(JSON.parse(result.stdout)).toEqual({ data: { region: "eu" }, file: "function.py" });
    expect(result.stderr).toMatch(
      /^keptn-task: python-env \(inline, python, local\) succeeded in /,
    );
    expect(result.code).toBe(0);
  });

  it("exits with the task's exit code and says so in its summary", async () => {
    const result = await runCli(["run", "exit-three", "-f", TASKS]);
    expect(result.stdout).toBe("about to fail\n");
    expect(result.stderrLines[result.stderrLines.length - 1]).toMatch(
      /^keptn-task: exit-three \(inline, deno, local\) failed with exit code 3 in [\d.]+ m?s$/,
    );
    expect(result.code).toBe(3);
    expect(result.leftovers).toEqual([]);
  });

  it("fetches httpRef code from its URL as the Job does", async () => {
    const path = manifest(
      "remote.yaml",
      `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: remote }
spec:
  deno:
    httpRef: { url: "${server.origin}/tasks/remote.ts" }
    parameters: { map: { k: v } }
`,
    );
    const result = await runCli(["run", "remote", "-f", path]);
    expect(result.stdout).toBe('remote code, DATA {"k":"v"}\n');
    expect(result.stderrLines[0]).toMatch(/warning HTTPREF_UNPINNED /);
    expect(result.stderrLines[1]).toMatch(/^keptn-task: remote \(httpRef, deno, local\) succeeded/);
    expect(server.hits("/tasks/remote.ts")).toBe(1);
    expect(result.code).toBe(0);
  });

  it("ends with the runner's exit code 69 when httpRef code cannot be fetched", async () => {
    const path = manifest(
      "gone.yaml",
      `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: gone }
spec:
  deno:
    httpRef: { url: "${server.origin}/tasks/gone.ts" }
`,
    );
    const result = await runCli(["run", "gone", "-f", path]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      `Cannot fetch task code from \\"${server.origin}/tasks/gone.ts\\": HTTP 404`,
    );
    // The runner's reason, from the termination log, ends the summary.
    expect(result.stderrLines[result.stderrLines.length - 1]).toMatch(
      new RegExp(
        `^keptn-task: gone \\(httpRef, deno, local\\) failed with exit code 69 in [\\d.]+ m?s: Cannot fetch task code from "${server.origin}/tasks/gone.ts": HTTP 404 after 1 attempt$`,
      ),
    );
    expect(result.code).toBe(69);
    // -q: not even the runner's log; the exit code tells.
    const quiet = await runCli(["run", "gone", "-f", path, "-q"]);
    expect(quiet.stderr).toBe("");
    expect(quiet.code).toBe(69);
  });

  it("masks a --secret value and a --secret @FILE in everything it prints", async () => {
    const file = manifest("secure-data.json", SECRET);
    for (const secret of [SECRET, `@${file}`]) {
      const result = await runCli([
        "run",
        "print-secret",
        "-f",
        TASKS,
        "--secret",
        secret,
        "--output",
        "json",
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe("stdout has ***\n");
      expect(result.stderr).toContain('stderr has *** and "***"');
      expect(result.stdout + result.stderr).not.toContain("s3cr3t-t0ken-value");
      // The SECRET_NOT_FOUND warning is left out: --secret stands in for the Secret.
      expect(result.stderr).not.toContain("SECRET_NOT_FOUND");
    }
  });

  it("runs code a ConfigMap holds under binaryData.code, which its volume projects as the file code", async () => {
    const path = manifest(
      "binary-code.yaml",
      `apiVersion: v1
kind: ConfigMap
metadata: { name: binary-code, namespace: shop }
binaryData:
  code: Y29uc29sZS5sb2coImZyb20gYmluYXJ5RGF0YSIpOwo=
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: from-binary, namespace: shop }
spec:
  deno:
    configMapRef: { name: binary-code }
`,
    );
    const result = await runCli(["run", "from-binary", "-f", path]);
    expect(result.stdout).toBe("from binaryData\n");
    expect(result.code).toBe(0);
  });

  it("takes SECURE_DATA from a Secret among the manifests, and masks it", async () => {
    const secret = manifest(
      "secret.yaml",
      `apiVersion: v1
kind: Secret
metadata: { name: cli-secret, namespace: shop }
stringData:
  SECURE_DATA: '${SECRET}'
`,
    );
    const result = await runCli(["run", "print-secret", "-f", TASKS, "-f", secret]);
    expect(result.stdout).toBe("stdout has ***\n");
    expect(result.stdout + result.stderr).not.toContain("s3cr3t-t0ken-value");
    expect(result.code).toBe(0);
  });

  it("starts its summary on a line of its own when the task's output has no final newline", async () => {
    const path = manifest(
      "no-newline.yaml",
      `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: no-newline, namespace: shop }
spec:
  deno:
    parameters: { map: { to: stdout } }
    inline:
      code: |
        const to = JSON.parse(Deno.env.get("DATA") ?? "{}").to;
        const out = to === "stdout" ? Deno.stdout : Deno.stderr;
        out.writeSync(new TextEncoder().encode('{"ok":true}'));
`,
    );
    // stdout and stderr the same file, as on a terminal: the summary follows stdout's last line.
    const tmp = mkdtempSync(join(tmpdir(), "keptn-task-cli-"));
    const together = await runProcess(
      "/bin/sh",
      ["-c", `exec '${process.execPath}' '${CLI}' run no-newline -f '${path}' 2>&1`],
      { env: { TMPDIR: tmp }, cwd: ROOT },
    );
    rmSync(tmp, { recursive: true, force: true });
    expect(together.stdout).toMatch(
      /^\{"ok":true\}\nkeptn-task: no-newline \(inline, deno, local\) succeeded in [\d.]+ m?s\n$/,
    );
    // Output left unfinished on stderr itself.
    const result = await runCli(["run", "no-newline", "-f", path, "--data", "to=stderr"]);
    expect(result.stderr).toMatch(/^\{"ok":true\}\nkeptn-task: no-newline .* succeeded in /);
    expect(result.code).toBe(0);
  });

  it("prints the summary as one JSON line with --output json", async () => {
    const result = await runCli(["run", "exit-three", "-f", TASKS, "-o", "json"]);
    const summary = JSON.parse(result.stderrLines[result.stderrLines.length - 1] ?? "");
    expect(summary).toEqual({
      definition: "exit-three",
      namespace: "shop",
      source: "inline",
      runner: "deno",
      runtime: "local",
      result: "failed",
      exitCode: 3,
      durationMs: expect.any(Number),
      reason: "Task exited with code 3",
    });
    expect(result.code).toBe(3);
  });

  it("stops the task at the definition's timeout, as the Job's deadline does", async () => {
    const result = await runCli(["run", "sleeper", "-f", TASKS]);
    expect(result.stdout).toBe("sleeping\n");
    expect(result.stderrLines[result.stderrLines.length - 1]).toMatch(
      /^keptn-task: sleeper \(inline, deno, local\) exceeded its timeout of 2 s \(activeDeadlineSeconds\) and was stopped: exit code 143 after 2(\.\d)? s$/,
    );
    expect(result.code).toBe(143);
    expect(result.leftovers).toEqual([]);
  });

  it("stops the task at Ctrl-C once and ends with its exit code", async () => {
    const result = await runCli(["run", "sleeper", "-f", TASKS], {
      detached: true,
      // As a terminal does: to the whole foreground process group.
      onStdout: (chunk, child) => {
        if (chunk.includes("sleeping")) ctrlC(child);
      },
    });
    expect(result.stdout).toBe("sleeping\n");
    // The plain task runs in the runner's process, which the terminal's SIGINT reaches directly:
    // it dies of it (130), and is not killed by a second one (137).
    expect(result.stderrLines[result.stderrLines.length - 1]).toMatch(
      /^keptn-task: sleeper \(inline, deno, local\) failed with exit code 130 in /,
    );
    expect(result.code).toBe(130);
    expect(result.leftovers).toEqual([]);
  });

  it("runs the command given after -- in place of a container task's image", async () => {
    const result = await runCli([
      "run",
      "container-task",
      "-f",
      TASKS,
      "--workload",
      "cart",
      "--",
      process.execPath,
      "-e",
      "console.log(JSON.stringify([process.env.TEAM, JSON.parse(process.env.KEPTN_CONTEXT).workloadName, process.env.DATA]))",
    ]);
    expect(JSON.parse(result.stdout)).toEqual(["checkout", "cart", null]);
    expect(result.stderr).toMatch(
      /^keptn-task: container-task \(image example\.com\/acme\/task:1\.0\.0, container, local\) succeeded in /,
    );
    expect(result.code).toBe(0);
  });
});
