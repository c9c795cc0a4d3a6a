// t.fetch: a timeout per attempt bounded by the deadline, and an opt-in retry with backoff for
// idempotent requests, against real loopback HTTP servers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SecretRegistry, task } from "@keptn-task/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

let server: Server;
let origin = "";
/** Requests seen per path. */
const hits = new Map<string, number>();
/** Per path, the statuses to answer in turn (the last one repeats). */
const plans = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    if (path === "/silent") return; // never answers
    const plan = plans.get(path) ?? [200];
    const status = plan[Math.min(count, plan.length) - 1] ?? 200;
    if (path === "/retry-after") res.setHeader("retry-after", "0");
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`answer ${count}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits.clear();
  plans.clear();
});

function makeTask(env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  const t = task({
    env,
    secrets: new SecretRegistry(),
    handleSignals: false,
    onConfigError: "throw",
    logDestination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { t, lines };
}

describe("t.fetch", () => {
  it("times out an attempt after timeoutMs with a TimeoutError naming the request", async () => {
    const { t } = makeTask();
    const error = await t.fetch(`${origin}/silent`, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("TimeoutError");
    expect((error as DOMException).message).toBe(`GET ${origin}/silent timed out after 200 ms`);
  });

  it("bounds the timeout by the deadline", async () => {
    const { t } = makeTask({ KEPTN_TASK_DEADLINE: String(Date.now() + 300) });
    const error = await t.fetch(`${origin}/silent`).catch((e: unknown) => e);
    // The attempt's timer and the task's signal fire together at the deadline: either says so.
    expect((error as DOMException).name).toBe("TimeoutError");
    expect([
      `GET ${origin}/silent: the task deadline came before an answer`,
      "The task deadline has passed",
    ]).toContain((error as DOMException).message);
  });

  it("does not retry without the retry option", async () => {
    plans.set("/flaky", [503, 200]);
    const { t } = makeTask();
    const response = await t.fetch(`${origin}/flaky`);
    expect(response.status).toBe(503);
    expect(hits.get("/flaky")).toBe(1);
  });

  it("retries a retryable status with backoff until an answer is good, logging each retry", async () => {
    plans.set("/flaky", [503, 502, 200]);
    const { t, lines } = makeTask();
    const response = await t.fetch(`${origin}/flaky?token=s3cr3t-value`, {
      retry: { limit: 3, delayMs: 10 },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("answer 3");
    expect(hits.get("/flaky")).toBe(3);
    expect(lines.map((l) => [l.level, l.attempt, l.status])).toEqual([
      ["warn", 1, 503],
      ["warn", 2, 502],
    ]);
    expect(JSON.stringify(lines)).not.toContain("s3cr3t-value");
  });

  it("returns the last answer when the limit is used up", async () => {
    plans.set("/down", [503]);
    const { t } = makeTask();
    const response = await t.fetch(`${origin}/down`, { retry: { limit: 2, delayMs: 1 } });
    expect(response.status).toBe(503);
    expect(hits.get("/down")).toBe(3);
  });

  it("retries only the statuses named in statusCodes", async () => {
    plans.set("/404", [404, 200]);
    plans.set("/409", [409, 200]);
    const { t } = makeTask();
    expect((await t.fetch(`${origin}/404`, { retry: { limit: 2, delayMs: 1 } })).status).toBe(404);
    const retried = await t.fetch(`${origin}/409`, {
      retry: { limit: 2, delayMs: 1, statusCodes: [409] },
    });
    expect(retried.status).toBe(200);
    expect([hits.get("/404"), hits.get("/409")]).toEqual([1, 2]);
  });

  it("retries a timed-out attempt and a refused connection", async () => {
    const { t } = makeTask();
    const error = await t
      .fetch(`${origin}/silent`, { timeoutMs: 100, retry: { limit: 1, delayMs: 1 } })
      .catch((e: unknown) => e);
    expect((error as DOMException).name).toBe("TimeoutError");
    expect(hits.get("/silent")).toBe(2);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { t: t2, lines } = makeTask();
    await expect(
      t2.fetch(`http://127.0.0.1:${port}/`, { retry: { limit: 2, delayMs: 1 } }),
    ).rejects.toThrow(TypeError);
    expect(lines).toHaveLength(2);
    expect(String(lines[0]?.error)).toContain("ECONNREFUSED");
  });

  it("does not wait for a retry beyond the deadline", async () => {
    plans.set("/down", [503]);
    const { t } = makeTask({ KEPTN_TASK_DEADLINE: String(Date.now() + 5000) });
    const response = await t.fetch(`${origin}/down`, { retry: { limit: 5, delayMs: 60_000 } });
    expect(response.status).toBe(503);
    expect(hits.get("/down")).toBe(1);
  });

  it("refuses to retry a request that is not idempotent, or a bad option", async () => {
    const { t } = makeTask();
    await expect(
      t.fetch(`${origin}/x`, { method: "POST", body: "{}", retry: { limit: 2 } }),
    ).rejects.toThrow(
      "t.fetch: retry is for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, TRACE), not POST: a repeated POST may act twice",
    );
    await expect(t.fetch(`${origin}/x`, { timeoutMs: 0 })).rejects.toThrow(
      "t.fetch: timeoutMs must be a positive number of ms, received 0",
    );
    await expect(t.fetch(`${origin}/x`, { retry: { limit: 1.5 } })).rejects.toThrow(
      "t.fetch: retry.limit must be an integer of 0 or more, received 1.5",
    );
    expect(hits.get("/x")).toBeUndefined();
  });

  it("retries a Request object, sending its body each time", async () => {
    plans.set("/put", [503, 200]);
    const { t } = makeTask();
    const request = new Request(`${origin}/put`, { method: "PUT", body: "payload" });
    const response = await t.fetch(request, { retry: { limit: 1, delayMs: 1 } });
    expect(response.status).toBe(200);
    expect(hits.get("/put")).toBe(2);
  });
});
