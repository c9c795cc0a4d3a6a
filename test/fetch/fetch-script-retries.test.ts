import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchScript, type RetryEvent } from "../../sdk/src/fetch/index.js";
import {
  closedPort,
  OK_CODE,
  type ScriptServer,
  startBlackhole,
  startScriptServer,
} from "../helpers/script-server.js";
import { FAST, failure, OK_SHA } from "./fetch-script-helpers.js";

// fetchScript: what it returns, its retries, its timeouts and aborting it.
let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});

describe("fetchScript", () => {
  it("returns the code, its sha256, size and attempt count", async () => {
    const result = await fetchScript(`${server.origin}/ok.ts`);
    expect(result).toEqual({
      code: OK_CODE,
      url: `${server.origin}/ok.ts`,
      sha256: OK_SHA,
      bytes: Buffer.byteLength(OK_CODE),
      attempts: 1,
      redirects: 0,
      contentType: "application/typescript",
    });
  });

  it("retries after 503 with backoff and succeeds on the third attempt", async () => {
    const events: RetryEvent[] = [];
    const result = await fetchScript(`${server.origin}/flaky/a?fail=2&status=503`, {
      ...FAST,
      onRetry: (event) => events.push(event),
    });
    expect(result.code).toBe(OK_CODE);
    expect(result.attempts).toBe(3);
    expect(server.hits("/flaky/a")).toBe(3);
    expect(events.map((e) => [e.attempt, e.status, e.reason])).toEqual([
      [1, 503, "HTTP 503"],
      [2, 503, "HTTP 503"],
    ]);
    // Exponential with jitter: attempt n waits between half and all of 5 ms * 2^(n-1).
    expect(events[0]?.delayMs).toBeGreaterThanOrEqual(2);
    expect(events[0]?.delayMs).toBeLessThanOrEqual(5);
    expect(events[1]?.delayMs).toBeGreaterThanOrEqual(5);
    expect(events[1]?.delayMs).toBeLessThanOrEqual(10);
  });

  it("retries after 429 and honours Retry-After up to maxRetryDelayMs", async () => {
    const events: RetryEvent[] = [];
    const result = await fetchScript(`${server.origin}/flaky/b?fail=1&status=429&retryAfter=1`, {
      retryDelayMs: 1,
      maxRetryDelayMs: 50,
      onRetry: (event) => events.push(event),
    });
    expect(result.attempts).toBe(2);
    expect(events).toEqual([
      {
        url: `${server.origin}/flaky/b?fail=1&status=429&retryAfter=1`,
        attempt: 1,
        delayMs: 50,
        reason: "HTTP 429",
        status: 429,
      },
    ]);
  });

  it("gives up after the configured retries and names the URL, the attempts and the status", async () => {
    const error = await failure(
      fetchScript(`${server.origin}/flaky/c?fail=10&status=500`, { ...FAST, retries: 2 }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/flaky/c?fail=10&status=500": HTTP 500 after 3 attempts`,
    );
    expect(error).toMatchObject({ attempts: 3, status: 500, code: "FETCH_FAILED", exitCode: 69 });
    expect(server.hits("/flaky/c")).toBe(3);
  });

  it("never retries a 404 and refuses its HTML page", async () => {
    const error = await failure(fetchScript(`${server.origin}/missing.ts`, FAST));
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/missing.ts": HTTP 404 after 1 attempt`,
    );
    expect(error.status).toBe(404);
    expect(server.hits("/missing.ts")).toBe(1);
  });

  it.each([401, 403, 410])("never retries HTTP %i", async (status) => {
    const error = await failure(fetchScript(`${server.origin}/status/${status}`, FAST));
    expect(error.attempts).toBe(1);
    expect(error.message).toContain(`HTTP ${status} after 1 attempt`);
  });

  it("stops a slow server at the attempt timeout and retries", async () => {
    const events: RetryEvent[] = [];
    const error = await failure(
      fetchScript(`${server.origin}/slow.ts?ms=2000`, {
        ...FAST,
        retries: 1,
        attemptTimeoutMs: 100,
        onRetry: (e) => events.push(e),
      }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/slow.ts?ms=2000": no complete response within 100 ms (attemptTimeoutMs) after 2 attempts`,
    );
    expect(events).toHaveLength(1);
  });

  it("stops at the total timeout across attempts", async () => {
    const started = Date.now();
    const error = await failure(
      fetchScript(`${server.origin}/slow.ts?ms=3000`, { ...FAST, timeoutMs: 200 }),
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/slow.ts?ms=3000": timed out after 200 ms (timeoutMs) after 1 attempt`,
    );
  });

  it("retries a refused connection and reports it", async () => {
    const port = await closedPort();
    const events: RetryEvent[] = [];
    const error = await failure(
      fetchScript(`http://127.0.0.1:${port}/x.ts`, {
        ...FAST,
        retries: 2,
        onRetry: (e) => events.push(e),
      }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "http://127.0.0.1:${port}/x.ts": connection refused (ECONNREFUSED) after 3 attempts`,
    );
    expect(events.map((e) => e.reason)).toEqual([
      "connection refused (ECONNREFUSED)",
      "connection refused (ECONNREFUSED)",
    ]);
  });

  it("gives up on a connection that never completes at the connect timeout", async () => {
    const hole = await startBlackhole();
    try {
      const error = await failure(
        fetchScript(`http://127.0.0.1:${hole.port}/x.ts`, {
          ...FAST,
          retries: 1,
          connectTimeoutMs: 150,
        }),
      );
      expect(error.message).toBe(
        `Cannot fetch task code from "http://127.0.0.1:${hole.port}/x.ts": no connection within 150 ms (connectTimeoutMs) after 2 attempts`,
      );
    } finally {
      hole.close();
    }
  });

  it("gives up at once when a Retry-After wait would outlast the total timeout", async () => {
    const events: RetryEvent[] = [];
    const url = `${server.origin}/flaky/retry-after?fail=5&status=503&retryAfter=30`;
    const error = await failure(
      fetchScript(url, {
        timeoutMs: 5_000,
        retryDelayMs: 1,
        maxRetryDelayMs: 60_000,
        onRetry: (e) => events.push(e),
      }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${url}": timed out after 5000 ms (timeoutMs) before the next attempt; last error: HTTP 503 after 1 attempt`,
    );
    expect(events).toEqual([]);
    expect(server.hits("/flaky/retry-after")).toBe(1);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(
      fetchScript(`${server.origin}/slow.ts?ms=3000`, { signal: controller.signal }),
    );
    expect(error.message).toContain(": aborted after 1 attempt");
  });
});
