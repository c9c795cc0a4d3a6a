import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchScript, redactUrl } from "../../sdk/src/fetch/index.js";
import {
  OK_CODE,
  type ScriptServer,
  startBlackhole,
  startProxy,
  startScriptServer,
} from "../helpers/script-server.js";
import { configFailure, FAST, failure } from "./fetch-script-helpers.js";

// fetchScript: credentials in URLs, Authorization, proxies; and redactUrl, which keeps secrets out
// of every message.
let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});

describe("fetchScript", () => {
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
