// The task author's loop through the real command: run the file being edited (--code), feed
// inputs from files (--data @FILE), keep the JSON report apart (--report).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-task-loop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file into the test's folder and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const MANIFESTS = file(
  "tasks.yaml",
  `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: greet
spec:
  deno:
    inline:
      code: |
        console.log("the manifest's own code");
    parameters:
      map:
        greeting: hello
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: pygreet
spec:
  python:
    httpRef:
      url: http://127.0.0.1:1/never-fetched.py
    parameters:
      map:
        greeting: hello
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: nocode
spec:
  deno:
    parameters:
      map:
        greeting: hello
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: boxed
spec:
  container:
    name: boxed
    image: busybox:1.36
`,
);

const SLOW = file(
  "slow.yaml",
  `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: slow
spec:
  timeout: 2s
  deno:
    inline:
      code: |
        console.log("sleeping");
        await new Promise((resolve) => setTimeout(resolve, 60_000));
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: slowpy
spec:
  timeout: 2s
  python:
    inline:
      code: |
        import time
        print("sleeping", flush=True)
        time.sleep(60)
`,
);

const DENO_TASK = file(
  "greet.ts",
  `const data = JSON.parse(Deno.env.get("DATA") ?? "{}");
console.log(\`\${data.greeting}, from the file being edited\`);
if (data.greeting === "boom") {
  throw new Error("greeting refused");
}
`,
);

describe("keptn-task run --code FILE", () => {
  it("runs the file in place of the definition's inline code, with the Job's variables", async () => {
    const result = await runCli(["run", "greet", "-f", MANIFESTS, "--code", DENO_TASK]);
    expect(result.stdout).toBe("hello, from the file being edited\n");
    expect(result.code).toBe(0);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: greet \(code .*greet\.ts, deno, local\) succeeded in /,
    );
  });

  it("points an error at the file's own line and column", async () => {
    const result = await runCli([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--code",
      DENO_TASK,
      "--data",
      "greeting=boom",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`at file://${DENO_TASK}:4:9`);
    expect(result.stderrLines.at(-1)).toMatch(
      /: Task exited with code 1: uncaught Error: greeting refused$/,
    );
  });

  it("runs a Python file in place of an httpRef, which is never fetched", async () => {
    const script = file(
      "greet.py",
      'import json, os\nprint(json.loads(os.environ["DATA"])["greeting"] + " from python")\n',
    );
    const result = await runCli(["run", "pygreet", "-f", MANIFESTS, "--code", script]);
    expect(result.stdout).toBe("hello from python\n");
    expect(result.code).toBe(0);
  });

  it("gives code to a definition that has none yet", async () => {
    const result = await runCli(["run", "nocode", "-f", MANIFESTS, "--code", DENO_TASK]);
    expect(result.stdout).toBe("hello, from the file being edited\n");
    expect(result.code).toBe(0);
  });

  it("mounts the file where it is with podman, read-only, and never writes it", async () => {
    const before = readFileSync(DENO_TASK, "utf8");
    const result = await runCli([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--code",
      DENO_TASK,
      "--runtime",
      "podman",
      "--dry-run",
      "-o",
      "json",
    ]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { args: string[]; files: { path: string }[] };
    expect(plan.args).toContain(`${DENO_TASK}:/var/data/function.ts:ro,z`);
    expect(plan.files).toEqual([
      { path: DENO_TASK, mountPath: "/var/data/function.ts", bytes: Buffer.byteLength(before) },
    ]);
    expect(readFileSync(DENO_TASK, "utf8")).toBe(before);
  });

  it("refuses a missing file, naming it, with exit code 64", async () => {
    const result = await runCliInProcess(["run", "greet", "-f", MANIFESTS, "--code", "nope.ts"]);
    expect(result.code).toBe(64);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot read --code file "nope.ts" for "keptn-task run": no such file or directory',
    ]);
  });

  it("refuses a Python file for a Deno task", async () => {
    const result = await runCliInProcess(["run", "greet", "-f", MANIFESTS, "--code", "task.py"]);
    expect(result.code).toBe(64);
    expect(result.stderrLines[0]).toMatch(
      /^keptn-task: Cannot use --code "task.py" with "greet": it is a deno task .*: give its TypeScript or JavaScript file$/,
    );
  });

  it("refuses a container task, whose code is its image", async () => {
    const result = await runCliInProcess(["run", "boxed", "-f", MANIFESTS, "--code", DENO_TASK]);
    expect(result.code).toBe(64);
    expect(result.stderrLines[0]).toContain('Cannot use --code with container task "boxed"');
  });
});

