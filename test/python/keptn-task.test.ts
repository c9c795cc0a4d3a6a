import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type RunOptions, runProcess } from "../helpers/run-process.js";
import { issueMessage, issuePattern } from "../helpers/vectors.js";

// The Python package `keptn_task` (sdk-python) exercised by the machine's real python3, with
// PYTHONPATH set as the python runner sets it and the variables as the operator sets them.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// Resolved once: `python3` from PATH may be a shim; the interpreter itself starts faster and
// receives signals directly.
const PYTHON = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).trim();

const dir = mkdtempSync(join(tmpdir(), "keptn-task-python-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runPython(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: Omit<RunOptions, "env" | "cwd"> = {},
) {
  return runProcess(PYTHON, args, {
    ...options,
    cwd: ROOT,
    env: { PYTHONPATH: join(ROOT, "sdk-python"), PYTHONDONTWRITEBYTECODE: "1", ...env },
  });
}

const fixture = (name: string) => join(ROOT, "test/fixtures/python", name);

/** Runs `code` as task code (`python3 -c`). */
const runCode = (code: string, env: Record<string, string | undefined> = {}) =>
  runPython(["-c", code], env);

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/** KEPTN_CONTEXT as the lifecycle-operator writes it for a workload post-deployment task. */
const context = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    workloadName: "podtato-head-entry",
    appName: "podtato-head",
    appVersion: "",
    workloadVersion: "0.3.1",
    taskType: "post",
    objectType: "Workload",
    metadata: { traceparent: TRACEPARENT, team: "checkout" },
    ...overrides,
  });

const SECRET = "hunter2-secret-value";

// Names of shared vector cases (test/vectors/data.json) whose messages several tests use.
const NOT_NUMBERS = "strings that are not numbers stay strings, and the schema says so";
const NOT_STRINGS = "values that are not strings, each named, before any schema is applied";

/** The issues a failed `print_task.py` reported on stderr. */
function configFailure(stderr: string): {
  exitCode: number;
  message: string;
  issues: [string, string, string][];
} {
  return JSON.parse(stderr.trim());
}

