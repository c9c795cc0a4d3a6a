// Writing a task: an invalid parameter is one line and exit 78 (any Standard Schema), the
// handler form run(options, handler), through real Node and Deno processes and the runner.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DENO, ROOT, SDK_BUNDLE } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";
import { runRunner } from "../helpers/runner.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-sdk-authoring-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Deno resolves the SDK to its bundle, as the runner's import map does, and the schema
// libraries from node_modules (the repository's package.json).
const importMap = join(dir, "import-map.json");
writeFileSync(importMap, JSON.stringify({ imports: { "@keptn-task/sdk": SDK_BUNDLE } }));

const fixture = (name: string) => `${ROOT}test/fixtures/sdk/${name}`;
const runtimes = {
  node: (script: string, args: string[]) => ({
    command: process.execPath,
    args: [script, ...args],
  }),
  deno: (script: string, args: string[]) => ({
    command: DENO,
    args: ["run", "--no-prompt", "--import-map", importMap, "--allow-all", script, ...args],
  }),
};

/** A termination log that exists (empty), as in a container. */
function terminationLog(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, "");
  return path;
}

const SECRET = "hunter2-authoring-secret";
const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe.each(Object.entries(runtimes))("task code under %s", (runtime, make) => {
  it.each([
    ["zod", 'Invalid input: expected number, received "abc"'],
    ["zod3", 'Expected number, received "abc"'],
    ["valibot", 'Invalid type: Expected number but received "abc"'],
    ["arktype", 'attempts must be a number (was a string), received "abc"'],
  ])(
    "a bad parameter with a %s schema is one line, in the termination log too, and exit 78",
    async (library, says) => {
      const log = terminationLog(`config-${runtime}-${library}`);
      const { command, args } = make(fixture("config.mjs"), [library, log]);
      const result = await runProcess(command, args, {
        cwd: ROOT,
        env: { DATA: '{"attempts":"abc"}', SECURE_DATA: JSON.stringify({ token: SECRET }) },
      });
      expect(result.stderr).toBe("");
      const lines = jsonLines(result.stdout);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: "error", code: "CONFIG_INVALID", exitCode: 78 });
      const message = String(lines[0]?.msg);
      expect(message).toMatch(
        new RegExp(
          `^Invalid task environment: DATA\\.attempts: ${says.replace(/[.()]/g, "\\$&")}; SECURE_DATA\\.token: `,
        ),
      );
      expect(readFileSync(log, "utf8")).toBe(message);
      expect(result.stdout).not.toContain(SECRET);
      expect(result.code).toBe(78);
    },
  );

  it.each(["zod", "zod3", "valibot", "arktype"])(
    "a %s schema coerces Keptn's strings, and an empty value takes the default",
    async (library) => {
      for (const [data, attempts] of [
        ['{"attempts":"5"}', 5],
        ['{"attempts":""}', 3],
        ["{}", 3],
      ] as const) {
        const { command, args } = make(fixture("config.mjs"), [library, join(dir, "none")]);
        const result = await runProcess(command, args, { cwd: ROOT, env: { DATA: data } });
        expect(result.stdout).toBe(`${JSON.stringify({ attempts })}\n`);
        expect(result.code).toBe(0);
      }
    },
  );

  it("a schema the SDK cannot use (zod before 3.24) is one line naming the option, exit 78", async () => {
    const { command, args } = make(fixture("config.mjs"), ["unusable", join(dir, "none")]);
    const result = await runProcess(command, args, { cwd: ROOT });
    expect(result.stderr).toBe("");
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({
        msg: "Invalid task environment: options.data: expected a Standard Schema (zod 4 or 3.24+, valibot 1, arktype 2...), received a zod 3 schema older than zod 3.24, which has no Standard Schema interface: upgrade zod",
      }),
    ]);
    expect(result.code).toBe(78);
  });

  it('onConfigError: "throw" gives the ConfigError to the caller instead', async () => {
    const { command, args } = make(fixture("config.mjs"), ["throw", join(dir, "none")]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      env: { DATA: '{"attempts":"x"}' },
    });
    expect(result.stdout).toBe('{"thrown":"CONFIG_INVALID","issues":1}\n');
    expect(result.code).toBe(0);
  });

  it("run(): returning succeeds with the returned message", async () => {
    const log = terminationLog(`run-${runtime}-return`);
    const { command, args } = make(fixture("handler.mjs"), ["return", log]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      env: { DATA: '{"attempts":"4"}' },
    });
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({ level: "info", msg: "Done in at most 4 attempts" }),
    ]);
    expect(readFileSync(log, "utf8")).toBe("Done in at most 4 attempts");
    expect(result.code).toBe(0);
  });

  it("run(): a thrown error fails the task with its message, the secret masked", async () => {
    const log = terminationLog(`run-${runtime}-throw`);
    const { command, args } = make(fixture("handler.mjs"), ["throw", log]);
    const result = await runProcess(command, args, { cwd: ROOT, env: { SECURE_DATA: SECRET } });
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({
      level: "error",
      exitCode: 1,
      msg: "Webhook answered HTTP 401 for token ***",
    });
    expect(JSON.stringify(line?.err)).toContain("handler.mjs");
    expect(readFileSync(log, "utf8")).toBe("Webhook answered HTTP 401 for token ***");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout).not.toContain("unreachable");
    expect(result.code).toBe(1);
  });

  it("run(): a bad parameter is one line and exit 78, the handler never runs", async () => {
    const { command, args } = make(fixture("handler.mjs"), ["return", join(dir, "none")]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      env: { DATA: '{"attempts":"0"}' },
    });
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({
        msg: 'Invalid task environment: DATA.attempts: Too small: expected number to be >=1, received "0"',
      }),
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(78);
  });

  it("run(): a handler still running past its deadline and the grace period fails", async () => {
    const log = terminationLog(`run-${runtime}-overrun`);
    const { command, args } = make(fixture("handler.mjs"), ["overrun", log]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      env: { KEPTN_TASK_DEADLINE: String(Date.now() + 1000) },
    });
    expect(readFileSync(log, "utf8")).toBe("Task did not finish within 0.2 s of its deadline");
    expect(result.code).toBe(1);
  });

  it("run(): a handler that rejects after SIGTERM ends as stopped (143), not as failed", async () => {
    const { command, args } = make(fixture("handler.mjs"), ["stop", join(dir, "none")]);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      onStdout: (chunk, child) => {
        if (chunk.includes("ready")) child.kill("SIGTERM");
      },
    });
    expect(jsonLines(result.stdout.replace("ready\n", "")).pop()).toMatchObject({
      level: "warn",
      exitCode: 143,
      msg: "Task stopped: Received SIGTERM",
    });
    expect(result.code).toBe(143);
  });
});

