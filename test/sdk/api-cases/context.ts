// API cases: KEPTN_CONTEXT, its fields, its trace context and its errors.
import assert from "node:assert/strict";
import { parseTraceparent } from "../../../sdk/src/index.js";
import { TRACEPARENT } from "../../fixtures/keptn-context.js";
import { type ApiCase, CONTEXT, configError, makeTask } from "./helpers.js";

export const contextCases: ApiCase[] = [
  {
    name: "parses KEPTN_CONTEXT into typed fields with its trace context",
    run() {
      const { t } = makeTask({ KEPTN_CONTEXT: JSON.stringify(CONTEXT) });
      assert.equal(t.context.provided, true);
      assert.equal(t.context.workloadName, "podtato-head-entry");
      assert.equal(t.context.workloadVersion, "0.3.1");
      assert.equal(t.context.taskType, "pre");
      assert.equal(t.context.objectType, "Workload");
      assert.equal(t.context.metadata.commitID, "a1b2c3");
      assert.deepEqual(
        { ...t.context.trace },
        {
          version: "00",
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          parentId: "00f067aa0ba902b7",
          flags: "01",
          sampled: true,
          traceparent: TRACEPARENT,
        },
      );
    },
  },
  {
    name: "keeps unknown KEPTN_CONTEXT keys and defaults missing string keys to empty",
    run() {
      const { t } = makeTask({
        KEPTN_CONTEXT: JSON.stringify({
          taskType: "post",
          objectType: "App",
          appName: "a",
          future: 42,
        }),
      });
      assert.equal((t.context as Record<string, unknown>).future, 42);
      assert.equal(t.context.workloadName, "");
      assert.equal(t.context.appVersion, "");
      assert.deepEqual({ ...t.context.metadata }, {});
      assert.equal(t.context.trace, undefined);
    },
  },
  {
    name: "finds traceparent at the top level as Keptn's docs show it",
    run() {
      const { t } = makeTask({
        KEPTN_CONTEXT: JSON.stringify({
          taskType: "promotion",
          objectType: "App",
          traceparent: TRACEPARENT,
        }),
      });
      assert.equal(t.context.trace?.parentId, "00f067aa0ba902b7");
    },
  },
  {
    name: "ignores an invalid traceparent instead of failing the task",
    run() {
      for (const bad of [
        "garbage",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      ]) {
        assert.equal(parseTraceparent(bad), undefined, bad);
      }
      assert.equal(
        parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-x")?.sampled,
        false,
      );
      const { t } = makeTask({
        KEPTN_CONTEXT: JSON.stringify({ ...CONTEXT, metadata: { traceparent: "nope" } }),
      });
      assert.equal(t.context.trace, undefined);
    },
  },
  {
    name: "gives an empty context flagged as not provided when KEPTN_CONTEXT is missing",
    run() {
      const { t } = makeTask({});
      assert.equal(t.context.provided, false);
      assert.equal(t.context.taskType, "");
      assert.equal(t.context.workloadName, "");
      assert.equal(t.context.trace, undefined);
    },
  },
  {
    name: "fails with a ConfigError naming KEPTN_CONTEXT when it is not JSON",
    run() {
      const error = configError(() => makeTask({ KEPTN_CONTEXT: "{not json" }));
      assert.equal(error.code, "CONFIG_INVALID");
      assert.equal(error.exitCode, 78);
      assert.equal(error.issues[0]?.source, "KEPTN_CONTEXT");
      assert.match(error.message, /^Invalid task environment: KEPTN_CONTEXT: is not valid JSON/);
    },
  },
  {
    name: "accepts the empty taskType and objectType of a hand-made KeptnTask",
    run() {
      const { t } = makeTask({
        KEPTN_CONTEXT: JSON.stringify({ workloadName: "vm", taskType: "", objectType: "" }),
      });
      assert.equal(t.context.provided, true);
      assert.equal(t.context.taskType, "");
      assert.equal(t.context.objectType, "");
    },
  },
  {
    name: "fails with a ConfigError naming taskType when it is not pre, post or promotion",
    run() {
      const error = configError(() =>
        makeTask({ KEPTN_CONTEXT: JSON.stringify({ ...CONTEXT, taskType: "during" }) }),
      );
      assert.deepEqual(error.issues, [
        {
          source: "KEPTN_CONTEXT",
          path: "taskType",
          message: 'expected "pre", "post" or "promotion" ("" for a hand-made KeptnTask)',
        },
      ]);
    },
  },
  {
    name: "says what type was expected when a KEPTN_CONTEXT key has the wrong type",
    run() {
      const error = configError(() =>
        makeTask({
          KEPTN_CONTEXT: JSON.stringify({ ...CONTEXT, workloadName: 5, metadata: { a: 1 } }),
        }),
      );
      assert.deepEqual(error.issues, [
        {
          source: "KEPTN_CONTEXT",
          path: "workloadName",
          message: "Invalid input: expected string, received number",
        },
        {
          source: "KEPTN_CONTEXT",
          path: "metadata.a",
          message: "Invalid input: expected string, received number",
        },
      ]);
    },
  },
  {
    name: "explains that Keptn sends App, not Application, as objectType",
    run() {
      const error = configError(() =>
        makeTask({ KEPTN_CONTEXT: JSON.stringify({ ...CONTEXT, objectType: "Application" }) }),
      );
      assert.equal(error.issues[0]?.path, "objectType");
      assert.match(error.message, /Keptn sends "App" for applications, not "Application"/);
    },
  },
];
