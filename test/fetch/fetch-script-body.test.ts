import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchScript } from "../../sdk/src/fetch/index.js";
import {
  HTML_MENTIONING_CODE,
  type ScriptServer,
  startScriptServer,
} from "../helpers/script-server.js";
import { FAST, failure } from "./fetch-script-helpers.js";

// fetchScript: what it accepts as code: size limits, HTML pages, empty and binary bodies.
let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});

describe("fetchScript", () => {
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
});
