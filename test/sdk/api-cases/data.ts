// API cases: DATA and SECURE_DATA, their schemas and their errors.
import assert from "node:assert/strict";
import { z } from "../../../sdk/src/index.js";
import { type ApiCase, CONTEXT, configError, makeTask } from "./helpers.js";

export const dataCases: ApiCase[] = [
  {
    name: "reads DATA as a frozen string map, and as {} when Keptn omits it",
    run() {
      const { t } = makeTask({ DATA: JSON.stringify({ url: "http://x", retries: "3" }) });
      assert.deepEqual({ ...t.data }, { url: "http://x", retries: "3" });
      assert.ok(Object.isFrozen(t.data));
      assert.deepEqual({ ...makeTask({}).t.data }, {});
    },
  },
  {
    name: "fails with a clear error when DATA is not JSON",
    run() {
      const error = configError(() => makeTask({ DATA: "url=http://x" }));
      assert.equal(error.issues[0]?.source, "DATA");
      assert.match(error.issues[0]?.message ?? "", /^is not valid JSON/);
    },
  },
  {
    name: "fails with a clear error when DATA is not a JSON object",
    run() {
      for (const [raw, kind] of [
        ["[1,2]", "an array"],
        ["null", "null"],
        ['"x"', "a string"],
      ]) {
        const error = configError(() => makeTask({ DATA: raw }));
        assert.equal(
          error.issues[0]?.message,
          `expected a JSON object of string values (parameters.map), received ${kind}`,
        );
      }
    },
  },
  {
    name: "names every nested map and non-string value in DATA",
    run() {
      const error = configError(() =>
        makeTask({ DATA: JSON.stringify({ ok: "x", nested: { a: "b" }, port: 8080, on: true }) }),
      );
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        ["nested", "port", "on"],
      );
      assert.match(error.issues[0]?.message ?? "", /nested maps are not supported by Keptn/);
      assert.match(error.issues[1]?.message ?? "", /expected a string, received a number/);
    },
  },
  {
    name: "coerces DATA strings to numbers and booleans where the schema wants them",
    run() {
      const { t } = makeTask(
        {
          DATA: JSON.stringify({
            url: "http://127.0.0.1",
            port: "8080",
            ratio: "0.5",
            dryRun: "TRUE",
          }),
        },
        {
          data: z.object({
            url: z.string(),
            port: z.number().int(),
            ratio: z.number().optional(),
            dryRun: z.boolean().default(false),
            retries: z.number().default(3),
          }),
        },
      );
      assert.deepEqual(t.data, {
        url: "http://127.0.0.1",
        port: 8080,
        ratio: 0.5,
        dryRun: true,
        retries: 3,
      });
    },
  },
  {
    name: "fails naming each DATA field that does not match its schema",
    run() {
      const error = configError(() =>
        makeTask(
          { DATA: JSON.stringify({ port: "eighty", dryRun: "maybe" }) },
          { data: z.object({ port: z.number(), dryRun: z.boolean(), url: z.string() }) },
        ),
      );
      assert.deepEqual(
        error.issues.map((issue) => `${issue.source}.${issue.path}`),
        ["DATA.port", "DATA.dryRun", "DATA.url"],
      );
    },
  },
  {
    name: "lists every invalid field of KEPTN_CONTEXT, DATA and SECURE_DATA in one error",
    run() {
      const error = configError(() =>
        makeTask(
          {
            KEPTN_CONTEXT: JSON.stringify({ ...CONTEXT, taskType: "x", objectType: "y" }),
            DATA: JSON.stringify({ n: 1 }),
            SECURE_DATA: JSON.stringify({ token: 12345678 }),
          },
          { secureData: z.object({ token: z.string() }) },
        ),
      );
      assert.deepEqual(
        error.issues.map((issue) => `${issue.source}.${issue.path}`),
        ["KEPTN_CONTEXT.taskType", "KEPTN_CONTEXT.objectType", "DATA.n", "SECURE_DATA.token"],
      );
    },
  },
  {
    name: "returns SECURE_DATA raw without a schema and parsed with one",
    run() {
      assert.equal(makeTask({ SECURE_DATA: "foo" }).t.secureData, "foo");
      assert.equal(makeTask({}).t.secureData, undefined);
      const { t } = makeTask(
        { SECURE_DATA: '{"user":"bot","token":"tok-123456"}' },
        { secureData: z.object({ user: z.string(), token: z.string() }) },
      );
      assert.deepEqual(t.secureData, { user: "bot", token: "tok-123456" });
    },
  },
  {
    name: "never echoes SECURE_DATA in errors when it is not JSON or fails its schema",
    run() {
      const secret = '{"token": hunter2-very-secret}';
      const notJson = configError(() =>
        makeTask({ SECURE_DATA: secret }, { secureData: z.object({}) }),
      );
      assert.equal(notJson.issues[0]?.source, "SECURE_DATA");
      assert.doesNotMatch(notJson.message, /hunter2/);
      assert.equal(notJson.cause, undefined);
      const wrong = configError(() =>
        makeTask(
          { SECURE_DATA: '{"token":"hunter2-very-secret","mode":"hunter2-mode"}' },
          { secureData: z.object({ token: z.number(), mode: z.enum(["a", "b"]) }) },
        ),
      );
      assert.deepEqual(
        wrong.issues.map((issue) => issue.path),
        ["token", "mode"],
      );
      assert.doesNotMatch(JSON.stringify(wrong.issues) + wrong.message, /hunter2/);
    },
  },
  {
    name: "fails when a SECURE_DATA schema is given but no secret is set",
    run() {
      const error = configError(() =>
        makeTask({}, { secureData: z.object({ token: z.string() }) }),
      );
      assert.match(
        error.message,
        /SECURE_DATA: is not set: name a Secret with the key SECURE_DATA/,
      );
      assert.equal(makeTask({}, { secureData: z.string().optional() }).t.secureData, undefined);
    },
  },
];
