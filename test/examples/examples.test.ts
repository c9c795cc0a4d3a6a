// Every folder of examples/ runs with `keptn-task run`, as its README says, against loopback
// servers where it needs one.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { DENO, ROOT } from "../helpers/deno.js";
import { runCli } from "../helpers/keptn-task-cli.js";

const EXAMPLES = join(ROOT, "examples");
const dir = mkdtempSync(join(tmpdir(), "keptn-task-examples-"));

/** A request the loopback server received. */
interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  authorization: string | undefined;
}

const seen: Seen[] = [];
let server: Server;
let origin = "";
/** The bot token the fake Slack knows. */
const SLACK_TOKEN = "xoxb-example-token-1234";
/** The value the fake Prometheus answers with. */
const ERROR_RATE = "0.02";

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push({
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      body: await body(req),
      authorization: req.headers.authorization,
    });
    const send = (status: number, text: string, type = "text/plain") => {
      res.writeHead(status, { "content-type": type });
      res.end(text);
    };
    if (url.pathname === "/healthz") return send(200, "ok");
    if (url.pathname === "/unhealthy") return send(503, "starting");
    // 503 at the first request, 200 after.
    if (url.pathname === "/starting") return send(requests("/starting").length > 1 ? 200 : 503, "");
    if (url.pathname === "/hooks/deployments" && req.method === "POST") return send(200, "ok");
    // Slack's Web API: 200 with { ok: false } for a token it does not know.
    if (url.pathname === "/api/chat.postMessage" && req.method === "POST") {
      const known = req.headers.authorization === `Bearer ${SLACK_TOKEN}`;
      return send(
        200,
        JSON.stringify(
          known ? { ok: true, ts: "1700000000.000100" } : { ok: false, error: "invalid_auth" },
        ),
        "application/json",
      );
    }
    if (url.pathname === "/api/v1/query") {
      return send(
        200,
        JSON.stringify({
          status: "success",
          data: {
            resultType: "vector",
            result: [{ metric: {}, value: [1_700_000_000, ERROR_RATE] }],
          },
        }),
        "application/json",
      );
    }
    // The http-ref example's files, as its repository URL serves them.
    const file = /^\/examples\/(http-ref|change-freeze)\/(task|describe|handler)\.ts$/.exec(
      url.pathname,
    );
    if (file !== null) {
      return send(
        200,
        readFileSync(join(EXAMPLES, file[1] ?? "", `${file[2]}.ts`), "utf8"),
        "application/typescript",
      );
    }
    send(404, "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const requests = (path: string) => seen.filter((s) => s.path === path);
const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const summary = (stderr: string) => stderr.trim().split("\n").pop() ?? "";

/** The folders this file runs; a new example without a test here fails the first test. */
const TESTED = [
  "change-freeze",
  "configmap-ref",
  "container-runtime",
  "function-ref",
  "health-check",
  "hello",
  "http-ref",
  "inline-python",
  "notify-webhook",
  "prometheus-query",
  "secure-parameters",
  "slack-notify",
];

describe("examples", () => {
  it("has a test for every example folder, each with a README and its definition", () => {
    const folders = readdirSync(EXAMPLES, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(TESTED);
    for (const folder of folders) {
      expect(existsSync(join(EXAMPLES, folder, "README.md")), `${folder}/README.md`).toBe(true);
      expect(existsSync(join(EXAMPLES, folder, `${folder}.yaml`)), `${folder}/${folder}.yaml`).toBe(
        true,
      );
    }
  });

  it("hello greets the workload of the context it is given", async () => {
    const result = await runCli([
      "run",
      "hello",
      "-f",
      "examples/hello",
      "--workload",
      "podtato-head-entry",
    ]);
    expect(result.stdout.split("\n")[0]).toBe(
      "Hello, podtato-head-entry! This is a pre-deployment task.",
    );
    expect(result.stderr).toMatch(/^keptn-task: hello \(inline, deno, local\) succeeded in /);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it.each([
    ["1.4.2", [], 0, '"cart" version "1.4.2" is a semantic version: deploying'],
    ["latest", [], 1, '"cart" version "latest" is not a semantic version: refusing to deploy it'],
    [
      "2.0.0-rc.1",
      [],
      2,
      '"cart" version "2.0.0-rc.1" is a pre-release: set allowPrerelease to "true" to allow it',
    ],
    [
      "2.0.0-rc.1",
      ["--data", "allowPrerelease=true"],
      0,
      '"cart" version "2.0.0-rc.1" is a semantic version: deploying',
    ],
  ])("inline-python gates version %s %j with exit code %d", async (version, extra, code, line) => {
    const result = await runCli([
      "run",
      "inline-python",
      "-f",
      "examples/inline-python",
      "--workload",
      "cart",
      "--version",
      version,
      ...extra,
    ]);
    expect(result.stdout).toBe(`${line}\n`);
    expect(result.code).toBe(code);
    expect(result.leftovers).toEqual([]);
  });

  it("configmap-ref runs code from its ConfigMap, with DATA typed by the SDK", async () => {
    const result = await runCli([
      "run",
      "configmap-ref",
      "-f",
      "examples/configmap-ref",
      "--workload",
      "cart",
    ]);
    const [first, last] = jsonLines(result.stdout);
    expect(first).toMatchObject({
      workload: "cart",
      minReplicas: 2,
      msg: "Code from ConfigMap configmap-ref-code, typed by the SDK",
    });
    expect(last).toMatchObject({ msg: "At least 2 replicas required" });
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: configmap-ref \(configMap configmap-ref-code, deno, local\) succeeded/,
    );
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("http-ref fetches its pinned code and its relative import from the URL", async () => {
    const yaml = readFileSync(join(EXAMPLES, "http-ref", "http-ref.yaml"), "utf8").replace(
      "https://raw.githubusercontent.com/keptn-task/keptn-task-runtime/main",
      origin,
    );
    expect(yaml).toContain(`${origin}/examples/http-ref/task.ts#sha256=`);
    const copy = join(dir, "http-ref.yaml");
    writeFileSync(copy, yaml);
    const result = await runCli([
      "run",
      "http-ref",
      "-f",
      copy,
      "--workload",
      "cart",
      "--version",
      "1.0.0",
    ]);
    expect(result.stdout).toBe(
      'pre-deployment task from a URL for workload "cart" 1.0.0, environment "staging"\n',
    );
    // Pinned: no HTTPREF_UNPINNED warning.
    expect(result.stderr).not.toContain("warning");
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: http-ref \(httpRef, deno, local\) succeeded/,
    );
    expect(requests("/examples/http-ref/task.ts")).toHaveLength(1);
    expect(requests("/examples/http-ref/describe.ts")).toHaveLength(1);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it.each([
    ["cart", 2, "cart 1.4.2 is held by the year-end change freeze until "],
    ["payments", 0, "payments 1.4.2 is exempt from the year-end change freeze until "],
  ])(
    "change-freeze, fetched with its handler module, gives %s exit code %d",
    async (workload, code, says) => {
      const yaml = readFileSync(
        join(EXAMPLES, "change-freeze", "change-freeze.yaml"),
        "utf8",
      ).replace("https://raw.githubusercontent.com/keptn-task/keptn-task-runtime/main", origin);
      expect(yaml).toContain(`${origin}/examples/change-freeze/task.ts#sha256=`);
      const copy = join(dir, "change-freeze.yaml");
      writeFileSync(copy, yaml);
      const until = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
      const result = await runCli([
        "run",
        "change-freeze",
        "-f",
        copy,
        "--workload",
        workload,
        "--version",
        "1.4.2",
        "--data",
        `freezeUntil=${until}`,
      ]);
      expect(result.stderr).not.toContain("warning");
      expect(String(jsonLines(result.stdout).pop()?.msg)).toBe(`${says}${until}`);
      expect(requests("/examples/change-freeze/handler.ts").length).toBeGreaterThan(0);
      expect(result.code).toBe(code);
      expect(result.leftovers).toEqual([]);
    },
  );

  it("function-ref runs the parent's code with the child's parameters winning", async () => {
    const child = await runCli(["run", "announce-release", "-f", "examples/function-ref"]);
    expect(child.stdout).toBe("[#deployments] podtato-head is being released (pre-deployment)\n");
    expect(summary(child.stderr)).toMatch(
      /^keptn-task: announce-release \(functionRef announce, inline, deno, local\) succeeded/,
    );
    expect(child.code).toBe(0);
    expect(child.leftovers).toEqual([]);
    const parent = await runCli([
      "run",
      "announce",
      "-f",
      "examples/function-ref",
      "--task-type",
      "post",
    ]);
    expect(parent.stdout).toBe("[#deployments] A deployment is starting (post-deployment)\n");
    expect(parent.stderrLines).toEqual([
      expect.stringMatching(/^keptn-task: announce \(inline, deno, local\) succeeded in /),
    ]);
    expect(parent.code).toBe(0);
    expect(parent.leftovers).toEqual([]);
  });

  it("secure-parameters never shows its token, in logs or in plain console output", async () => {
    const token = "example-token-1234";
    const file = join(dir, "secure-data.json");
    writeFileSync(file, JSON.stringify({ token }));
    const result = await runCli([
      "run",
      "secure-parameters",
      "-f",
      "examples/secure-parameters",
      "--secret",
      `@${file}`,
    ]);
    const [call, console, done] = result.stdout.trim().split("\n");
    expect(JSON.parse(call ?? "")).toMatchObject({
      authorization: "Bearer ***",
      msg: "Calling the API",
    });
    expect(console).toBe("Plain console.log of the header: Bearer ***");
    expect(JSON.parse(done ?? "")).toMatchObject({
      msg: `Token of ${token.length} characters accepted`,
    });
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("health-check passes when the URL answers 200", async () => {
    const result = await runCli([
      "run",
      "health-check",
      "-f",
      "examples/health-check",
      "--data",
      `url=${origin}/healthz`,
    ]);
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({ level: "info", msg: `"${origin}/healthz" answered HTTP 200` }),
    ]);
    expect(requests("/healthz")[0]?.method).toBe("GET");
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("health-check fails, holding the deployment, when the URL keeps answering 503", async () => {
    const result = await runCli([
      "run",
      "health-check",
      "-f",
      "examples/health-check",
      "--data",
      `url=${origin}/unhealthy`,
      "--data",
      "attempts=2",
      "--data",
      "intervalMs=10",
    ]);
    const lines = jsonLines(result.stdout);
    expect(lines.filter((l) => l.level === "warn")).toEqual([
      expect.objectContaining({ attempt: 1, attempts: 2, status: 503 }),
    ]);
    expect(requests("/unhealthy")).toHaveLength(2);
    expect(lines.pop()).toMatchObject({
      level: "error",
      msg: `Health check of "${origin}/unhealthy" failed: HTTP 503, expected 200`,
    });
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: health-check \(inline, deno, local\) failed with exit code 1 in /,
    );
    expect(result.code).toBe(1);
    expect(result.leftovers).toEqual([]);
  });

  it("health-check retries a URL that answers 503 once, and an empty attempts takes its default", async () => {
    const result = await runCli([
      "run",
      "health-check",
      "-f",
      "examples/health-check",
      "--data",
      `url=${origin}/starting`,
      "--data",
      "attempts=",
      "--data",
      "intervalMs=10",
    ]);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => [l.level, l.attempts ?? null])).toEqual([
      ["warn", 5],
      ["info", null],
    ]);
    expect(lines.pop()?.msg).toBe(`"${origin}/starting" answered HTTP 200`);
    expect(requests("/starting")).toHaveLength(2);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("notify-webhook posts the deployment to the webhook and masks its URL", async () => {
    const webhookUrl = `${origin}/hooks/deployments`;
    const file = join(dir, "webhook.json");
    writeFileSync(file, JSON.stringify({ webhookUrl }));
    const result = await runCli([
      "run",
      "notify-webhook",
      "-f",
      "examples/notify-webhook",
      "--task-type",
      "post",
      "--workload",
      "cart",
      "--version",
      "1.4.2",
      "--secret",
      `@${file}`,
    ]);
    const posts = requests("/hooks/deployments");
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]?.body ?? "")).toEqual({
      channel: "#deployments",
      text: "post-deployment of workload cart 1.4.2 finished",
    });
    expect(jsonLines(result.stdout).map((l) => l.msg)).toEqual([
      "Notified ***",
      "Posted: post-deployment of workload cart 1.4.2 finished",
    ]);
    expect(result.stdout + result.stderr).not.toContain(webhookUrl);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it.each([
    [SLACK_TOKEN, 0, "Posted to #deployments: post-deployment of workload cart 1.4.2 finished"],
    ["xoxb-revoked-token-5678", 1, "Slack refused the message to #deployments: invalid_auth"],
  ])(
    "slack-notify posts with its token from SECURE_DATA, never shown (%#)",
    async (token, code, reason) => {
      const file = join(dir, `slack-${code}.json`);
      writeFileSync(file, JSON.stringify({ token }));
      const before = requests("/api/chat.postMessage").length;
      const result = await runCli([
        "run",
        "slack-notify",
        "-f",
        "examples/slack-notify",
        "--task-type",
        "post",
        "--workload",
        "cart",
        "--version",
        "1.4.2",
        "--secret",
        `@${file}`,
        "--data",
        `apiUrl=${origin}/api`,
      ]);
      const posts = requests("/api/chat.postMessage").slice(before);
      expect(posts.map((p) => p.authorization)).toEqual([`Bearer ${token}`]);
      expect(JSON.parse(posts[0]?.body ?? "")).toEqual({
        channel: "#deployments",
        text: "post-deployment of workload cart 1.4.2 finished",
      });
      expect(jsonLines(result.stdout).pop()).toMatchObject({
        level: code === 0 ? "info" : "error",
        msg: reason,
      });
      expect(result.stdout + result.stderr).not.toContain(token);
      expect(result.code).toBe(code);
      expect(result.leftovers).toEqual([]);
    },
  );

  it("slack-notify refuses a SECURE_DATA that is not a Slack token: one line, exit 78", async () => {
    const file = join(dir, "slack-bad.json");
    writeFileSync(file, JSON.stringify({ token: "ghp_not-slack-secret" }));
    const result = await runCli([
      "run",
      "slack-notify",
      "-f",
      "examples/slack-notify",
      "--secret",
      `@${file}`,
      "--data",
      `apiUrl=${origin}/api`,
    ]);
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({
        msg: "Invalid task environment: SECURE_DATA.token: expected a Slack token (xoxb-...)",
      }),
    ]);
    expect(result.stdout + result.stderr).not.toContain("ghp_not-slack-secret");
    expect(result.code).toBe(78);
  });

  it.each([
    ["0.05", 0, `is ${Number(ERROR_RATE)}, within the maximum 0.05`],
    ["0.01", 1, `is ${Number(ERROR_RATE)}, above the maximum 0.01`],
  ])("prometheus-query with max %s exits %d", async (max, code, says) => {
    const before = requests("/api/v1/query").length;
    const result = await runCli([
      "run",
      "prometheus-query",
      "-f",
      "examples/prometheus-query",
      "--task-type",
      "post",
      "--data",
      `prometheusUrl=${origin}`,
      "--data",
      `max=${max}`,
    ]);
    const queries = requests("/api/v1/query");
    expect(queries).toHaveLength(before + 1);
    expect(queries[queries.length - 1]?.query.get("query")).toBe(
      'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    );
    expect(String(jsonLines(result.stdout).pop()?.msg)).toContain(says);
    expect(result.code).toBe(code);
    expect(result.leftovers).toEqual([]);
  });

  it("container-runtime runs its SDK task with the container's env, in place of the image", async () => {
    const result = await runCli([
      "run",
      "container-runtime",
      "-f",
      "examples/container-runtime",
      "--workload",
      "cart",
      "--version",
      "1.4.2",
      "--",
      DENO,
      "run",
      "--no-config",
      "--import-map=runners/dist/import-map.json",
      "--allow-env=KEPTN_CONTEXT,DATA,SECURE_DATA,KEPTN_TASK_DEADLINE,KEPTN_TASK_LOG_LEVEL,TEAM",
      "--allow-read=runners/dist",
      "examples/container-runtime/task.ts",
    ]);
    const [note, done] = jsonLines(result.stdout);
    expect(note).toMatchObject({
      msg: "Release note",
      note: { team: "checkout", workload: "cart", version: "1.4.2", taskType: "pre" },
    });
    expect(done).toMatchObject({ msg: "Release note of cart recorded for team checkout" });
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: container-runtime \(image ghcr\.io\/keptn-task\/example-release-note:dev, container, local\) succeeded/,
    );
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("container-runtime's Dockerfile runs that task with those flags on the SDK it ships", () => {
    const dockerfile = readFileSync(join(EXAMPLES, "container-runtime", "Dockerfile"), "utf8");
    expect(dockerfile).toContain("COPY task.ts /task/task.ts");
    expect(dockerfile).toContain('"--import-map=/app/import-map.json"');
    expect(dockerfile).toContain(
      '"--allow-env=KEPTN_CONTEXT,DATA,SECURE_DATA,KEPTN_TASK_DEADLINE,KEPTN_TASK_LOG_LEVEL,TEAM"',
    );
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/usr\/bin\/deno", "run"/);
    // Built on the image npm run images makes, by the full name docker-bake.hcl gives it, and
    // tagged as the definition names it, in the Dockerfile and the README alike.
    expect(dockerfile).toContain(`ARG BASE_IMAGE=${localTags["deno-runtime"]}\n`);
    const image = /^\s+image: (\S+)$/m.exec(
      readFileSync(join(EXAMPLES, "container-runtime", "container-runtime.yaml"), "utf8"),
    )?.[1];
    const build = `podman build -t ${image} examples/container-runtime`;
    expect(dockerfile).toContain(build);
    expect(readFileSync(join(EXAMPLES, "container-runtime", "README.md"), "utf8")).toContain(build);
  });
});
