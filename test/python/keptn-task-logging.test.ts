import { describe, expect, it } from "vitest";
import { context, fixture, jsonLines, runCode, runPython } from "./keptn-task-helpers.js";

// The Python package `keptn_task` (sdk-python) exercised by the machine's real python3: its logging and
// masking.
// Shared helpers: keptn-task-helpers.ts.

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
