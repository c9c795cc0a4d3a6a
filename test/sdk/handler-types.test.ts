// Items of the author's loop in the SDK: `TaskHandler<typeof options>` types the handler's task
// from the options' schemas, and a string schema of SECURE_DATA takes a plain token as it is.
import { type TaskHandler, z } from "@keptn-task/sdk";
import { runHandler } from "@keptn-task/sdk/testing";
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";

const options = {
  data: z.object({ threshold: z.number().int(), region: z.string().default("eu") }),
  secureData: z.object({ token: z.string() }),
};

describe("TaskHandler<typeof options>", () => {
  it("types t.data and t.secureData from the options' schemas", async () => {
    const handler: TaskHandler<typeof options> = (t) => {
      expectTypeOf(t.data).toEqualTypeOf<{ threshold: number; region: string }>();
      expectTypeOf(t.secureData).toEqualTypeOf<{ token: string }>();
      return `${t.data.region}:${t.data.threshold * 2}`;
    };
    const result = await runHandler(options, handler, {
      data: { threshold: 21 },
      secureData: { token: "tok-123456" },
    });
    expect(result).toMatchObject({ exitCode: 0, reason: "eu:42" });
  });

  it("types options without schemas as Keptn's strings and the raw secret", () => {
    const bare = { logLevel: "debug" } as const;
    const handler: TaskHandler<typeof bare> = (t) => {
      expectTypeOf(t.data).toEqualTypeOf<Readonly<Record<string, string>>>();
      expectTypeOf(t.secureData).toEqualTypeOf<string | undefined>();
    };
    expect(typeof handler).toBe("function");
  });

  it("still takes the data and secret types themselves, as before", () => {
    const handler: TaskHandler<{ window: string }, string | undefined> = (t) => {
      expectTypeOf(t.data).toEqualTypeOf<{ window: string }>();
      expectTypeOf(t.secureData).toEqualTypeOf<string | undefined>();
    };
    expect(typeof handler).toBe("function");
  });
});

describe("secureData with a schema whose input is a string", () => {
  it("takes a plain token as it is with z.string()", async () => {
    const result = await runHandler(
      { secureData: z.string().min(8) },
      (t) => `length ${t.secureData.length}`,
      { secureData: "xoxb-plain-token" },
    );
    expect(result).toMatchObject({ exitCode: 0, reason: "length 16" });
  });

  it("takes a token that happens to be JSON, such as a PIN, as the string it is", async () => {
    const result = await runHandler(
      { secureData: z.string() },
      (t) => (typeof t.secureData === "string" ? "a string" : "not a string"),
      { secureData: "12345678" },
    );
    expect(result).toMatchObject({ exitCode: 0, reason: "a string" });
  });

  it("takes a plain token with another library's string schema (valibot)", async () => {
    const result = await runHandler(
      { secureData: v.pipe(v.string(), v.minLength(4)) },
      (t) => `ok ${t.secureData.length}`,
      { secureData: "plain-token-value" },
    );
    expect(result).toMatchObject({ exitCode: 0, reason: "ok 17" });
  });

  it("still needs JSON for an object schema, and never quotes the secret", async () => {
    const result = await runHandler(
      { secureData: z.object({ token: z.string() }) },
      () => "unreachable",
      { secureData: "not-json-secret" },
    );
    expect(result.exitCode).toBe(78);
    expect(result.reason).toContain("SECURE_DATA");
    expect(result.reason).toContain("is not valid JSON");
    expect(JSON.stringify(result)).not.toContain("not-json-secret");
  });

  it("masks the plain token in the logs", async () => {
    const result = await runHandler(
      { secureData: z.string() },
      (t) => {
        t.log.info(`using ${t.secureData}`);
      },
      { secureData: "xoxb-plain-token" },
    );
    expect(result.logs[0]?.msg).toBe("using ***");
  });
});