describe("keptn-task run --data @FILE", () => {
  const echo = file("echo.ts", 'console.log(Deno.env.get("DATA"));\n');

  it("reads a YAML map, numbers and booleans as Keptn's strings", async () => {
    const data = file("data.yaml", "greeting: hi\nattempts: 3\ndry: true\nempty:\n");
    const result = await runCli([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--code",
      echo,
      "--data",
      `@${data}`,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      greeting: "hi",
      attempts: "3",
      dry: "true",
      empty: "",
    });
  });

  it("reads a JSON map, and a later --data KEY=VALUE wins", async () => {
    const data = file("data.json", '{"greeting": "from json", "region": "eu"}');
    const result = await runCli([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--code",
      echo,
      "--data",
      `@${data}`,
      "--data",
      "region=us",
      "-q",
    ]);
    expect(JSON.parse(result.stdout)).toEqual({ greeting: "from json", region: "us" });
  });

  it("refuses a nested value, naming the key", async () => {
    const data = file("nested.yaml", "greeting:\n  text: hi\n");
    const result = await runCliInProcess(["run", "greet", "-f", MANIFESTS, "--data", `@${data}`]);
    expect(result.code).toBe(64);
    expect(result.stderrLines).toEqual([
      `keptn-task: Cannot use --data @${data} with "keptn-task run": "greeting" is a map: DATA holds strings only (write it as a JSON string if the task parses it)`,
    ]);
  });

  it("refuses a file that is a list, and a missing file", async () => {
    const list = file("list.yaml", "- a\n- b\n");
    const listed = await runCliInProcess(["run", "greet", "-f", MANIFESTS, "--data", `@${list}`]);
    expect(listed.code).toBe(64);
    expect(listed.stderrLines[0]).toContain(
      "expected a map of parameters (key: value), received a list",
    );
    const missing = await runCliInProcess([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--data",
      "@missing.yaml",
    ]);
    expect(missing.code).toBe(64);
    expect(missing.stderrLines[0]).toBe(
      'keptn-task: Cannot read --data file "missing.yaml" for "keptn-task run": no such file or directory',
    );
  });
});

describe("keptn-task run at the definition's timeout", () => {
  it("says the timeout stopped a Deno task, and nothing it cannot know", async () => {
    const result = await runCli(["run", "slow", "-f", SLOW]);
    expect(result.code).toBe(143);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: slow \(inline, deno, local\) exceeded its timeout of 2 s \(activeDeadlineSeconds\) and was stopped: exit code 143 after 2(\.\d)? s$/,
    );
  });

  it("says the same of a Python task", async () => {
    const result = await runCli(["run", "slowpy", "-f", SLOW, "-q", "-o", "json"]);
    expect(result.code).toBe(143);
    const summary = JSON.parse(result.stderrLines.at(-1) ?? "{}");
    expect(summary).toMatchObject({ result: "timed out", exitCode: 143 });
    const text = await runCli(["run", "slowpy", "-f", SLOW]);
    expect(text.stderrLines.at(-1)).toMatch(
      /^keptn-task: slowpy \(inline, python, local\) exceeded its timeout of 2 s \(activeDeadlineSeconds\) and was stopped: exit code 143 after 2(\.\d)? s$/,
    );
  });
});

