/**
 * The SDK's API tests, written once and run under every runtime: `api.node.test.ts` runs them
 * in vitest (Node); `api.deno.test.ts` bundles this file with the SDK and runs it with Deno.
 * Only `node:` built-ins and the SDK are imported, so the file means the same in both.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ConfigError,
  createLogger,
  createMaskingStream,
  EXIT_CODES,
  FetchError,
  KeptnTaskError,
  ManifestError,
  parseTraceparent,
  SecretMasker,
  SecretRegistry,
  task,
  z,
} from "../../sdk/src/index.js";
import { TRACEPARENT, WORKLOAD_CONTEXT } from "../fixtures/keptn-context.js";

export interface ApiCase {
  name: string;
  run: () => void | Promise<void>;
}

const CONTEXT = WORKLOAD_CONTEXT;

/** Log lines captured from a task's logger. */
function capture(): { lines: string[]; write: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line), text: () => lines.join("") };
}

/** `task()` with a private registry and captured logs, no signal handlers. */
function makeTask(env: Record<string, string | undefined>, extra: Record<string, unknown> = {}) {
  const out = capture();
  const secrets = new SecretRegistry();
  const t = task({
    env,
    secrets,
    handleSignals: false,
    logDestination: out,
    onConfigError: "throw",
    ...extra,
  });
  return { t, out, secrets };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a ConfigError, but nothing was thrown");
}

