import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registerSecret, writeTerminationLog } from "../../sdk/src/index.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-task-termination-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeTerminationLog", () => {
  it("masks registered secrets in the message Kubernetes shows in the pod's status", () => {
    const path = join(dir, "masked");
    writeFileSync(path, "");
    registerSecret("t3rm-l0g-secret");
    expect(writeTerminationLog("Login with t3rm-l0g-secret failed", path)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("Login with *** failed");
  });

  it("cuts a long message to 4096 bytes without splitting a character", () => {
    const path = join(dir, "long");
    writeFileSync(path, "");
    writeTerminationLog(`${"x".repeat(4095)}é and more`, path);
    expect(readFileSync(path, "utf8")).toBe("x".repeat(4095));
  });

  it("creates nothing where the file does not exist, as on a laptop", () => {
    expect(writeTerminationLog("reason", join(dir, "absent"))).toBe(false);
  });
});
