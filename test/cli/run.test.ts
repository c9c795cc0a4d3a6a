import type { ChildProcess } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { runnerDenoFlags } from "../../sdk/src/contract/index.js";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { CLI, runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

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

/** Ctrl-C as a terminal sends it: SIGINT to the CLI's whole process group. */
function ctrlC(child: ChildProcess): void {
  if (child.pid !== undefined) process.kill(-child.pid, "SIGINT");
}

/** Whether a process is still running (a zombie waiting to be reaped is not). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
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

  describe("with --dry-run", () => {
    it("prints the local runner command and the task's variables, and starts nothing", async () => {
      const result = await runCliInProcess([
        "run",
        "print-env",
        "-f",
        TASKS,
        "--dry-run",
        "-o",
        "json",
      ]);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout) as {
        command: string;
        args: string[];
        env: Record<string, string>;
        files: { path: string; mountPath: string; bytes: number }[];
      };
      expect(plan.command).toMatch(/deno$/);
      // As the images start the runner (so a plain task runs in the runner's process).
      expect(plan.args).toEqual([
        "run",
        ...runnerDenoFlags(`${ROOT}runners/dist/import-map.json`),
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
      const result = await runCliInProcess([
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
      // Our image is never pulled; the container has a name to remove it by; the code is
      // relabelled for SELinux.
      expect(lines[lines.length - 1]).toBe(
        "podman run --rm --name keptn-task-XXXXXX --pull=never --read-only --tmpfs /tmp --user 65532 --network host " +
          "-v '$TMPDIR/keptn-task-run-XXXXXX/code/function.ts:/var/data/function.ts:ro,Z' " +
          // The kubelet gives every container a termination log; the summary reads this one.
          "-v '$TMPDIR/keptn-task-run-XXXXXX/termination-log:/dev/termination-log:Z' " +
          `-e KEPTN_CONTEXT -e CMD_ARGS -e SECURE_DATA -e SCRIPT ${localTags["deno-runtime"]}`,
      );
      // Inside the container the code is at its mount path; the secret is never printed.
      expect(lines).toContain("SCRIPT=/var/data/function.ts");
      expect(lines).toContain("SECURE_DATA='***'");
      expect(result.stdout + result.stderr).not.toContain("s3cr3t-t0ken-value");
    });

    it("masks an httpRef URL's credentials and token query values in everything it prints", async () => {
      const path = manifest(
        "secret-url.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: secret-url, namespace: shop }
spec:
  deno:
    httpRef: { url: "http://alice:Tok3nP%40ss@127.0.0.1:1/x.ts?access_token=AcC3ss-t0k3n&ref=main" }
`,
      );
      const outputs: string[] = [];
      for (const extra of [["--dry-run"], ["--dry-run", "-o", "json"], [], ["-o", "json"]]) {
        const result = await runCliInProcess(["run", "secret-url", "-f", path, ...extra]);
        outputs.push(result.stdout + result.stderr);
      }
      for (const output of outputs) {
        expect(output).not.toMatch(/Tok3nP|AcC3ss-t0k3n/);
      }
      expect(outputs[0]).toContain(
        "SCRIPT='http://***@127.0.0.1:1/x.ts?access_token=***&ref=main'",
      );
    });

    it("runs the python image, or the one given with --image, with docker too", async () => {
      const result = await runCliInProcess([
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
        "$TMPDIR/keptn-task-run-XXXXXX/code/function.py:/var/data/function.py:ro,Z",
      );
      expect(plan.args[plan.args.length - 1]).toBe("ghcr.io/keptn-task/python-runtime:v1");
      // An image given with --image may be pulled.
      expect(plan.args).not.toContain("--pull=never");
    });

    it("runs a container task's own image with its command, args and env", async () => {
      const result = await runCliInProcess([
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
        "--name",
        "keptn-task-XXXXXX",
        "--network",
        "host",
        "-v",
        "$TMPDIR/keptn-task-run-XXXXXX/termination-log:/dev/termination-log:Z",
        "-e",
        "TEAM",
        "-e",
        "KEPTN_CONTEXT",
        "--entrypoint",
        "/bin/task",
        "example.com/acme/task:1.0.0",
        "--fast",
      ]);
      expect(Object.keys(plan.env)).toEqual(["TEAM", "KEPTN_CONTEXT"]);
    });

    it.each([
      {
        case: "a command of several words",
        spec: 'command: ["/bin/sh", "-c", "echo $0 $1"]\n    args: ["a", "b c"]',
        tail: [
          "--entrypoint",
          "/bin/sh",
          "example.com/acme/shell:1",
          "-c",
          "echo $0 $1",
          "a",
          "b c",
        ],
      },
      {
        case: "an empty command",
        spec: 'command: []\n    args: ["--fast"]',
        tail: ["example.com/acme/shell:1", "--fast"],
      },
    ])(
      "passes $case to docker as one --entrypoint word, the rest after the image",
      async ({ spec, tail }) => {
        const path = manifest(
          "entrypoint.yaml",
          `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: shell }
spec:
  container:
    name: job
    image: example.com/acme/shell:1
    ${spec}
`,
        );
        const result = await runCliInProcess([
          "run",
          "shell",
          "-f",
          path,
          "--runtime",
          "docker",
          "--dry-run",
          "-o",
          "json",
        ]);
        const plan = JSON.parse(result.stdout) as { args: string[] };
        expect(plan.args.slice(plan.args.indexOf("KEPTN_CONTEXT") + 1)).toEqual(tail);
        expect(result.code).toBe(0);
      },
    );
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
      line: /^keptn-task: test\/fixtures\/definitions\/broken\.yaml:6:1: Cannot parse YAML: [^\n]+ with a \]$/,
    },
    {
      case: "a mistyped definition name",
      args: ["run", "print-envv", "-f", TASKS],
      code: 66,
      line: 'keptn-task: Cannot find KeptnTaskDefinition "print-envv" in "test/cli/fixtures/tasks.yaml": did you mean "print-env"?',
    },
    {
      case: "an unknown definition",
      args: ["run", "deploy-everything", "-f", TASKS],
      code: 66,
      line: /^keptn-task: Cannot find KeptnTaskDefinition "deploy-everything" in "test\/cli\/fixtures\/tasks\.yaml": they define "print-env", "print-secret", /,
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
      line: 'keptn-task: Cannot run "print-secret": SECURE_DATA: Secret "cli-secret" key "SECURE_DATA" has no value: pass the value with --secret @FILE or --secret VALUE, or add the Secret with -f',
    },
    {
      case: "no value for a container's env from a Secret",
      args: [
        "run",
        "container-secret",
        "-f",
        "test/cli/fixtures/container-secret.yaml",
        "--",
        "true",
      ],
      code: 78,
      line: 'keptn-task: Cannot run "container-secret": API_TOKEN: Secret "api-token" key "token" has no value: give it with --env API_TOKEN=VALUE (masked), or add the Secret with -f',
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
      line: 'keptn-task: Cannot use --context with "keptn-task run": KEPTN_CONTEXT.objectType: expected "App" or "Workload": Keptn sends "App" for applications, not "Application"',
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
      line: 'keptn-task: Cannot start "docker": not found: install it (Debian: apt-get install docker.io), use the other engine with --runtime, or run with --runtime local',
    },
    {
      case: "a KEPTN_TASK_DENO that is a directory",
      args: ["run", "print-env", "-f", TASKS],
      env: { KEPTN_TASK_DENO: "/tmp" },
      code: 127,
      line: 'keptn-task: Cannot start "deno": KEPTN_TASK_DENO names "/tmp", which is not an executable file: point it at a Deno binary, or unset it to use the Deno that comes with @keptn-task/runners',
    },
    {
      case: "a TMPDIR that does not exist",
      args: ["run", "print-env", "-f", TASKS],
      env: { TMPDIR: "/nonexistent/tmp" },
      code: 78,
      line: 'keptn-task: Cannot create the run\'s scratch directory in "/nonexistent/tmp": TMPDIR: no such directory: set TMPDIR to a writable directory',
    },
    {
      case: "a parameter over Linux's limit for one environment variable",
      args: [
        "run",
        "print-env",
        "-f",
        TASKS,
        "--data",
        `region=${"x".repeat(100_000)}`,
        "--data",
        `size=${"y".repeat(40_000)}`,
      ],
      code: 78,
      line: /^keptn-task: Cannot run "print-env": DATA: would be 14\d{4} bytes, over Linux's limit of 131072 bytes for one environment variable, so its container could not start either: /,
    },
  ])(
    "fails with one line, nothing on stdout and nothing left behind for $case",
    async ({ args, code, line, env }) => {
      const result = await runCliInProcess(args, env === undefined ? {} : { env });
      expect(result.stderrLines).toHaveLength(1);
      if (typeof line === "string") expect(result.stderrLines[0]).toBe(line);
      else expect(result.stderrLines[0]).toMatch(line);
      expect(result.stdout).toBe("");
      expect(result.leftovers).toEqual([]);
      expect(result.code).toBe(code);
    },
  );

  it("fails with one line and exit code 66 for an unknown definition in a process of its own too", async () => {
    const result = await runCli(["run", "print-envv", "-f", TASKS]);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot find KeptnTaskDefinition "print-envv" in "test/cli/fixtures/tasks.yaml": did you mean "print-env"?',
    ]);
    expect(result.stdout).toBe("");
    expect(result.leftovers).toEqual([]);
    expect(result.code).toBe(66);
  });

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

  describe("with podman or docker", () => {
    // A stand-in engine on PATH records what the CLI asks of it (test/cli/fixtures/fake-engine.mjs).
    const bin = join(dir, "engine-bin");
    const log = join(dir, "engine.log");
    beforeAll(() => {
      mkdirSync(bin, { recursive: true });
      for (const engine of ["podman", "docker"]) {
        writeFileSync(
          join(bin, engine),
          `#!/bin/sh\nexec '${process.execPath}' '${ROOT}test/cli/fixtures/fake-engine.mjs' "$@"\n`,
        );
        chmodSync(join(bin, engine), 0o755);
      }
    });
    const engineEnv = (mode: string) => {
      rmSync(log, { force: true });
      return {
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        FAKE_ENGINE_LOG: log,
        FAKE_ENGINE_RUN: mode,
      };
    };
    const calls = () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as string[])
        : [];

    it("says to build the runner image when it is not among the local images", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("missing-image"),
      });
      expect(result.stderrLines).toEqual([
        `Error: ${localTags["deno-runtime"]}: image not known`,
        `keptn-task: Cannot run image "${localTags["deno-runtime"]}" with podman: it is not among the local images, and keptn-task run never pulls its own images: build them with npm run images, or give one with --image`,
      ]);
      expect(calls()[0]).toContain("--pull=never");
      expect(result.code).toBe(127);
      expect(result.leftovers).toEqual([]);
    });

    it("says a stopped daemon is stopped, in docker's words, not that the image is missing", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "docker"], {
        env: engineEnv("daemon-down"),
      });
      const daemon =
        "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
      expect(result.stderrLines).toEqual([
        daemon,
        `keptn-task: print-env (inline, deno, docker) was not run: docker cannot reach its daemon: ${daemon}`,
      ]);
      expect(result.code).toBe(125);
      expect(result.leftovers).toEqual([]);
    });

    it("says the task did not run when the engine cannot start the container's command", async () => {
      const result = await runCli(["run", "container-task", "-f", TASKS, "--runtime", "docker"], {
        env: engineEnv("no-command"),
      });
      expect(result.stderrLines.at(-1)).toBe(
        "keptn-task: container-task (image example.com/acme/task:1.0.0, container, docker) was not run: docker cannot find the container's command (exit code 127)",
      );
      expect(result.code).toBe(127);
    });

    it("says the task was not run when the engine refuses to start the runner image's container", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("refuse"),
      });
      expect(result.stderrLines.at(-1)).toBe(
        "keptn-task: print-env (inline, deno, podman) was not run: podman cannot invoke the container's command (exit code 126)",
      );
      expect(result.code).toBe(126);
      const json = await runCli(
        ["run", "print-env", "-f", TASKS, "--runtime", "podman", "-o", "json"],
        { env: engineEnv("refuse") },
      );
      expect(JSON.parse(json.stderrLines.at(-1) ?? "")).toMatchObject({
        result: "not run",
        exitCode: 126,
      });
      expect(json.code).toBe(126);
    });

    it("reports exit code 126 as the task's failure when the container did start", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("exit-126"),
      });
      expect(result.stdout).toBe("container running\n");
      expect(result.stderrLines.at(-1)).toMatch(
        /^keptn-task: print-env \(inline, deno, podman\) failed with exit code 126 in /,
      );
      expect(result.code).toBe(126);
    });

    it("removes the container by name when a second Ctrl-C kills the engine's client", async () => {
      let sent = 0;
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("hang"),
        detached: true,
        timeoutMs: 20_000,
        onStdout: (chunk, child) => {
          if (
            (chunk.includes("container running") && sent === 0) ||
            (chunk.includes("got SIGINT") && sent === 1)
          ) {
            sent += 1;
            ctrlC(child);
          }
        },
      });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(137);
      const [run, remove] = calls();
      const name = run?.[run.indexOf("--name") + 1];
      expect(name).toMatch(/^keptn-task-[0-9a-f]{12}$/);
      expect(remove).toEqual(["rm", "-f", name]);
      expect(result.leftovers).toEqual([]);
    });
  });
});