describe("keptn_task context, data and secure data", () => {
  it("reads a typed context with its trace context from KEPTN_CONTEXT as the operator sets it", async () => {
    const result = await runPython([fixture("print_task.py")], {
      KEPTN_CONTEXT: context({ futureKey: { added: "later" } }),
      DATA: '{"url":"http://podtato-head:9000","retries":"3"}',
      SECURE_DATA: SECRET,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.context).toMatchObject({
      provided: true,
      workload_name: "podtato-head-entry",
      app_name: "podtato-head",
      app_version: "",
      workload_version: "0.3.1",
      task_type: "post",
      object_type: "Workload",
      metadata: { traceparent: TRACEPARENT, team: "checkout" },
      trace: {
        version: "00",
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        parent_id: "00f067aa0ba902b7",
        flags: "01",
        sampled: true,
      },
    });
    expect(printed.context.raw.workloadName).toBe("podtato-head-entry");
    expect(printed.context.raw.futureKey).toEqual({ added: "later" });
    expect(printed.data).toEqual({ url: "http://podtato-head:9000", retries: "3" });
    expect(printed.secureDataType).toBe("str");
    expect(result.stdout).not.toContain(SECRET);
  });

  it("takes traceparent from the top level of KEPTN_CONTEXT when metadata has none", async () => {
    const unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    const result = await runPython([fixture("print_task.py")], {
      KEPTN_CONTEXT: context({ metadata: { team: "checkout" }, traceparent: unsampled }),
    });
    expect(result.code).toBe(0);
    const { trace } = JSON.parse(result.stdout).context;
    expect(trace.trace_id).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(trace.sampled).toBe(false);
  });

  it.each([
    ["a malformed value", "not-a-traceparent"],
    ["an all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
  ])("ignores a traceparent with %s instead of failing the task", async (_name, traceparent) => {
    const result = await runPython([fixture("print_task.py")], {
      KEPTN_CONTEXT: context({ metadata: { traceparent } }),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.context.provided).toBe(true);
    expect(printed.context.trace).toBeNull();
  });

  it("gives an empty, not-provided context and empty data in a local run without variables", async () => {
    const result = await runPython([fixture("print_task.py")]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.context).toEqual({
      provided: false,
      workload_name: "",
      app_name: "",
      app_version: "",
      workload_version: "",
      task_type: "",
      object_type: "",
      metadata: {},
      trace: null,
      raw: {},
    });
    expect(printed.data).toEqual({});
    expect(printed.secureDataType).toBe("NoneType");
  });

  it("coerces Keptn's strings with a dict data_schema: numbers and case-insensitive booleans", async () => {
    const result = await runPython([fixture("print_task.py"), "dict"], {
      DATA: '{"port":"8080","ratio":"0.25","verbose":"TRUE","name":"checkout","ignored":"x"}',
    });
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.data).toEqual({ port: 8080, ratio: 0.25, verbose: true, name: "checkout" });
    expect(printed.dataType).toBe("dict");
  });

  it("fills a dataclass data_schema and honours its defaults", async () => {
    const result = await runPython([fixture("print_task.py"), "dataclass"], {
      DATA: '{"url":"http://svc","dry_run":"False","ratio":"1e2"}',
    });
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.dataType).toBe("Params");
    expect(printed.data).toEqual({
      url: "http://svc",
      port: 8080,
      ratio: 100,
      dry_run: false,
      label: null,
    });
  });

  it("lists every DATA value the schema cannot coerce and every missing required key", async () => {
    const result = await runPython([fixture("print_task.py"), "dict"], {
      DATA: '{"port":"80.5","ratio":"fast","verbose":"yes"}',
    });
    expect(result.code).toBe(78);
    expect(configFailure(result.stderr).issues).toEqual([
      // The messages are the shared vectors' (test/vectors/data.json), as the TS SDK writes them.
      ["DATA", "port", issueMessage("data.json", "a fraction for an integer field", "port")],
      ["DATA", "ratio", issueMessage("data.json", NOT_NUMBERS, "a")],
      [
        "DATA",
        "verbose",
        issueMessage("data.json", "strings that are not booleans stay strings", "a"),
      ],
      [
        "DATA",
        "name",
        issueMessage("data.json", "missing required fields, in the schema's order", "url"),
      ],
    ]);
  });

  it("parses SECURE_DATA as JSON with secure_json", async () => {
    const result = await runPython([fixture("print_task.py"), "none", "--secure-json"], {
      SECURE_DATA: JSON.stringify({ user: "admin", password: SECRET }),
    });
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.secureDataType).toBe("dict");
    expect(printed.secureDataKeys).toEqual(["password", "user"]);
  });
});

