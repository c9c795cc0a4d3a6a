// @keptn-task/sdk/testing: a handler run in a unit test gives { exitCode, reason, logs } and
// never ends the test runner's process; secrets are masked as in production.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, type Task, z } from "@keptn-task/sdk";
import { runHandler } from "@keptn-task/sdk/testing";
import * as v from "valibot";
import { afterAll, describe, expect, it } from "vitest";
import { DENO, ROOT } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";

const options = {
  data: z.object({ url: z.url(), attempts: z.number().int().min(1).default(3) }),
  secureData: z.object({ token: z.string() }),
};
const TOKEN = "xoxb-testing-token-123456";

describe("runHandler", () => {
  it("catches fail(): its exit code and reason, the test runner alive", async () => {
    const result = await runHandler(
      options,
      (t) => {
        t.fail(`Webhook ${t.data.url} answered HTTP 401 to ${t.secureData.token}`, { exitCode: 3 });
      },
      { data: { url: "http://127.0.0.1:1/hook" }, secureData: { token: TOKEN } },
    );
    expect(result.exitCode).toBe(3);
    expect(result.reason).toBe("Webhook http://127.0.0.1:1/hook answered HTTP 401 to ***");
    expect(result.logs).toEqual([
      expect.objectContaining({ level: "error", exitCode: 3, msg: result.reason }),
    ]);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("catches succeed(), and code after it does not run", async () => {
    let after = false;
    const result = await runHandler(
      options,
      (t) => {
        t.succeed(`Checked ${t.data.url} in ${t.data.attempts} attempts`);
        after = true;
      },
      { data: { url: "http://svc/", attempts: 5 }, secureData: { token: TOKEN } },
    );
    expect(result).toEqual({
      exitCode: 0,
      reason: "Checked http://svc/ in 5 attempts",
      logs: [expect.objectContaining({ level: "info", msg: "Checked http://svc/ in 5 attempts" })],
    });
    expect(after).toBe(false);
  });

  it("keeps the first ending when a handler catches the unwinding of fail()", async () => {
    const result = await runHandler({}, (t) => {
      try {
        t.fail("Refused", { exitCode: 4 });
      } catch {
        t.log.info("after the end");
      }
      return "Recovered";
    });
    expect(result).toEqual({
      exitCode: 4,
      reason: "Refused",
      logs: [expect.objectContaining({ msg: "Refused" })],
    });
  });

  it("a returned string is the success message; a thrown error a failure with its message, masked", async () => {
    const ok = await runHandler(options, async () => "All good", {
      data: { url: "http://svc/" },
      secureData: { token: TOKEN },
    });
    expect([ok.exitCode, ok.reason]).toEqual([0, "All good"]);
    const thrown = await runHandler(
      options,
      async (t) => {
        t.log.info({ header: `Bearer ${t.secureData.token}` }, "Calling");
        throw new Error(`Refused: ${t.secureData.token}`);
      },
      { data: { url: "http://svc/" }, secureData: { token: TOKEN } },
    );
    expect(thrown.exitCode).toBe(1);
    expect(thrown.reason).toBe("Refused: ***");
    expect(thrown.logs.map((line) => line.msg)).toEqual(["Calling", "Refused: ***"]);
    expect(thrown.logs[0]?.header).toBe("Bearer ***");
    expect(JSON.stringify(thrown)).not.toContain(TOKEN);
  });

  it("an invalid environment is exit 78 with the issue list, the handler not run", async () => {
    let ran = false;
    const result = await runHandler(
      options,
      () => {
        ran = true;
      },
      { data: { url: "not a url", attempts: "abc" }, secureData: { token: 42 } },
    );
    expect(ran).toBe(false);
    expect(result.exitCode).toBe(78);
    expect(result.reason).toBe(
      'Invalid task environment: DATA.url: Invalid URL, received "not a url"; DATA.attempts: Invalid input: expected number, received "abc"; SECURE_DATA.token: Invalid input: expected string, received number',
    );
    expect(result.logs).toEqual([
      expect.objectContaining({ code: "CONFIG_INVALID", exitCode: 78 }),
    ]);
  });

  it("takes KEPTN_CONTEXT keys over a workload context, and raw variables", async () => {
    const seen: Task[] = [];
    const result = await runHandler(
      {},
      (t) => {
        seen.push(t);
        return `${t.context.taskType} ${t.context.workloadName} ${t.data.raw}`;
      },
      { context: { taskType: "post", workloadName: "cart" }, env: { DATA: '{"raw":"yes"}' } },
    );
    expect(result.reason).toBe("post cart yes");
    expect(seen[0]?.context).toMatchObject({
      provided: true,
      appName: "my-app",
      workloadVersion: "1.0.0",
    });
  });

  it("works with another Standard Schema library (valibot)", async () => {
    const result = await runHandler(
      { data: v.object({ port: v.number() }) },
      (t) => `port ${t.data.port + 1}`,
      { data: { port: "8080" } },
    );
    expect(result.reason).toBe("port 8081");
  });

  it("honours a deadline: the handler sees task.signal abort and fails with its reason", async () => {
    const result = await runHandler(
      {},
      async (t) => {
        await new Promise((resolve, reject) => {
          t.signal.addEventListener("abort", () => reject(t.signal.reason));
          setTimeout(resolve, 30_000).unref();
        });
      },
      { env: { KEPTN_TASK_DEADLINE: String(Date.now() + 100) } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.reason).toBe("The task deadline has passed");
  });

  it("runs the handler run() takes, unchanged", async () => {
    // The same function is what a task's main module passes to run().
    const handler = (t: Task) => `hello ${t.context.workloadName}`;
    expect(typeof run).toBe("function");
    expect((await runHandler({}, handler, { context: {} })).reason).toBe("hello my-workload");
  });
});

describe("@keptn-task/sdk/testing in Deno, through the runner's import map", () => {
  const dir = mkdtempSync(join(tmpdir(), "keptn-sdk-testing-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs a handler and returns how it ended", async () => {
    const script = join(dir, "test.ts");
    writeFileSync(
      script,
      `import { z } from "@keptn-task/sdk";
import { runHandler } from "@keptn-task/sdk/testing";
const result = await runHandler(
  { data: z.object({ n: z.number() }), secureData: z.object({ token: z.string() }) },
  (t) => { t.fail(\`n is \${t.data.n}, token \${t.secureData.token}\`, { exitCode: 2 }); },
  { data: { n: 7 }, secureData: { token: "${TOKEN}" } },
);
console.log(JSON.stringify(result));
`,
    );
    const result = await runProcess(
      DENO,
      [
        "run",
        "--no-config",
        `--import-map=${ROOT}runners/dist/import-map.json`,
        "--allow-read",
        script,
      ],
      { cwd: dir },
    );
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout) as {
      exitCode: number;
      reason: string;
      logs: unknown[];
    };
    expect(printed.exitCode).toBe(2);
    expect(printed.reason).toBe("n is 7, token ***");
    expect(printed.logs).toHaveLength(1);
    expect(result.stdout).not.toContain(TOKEN);
    expect(result.code).toBe(0);
  });

  it("type-checks with deno check against the bundles' declarations", async () => {
    const script = join(dir, "checked.ts");
    writeFileSync(
      script,
      `import { z } from "@keptn-task/sdk";
import { runHandler, type TestResult } from "@keptn-task/sdk/testing";
const result: TestResult = await runHandler({ data: z.object({ n: z.number() }) }, (t) => {
  const n: number = t.data.n;
  return String(n);
});
// @ts-expect-error: data.n is a number, not a string
const wrong: string = (await runHandler({ data: z.object({ n: z.number() }) }, (t) => t.data.n.toFixed())).exitCode;
console.log(result.exitCode, wrong);
`,
    );
    const result = await runProcess(
      DENO,
      ["check", "--no-config", `--import-map=${ROOT}runners/dist/import-map.json`, script],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
  });
});
