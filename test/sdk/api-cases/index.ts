/**
 * The SDK's API tests, written once and run under every runtime: `api.node.test.ts` runs them
 * in vitest (Node); `api.deno.test.ts` bundles them (through `deno-main.ts`) with the SDK and
 * runs them with Deno. Only `node:` built-ins and the SDK are imported, so the files mean the
 * same in both. The cases are held in modules by concern and combined here in one order.
 */
import { contextCases } from "./context.js";
import { dataCases } from "./data.js";
import type { ApiCase } from "./helpers.js";
import { loggingCases } from "./logging-and-masking.js";
import { maskingLimitCases } from "./masking-limits.js";
import { taskCases } from "./task.js";

export type { ApiCase } from "./helpers.js";
export const cases: ApiCase[] = [
  ...contextCases,
  ...dataCases,
  ...loggingCases,
  ...taskCases,
  ...maskingLimitCases,
];
