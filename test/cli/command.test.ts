// keptn-task run as a task author meets it: the summary's reason, readable log lines, --env,
// mistyped --data keys, and --as-keptn (Keptn's stock command lines), each through the real
// command running real Deno and Python tasks.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { CLI, PYTHON, runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

const F = "test/cli/fixtures/command.yaml";
const TOKEN = "tok-5f2a9c81d3";
/** A log line's time as pino-pretty shows it. */
const TIME = String.raw`\[\d\d:\d\d:\d\d\.\d{3}\]`;
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/stock.py": 'import os\nprint("fetched by curl, DATA", os.environ.get("DATA"))\n',
  });
});
afterAll(async () => {
  await server.close();
});

const lastLine = (lines: string[]) => lines[lines.length - 1] ?? "";

describe("keptn-task run: the summary says why", () => {
  it("ends with the reason a Deno task gave fail(), as kubectl describe pod shows it", async () => {
    const result = await runCli(["run", "sdk-fail", "-f", F]);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderrLines)).toMatch(
      /^keptn-task: sdk-fail \(inline, deno, local\) failed with exit code 1 in [\d.]+ m?s: Webhook answered HTTP 401$/,
    );
    expect(result.leftovers).toEqual([]);
  });

  it("gives the reason as reason with --output json, the secret in it masked", async () => {
    const result = await runCli([
      "run",
      "sdk-fail-secret",
      "-f",
      F,
      "--secret",
      TOKEN,
      "-o",
      "json",
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(lastLine(result.stderrLines))).toMatchObject({
      definition: "sdk-fail-secret",
      result: "failed",
      exitCode: 1,
      reason: "Webhook refused token ***",
    });
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("ends with the reason a Python task gave t.fail(), with its exit code", async () => {
    const result = await runCli(["run", "python-gate", "-f", F]);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderrLines)).toMatch(
      /^keptn-task: python-gate \(inline, python, local\) failed with exit code 2 in [\d.]+ m?s: Health gate closed: 2 of 3 checks failed$/,
    );
  });

  it("reads no termination log the task replaced with a FIFO, and ends with the task", async () => {
    const result = await runCli(["run", "fifo-reason", "-f", F]);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: fifo-reason .* failed with exit code 2 in [\d.]+ m?s$/,
    );
    expect(result.code).toBe(2);
  });

  it("leaves control characters out of the summary, which a terminal would run", async () => {
    const result = await runCli(["run", "escape-reason", "-f", F]);
    const summary = result.stderrLines.at(-1) ?? "";
    expect(summary).toMatch(
      /failed with exit code 3 in [\d.]+ m?s: all good .*keptn-task: succeeded/,
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting they are gone
    expect(summary).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(result.code).toBe(3);
  });

  it("ends with the SDK's one-line reason for invalid input (exit 78)", async () => {
    const result = await runCli([
      "run",
      "health-check",
      "-f",
      "examples/health-check",
      "--data",
      "url=http://127.0.0.1:9/",
      "--data",
      "attempts=abc",
    ]);
    expect(result.code).toBe(78);
    expect(lastLine(result.stderrLines)).toMatch(
      /^keptn-task: health-check \(inline, deno, local\) failed with exit code 78 in [\d.]+ m?s: Invalid task environment: DATA\.attempts: .*received "abc"$/,
    );
  });

  it("leaves only the task's own output with -q", async () => {
    const result = await runCliInProcess(["run", "sdk-fail", "-f", F, "-q"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const logs = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(logs.map((log) => [log.level, log.msg])).toEqual([
      ["info", "Posting to the webhook"],
      ["error", "Webhook answered HTTP 401"],
    ]);
  });

  it("still gives the JSON report with -q --output json, which a script asked for", async () => {
    const result = await runCliInProcess(["run", "sdk-fail", "-f", F, "-q", "--output", "json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toMatchObject({
      definition: "sdk-fail",
      result: "failed",
      exitCode: 1,
      reason: "Webhook answered HTTP 401",
    });
  });
});

describe("keptn-task run: log lines for people", () => {
  it("shows the SDK's and the runner's JSON lines readable with --pretty", async () => {
    const result = await runCli(["run", "sdk-fail", "-f", F, "--pretty"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^${TIME} INFO: Posting to the webhook\\n {4}taskType: "pre"\\n {4}url: "http://127\\.0\\.0\\.1:9/hook"\\n${TIME} ERROR: Webhook answered HTTP 401\\n {4}taskType: "pre"\\n {4}exitCode: 1\\n$`,
      ),
    );
    expect(result.stderr).toMatch(
      new RegExp(
        `^${TIME} ERROR \\(keptn-task-runner\\): Task exited with code 1\\n {4}exitCode: 1\\n`,
      ),
    );
    // No colours off a terminal; the summary stays one line of its own.
    expect(result.stdout + result.stderr).not.toContain("\u001b[");
    expect(lastLine(result.stderrLines)).toMatch(
      /^keptn-task: sdk-fail .* Webhook answered HTTP 401$/,
    );
  });

  it("passes every other line through unchanged, one pino-pretty cannot format and an unfinished last one too", async () => {
    const result = await runCliInProcess(["run", "mixed-output", "-f", F, "--pretty"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^plain line\\n\\{"not":"a log line"\\}\\n${TIME} WARN: hand-made\\n {4}n: 1\\n\\{"level":30,"time":0,"msg":"cannot be pretty","constructor":1\\}\\nafter it\\n\\{"level":"info","msg":"unfinished"$`,
      ),
    );
  });

  it("leaves the lines raw off a terminal, and with --no-pretty", async () => {
    for (const flags of [[], ["--no-pretty"]]) {
      const result = await runCliInProcess(["run", "sdk-fail", "-f", F, ...flags]);
      expect(result.stdout.split("\n")[0]).toMatch(/^\{"level":"info","time":"[^"]+",/);
      expect(result.stderr).toMatch(/^\{"level":"error",.*"msg":"Task exited with code 1"\}\n/);
    }
    const both = await runCliInProcess(["run", "sdk-fail", "-f", F, "--pretty", "--no-pretty"]);
    expect(both.stderrLines).toEqual([
      'keptn-task: Cannot use --pretty with --no-pretty in "keptn-task run": give one of them',
    ]);
    expect(both.code).toBe(64);
  });

  it("shows them readable, in colour, on a terminal (a pseudo-terminal from script)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "keptn-task-cli-"));
    try {
      const run = (flags: string) =>
        runProcess(
          "script",
          ["-qec", `'${process.execPath}' '${CLI}' run sdk-fail -f ${F} ${flags}`, "/dev/null"],
          { cwd: ROOT, env: { TMPDIR: tmp, TERM: "xterm" } },
        );
      const terminal = await run("");
      expect(terminal.code).toBe(1);
      expect(terminal.stdout).toContain("\u001b[");
      expect(terminal.stdout).toMatch(/INFO.*: .*Posting to the webhook/);
      expect(terminal.stdout).not.toContain('"msg":');
      const raw = await run("--no-pretty");
      expect(raw.stdout).toContain('"msg":"Posting to the webhook"');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("keptn-task run --env", () => {
  it("gives the task variables a derived image or a proxy would, NAME alone from the shell", async () => {
    const result = await runCli(
      [
        "run",
        "python-env",
        "-f",
        F,
        "--env",
        "HTTPS_PROXY=http://proxy-user:proxy-pass-77@proxy.internal:3128",
        "--env",
        "FROM_SHELL",
      ],
      { env: { FROM_SHELL: "value from the shell" } },
    );
    expect(result.code).toBe(0);
    const [seen] = result.stdout.split("\n");
    expect(JSON.parse(seen ?? "")).toEqual({
      // The proxy's credentials are masked like an httpRef's.
      HTTPS_PROXY: "http://***@proxy.internal:3128",
      FROM_SHELL: "value from the shell",
      DATA: null,
    });
    expect(result.stdout + result.stderr).not.toContain("proxy-pass-77");
  });

  it("refuses --env NAME when the shell does not set it, naming it", async () => {
    const result = await runCliInProcess(["run", "python-env", "-f", F, "--env", "NOT_SET_HERE"]);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot use --env NOT_SET_HERE with "keptn-task run": NOT_SET_HERE is not set in this shell: set it, or give --env NOT_SET_HERE=VALUE',
    ]);
    expect(result.code).toBe(64);
  });

  it.each([
    ["DATA", "use --data KEY=VALUE"],
    ["SECURE_DATA", "use --secret @FILE"],
    ["KEPTN_CONTEXT", "use --app, --workload, --version, --task-type or --context"],
    ["SCRIPT", "the code comes from the definition (-f)"],
    ["CMD_ARGS", "set cmdParameters in the definition's spec.deno or spec.python"],
  ])("refuses --env %s, which the Job sets itself, naming the flag to use", async (name, use) => {
    const result = await runCliInProcess(["run", "python-env", "-f", F, "--env", `${name}=x`]);
    expect(result.stderrLines).toEqual([
      `keptn-task: Cannot use --env ${name} with "keptn-task run": the Job sets ${name} itself: ${use}`,
    ]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(64);
  });

  it("warns about a --data key the definition does not have, and passes it on", async () => {
    const result = await runCli(["run", "plain-deno", "-f", F, "--data", "greting=hi"]);
    expect(result.stderrLines[0]).toBe(
      'keptn-task: warning: Passing --data "greting" to "plain-deno", which has no such parameter (parameters.map): did you mean "greeting"?',
    );
    expect(result.stdout).toBe("hello from plain deno\n");
    expect(result.code).toBe(0);
  });
});

describe("keptn-task run --as-keptn", () => {
  it("runs Deno code with Keptn's deno run command line", async () => {
    const result = await runCli(["run", "plain-deno", "-f", F, "--as-keptn"]);
    expect(result.stdout).toBe("hello from plain deno\n");
    expect(result.stderrLines).toEqual([
      expect.stringMatching(
        /^keptn-task: plain-deno \(inline, deno, local, as Keptn's image\) succeeded in [\d.]+ m?s$/,
      ),
    ]);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("shows what Keptn's image denies and ours allows: reading SCRIPT", async () => {
    const stock = await runCli(["run", "reads-script", "-f", F, "--as-keptn"]);
    expect(stock.stderr).toContain('Requires env access to "SCRIPT"');
    expect(stock.code).toBe(1);
    const ours = await runCli(["run", "reads-script", "-f", F]);
    expect(ours.stdout).toBe("SCRIPT is function.ts\n");
    expect(ours.code).toBe(0);
  });

  it("fails code that imports the SDK, as Keptn's images would", async () => {
    const deno = await runCli(["run", "sdk-fail", "-f", F, "--as-keptn"]);
    expect(deno.stderr).toContain('Import "@keptn-task/sdk" not a dependency');
    expect(deno.code).toBe(1);
    const python = await runCli(["run", "python-gate", "-f", F, "--as-keptn"]);
    expect(python.stderr).toContain("ModuleNotFoundError: No module named 'keptn_task'");
    expect(python.code).toBe(1);
  });

  it("runs Python code as python3 $CMD_ARGS $SCRIPT, without keptn_task on the path", async () => {
    const plain = await runCli(["run", "plain-python", "-f", F, "--as-keptn"]);
    expect(plain.stdout).toBe("python says hello, flags: B\n");
    expect(plain.code).toBe(0);
    const stock = await runCli(["run", "python-env", "-f", F, "--as-keptn"]);
    expect(stock.stdout).toContain("keptn_task importable: False\n");
    const ours = await runCli(["run", "python-env", "-f", F]);
    expect(ours.stdout).toContain("keptn_task importable: True\n");
  });

  it("pipes Python httpRef code from curl -s into python3, as Keptn's image does", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "keptn-task-cli-"));
    try {
      const manifest = join(tmp, "stock.yaml");
      writeFileSync(
        manifest,
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: stock-url, namespace: shop }
spec:
  python:
    parameters: { map: { k: v } }
    httpRef: { url: "${server.origin}/tasks/stock.py" }
`,
      );
      const result = await runCli(["run", "stock-url", "-f", manifest, "--as-keptn"]);
      expect(result.stdout).toBe('fetched by curl, DATA {"k":"v"}\n');
      expect(result.code).toBe(0);
      expect(server.hits("/tasks/stock.py")).toBe(1);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("prints Keptn's command lines with --dry-run", async () => {
    const deno = await runCliInProcess([
      "run",
      "plain-deno",
      "-f",
      F,
      "--as-keptn",
      "--dry-run",
      "-o",
      "json",
    ]);
    const denoPlan = JSON.parse(deno.stdout) as { args: string[] };
    expect(denoPlan.args.slice(0, 5)).toEqual([
      "run",
      "--allow-net",
      "--allow-write",
      "--allow-read",
      "--allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT",
    ]);
    const python = await runCliInProcess([
      "run",
      "plain-python",
      "-f",
      F,
      "--as-keptn",
      "--dry-run",
      "-o",
      "json",
    ]);
    const pythonPlan = JSON.parse(python.stdout) as { command: string; args: string[] };
    expect(pythonPlan.command).toBe("/bin/sh");
    expect(pythonPlan.args[1]).toContain('curl -s $SCRIPT | "$0" $CMD_ARGS -');
    expect(pythonPlan.args[2]).toBe(PYTHON);
  });

  it("refuses --as-keptn with podman, pointing at Keptn's image", async () => {
    const result = await runCliInProcess([
      "run",
      "plain-deno",
      "-f",
      F,
      "--as-keptn",
      "--runtime",
      "podman",
    ]);
    expect(result.stderrLines).toEqual([
      "keptn-task: Cannot use --as-keptn with --runtime podman: it runs Keptn's command lines with this machine's deno and python3; for Keptn's own image give --image ghcr.io/keptn/deno-runtime:TAG instead",
    ]);
    expect(result.code).toBe(64);
  });
});
