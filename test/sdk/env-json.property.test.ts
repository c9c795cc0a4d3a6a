import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { isPlainContext } from "../../sdk/src/contract/index.js";
import { keptnContextSchema } from "../../sdk/src/index.js";
import { WORKLOAD_CONTEXT } from "../fixtures/keptn-context.js";

// The runner decides from isPlainContext whether to load zod at all: it must never vouch for a
// context the schema rejects (or a warning would be lost), and it must vouch for the contexts
// the operator writes (or the fast path is never taken).

/** Values a context field may hold in JSON, valid and not. */
const anyValue = fc.oneof(
  fc.constantFrom("pre", "post", "promotion", "", "App", "Workload", "Application", "PRE"),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  fc.dictionary(
    fc.string({ maxLength: 6 }),
    fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)),
    { maxKeys: 3 },
  ),
);
/** Mostly values the schema accepts, so the checks deep inside are reached too. */
const valid: Record<string, fc.Arbitrary<unknown>> = {
  workloadName: fc.string({ maxLength: 8 }),
  appName: fc.string({ maxLength: 8 }),
  appVersion: fc.string({ maxLength: 8 }),
  workloadVersion: fc.string({ maxLength: 8 }),
  taskType: fc.constantFrom("pre", "post", "promotion", ""),
  objectType: fc.constantFrom("App", "Workload", ""),
  metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), {
    maxKeys: 3,
  }),
  traceparent: fc.string({ maxLength: 8 }),
  extra: anyValue,
};
const contextArb = fc.record(
  Object.fromEntries(
    Object.entries(valid).map(([key, arb]) => [
      key,
      fc.oneof({ arbitrary: arb, weight: 6 }, { arbitrary: anyValue, weight: 1 }),
    ]),
  ),
  { requiredKeys: ["taskType", "objectType"] },
);

describe("isPlainContext", () => {
  it("never vouches for a context that keptnContextSchema rejects", () => {
    fc.assert(
      fc.property(contextArb, (context) => {
        const value = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
        if (isPlainContext(value))
          expect(z.safeParse(keptnContextSchema, value).success).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("vouches for every context the operator writes, so the runner loads no schema", () => {
    expect(isPlainContext(JSON.parse(JSON.stringify(WORKLOAD_CONTEXT)))).toBe(true);
    for (const objectType of ["App", "Workload"])
      for (const taskType of ["pre", "post", "promotion"])
        expect(
          isPlainContext({ ...WORKLOAD_CONTEXT, objectType, taskType, metadata: { a: "b" } }),
        ).toBe(true);
  });
});