describe("keptn_task configuration errors", () => {
  // The messages are the shared vectors' (test/vectors/*.json), as the TS SDK writes them.
  const cases: {
    name: string;
    env: Record<string, string>;
    args?: string[];
    issue: [string, string, string | RegExp];
  }[] = [
    {
      name: "DATA is not JSON",
      env: { DATA: "port=8080" },
      issue: ["DATA", "", issuePattern("data.json", "not JSON", "")],
    },
    {
      name: "DATA is not an object",
      env: { DATA: '["8080"]' },
      issue: ["DATA", "", issueMessage("data.json", "JSON, but an array", "")],
    },
    {
      name: "DATA has a nested map",
      env: { DATA: '{"endpoints":{"health":"/healthz"}}' },
      issue: ["DATA", "endpoints", issueMessage("data.json", NOT_STRINGS, "endpoints")],
    },
    {
      name: "DATA has a value that is not a string",
      env: { DATA: '{"port":8080}' },
      issue: ["DATA", "port", issueMessage("data.json", NOT_STRINGS, "port")],
    },
    {
      name: "KEPTN_CONTEXT is not JSON",
      env: { KEPTN_CONTEXT: "{workloadName: podtato}" },
      issue: ["KEPTN_CONTEXT", "", issuePattern("context.json", "not JSON", "")],
    },
    {
      name: "KEPTN_CONTEXT has an unknown taskType",
      env: { KEPTN_CONTEXT: context({ taskType: "postDeployment" }) },
      issue: [
        "KEPTN_CONTEXT",
        "taskType",
        issueMessage("context.json", "a taskType Keptn does not send", "taskType"),
      ],
    },
    {
      name: 'KEPTN_CONTEXT says objectType "Application"',
      env: { KEPTN_CONTEXT: context({ objectType: "Application" }) },
      issue: [
        "KEPTN_CONTEXT",
        "objectType",
        issueMessage("context.json", 'objectType "Application" (Keptn sends "App")', "objectType"),
      ],
    },
    {
      name: "SECURE_DATA is not JSON with secure_json",
      env: { SECURE_DATA: `{"password": "${SECRET}"` },
      args: ["none", "--secure-json"],
      issue: [
        "SECURE_DATA",
        "",
        issueMessage(
          "secure-data.json",
          "not JSON with json: the parser's message, which would quote the secret, is left out",
          "",
        ),
      ],
    },
  ];

  it.each(cases)(
    "raises ConfigError (exit code 78) naming the field when $name",
    async ({ env, args, issue }) => {
      const result = await runPython([fixture("print_task.py"), ...(args ?? [])], {
        SECURE_DATA: SECRET,
        ...env,
      });
      expect(result.code).toBe(78);
      const failure = configFailure(result.stderr);
      expect(failure.exitCode).toBe(78);
      expect(failure.issues).toHaveLength(1);
      const [source, path, message] = failure.issues[0] ?? [];
      expect([source, path]).toEqual([issue[0], issue[1]]);
      if (typeof issue[2] === "string") expect(message).toBe(issue[2]);
      else expect(message).toMatch(issue[2]);
      const where = issue[1] === "" ? issue[0] : `${issue[0]}.${issue[1]}`;
      expect(failure.message).toContain(`Invalid task environment: ${where}: ${message}`);
      expect(result.stdout + result.stderr).not.toContain("hunter2");
    },
  );

  it("lists every invalid field of KEPTN_CONTEXT, DATA and SECURE_DATA in one ConfigError", async () => {
    const result = await runPython([fixture("print_task.py"), "none", "--secure-json"], {
      KEPTN_CONTEXT: context({ taskType: "deploy", objectType: "Application", appName: 7 }),
      DATA: '{"port":8080,"nested":{"a":"b"}}',
      SECURE_DATA: `token=${SECRET}`,
    });
    expect(result.code).toBe(78);
    const { issues, message } = configFailure(result.stderr);
    expect(issues.map(([source, path]) => `${source}:${path}`)).toEqual([
      "KEPTN_CONTEXT:appName",
      "KEPTN_CONTEXT:taskType",
      "KEPTN_CONTEXT:objectType",
      "DATA:port",
      "DATA:nested",
      "SECURE_DATA:",
    ]);
    expect(message).toMatch(/^Invalid task environment: KEPTN_CONTEXT\.appName: /);
    expect(message.split("; ")).toHaveLength(6);
    expect(result.stdout + result.stderr).not.toContain("hunter2");
  });

  it("by default ends with one log line, the termination message and exit 78, no traceback", async () => {
    const log = join(dir, "termination-config");
    writeFileSync(log, "");
    const result = await runCode(
      `from keptn_task import task\ntask(termination_log_path=${JSON.stringify(log)})\nprint("unreachable")`,
      { DATA: '{"port":8080}', SECURE_DATA: SECRET },
    );
    expect(result.code).toBe(78);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(line).toMatchObject({ level: "error", code: "CONFIG_INVALID", exitCode: 78 });
    expect(String(line.msg)).toMatch(/^Invalid task environment: DATA\.port: expected a string/);
    expect(readFileSync(log, "utf8")).toBe(line.msg);
    expect(result.stdout).not.toContain("hunter2");
  });

  it("an empty value of a field with a default takes the default", async () => {
    const result = await runPython([fixture("print_task.py"), "dataclass"], {
      DATA: '{"url":"http://svc","port":"","label":""}',
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).data).toMatchObject({ port: 8080, label: "" });
  });

  it("rejects a data_schema field type it cannot coerce to, naming the field", async () => {
    const result = await runCode('from keptn_task import task\ntask(data_schema={"hosts": list})');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'TypeError: Cannot use data_schema field "hosts": expected str, int, float or bool',
    );
  });
});

