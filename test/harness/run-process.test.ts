// The helper every process test goes through: a child that exits before it reads its input
// must not fail the whole run with an unhandled EPIPE (a run on main once passed 1,200 of 1,200
// tests and still ended "1 failed" that way).
import { describe, expect, it } from "vitest";
import { runProcess } from "../helpers/run-process.js";

describe("runProcess", () => {
  it("gives the exit code of a child that exits without reading its input", async () => {
    // Far more than a pipe holds (64 KiB), so the write is still going when the child is gone.
    const input = "x".repeat(8 * 1024 * 1024);
    const result = await runProcess("sh", ["-c", "exit 3"], { input });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
  });

  it("still passes input to a child that reads it", async () => {
    const result = await runProcess("sh", ["-c", "cat"], { input: "piped\n" });
    expect(result.stdout).toBe("piped\n");
    expect(result.code).toBe(0);
  });
});