export const cases: ApiCase[] = [
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
  {
    name: "binds app, workload, version, task type and trace id to every log line",
    run() {
      const { t, out } = makeTask({ KEPTN_CONTEXT: JSON.stringify(CONTEXT) });
      t.log.info({ step: 1 }, "hello");
      const line = JSON.parse(out.lines[0] ?? "{}");
      assert.equal(line.msg, "hello");
      assert.equal(line.level, "info");
      assert.equal(line.app, "podtato-head");
      assert.equal(line.workload, "podtato-head-entry");
      assert.equal(line.version, "0.3.1");
      assert.equal(line.taskType, "pre");
      assert.equal(line.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
      assert.equal(line.step, 1);
    },
  },
  {
    name: "masks SECURE_DATA in logs: whole, JSON leaves, lines, JSON-escaped and base64 forms",
    run() {
      const secret = JSON.stringify({ user: "deploy-bot", token: 'tok"en\\1234', pin: 987654 });
      const multiLine = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34\nGkxFhD90vcN\n-----END KEY-----";
      const { t, out, secrets } = makeTask({ SECURE_DATA: secret });
      secrets.register(multiLine);
      const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
      t.log.info({ secureData: t.secureData }, `whole ${secret}`);
      t.log.info({ leaf: "deploy-bot", escaped: 'tok"en\\1234' }, "pin 987654");
      t.log.warn(`b64 ${b64(secret)} leaf64 ${b64("deploy-bot")}`);
      t.log.error(new Error(`key ${multiLine}`), `line GkxFhD90vcN and ${b64(multiLine)}`);
      const text = out.text();
      for (const needle of [
        "deploy-bot",
        'tok\\"en',
        "987654",
        "MIIBOgIBAAJBAKj34",
        "GkxFhD90vcN",
        b64(secret).slice(0, 20),
        b64("deploy-bot").replace(/=+$/, ""),
        b64(multiLine).slice(0, 20),
      ]) {
        assert.ok(!text.includes(needle), `log output contains "${needle}": ${text}`);
      }
      assert.equal(out.lines.length, 4);
      assert.match(text, /\*\*\*/);
    },
  },
  {
    name: "masks a 1 MiB secret without failing and without quoting it anywhere",
    run() {
      const line = "MIIEowIBAAKCAQEA7bq98".padEnd(64, "x");
      const secret = Array.from(
        { length: 16_384 },
        (_, i) => `${line.slice(0, 58)}${String(i).padStart(6, "0")}`,
      ).join("\n");
      const { t, out } = makeTask({ SECURE_DATA: secret });
      t.log.info(`dump ${secret.slice(0, 5000)} and line ${secret.split("\n")[9000]}`);
      const text = out.text();
      assert.ok(!text.includes("009000"), "a line of the secret is visible");
      assert.match(text, /"msg":"dump \*\*\*/);
      assert.ok(text.length < 5000);
    },
  },
  {
    name: "masks the values a secureData schema produces, such as a decoded token",
    run() {
      const { t, out } = makeTask(
        {
          SECURE_DATA: JSON.stringify({
            token: btoa("decoded-super-secret"),
            pw: "  padded-password  ",
          }),
        },
        {
          secureData: z.object({
            token: z.string().transform((v) => atob(v)),
            pw: z.string().trim(),
          }),
        },
      );
      const secure = t.secureData as unknown as { token: string; pw: string };
      assert.equal(secure.token, "decoded-super-secret");
      t.log.info({ token: secure.token, pw: secure.pw }, "using them");
      assert.doesNotMatch(out.text(), /decoded-super-secret|padded-password/);
    },
  },
  {
    name: "masks a secret inside base64 of larger data, as in an HTTP Basic header",
    run() {
      const secrets = new SecretRegistry();
      secrets.register("hunter22secret");
      for (const user of ["bob1", "admin", "ab"]) {
        const header = btoa(`${user}:hunter22secret`);
        const masked = secrets.mask(`Authorization: Basic ${header}`);
        assert.notEqual(masked, `Authorization: Basic ${header}`, `not masked after "${user}:"`);
      }
    },
  },
  {
    name: "masks Python's escaped JSON, form encoding and lines of a JSON leaf",
    run() {
      const secrets = new SecretRegistry();
      secrets.register(
        JSON.stringify({
          pw: "pässwörd!(x)",
          key: "-----BEGIN-----\r\nAAAABBBBCCCC\r\n-----END-----",
        }),
      );
      assert.equal(secrets.mask('{"pw": "p\\u00e4ssw\\u00f6rd!(x)"}'), '{"pw": "***"}');
      assert.equal(secrets.mask("pw=p%C3%A4ssw%C3%B6rd%21%28x%29&a=1"), "pw=***&a=1");
      assert.equal(secrets.mask("  AAAABBBBCCCC"), "  ***");
    },
  },
  {
    name: "masks overlapping secrets as one range, leaving no part of either",
    run() {
      const secrets = new SecretRegistry();
      secrets.register("abcdefgh");
      secrets.register("efghijklmnop");
      assert.equal(secrets.mask("x abcdefghijklmnop y"), "x *** y");
    },
  },
  {
    name: "masks a secret split across two writes to the masking stream, even inside a UTF-8 character",
    async run() {
      const secrets = new SecretRegistry();
      secrets.register("pässwörd-42");
      const bytes = new TextEncoder().encode("before pässwörd-42 after\n");
      const chunks = [bytes.slice(0, 9), bytes.slice(9, 14), bytes.slice(14)];
      const stream = createMaskingStream({ secrets });
      const writer = stream.writable.getWriter();
      const reading = new Response(stream.readable).text();
      for (const chunk of chunks) await writer.write(chunk);
      await writer.close();
      assert.equal(await reading, "before *** after\n");
    },
  },
  {
    name: "holds back only what could be the start of a secret, and releases it at the end",
    run() {
      const secrets = new SecretRegistry();
      secrets.register("abcdef");
      const masker = new SecretMasker(secrets);
      assert.equal(masker.write("xx ab"), "xx ");
      assert.equal(masker.write("cd"), "");
      assert.equal(masker.write("ef yy ab"), "*** yy ");
      assert.equal(masker.end(), "ab");
    },
  },
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
  {
    name: "masks registered secrets in a standalone logger",
    run() {
      const out = capture();
      const secrets = new SecretRegistry();
      secrets.register("zz-top-secret");
      createLogger({ destination: out, secrets, name: "runner" }).info("value zz-top-secret");
      const line = JSON.parse(out.lines[0] ?? "{}");
      assert.equal(line.msg, "value ***");
      assert.equal(line.name, "runner");
    },
  },
  {
    name: "masks a JSON number leaf beyond 2^53 by its exact digits, not JSON.parse's rounding",
    run() {
      const secrets = new SecretRegistry();
      secrets.register('{"account":98765432109876543210,"rate":12.50}');
      assert.equal(secrets.mask("account 98765432109876543210"), "account ***");
      assert.equal(secrets.mask("rate 12.50 or 12.5"), "rate *** or ***");
    },
  },
  {
    name: "registers a SECURE_DATA nested 100,000 levels deep without a stack overflow",
    run() {
      const deep = `${"[".repeat(100_000)}"deep-leaf-secret"${"]".repeat(100_000)}`;
      const { t, out } = makeTask({ SECURE_DATA: deep }, { secureData: z.unknown() });
      t.log.info("leaf deep-leaf-secret");
      assert.match(out.text(), /"msg":"leaf \*\*\*"/);
    },
  },
  {
    name: "masks the forms Python prints: repr with both quotes and control characters, quote() with safe='/'",
    run() {
      const secrets = new SecretRegistry();
      secrets.register(JSON.stringify({ a: `it's"q1`, b: "tab\there\x07", c: "Ab3/xY+9kq==" }));
      // print(repr(value)), print(dict), urllib.parse.quote(value) as Python writes them
      assert.equal(secrets.mask(`'it\\'s"q1'`), "'***'");
      assert.equal(secrets.mask("{'b': 'tab\\there\\x07'}"), "{'b': '***'}");
      assert.equal(secrets.mask("GET /x?c=Ab3/xY%2B9kq%3D%3D"), "GET /x?c=***");
    },
  },
  {
    name: "masks the first 10,000 characters of a long leaf, as console.log prints an object holding it",
    run() {
      const secrets = new SecretRegistry();
      const long = `k${"0123456789abcdef".repeat(700)}`;
      secrets.register(JSON.stringify({ long }));
      for (const quote of ["'", '"']) {
        const printed = `{ long: ${quote}${long.slice(0, 10_000)}${quote}... 1201 more characters }`;
        assert.equal(secrets.mask(printed), "{ long: ***... 1201 more characters }");
      }
    },
  },
  {
    name: "masks the whole value at any length, but no piece or encoding shorter than 4 characters or only white space",
    run() {
      const short = new SecretRegistry();
      short.register("e");
      assert.equal(short.mask("ZZZ eel"), "ZZZ ******l");
      const lines = new SecretRegistry();
      lines.register("line-one\n    \n\t\t\nline-two");
      assert.equal(lines.mask("    indented\n\t\ttabbed line-one"), "    indented\n\t\ttabbed ***");
    },
  },
  {
    name: "keeps a log line valid JSON when a number leaf of the secret is masked in it",
    run() {
      const out = capture();
      const secrets = new SecretRegistry();
      secrets.register(JSON.stringify({ pin: 987654, user: "u-12\\" }));
      const log = createLogger({ destination: out, secrets });
      log.info({ pin: 987654, other: 19876543, user: "u-12\\", quoted: 'u-12"' }, "pin 987654");
      const line = JSON.parse(out.lines[0] ?? "{}");
      assert.equal(line.pin, "***");
      assert.equal(line.other, "***");
      assert.equal(line.user, "***");
      assert.equal(line.msg, "pin ***");
      assert.doesNotMatch(out.text(), /987654|u-12/);
    },
  },
];