it("run() under Node: a handler whose promise can never settle fails instead of ending as a success", async () => {
  const log = terminationLog("run-node-hang");
  const result = await runProcess(process.execPath, [fixture("handler.mjs"), "hang", log], {
    cwd: ROOT,
  });
  expect(readFileSync(log, "utf8")).toBe(
    "Task handler never settled: it awaits a promise that nothing will resolve",
  );
  expect(result.code).toBe(1);
});

describe("Deno task code run by the runner", () => {
  const task = (name: string, code: string) => {
    const path = join(dir, name);
    writeFileSync(path, code);
    return path;
  };

  it("a bad parameter is one line on stdout and exit 78, no stack trace", async () => {
    const script = task(
      "config.ts",
      `import { task, z } from "@keptn-task/sdk";
const t = task({ data: z.object({ attempts: z.number().int().default(3) }) });
console.log(t.data.attempts);
`,
    );
    const bad = await runRunner("deno", { SCRIPT: script, DATA: '{"attempts":"abc"}' });
    expect(jsonLines(bad.stdout)).toEqual([
      expect.objectContaining({
        level: "error",
        exitCode: 78,
        msg: 'Invalid task environment: DATA.attempts: Invalid input: expected number, received "abc"',
      }),
    ]);
    expect(bad.stderr).not.toMatch(/\bat\b.*keptn-task-sdk\.js/);
    expect(bad.code).toBe(78);
    const empty = await runRunner("deno", { SCRIPT: script, DATA: '{"attempts":""}' });
    expect(empty.stdout).toBe("3\n");
    expect(empty.code).toBe(0);
  });

  it("run(): a thrown error is the task's failure, with its message", async () => {
    const script = task(
      "handler.ts",
      `import { run } from "@keptn-task/sdk";
await run({}, async (t) => {
  if (t.data.mode === "fail") throw new Error("Webhook answered HTTP 401");
  return "Notified";
});
`,
    );
    const failed = await runRunner("deno", { SCRIPT: script, DATA: '{"mode":"fail"}' });
    expect(jsonLines(failed.stdout)).toEqual([
      expect.objectContaining({ level: "error", exitCode: 1, msg: "Webhook answered HTTP 401" }),
    ]);
    expect(failed.code).toBe(1);
    const passed = await runRunner("deno", { SCRIPT: script, DATA: '{"mode":"ok"}' });
    expect(jsonLines(passed.stdout)).toEqual([expect.objectContaining({ msg: "Notified" })]);
    expect(passed.code).toBe(0);
  });
});

describe("Python task code run by the runner", () => {
  it("a bad parameter is one line on stdout and exit 78, no traceback; an empty value takes the default", async () => {
    const script = join(dir, "config.py");
    writeFileSync(
      script,
      `from dataclasses import dataclass
from keptn_task import task

@dataclass
class Params:
    attempts: int = 3

t = task(data_schema=Params)
print(t.data.attempts)
`,
    );
    const bad = await runRunner("python", {
      SCRIPT: script,
      DATA: '{"attempts":"abc"}',
      SECURE_DATA: SECRET,
    });
    expect(jsonLines(bad.stdout)).toEqual([
      expect.objectContaining({
        level: "error",
        exitCode: 78,
        msg: 'Invalid task environment: DATA.attempts: Invalid input: expected number, received "abc"',
      }),
    ]);
    expect(bad.stderr).not.toContain("Traceback");
    expect(bad.stdout + bad.stderr).not.toContain(SECRET);
    expect(bad.code).toBe(78);
    const empty = await runRunner("python", { SCRIPT: script, DATA: '{"attempts":""}' });
    expect(empty.stdout).toBe("3\n");
    expect(empty.code).toBe(0);
  });
});
