import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, FetchError } from "../../sdk/src/errors/errors.js";
import { fetchScript, type RetryEvent, redactUrl } from "../../sdk/src/fetch/index.js";
import {
  closedPort,
  HTML_MENTIONING_CODE,
  OK_CODE,
  type ScriptServer,
  startBlackhole,
  startProxy,
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

async function configFailure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).exitCode).toBe(78);
  return error as ConfigError;
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

  it("accepts code that mentions <html after its first characters", async () => {
    const result = await fetchScript(`${server.origin}/mentions-html.ts`, FAST);
    expect(result.code).toBe(HTML_MENTIONING_CODE);
  });

  it("stops an endless chunked body at maxBytes instead of buffering it", {
    timeout: 20_000,
  }, async () => {
    const error = await failure(
      fetchScript(`${server.origin}/endless.ts`, { ...FAST, maxBytes: 100_000 }),
    );
    expect(error.message).toBe(
      `Cannot fetch task code from "${server.origin}/endless.ts": the body is larger than 100000 bytes (maxBytes) after 1 attempt`,
    );
    expect(server.hits("/endless.ts")).toBe(1);
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

  it.each([
    ["letters that are not hex", `#sha256=${"z".repeat(64)}`],
    ["an SRI-style value", "#sha256=sha256-abc="],
    ["a 64-digit hash with a trailing character", `#sha256=${OK_SHA}x`],
    ["a short hash", "#sha256=1234"],
    ["an empty value", "#sha256="],
    ["two pins, even equal ones", `#sha256=${OK_SHA}&sha256=${OK_SHA}`],
    ["two pins in different cases", `#sha256=${OK_SHA}&SHA256=${"0".repeat(64)}`],
    ["an upper-case key with a bad value", "#SHA256=abc"],
  ])("refuses a pin with %s as a ConfigError, before any request", async (_name, fragment) => {
    const error = await configFailure(fetchScript(`${server.origin}/never-fetched.ts${fragment}`));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ source: "options", path: "sha256" });
    expect(error.message).toContain(`the #sha256 pin of "${server.origin}/never-fetched.ts"`);
    expect(error.message).toContain(
      'write #sha256= and exactly 64 hex digits, as "sha256sum <file>" prints them',
    );
    expect(server.hits("/never-fetched.ts")).toBe(0);
  });

  it("names what is wrong with a pin and keeps credentials out of the message", async () => {
    const port = new URL(server.origin).port;
    const error = await configFailure(
      fetchScript(
        `http://user:pin-pass@127.0.0.1:${port}/never-fetched.ts?token=tok-9#sha256=sha256-abc=`,
      ),
    );
    expect(error.message).toBe(
      `Invalid task environment: options.sha256: the #sha256 pin of "${server.origin}/never-fetched.ts?token=***" is not valid: "sha256-abc=" is a Subresource Integrity hash (base64), not a hex digest; write #sha256= and exactly 64 hex digits, as "sha256sum <file>" prints them`,
    );
    expect(error.message).not.toMatch(/pin-pass|tok-9/);
  });

  it.each([
    ["an SRI-style value", "sha256-abc="],
    ["a trailing character", `${OK_SHA}x`],
    ["surrounding space", ` ${OK_SHA}`],
  ])("refuses a sha256 option with %s", async (_name, sha256) => {
    const error = await configFailure(fetchScript(`${server.origin}/never-fetched.ts`, { sha256 }));
    expect(error.issues).toEqual([
      expect.objectContaining({
        source: "options",
        path: "sha256",
        message: expect.stringMatching(
          /^the pin for "http:\/\/127\.0\.0\.1:\d+\/never-fetched\.ts" is not valid: .*; give exactly 64 hex digits/,
        ),
      }),
    ]);
    expect(server.hits("/never-fetched.ts")).toBe(0);
  });

  it("checks a pin whose key is upper case, comparing the hex in any case", async () => {
    const result = await fetchScript(`${server.origin}/ok.ts#SHA256=${OK_SHA.toUpperCase()}`);
    expect(result.sha256).toBe(OK_SHA);
    const error = await failure(
      fetchScript(`${server.origin}/ok.ts#SHA256=${"0".repeat(64)}`, FAST),
    );
    expect(error.message).toContain(`sha256 mismatch: expected ${"0".repeat(64)}`);
  });

  it("sends only accept, accept-encoding and user-agent to another origin after a redirect", async () => {
    const other = await startScriptServer();
    try {
      const headers = {
        Authorization: "Bearer caller-token",
        "PRIVATE-TOKEN": "glpat-secret",
        Cookie: "session=cookie-secret",
        "X-Api-Key": "key-secret",
        "User-Agent": "keptn-task-test",
        Accept: "text/plain",
        "Accept-Encoding": "identity",
      };
      await fetchScript(`${server.origin}/redirect?to=${other.origin}/ok.ts`, { headers });
      expect(server.headers("/redirect").at(-1)).toMatchObject({
        authorization: "Bearer caller-token",
        "private-token": "glpat-secret",
        cookie: "session=cookie-secret",
        "x-api-key": "key-secret",
      });
      const [seen] = other.headers("/ok.ts");
      expect(seen).toMatchObject({
        "user-agent": "keptn-task-test",
        accept: "text/plain",
        "accept-encoding": "identity",
      });
      expect(Object.keys(seen ?? {})).not.toEqual(
        expect.arrayContaining([
          expect.stringMatching(/authorization|private-token|cookie|x-api-key/),
        ]),
      );
      expect(JSON.stringify(other.rawHeaders("/ok.ts"))).not.toMatch(/secret|caller-token/);
    } finally {
      await other.close();
    }
  });

  it("keeps the caller's headers on a redirect within the same origin", async () => {
    await fetchScript(`${server.origin}/redirect?to=/ok.ts`, {
      headers: { "PRIVATE-TOKEN": "same-origin-token" },
    });
    expect(server.headers("/ok.ts").at(-1)).toMatchObject({ "private-token": "same-origin-token" });
  });

  it("refuses a redirect from https to http without retrying", async () => {
    const secure = await startScriptServer({ https: true });
    // The test server's certificate is self-signed; only this test skips its verification.
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      const url = `${secure.origin}/redirect?to=${server.origin}/downgraded.ts`;
      const error = await failure(fetchScript(url, { ...FAST, retries: 3 }));
      expect(error.message).toBe(
        `Cannot fetch task code from "${url}": redirected from https to "${server.origin}/downgraded.ts": refusing to downgrade to plain http, where the code could be changed in transit after 1 attempt`,
      );
      expect(error).toMatchObject({ attempts: 1, status: 302 });
      expect(secure.hits("/redirect")).toBe(1);
      expect(server.hits("/downgraded.ts")).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      await secure.close();
    }
  });

  it("sends the UTF-8 bytes of non-Latin-1 user info as Basic auth", async () => {
    const port = new URL(server.origin).port;
    await fetchScript(`http://j\u00fcrgen:p\u00e4ss\u2713@127.0.0.1:${port}/ok.ts`);
    expect(server.authorization("/ok.ts").at(-1)).toBe(
      `Basic ${Buffer.from("j\u00fcrgen:p\u00e4ss\u2713", "utf8").toString("base64")}`,
    );
  });

  it("reports a bad % escape in user info as a ConfigError without the credential", async () => {
    const port = new URL(server.origin).port;
    const error = await configFailure(
      fetchScript(`http://user:bad%zzpass@127.0.0.1:${port}/never-fetched.ts`),
    );
    expect(error.issues).toEqual([
      {
        source: "options",
        path: "url",
        message: `the user info of "${server.origin}/never-fetched.ts" has an invalid % escape: percent-encode reserved characters as %XX (for example @ as %40)`,
      },
    ]);
    expect(error.message).not.toContain("bad%zzpass");
    expect(server.hits("/never-fetched.ts")).toBe(0);
  });

  it("sends one Authorization header: an explicit one, in any case, wins over user info", async () => {
    const port = new URL(server.origin).port;
    await fetchScript(`http://user:s3cret@127.0.0.1:${port}/ok.ts`, {
      headers: { AUTHORIZATION: "Bearer explicit" },
    });
    const sent = (server.rawHeaders("/ok.ts").at(-1) ?? []).filter(
      ([name]) => name.toLowerCase() === "authorization",
    );
    expect(sent.map(([, value]) => value)).toEqual(["Bearer explicit"]);
  });

  it("goes through HTTP_PROXY, and straight to hosts in NO_PROXY", async () => {
    const proxy = await startProxy();
    try {
      const via = await fetchScript(`${server.origin}/ok.ts?via=proxy`, {
        env: { HTTP_PROXY: proxy.origin },
      });
      expect(via.code).toBe(OK_CODE);
      expect(proxy.requests()).toEqual([`${server.origin}/ok.ts?via=proxy`]);

      // Lower case and without a scheme, as curl accepts it.
      await fetchScript(`${server.origin}/ok.ts?via=lower`, {
        env: { http_proxy: proxy.origin.replace("http://", "") },
      });
      expect(proxy.requests()).toHaveLength(2);

      const direct = await fetchScript(`${server.origin}/ok.ts?via=direct`, {
        env: { HTTP_PROXY: proxy.origin, NO_PROXY: "127.0.0.1" },
      });
      expect(direct.code).toBe(OK_CODE);
      expect(proxy.requests()).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it("applies the connect timeout to the proxy", async () => {
    const hole = await startBlackhole();
    try {
      const error = await failure(
        fetchScript(`${server.origin}/ok.ts?via=blackhole`, {
          ...FAST,
          retries: 0,
          connectTimeoutMs: 150,
          env: { HTTP_PROXY: `http://127.0.0.1:${hole.port}` },
        }),
      );
      expect(error.message).toBe(
        `Cannot fetch task code from "${server.origin}/ok.ts?via=blackhole": no connection within 150 ms (connectTimeoutMs) after 1 attempt`,
      );
    } finally {
      hole.close();
    }
  });

  it("rejects a proxy variable that is not an http(s) URL, without its credentials", async () => {
    const error = await configFailure(
      fetchScript(`${server.origin}/never-fetched.ts`, {
        env: { HTTPS_PROXY: "socks5://proxy-user:proxy-pass@127.0.0.1:1080" },
      }),
    );
    expect(error.issues).toEqual([
      {
        source: "options",
        path: "env.HTTPS_PROXY",
        message:
          '"socks5://127.0.0.1:1080" is not a proxy URL: use http://host:port or https://host:port',
      },
    ]);
    expect(server.hits("/never-fetched.ts")).toBe(0);
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

  it.each([
    ["https://user:pa/ss@host/x.ts", "https://host/x.ts"],
    ["https://us@er:p/ss@host:99999/x.ts?token=abc#sha256=00", "https://host:99999/x.ts"],
    ["https://user:pa/ss@host/x.ts?next=a@b", "https://host/x.ts"],
  ])("drops all user info from unparsable %s", (input, output) => {
    expect(() => new URL(input)).toThrow();
    expect(redactUrl(input)).toBe(output);
  });

  it("keeps user info with a slash out of a fetch error for an unparsable URL", async () => {
    const error = await failure(fetchScript("https://user:pa/ss@host/x.ts"));
    expect(error.message).toBe('Cannot fetch task code from "https://host/x.ts": not a valid URL');
  });
});
