// Examples that talk to services, run with `keptn-task run` as their READMEs say, against the
// loopback server (examples-server.ts): secure parameters, health checks, a webhook, Slack and
// Prometheus.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/keptn-task-cli.js";
import {
  dir,
  ERROR_RATE,
  jsonLines,
  origin,
  requests,
  SLACK_TOKEN,
  serveExamples,
  summary,
} from "./examples-server.js";

serveExamples();

describe("examples", () => {
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
});
