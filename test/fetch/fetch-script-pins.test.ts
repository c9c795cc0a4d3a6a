import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../sdk/src/errors/errors.js";
import { fetchScript } from "../../sdk/src/fetch/index.js";
import { OK_CODE, type ScriptServer, startScriptServer } from "../helpers/script-server.js";
import { configFailure, FAST, failure, OK_SHA } from "./fetch-script-helpers.js";

// fetchScript: #sha256 pins and the sha256 option.
let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});

describe("fetchScript", () => {
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
});