describe("keptn-task run --report FILE", () => {
  it("writes the JSON report alone to the file; stderr keeps the text summary", async () => {
    const report = join(dir, "report.json");
    const result = await runCli([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--code",
      DENO_TASK,
      "--data",
      "greeting=boom",
      "--report",
      report,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: greet \(code .*\) failed with exit code 1 in /,
    );
    const written = readFileSync(report, "utf8");
    expect(written.endsWith("}\n")).toBe(true);
    expect(JSON.parse(written)).toEqual({
      definition: "greet",
      namespace: "default",
      source: `code ${DENO_TASK}`,
      runner: "deno",
      runtime: "local",
      result: "failed",
      exitCode: 1,
      durationMs: expect.any(Number),
      reason: "Task exited with code 1: uncaught Error: greeting refused",
    });
  });

  it("leaves -o json where it was, on stderr, next to the report", async () => {
    const report = join(dir, "report-json.json");
    const result = await runCli([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "-o",
      "json",
      "--report",
      report,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stderrLines.at(-1) ?? "")).toEqual(
      JSON.parse(readFileSync(report, "utf8")),
    );
  });

  it("refuses a report path that cannot be written, before the task runs", async () => {
    const result = await runCliInProcess([
      "run",
      "greet",
      "-f",
      MANIFESTS,
      "--report",
      "/nonexistent/r.json",
    ]);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe("");
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot write --report file "/nonexistent/r.json" for "keptn-task run": no such directory: give a writable path',
    ]);
  });
});

describe("a container task's secretKeyRef variables", () => {
  const FIXTURE = "test/cli/fixtures/container-secret.yaml";

  it("take a value from --env NAME=VALUE, masked in all output", async () => {
    const result = await runCli([
      "run",
      "container-secret",
      "-f",
      FIXTURE,
      "--env",
      "API_TOKEN=tok-given-on-the-command-line",
      "--",
      "sh",
      "-c",
      'echo "token is $API_TOKEN"',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("token is ***\n");
    expect(result.stderr).not.toContain("tok-given-on-the-command-line");
  });

  it("name the variable when its value is missing, and how to give it", async () => {
    const result = await runCliInProcess(["run", "container-secret", "-f", FIXTURE, "--", "true"]);
    expect(result.code).toBe(78);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot run "container-secret": API_TOKEN: Secret "api-token" key "token" has no value: give it with --env API_TOKEN=VALUE (masked), or add the Secret with -f',
    ]);
  });
});

describe("a container task run with --runtime local", () => {
  it("keeps the reason its fail() wrote in the summary", async () => {
    const script =
      'import { task } from "@keptn-task/sdk"; task().fail("Webhook refused the release", { exitCode: 3 });';
    const result = await runCli([
      "run",
      "boxed",
      "-f",
      MANIFESTS,
      "--",
      process.execPath,
      "--input-type=module",
      "-e",
      script,
    ]);
    expect(result.code).toBe(3);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: boxed \(image busybox:1\.36, container, local\) failed with exit code 3 in .*: Webhook refused the release$/,
    );
  });
});

describe("an error in inline code", () => {
  const K8S = join(dir, "k8s");
  mkdirSync(K8S);
  const TASK_YAML = join(K8S, "task.yaml");
  writeFileSync(
    TASK_YAML,
    `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: boom
spec:
  deno:
    inline:
      code: |
        const limit = 3;

        if (limit > 2) {
          throw new Error("limit too high");
        }
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: pyboom
spec:
  python:
    inline:
      code: |
        def check(limit):
            raise ValueError("limit too high")
        check(3)
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: pyhandler
spec:
  python:
    inline:
      code: |
        from keptn_task import run
        def handler(t):
            raise ValueError("limit too high")
        run(handler)
`,
  );

  it("points into the manifest (file:line:column), not at the temporary function.ts", async () => {
    const result = await runCli(["run", "boom", "-f", "k8s/task.yaml"], { cwd: dir });
    expect(result.code).toBe(1);
    // Line 12 of the manifest; `new` is in column 17 there (column 9 of the code, indented 8).
    expect(result.stderr).toContain("    at k8s/task.yaml:12:17\n");
    expect(result.stderr).not.toMatch(/function\.ts:\d+/);
  });

  it("points a Python traceback's lines into the manifest", async () => {
    const result = await runCli(["run", "pyboom", "-f", "k8s/"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Traceback (most recent call last):\n  File "k8s/task.yaml", line 25, in <module>\n    check(3)\n  File "k8s/task.yaml", line 24, in check\n',
    );
    expect(result.stderr).not.toMatch(/function\.py", line/);
  });

  it("points a traceback inside a JSON log line into the manifest, its quotes escaped", async () => {
    const result = await runCli(["run", "pyhandler", "-f", "k8s/"], { cwd: dir });
    expect(result.code).toBe(1);
    const line = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(line.err.stack).toContain('File "k8s/task.yaml", line 37, in handler\n');
    expect(result.stdout).not.toContain("function.py");
  });
});
