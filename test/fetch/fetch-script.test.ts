import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, FetchError } from "../../sdk/src/errors/errors.js";
import { fetchScript, type RetryEvent, redactUrl } from "../../sdk/src/fetch/index.js";
import {
  closedPort,
  OK_CODE,
  type ScriptServer,
  startBlackhole,
  startScriptServer,
} from "../helpers/script-server.js";

// Small waits so the retry tests stay fast.
const FAST = { retryDelayMs: 5, maxRetryDelayMs: 20 } as const;
const OK_SHA = createHash("sha256").update(OK_CODE).digest("hex");

let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

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

  it("follows redirects within the limit", async () => {
    const result = await fetchScript(`${server.origin}/hops?n=3`, { maxRedirects: 3 });
    expect(result).toMatchObject({ code: OK_CODE, redirects: 3, url: `${server.origin}/ok.ts` });
  });

  it("refuses more redirects than maxRedirects, without retrying", async () => {
    const error = await failure(
      fetchScript(`${server.origin}/hops?n=3`, { ...FAST, maxRedirects: 2 }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/hops?n=3": more than 2 redirects (maxRedirects) after 1 attempt`,
    );
  });

  it("breaks a redirect loop", async () => {
    const error = await failure(fetchScript(`${server.origin}/loop`, FAST));
    expect(error.message).toContain("more than 5 redirects (maxRedirects) after 1 attempt");
    expect(server.hits("/loop")).toBe(6);
  });

  it("refuses a redirect to a file: URL", async () => {
    const error = await failure(
      fetchScript(`${server.origin}/redirect?to=file:///etc/passwd`, FAST),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/redirect?to=file:///etc/passwd": redirected to "file:///etc/passwd": scheme "file:" is not allowed, only http: and https: after 1 attempt`,
    );
  });

  it.each([
    ["file:///etc/passwd", "file:"],
    ["ftp://example.com/task.ts", "ftp:"],
    ["data:text/plain,console.log(1)", "data:"],
  ])("refuses the non-http scheme of %s before any request", async (url, scheme) => {
    const error = await failure(fetchScript(url));
    expect(error.message).toBe(
      `Cannot fetch task code from "${url}": scheme "${scheme}" is not allowed, only http: and https:`,
    );
    expect(error.attempts).toBe(0);
  });

  it("refuses a body larger than maxBytes while streaming it", async () => {
    const error = await failure(
      fetchScript(`${server.origin}/big.ts?bytes=200000`, { ...FAST, maxBytes: 50_000 }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/big.ts?bytes=200000": the body is larger than 50000 bytes (maxBytes) after 1 attempt`,
    );
  });

  it("refuses a declared Content-Length above maxBytes", async () => {
    const error = await failure(
      fetchScript(`${server.origin}/declared-big.ts?bytes=4096`, { maxBytes: 1024 }),
    );
    expect(error.message).toContain(
      "the body is larger than 1024 bytes (maxBytes): Content-Length 4096 after 1 attempt",
    );
  });

  it("accepts a body of exactly maxBytes", async () => {
    const result = await fetchScript(`${server.origin}/big.ts?bytes=4096`, { maxBytes: 4096 });
    expect(result.bytes).toBe(4096);
  });

  it("refuses an HTML page served with 200 by its content type", async () => {
    const error = await failure(fetchScript(`${server.origin}/page.html`, FAST));
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/page.html": the server sent an HTML page, not code (content-type "text/html"); check that the URL points at the raw file after 1 attempt`,
    );
  });

  it("refuses an HTML page served as text/plain by its first characters", async () => {
    const error = await failure(fetchScript(`${server.origin}/sneaky.ts`, FAST));
    expect(error.message).toContain('not code (the body starts with "<HTML")');
  });

  it.each([
    ["/empty.ts", "the body is empty, not code"],
    ["/blank.ts", "the body is only whitespace, not code"],
    ["/binary.ts", "the body is not UTF-8 text"],
  ])("refuses %s as code", async (path, reason) => {
    const error = await failure(fetchScript(`${server.origin}${path}`, FAST));
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}${path}": ${reason} after 1 attempt`,
    );
  });

  it("checks a #sha256 pin in the URL and strips it from the request", async () => {
    const result = await fetchScript(`${server.origin}/ok.ts#sha256=${OK_SHA.toUpperCase()}`);
    expect(result.sha256).toBe(OK_SHA);
    expect(result.url).toBe(`${server.origin}/ok.ts`);
  });

  it("refuses content that fails the pin, naming both hashes", async () => {
    const wrong = "0".repeat(64);
    const error = await failure(fetchScript(`${server.origin}/ok.ts#sha256=${wrong}`, FAST));
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/ok.ts": sha256 mismatch: expected ${wrong}, got ${OK_SHA} after 1 attempt`,
    );
  });

  it("checks the sha256 option the same way", async () => {
    await expect(fetchScript(`${server.origin}/ok.ts`, { sha256: OK_SHA })).resolves.toMatchObject({
      code: OK_CODE,
    });
    const error = await failure(fetchScript(`${server.origin}/ok.ts`, { sha256: "f".repeat(64) }));
    expect(error.message).toContain("sha256 mismatch");
  });

  it("rejects two different pins and a malformed pin as configuration errors", async () => {
    await expect(
      fetchScript(`${server.origin}/ok.ts#sha256=${OK_SHA}`, { sha256: "a".repeat(64) }),
    ).rejects.toThrow(ConfigError);
    await expect(fetchScript(`${server.origin}/ok.ts#sha256=1234`)).rejects.toThrow(
      /64 hex digits/,
    );
    await expect(fetchScript(`${server.origin}/ok.ts`, { retries: -1 })).rejects.toThrow(
      "Invalid task environment: options.retries: must be a non-negative integer",
    );
  });

  it("sends URL credentials as Basic auth and keeps them out of every message", async () => {
    const result = await fetchScript(
      `http://user:s3cret@127.0.0.1:${new URL(server.origin).port}/private.ts`,
    );
    expect(result.code).toBe(OK_CODE);
    expect(result.url).toBe(`${server.origin}/private.ts`);

    const error = await failure(
      fetchScript(
        `http://user:wrong-pass@127.0.0.1:${new URL(server.origin).port}/private.ts?token=tok-123`,
        FAST,
      ),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/private.ts?token=***": HTTP 401 after 1 attempt`,
    );
    expect(error.url).toBe(`${server.origin}/private.ts?token=***`);
    expect(`${error.message} ${error.url}`).not.toMatch(/wrong-pass|tok-123|user:/);
  });

  it("does not carry credentials across origins on a redirect", async () => {
    const other = await startScriptServer();
    try {
      const port = new URL(server.origin).port;
      await fetchScript(`http://user:s3cret@127.0.0.1:${port}/redirect?to=${other.origin}/ok.ts`);
      expect(server.authorization("/redirect").at(-1)).toMatch(/^Basic /);
      expect(other.authorization("/ok.ts")).toEqual([undefined]);
    } finally {
      await other.close();
    }
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

describe("redactUrl", () => {
  it("drops user info, fragment and secret-looking query values", () => {
    expect(
      redactUrl(
        "https://me:pw@example.com/a.ts?ref=main&access_token=abc&X-Amz-Signature=s#sha256=00",
      ),
    ).toBe("https://example.com/a.ts?ref=main&access_token=***&X-Amz-Signature=***");
  });

  it("returns text that is not a URL unchanged", () => {
    expect(redactUrl("not a url")).toBe("not a url");
  });
});
