import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchScript } from "../../sdk/src/fetch/index.js";
import { OK_CODE, type ScriptServer, startScriptServer } from "../helpers/script-server.js";
import { FAST, failure } from "./fetch-script-helpers.js";

// fetchScript: redirects, the schemes it allows, and the headers it carries across them.
let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});

describe("fetchScript", () => {
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
});