describe("keptn_task logging and masking", () => {
  const TOKEN = 's3cr3t"pa\\ss/wörd?>>';

  it("writes JSON log lines with level, time, app, workload, version, taskType and traceId", async () => {
    const result = await runCode(
      'from keptn_task import task\nt = task()\nt.log.warning("disk at %d%%", 91, extra={"disk": "/var"})',
      { KEPTN_CONTEXT: context() },
    );
    expect(result.stderr).toBe("");
    const [line] = jsonLines(result.stdout);
    expect(line).toEqual({
      level: "warn",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      app: "podtato-head",
      workload: "podtato-head-entry",
      version: "0.3.1",
      taskType: "post",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      disk: "/var",
      msg: "disk at 91%",
    });
    expect(Object.keys(line ?? {}).slice(0, 2)).toEqual(["level", "time"]);
  });

  it("masks a JSON secret's leaves and their JSON-escaped, URL-encoded and base64 forms in log lines", async () => {
    const result = await runPython([fixture("log_secrets.py"), "json"], {
      KEPTN_CONTEXT: context(),
      SECURE_DATA: JSON.stringify({ token: TOKEN, pin: 12345678, id: "ab" }),
    });
    expect(result.stderr).toBe("");
    const lines = jsonLines(result.stdout);
    expect(lines.map((line) => line.msg)).toEqual([
      // The whole value as Python re-serialises it: every leaf of 4+ characters masked.
      'whole: {"token":"***","pin":***,"id":"ab"}',
      "leaf: ***",
      "number: ***",
      "escaped: ***",
      'escaped twice: \\"***\\"',
      "url: ***",
      // Python's base64 keeps "=" padding; the masked form is the unpadded one.
      expect.stringMatching(/^base64: \*\*\*=*$/),
      "base64url: ***",
      "extra field",
      "exception",
      // debug is below the default level
    ]);
    expect(lines[8]?.headers).toEqual({ authorization: "Bearer ***" });
    expect(lines[9]?.err).toMatchObject({
      type: "RuntimeError",
      message: "login failed for ***",
      stack: expect.stringContaining("RuntimeError: login failed for ***"),
    });
    for (const leak of ["s3cr3t", "czNjcjN0", "12345678"]) {
      expect(result.stdout).not.toContain(leak);
    }
  });

  it("masks the whole multi-line secret and each of its lines of at least 4 characters", async () => {
    const pem = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD\nab\n-----END KEY-----";
    const result = await runPython([fixture("log_secrets.py"), "lines"], { SECURE_DATA: pem });
    expect(result.stderr).toBe("");
    expect(jsonLines(result.stdout).map((line) => line.msg)).toEqual([
      "whole: ***",
      "line 0: ***",
      "line 1: ***",
      "line 2: ab",
      "line 3: ***",
    ]);
    expect(result.stdout).not.toContain("MIIBOgIBAAJBAKj34GkxFhD");
  });

  it("masks secrets added with register_secret in mask_secrets, longest form first", async () => {
    const result = await runCode(
      [
        "from keptn_task import mask_secrets, register_secret",
        'print(mask_secrets("before: abcd1234 abcd"))',
        'register_secret("abcd")',
        'register_secret("abcd1234")',
        'register_secret("   ")',
        'print(mask_secrets("after: abcd1234 abcd abc"))',
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("before: abcd1234 abcd\nafter: *** *** abc\n");
  });

  it("masks a line of a secret with a bare carriage return, whole and split at it", async () => {
    const result = await runCode(
      [
        "from keptn_task import mask_secrets, register_secret",
        'register_secret("abcd\\refgh\\nijkl")',
        'print(mask_secrets("line: abcd\\refgh!"))',
        'print(mask_secrets("halves: abcd efgh"))',
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("line: ***!\nhalves: *** ***\n");
  });

  it("masks a number leaf beyond 2^53 by its exact digits, and Python's repr and quote() forms", async () => {
    const result = await runCode(
      [
        "import json, urllib.parse",
        "from keptn_task import mask_secrets, register_secret",
        'secret = {"account": 98765432109876543210, "a": "it\'s\\"q1", "b": "tab\\there\\x07", "c": "Ab3/xY+9kq=="}',
        "register_secret(json.dumps(secret))",
        "print(mask_secrets(f\"account {secret['account']}\"))",
        "print(mask_secrets(repr({k: v for k, v in secret.items() if k != 'account'})))",
        "print(mask_secrets(urllib.parse.quote(secret['c'])))",
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("account ***\n{'a': '***', 'b': '***', 'c': '***'}\n***\n");
  });

  it("masks the whole value at any length, but no line or encoding shorter than 4 characters or only white space", async () => {
    const result = await runCode(
      [
        "from keptn_task import SecretRegistry",
        "short = SecretRegistry()",
        'short.register("e")',
        'print(short.mask("ZZZ eel"))',
        "lines = SecretRegistry()",
        'lines.register("line-one\\n    \\n\\t\\t\\nline-two")',
        'print(repr(lines.mask("    indented\\n\\t\\ttabbed line-one")))',
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("ZZZ ******l\n'    indented\\n\\t\\ttabbed ***'\n");
  });

  it("masks a leaf of a SECURE_DATA nested 50,000 levels deep, and the 10,000-character prefix of a long leaf", async () => {
    const long = `k${"0123456789abcdef".repeat(700)}`;
    const deep = `${"[".repeat(50_000)}${JSON.stringify({ long })}${"]".repeat(50_000)}`;
    const result = await runCode(
      [
        "import os",
        "from keptn_task import task",
        "t = task()",
        'long = os.environ["LONG"]',
        't.log.info("prefix %s", "\'" + long[:10000] + "\'... 1201 more characters")',
      ].join("\n"),
      { SECURE_DATA: deep, LONG: long },
    );
    expect(result.stderr).toBe("");
    expect(jsonLines(result.stdout).map((line) => line.msg)).toEqual([
      "prefix ***... 1201 more characters",
    ]);
  });

  it("keeps a log line valid JSON when a number leaf of the secret is masked in an extra field", async () => {
    const result = await runCode(
      [
        "from keptn_task import task",
        "t = task()",
        't.log.info("pin 987654", extra={"pin": 987654, "other": 19876543, "user": "u-12\\\\", "quoted": "u-12\\""})',
      ].join("\n"),
      { SECURE_DATA: JSON.stringify({ pin: 987654, user: "u-12\\" }) },
    );
    expect(result.stderr).toBe("");
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({ msg: "pin ***", pin: "***", other: "1***3", user: "***" });
    expect(result.stdout).not.toMatch(/987654|u-12/);
  });

  it("masks a secret read from bytes that are not UTF-8 also in the base64 and URL forms of those bytes", async () => {
    // Python reads such bytes as lone surrogates (surrogateescape) and writes them back as they were.
    const result = await runCode(
      [
        "import base64, urllib.parse",
        "from keptn_task import mask_secrets, register_secret",
        "raw = b'pass\\xffword'",
        "register_secret(raw.decode('utf-8', 'surrogateescape'))",
        "print(mask_secrets(base64.b64encode(raw).decode()), mask_secrets(urllib.parse.quote(raw)))",
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("*** ***\n");
  });

  it("shows debug lines only when KEPTN_TASK_LOG_LEVEL asks for them", async () => {
    const code =
      'from keptn_task import task\nt = task()\nt.log.debug("details")\nt.log.info("done")';
    const quiet = await runCode(code);
    const verbose = await runCode(code, { KEPTN_TASK_LOG_LEVEL: "debug" });
    expect(jsonLines(quiet.stdout).map((line) => line.msg)).toEqual(["done"]);
    expect(jsonLines(verbose.stdout).map((line) => line.msg)).toEqual(["details", "done"]);
  });
});

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
