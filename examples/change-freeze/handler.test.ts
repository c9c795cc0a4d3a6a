// Unit tests of the change-freeze handler with @keptn-task/sdk/testing: each runs the handler
// with an environment and checks how the task would end, without starting a process. They run
// in the project's test suite (vitest), as they would in yours.
import { runHandler } from "@keptn-task/sdk/testing";
import { describe, expect, it } from "vitest";
import { HELD, handler, options } from "./handler.js";

const inAWeek = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
const lastWeek = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
const cart = { workloadName: "cart", workloadVersion: "1.4.2" };

describe("change-freeze", () => {
  it("holds a workload during the freeze, with exit code 2 and the reason", async () => {
    const result = await runHandler(options, handler, {
      data: { freezeUntil: inAWeek, reason: "year-end freeze" },
      context: cart,
    });
    expect(result.exitCode).toBe(HELD);
    expect(result.reason).toBe(`cart 1.4.2 is held by the year-end freeze until ${inAWeek}`);
  });

  it("lets an exempt workload deploy, with a warning", async () => {
    const result = await runHandler(options, handler, {
      data: { freezeUntil: inAWeek, exempt: "payments, cart" },
      context: cart,
    });
    expect(result.exitCode).toBe(0);
    expect(result.logs.map((line) => line.level)).toEqual(["warn", "info"]);
  });

  it("lets everything deploy once the freeze is over, or without one", async () => {
    for (const data of [{ freezeUntil: lastWeek }, {}]) {
      const result = await runHandler(options, handler, { data, context: cart });
      expect([result.exitCode, result.reason]).toEqual([
        0,
        "No change freeze: cart 1.4.2 may deploy",
      ]);
    }
  });

  it("holds nothing after a deployment", async () => {
    const result = await runHandler(options, handler, {
      data: { freezeUntil: inAWeek },
      context: { ...cart, taskType: "post" },
    });
    expect(result.reason).toBe("Not a pre-deployment task (post): nothing to hold");
  });

  it("refuses a freezeUntil that is not a date: exit 78, the value quoted", async () => {
    const result = await runHandler(options, handler, { data: { freezeUntil: "next friday" } });
    expect(result.exitCode).toBe(78);
    expect(result.reason).toBe(
      'Invalid task environment: DATA.freezeUntil: Invalid ISO datetime, received "next friday"',
    );
  });
});
