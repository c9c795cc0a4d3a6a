// Which task code needs this project's images: imports of @keptn-task/sdk and keptn_task that
// run, not those in comments or erased by TypeScript.
import { describe, expect, it } from "vitest";
import { importsSdk } from "../../sdk/src/definitions/sdk-imports.js";

describe("importsSdk", () => {
  it.each([
    ['import { task } from "@keptn-task/sdk";', "deno", true],
    ['import {\n  task,\n  z,\n} from "@keptn-task/sdk";', "deno", true],
    ['import "@keptn-task/sdk";', "deno", true],
    ['const m = await import("@keptn-task/sdk/testing");', "deno", true],
    ['export { task } from "@keptn-task/sdk";', "deno", true],
    ['const u = "https://x.test/a"; import { run } from "@keptn-task/sdk";', "deno", true],
    ['// import { task } from "@keptn-task/sdk";\nconsole.log(1);', "deno", false],
    ['/* import { task } from "@keptn-task/sdk"; */', "deno", false],
    ['import type { Task } from "@keptn-task/sdk";', "deno", false],
    ["console.log(\"no import of '@keptn-task/sdk' here\");", "deno", false],
    ['export type { Task } from "@keptn-task/sdk";', "deno", false],
    ["import os, keptn_task", "python", true],
    ["import keptn_task as kt", "python", true],
    ["from keptn_task import task", "python", true],
    ["from keptn_task.errors import TaskError", "python", true],
    ["# from keptn_task import task", "python", false],
    ["import keptn_tasks", "python", false],
    ['print("import keptn_task")', "python", false],
  ] as const)("%j (%s): %s", (code, runner, expected) => {
    expect(importsSdk(code, runner)).toBe(expected);
  });
});
