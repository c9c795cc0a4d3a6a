// API cases: the deadline, the log level, task.fetch, the task object and the errors' codes.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  EXIT_CODES,
  FetchError,
  KeptnTaskError,
  ManifestError,
  parseTraceparent,
} from "../../../sdk/src/index.js";
import { type ApiCase, CONTEXT, configError, makeTask } from "./helpers.js";

export const taskCases: ApiCase[] = [
  {
    name: "counts down to the deadline and aborts the signal when it has passed",
    run() {
      const future = makeTask({
        KEPTN_TASK_DEADLINE: new Date(Date.now() + 60_000).toISOString(),
      }).t;
      assert.ok(future.remainingMs() > 50_000 && future.remainingMs() <= 60_000);
      assert.equal(future.signal.aborted, false);
      const past = makeTask({ KEPTN_TASK_DEADLINE: String(Date.now() - 1) }).t;
      assert.equal(past.remainingMs(), 0);
      assert.equal(past.signal.aborted, true);
      assert.equal(makeTask({}).t.remainingMs(), Number.POSITIVE_INFINITY);
      const error = configError(() => makeTask({ KEPTN_TASK_DEADLINE: "tomorrow" }));
      assert.equal(error.issues[0]?.source, "KEPTN_TASK_DEADLINE");
    },
  },
  {
    name: "names KEPTN_TASK_LOG_LEVEL, not an option, when the variable holds an unknown level",
    run() {
      const error = configError(() => makeTask({ KEPTN_TASK_LOG_LEVEL: "loud" }));
      assert.equal(error.issues[0]?.source, "KEPTN_TASK_LOG_LEVEL");
      assert.match(error.message, /KEPTN_TASK_LOG_LEVEL: expected one of .*received "loud"/);
    },
  },
  {
    name: "sends a child traceparent with task.fetch and keeps the trace id",
    async run() {
      const seen: (string | undefined)[] = [];
      const server = createServer((req, res) => {
        seen.push(req.headers.traceparent as string | undefined);
        res.end("ok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        const { t } = makeTask({ KEPTN_CONTEXT: JSON.stringify(CONTEXT) });
        assert.equal(await (await t.fetch(url)).text(), "ok");
        await (await t.fetch(url, { headers: { traceparent: "kept" } })).text();
        await (await makeTask({}).t.fetch(url)).text();
        const child = parseTraceparent(seen[0] ?? "");
        assert.equal(child?.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert.notEqual(child?.parentId, "00f067aa0ba902b7");
        assert.equal(child?.flags, "01");
        assert.equal(seen[1], "kept");
        assert.equal(seen[2], undefined);
      } finally {
        server.close();
      }
    },
  },
  {
    name: "rejects task.fetch once the task signal is aborted",
    async run() {
      const past = makeTask({ KEPTN_TASK_DEADLINE: "1" }).t;
      await assert.rejects(
        past.fetch("http://127.0.0.1:9/"),
        (error: Error) => error.name === "TimeoutError",
      );
    },
  },
  {
    name: "returns a frozen task object",
    run() {
      const { t } = makeTask({ KEPTN_CONTEXT: JSON.stringify(CONTEXT) });
      assert.ok(Object.isFrozen(t));
      assert.ok(Object.isFrozen(t.context));
      assert.throws(() => {
        (t as { data: unknown }).data = {};
      }, TypeError);
    },
  },
  {
    name: "gives every error a stable code, an exit code and a cause",
    run() {
      const cause = new Error("root");
      const base = new KeptnTaskError("x", "KEPTN_TASK_ERROR", { cause });
      assert.equal(base.cause, cause);
      assert.equal(base.exitCode, 1);
      assert.equal(
        new ManifestError("bad", { file: "a.yaml", document: 2, field: "spec.deno" }).message,
        "a.yaml:2: spec.deno: bad",
      );
      const fetchError = new FetchError("Cannot fetch", {
        url: "https://h/x",
        attempts: 3,
        status: 503,
      });
      assert.deepEqual(
        [fetchError.code, fetchError.exitCode, fetchError.attempts],
        ["FETCH_FAILED", 69, 3],
      );
      assert.ok(fetchError instanceof KeptnTaskError);
      assert.equal(new Set(Object.values(EXIT_CODES)).size, Object.keys(EXIT_CODES).length);
    },
  },
];
