// The reference pages the docs build generates, and the hand-written tables that must agree with
// the code: each checked against the constant it documents. No process, no network.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagnosticsPage, exitCodesPage } from "../../scripts/docs/generate-reference.mjs";
import { DIAGNOSTIC_CODES } from "../../sdk/src/definitions/diagnostics.js";
import { EXIT_CODES } from "../../sdk/src/errors/errors.js";
import { ROOT } from "../helpers/deno.js";

/** The rows of a Markdown table whose first cell is a code in backticks. */
function codeRows(markdown: string): string[][] {
  return [...markdown.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [
    m[1] ?? "",
    ...(m[2] ?? "").split(" | "),
  ]);
}

describe("the diagnostics reference page", () => {
  it("lists every code with its level and summary, in DIAGNOSTIC_CODES' order", () => {
    const expected = Object.entries(DIAGNOSTIC_CODES).map(([code, { level, summary }]) => [
      code,
      level,
      summary,
    ]);
    expect(codeRows(diagnosticsPage(DIAGNOSTIC_CODES))).toEqual(expected);
  });
});

describe("the exit codes reference page", () => {
  it("lists every code of EXIT_CODES with its exit code and the meaning its JSDoc gives", () => {
    const rows = codeRows(exitCodesPage(EXIT_CODES));
    expect(rows.map(([code, exit]) => [code, Number(exit)])).toEqual(Object.entries(EXIT_CODES));
    expect(rows.find(([code]) => code === "CONFIG_INVALID")?.[2]).toContain("invalid");
  });
});

describe("the security page's exit code table", () => {
  it("names every code of EXIT_CODES with its exit code and error class", () => {
    const page = readFileSync(`${ROOT}docs/security.md`, "utf8");
    const section = page.slice(page.indexOf("## Exit codes"));
    const rows = codeRows(section).map(([code, klass, exit]) => [code, klass, Number(exit)]);
    expect(rows.map(([code, , exit]) => [code, exit]).sort()).toEqual(
      Object.entries(EXIT_CODES).sort(),
    );
    expect(rows.find(([code]) => code === "CONFIG_INVALID")?.[1]).toBe("`ConfigError`");
  });
});
