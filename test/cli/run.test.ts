import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { runCli } from "../helpers/keptn-task-cli.js";

const TASKS = "test/cli/fixtures/tasks.yaml";
const SECRET = '{"token":"s3cr3t-t0ken-value"}';
const dir = mkdtempSync(join(tmpdir(), "keptn-task-run-test-"));
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

/** Writes a manifest into the test's scratch folder and returns its path. */
function manifest(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

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
    const result = await runCli(["run", "gone", "-f", path, "-q"]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      `Cannot fetch task code from \\"${server.origin}/tasks/gone.ts\\": HTTP 404`,
    );
    expect(result.code).toBe(69);
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

  it("forwards Ctrl-C to the task once and ends with its exit code", async () => {
    const result = await runCli(["run", "sleeper", "-f", TASKS], {
      onStdout: (chunk, child) => {
        if (chunk.includes("sleeping")) child.kill("SIGINT");
      },
    });
    expect(result.stdout).toBe("sleeping\n");
    expect(result.stderr).toContain("Received SIGINT: forwarded to the task");
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

  describe("with --dry-run", () => {
    it("prints the local runner command and the task's variables, and starts nothing", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--dry-run", "-o", "json"]);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout) as {
        command: string;
        args: string[];
        env: Record<string, string>;
        files: { path: string; mountPath: string; bytes: number }[];
      };
      expect(plan.command).toMatch(/deno$/);
      expect(plan.args).toEqual([
        "run",
        "--allow-all",
        "--no-config",
        `${ROOT}runners/dist/bootstrap.js`,
        "deno",
      ]);
      expect(Object.keys(plan.env)).toEqual(["DATA", "KEPTN_CONTEXT", "CMD_ARGS", "SCRIPT"]);
      expect(plan.files).toEqual([
        {
          path: "$TMPDIR/keptn-task-run-XXXXXX/code/function.ts",
          mountPath: "/var/data/function.ts",
          bytes: expect.any(Number),
        },
      ]);
      expect(result.leftovers).toEqual([]);
    });

    it("builds the podman command as the image tests run the runner images", async () => {
      const result = await runCli([
        "run",
        "print-secret",
        "-f",
        TASKS,
        "--runtime",
        "podman",
        "--secret",
        SECRET,
        "--dry-run",
      ]);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split("\n");
      expect(lines[lines.length - 1]).toBe(
        "podman run --rm --read-only --tmpfs /tmp --user 65532 --network host " +
          "-v '$TMPDIR/keptn-task-run-XXXXXX/code/function.ts:/var/data/function.ts:ro' " +
          "-e KEPTN_CONTEXT -e CMD_ARGS -e SECURE_DATA -e SCRIPT keptn-task/deno-runtime:dev",
      );
      // Inside the container the code is at its mount path; the secret is never printed.
      expect(lines).toContain("SCRIPT=/var/data/function.ts");
      expect(lines).toContain("SECURE_DATA='***'");
      expect(result.stdout + result.stderr).not.toContain("s3cr3t-t0ken-value");
    });

    it("runs the python image, or the one given with --image, with docker too", async () => {
      const result = await runCli([
        "run",
        "python-env",
        "-f",
        TASKS,
        "--runtime",
        "docker",
        "--image",
        "ghcr.io/keptn-task/python-runtime:v1",
        "--dry-run",
        "-o",
        "json",
      ]);
      const plan = JSON.parse(result.stdout) as { command: string; args: string[] };
      expect(plan.command).toBe("docker");
      expect(plan.args).toContain(
        "$TMPDIR/keptn-task-run-XXXXXX/code/function.py:/var/data/function.py:ro",
      );
      expect(plan.args[plan.args.length - 1]).toBe("ghcr.io/keptn-task/python-runtime:v1");
    });

    it("runs a container task's own image with its command, args and env", async () => {
      const result = await runCli([
        "run",
        "container-task",
        "-f",
        TASKS,
        "--runtime",
        "podman",
        "--dry-run",
        "-o",
        "json",
      ]);
      const plan = JSON.parse(result.stdout) as { args: string[]; env: Record<string, string> };
      expect(plan.args).toEqual([
        "run",
        "--rm",
        "--network",
        "host",
        "-e",
        "TEAM",
        "-e",
        "KEPTN_CONTEXT",
        "--entrypoint",
        '["/bin/task"]',
        "example.com/acme/task:1.0.0",
        "--fast",
      ]);
      expect(Object.keys(plan.env)).toEqual(["TEAM", "KEPTN_CONTEXT"]);
    });
  });

  it.each([
    {
      case: "a missing file",
      args: ["run", "print-env", "-f", "test/cli/fixtures/absent.yaml"],
      code: 65,
      line: 'keptn-task: Cannot read "test/cli/fixtures/absent.yaml": no such file or directory',
    },
    {
      case: "invalid YAML",
      args: ["run", "print-env", "-f", "test/fixtures/definitions/broken.yaml"],
      code: 65,
      line: /^keptn-task: test\/fixtures\/definitions\/broken\.yaml:1: Cannot parse YAML: .* at line 6, column 1$/,
    },
    {
      case: "an unknown definition",
      args: ["run", "print-envv", "-f", TASKS],
      code: 66,
      line: /^keptn-task: Cannot find KeptnTaskDefinition "print-envv" in "test\/cli\/fixtures\/tasks\.yaml": they define "print-env", "print-secret", /,
    },
    {
      case: "a definition in another namespace",
      args: ["run", "print-env", "-f", TASKS, "-n", "default"],
      code: 66,
      line: /^keptn-task: Cannot find KeptnTaskDefinition "print-env" in namespace "default" or "keptn-system" in /,
    },
    {
      case: "a functionRef to a missing parent",
      args: ["run", "orphan", "-f", TASKS],
      code: 66,
      line: /^keptn-task: Cannot run "orphan": MISSING_PARENT "orphan" has functionRef "no-such-parent", which is in neither namespace "shop" nor "keptn-system"/,
    },
    {
      case: "a configMapRef to a ConfigMap not among the manifests",
      args: ["run", "missing-configmap", "-f", TASKS],
      code: 66,
      line: 'keptn-task: Cannot run "missing-configmap": ConfigMap "not-applied" (configMapRef of "missing-configmap") is not among the manifests: add it with -f, its code under the key "code"',
    },
    {
      case: "no value for SECURE_DATA",
      args: ["run", "print-secret", "-f", TASKS],
      code: 78,
      line: 'keptn-task: Cannot run "print-secret": it reads SECURE_DATA from Secret "cli-secret" (secureParameters), which is not among the manifests: pass the value with --secret @FILE or --secret VALUE',
    },
    {
      case: "a --secret for a definition without secureParameters",
      args: ["run", "print-env", "-f", TASKS, "--secret", SECRET],
      code: 64,
      line: 'keptn-task: Cannot use --secret with "print-env": it has no secureParameters, so its Job gets no SECURE_DATA',
    },
    {
      case: "a --secret @FILE that does not exist",
      args: ["run", "print-secret", "-f", TASKS, "--secret", "@no-such-secret.json"],
      code: 64,
      line: 'keptn-task: Cannot read --secret file "no-such-secret.json" for "keptn-task run": no such file or directory',
    },
    {
      case: "a --data without =",
      args: ["run", "print-env", "-f", TASKS, "--data", "size"],
      code: 64,
      line: /^keptn-task: Cannot use --data "size" with "keptn-task run": expected KEY=VALUE/,
    },
    {
      case: "an invalid --context",
      args: ["run", "print-env", "-f", TASKS, "--context", '{"objectType":"Application"}'],
      code: 78,
      line: 'keptn-task: Cannot use --context with "keptn-task run": objectType: expected "App" or "Workload", received "Application"',
    },
    {
      case: "an unknown runtime",
      args: ["run", "print-env", "-f", TASKS, "--runtime", "kubernetes"],
      code: 64,
      line: 'keptn-task: Cannot use --runtime "kubernetes" with "keptn-task run": expected "local", "podman", "docker"',
    },
    {
      case: "a container task run locally without a command",
      args: ["run", "container-task", "-f", TASKS],
      code: 64,
      line: 'keptn-task: Cannot run container task "container-task" with --runtime local: give the command that stands in for image "example.com/acme/task:1.0.0" after --, or use --runtime podman',
    },
    {
      case: "a command after -- for a deno task",
      args: ["run", "print-env", "-f", TASKS, "--", "echo"],
      code: 64,
      line: /^keptn-task: Cannot run "print-env" with a command after --: only a container task/,
    },
    {
      case: "a runner that has not been built",
      args: ["run", "print-env", "-f", TASKS],
      env: { KEPTN_TASK_RUNNER: "/nonexistent/bootstrap.js" },
      code: 127,
      line: 'keptn-task: Cannot find the runner "/nonexistent/bootstrap.js" (KEPTN_TASK_RUNNER): no such file',
    },
    {
      case: "a container engine that is not installed",
      args: ["run", "print-env", "-f", TASKS, "--runtime", "docker"],
      env: { PATH: "/nonexistent" },
      code: 127,
      line: 'keptn-task: Cannot start "docker": not found',
    },
  ])(
    "fails with one line, nothing on stdout and nothing left behind for $case",
    async ({ args, code, line, env }) => {
      const result = await runCli(args, env === undefined ? {} : { env });
      expect(result.stderrLines).toHaveLength(1);
      if (typeof line === "string") expect(result.stderrLines[0]).toBe(line);
      else expect(result.stderrLines[0]).toMatch(line);
      expect(result.stdout).toBe("");
      expect(result.leftovers).toEqual([]);
      expect(result.code).toBe(code);
    },
  );
});
