import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issueMessage, issuePattern } from "../helpers/vectors.js";
import {
  configFailure,
  context,
  dir,
  fixture,
  NOT_STRINGS,
  runCode,
  runPython,
  SECRET,
} from "./keptn-task-helpers.js";

// The Python package `keptn_task` (sdk-python) exercised by the machine's real python3: its configuration
// errors.
// Shared helpers: keptn-task-helpers.ts.

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
