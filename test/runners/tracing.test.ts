// The runner's span of a task run, and the task's spans joining it, as a real OTLP/HTTP receiver
// on 127.0.0.1 gets them (JSON and protobuf, decoded with protobufjs).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRACEPARENT } from "../fixtures/keptn-context.js";
import { runCli } from "../helpers/keptn-task-cli.js";
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from "../helpers/otlp-receiver.js";
import { runnerLogLines, runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-tracing-");
afterAll(() => tmp.cleanup());

const KEPTN_TRACE_ID = TRACEPARENT.split("-")[1];
const KEPTN_SPAN_ID = TRACEPARENT.split("-")[2];

const SPAN_TASK = `import { run } from "@keptn-task/sdk";
await run({}, async (t) => {
  const n = await t.span("load config", async (span) => {
    span.setAttribute("config.items", 3);
    return 3;
  });
  await t.span("check", async () => {
    await t.span("nested step", () => undefined);
  });
  return \`loaded \${n}\`;
});
`;

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const byName = (spans: ReceivedSpan[], name: string) => {
  const span = spans.find((s) => s.name === name);
  expect(span, `span "${name}" in ${spans.map((s) => s.name).join(", ")}`).toBeDefined();
  return span as ReceivedSpan;
};

/** The runner's span: the one whose scope is the runner's. */
const runnerSpan = (spans: ReceivedSpan[]) => {
  const found = spans.filter((s) => s.scope === "@keptn-task/runners");
  expect(found).toHaveLength(1);
  return found[0] as ReceivedSpan;
};

describe.each(["http/protobuf", "http/json"])("the runner with OTLP over %s", (protocol) => {
  it("exports one span per run, a child of Keptn's, with the task's spans under it", async () => {
    const script = tmp.file(`spans-${protocol.replace("/", "-")}.ts`, SPAN_TASK);
    const result = await runRunner("deno", {
      SCRIPT: script,
      HOSTNAME: "pre-check-config-12345-67890-abcde",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=tok3n-for-the-collector",
      OTEL_SERVICE_NAME: "checks",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("loaded 3");
    const contentType = protocol === "http/json" ? "application/json" : "application/x-protobuf";
    for (const request of receiver.requests) {
      expect(request.path).toBe("/v1/traces");
      expect(request.contentType).toBe(contentType);
      expect(request.headers["x-collector-token"]).toBe("tok3n-for-the-collector");
    }
    const spans = receiver.spans();
    const run = runnerSpan(spans);
    // The pod of Job "<task>-<5 digits>": the span is named for the KeptnTask, as Keptn's own.
    expect(run.name).toBe("pre-check-config-12345");
    expect(run.traceId).toBe(KEPTN_TRACE_ID);
    expect(run.parentSpanId).toBe(KEPTN_SPAN_ID);
    expect(run.status.code).toBe(0);
    expect(run.attributes).toMatchObject({
      "keptn.deployment.app.name": "podtato-head",
      "keptn.deployment.workload.name": "podtato-head-entry",
      "keptn.deployment.workload.version": "0.3.1",
      "keptn.deployment.task.type": "pre",
      "keptn.deployment.task.name": "pre-check-config-12345",
      "process.exit.code": 0,
    });
    expect(run.events.map((e) => e.name)).toEqual(["resolve", "start"]);
    expect(run.resource).toMatchObject({
      "service.name": "checks",
      "deployment.environment": "test",
    });

    const load = byName(spans, "load config");
    const check = byName(spans, "check");
    const nested = byName(spans, "nested step");
    expect(load.scope).toBe("@keptn-task/sdk");
    expect(load.attributes["config.items"]).toBe(3);
    for (const span of [load, check, nested]) expect(span.traceId).toBe(KEPTN_TRACE_ID);
    expect(load.parentSpanId).toBe(run.spanId);
    expect(check.parentSpanId).toBe(run.spanId);
    expect(nested.parentSpanId).toBe(check.spanId);
  });
});

describe("the runner's span", () => {
  it("covers a python task, which gets TRACEPARENT naming it", async () => {
    const script = tmp.file(
      "trace.py",
      'import os\nprint("TRACEPARENT=" + os.environ.get("TRACEPARENT", "unset"))\n',
    );
    const result = await runRunner("python", {
      SCRIPT: script,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
    });
    expect(result.code).toBe(0);
    const run = runnerSpan(receiver.spans());
    expect(run.name).toBe("trace.py");
    expect(run.traceId).toBe(KEPTN_TRACE_ID);
    expect(run.parentSpanId).toBe(KEPTN_SPAN_ID);
    expect(run.attributes["keptn.task.runtime"]).toBe("python");
    expect(result.stdout).toBe(`TRACEPARENT=00-${KEPTN_TRACE_ID}-${run.spanId}-01\n`);
  });

  it("records a failure: status ERROR with the masked reason, and the exit code", async () => {
    const secret = "hunter2-very-secret";
    const script = tmp.file(
      "fails.ts",
      `import { run } from "@keptn-task/sdk";
await run({}, async (t) => {
  await t.span("use the secret", async () => {
    throw new Error("rejected ${secret}");
  });
});
`,
    );
    const result = await runRunner("deno", {
      SCRIPT: script,
      SECURE_DATA: secret,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    });
    expect(result.code).toBe(1);
    const spans = receiver.spans();
    const run = runnerSpan(spans);
    expect(run.status.code).toBe(2);
    expect(run.status.message).toBe("Task exited with code 1");
    expect(run.attributes["process.exit.code"]).toBe(1);
    const failed = byName(spans, "use the secret");
    expect(failed.status.code).toBe(2);
    expect(failed.status.message).toBe("rejected ***");
    expect(failed.events.map((e) => e.name)).toContain("exception");
    // Nowhere in what the collector got.
    for (const request of receiver.requests)
      expect(JSON.stringify(request.spans)).not.toContain(secret);
  });

  it("records a task that never started: the fetch failure's reason, with the URL's credentials masked", async () => {
    const result = await runRunner("deno", {
      SCRIPT: "http://user:pa55word-in-url@127.0.0.1:9/task.ts",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    expect(result.code).not.toBe(0);
    const run = runnerSpan(receiver.spans());
    expect(run.status.code).toBe(2);
    expect(run.status.message).toMatch(/^Cannot fetch task code/);
    expect(run.attributes["process.exit.code"]).toBe(result.code);
    expect(JSON.stringify(receiver.spans())).not.toContain("pa55word-in-url");
  });

  it("sends nothing and loads no OpenTelemetry code without an endpoint", async () => {
    const denoDir = join(tmp.dir, "deno-dir-off");
    const script = tmp.file("off.ts", SPAN_TASK);
    const result = await runRunner("deno", {
      SCRIPT: script,
      DENO_DIR: denoDir,
      OTEL_SERVICE_NAME: "checks",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("loaded 3");
    expect(receiver.requests).toEqual([]);
    const analysed = readdirSync(denoDir)
      .filter((name) => name.startsWith("dep_analysis_cache"))
      .map((name) => readFileSync(join(denoDir, name)).toString("latin1"))
      .join("");
    expect(analysed).toContain("/off.ts");
    expect(analysed).not.toContain("tracing.js");
  });

  it("sends nothing with OTEL_TRACES_EXPORTER=none", async () => {
    const result = await runRunner("deno", {
      SCRIPT: tmp.file("none.ts", SPAN_TASK),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_EXPORTER: "none",
    });
    expect(result.code).toBe(0);
    expect(receiver.requests).toEqual([]);
  });

  it("warns in one line naming a bad variable, and runs the task all the same", async () => {
    const result = await runRunner("deno", {
      SCRIPT: tmp.file("bad-otel.ts", 'console.log("ran");\n'),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ran\n");
    const warnings = runnerLogLines(result.stderr).filter((line) => line.level === "warn");
    expect(warnings.map((line) => line.msg)).toEqual([
      `Cannot export the task's span as asked: OTEL_EXPORTER_OTLP_PROTOCOL expected "http/protobuf" or "http/json": using http/protobuf, received "grpc"`,
    ]);
    expect(runnerSpan(receiver.spans()).status.code).toBe(0);
  });
});

describe("a collector that never answers", () => {
  it("keeps the task's exit code, and the run ends within the export timeout, not OTLP's 10 s", async () => {
    const hanging = await startOtlpReceiver({ hang: true });
    try {
      const script = tmp.file(
        "slow-collector.ts",
        SPAN_TASK.replace("return `loaded", 'throw new Error("no");\n  return `loaded'),
      );
      const started = Date.now();
      const result = await runRunner("deno", {
        SCRIPT: script,
        OTEL_EXPORTER_OTLP_ENDPOINT: hanging.endpoint,
      });
      const elapsedMs = Date.now() - started;
      expect(result.code).toBe(1);
      // A behavioural bound with a wide margin: the SDK's and the runner's exports each give
      // up after 1 s (MAX_EXPORT_MS), where OTLP's default would wait 10 s.
      expect(elapsedMs).toBeLessThan(8000);
    } finally {
      await hanging.close();
    }
  });
});

describe("keptn-task run", () => {
  it("passes OTEL_* and TRACEPARENT to the runner: the run's span joins the caller's trace", async () => {
    const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const result = await runCli(["run", "hello", "-f", "examples/hello", "-q"], {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        TRACEPARENT: caller,
      },
    });
    expect(result.code).toBe(0);
    const run = runnerSpan(receiver.spans());
    expect(run.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(run.parentSpanId).toBe("b7ad6b7169203331");
    expect(run.attributes["process.exit.code"]).toBe(0);
  });
});
