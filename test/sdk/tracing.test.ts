// t.span and t.fetch's trace context without the runner: task code run as real Node and Deno
// processes, its spans joining Keptn's span from KEPTN_CONTEXT, sent to a real OTLP receiver.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DENO_PERMISSIONS } from "../../sdk/src/contract/index.js";
import { parseTraceparent, SecretRegistry, task } from "../../sdk/src/index.js";
import { TRACEPARENT, WORKLOAD_CONTEXT } from "../fixtures/keptn-context.js";
import { DENO, ROOT, SDK_BUNDLE } from "../helpers/deno.js";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.js";
import { runProcess } from "../helpers/run-process.js";

const dir = mkdtempSync(join(tmpdir(), "keptn-sdk-tracing-"));
const importMap = join(dir, "import-map.json");
writeFileSync(importMap, JSON.stringify({ imports: { "@keptn-task/sdk": SDK_BUNDLE } }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const [, KEPTN_TRACE_ID, KEPTN_SPAN_ID] = TRACEPARENT.split("-");

const fixture = `${ROOT}test/fixtures/sdk/span-fetch.mjs`;

const runtimes = {
  node: (url: string) => ({ command: process.execPath, args: [fixture, url] }),
  // The runner images' default permissions for a Deno task.
  deno: (url: string) => ({
    command: DENO,
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      `--import-map=${importMap}`,
      ...DEFAULT_DENO_PERMISSIONS,
      fixture,
      url,
    ],
  }),
};

let receiver: OtlpReceiver;
let service: { url: string; traceparents: Map<string, string>; close(): Promise<void> };
beforeEach(async () => {
  receiver = await startOtlpReceiver();
  service = await startTraceEcho();
});
afterEach(async () => {
  await receiver.close();
  await service.close();
});

describe.each(Object.entries(runtimes))("t.span under %s, without the runner", (_name, make) => {
  it("joins Keptn's span and sends the current span on t.fetch", async () => {
    const { command, args } = make(service.url);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      env: {
        KEPTN_CONTEXT: JSON.stringify(WORKLOAD_CONTEXT),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=s3cr3t-collector-token",
      },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [span, ...others] = receiver.spans();
    expect(others).toEqual([]);
    expect(span).toMatchObject({
      name: "call the service",
      traceId: KEPTN_TRACE_ID,
      parentSpanId: KEPTN_SPAN_ID,
      scope: "@keptn-task/sdk",
      resource: { "service.name": "keptn-task" },
    });
    expect(service.traceparents.get("/inside")).toBe(`00-${KEPTN_TRACE_ID}-${span?.spanId}-01`);
    // Outside any span: a child of Keptn's, as before.
    expect(service.traceparents.get("/outside")).toMatch(
      new RegExp(`^00-${KEPTN_TRACE_ID}-(?!${KEPTN_SPAN_ID})[0-9a-f]{16}-01$`),
    );
    // The collector's credentials are a secret like any other.
    expect(result.stdout).toContain('"msg":"token is ***"');
  });

  it("warns in one line naming a bad variable and runs the task all the same", async () => {
    const { command, args } = make(service.url);
    const result = await runProcess(command, args, {
      cwd: ROOT,
      env: {
        KEPTN_CONTEXT: JSON.stringify(WORKLOAD_CONTEXT),
        OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
      },
    });
    expect(result.code).toBe(0);
    const warnings = result.stdout.split("\n").filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      "Cannot export spans as asked: OTEL_EXPORTER_OTLP_ENDPOINT is not an http(s) URL",
    );
    expect(receiver.requests).toEqual([]);
  });
});

describe("t.span on Keptn's own deno image's permissions", () => {
  it("runs its function and exports nothing: the OTEL_* variables cannot be read", async () => {
    const result = await runProcess(
      DENO,
      [
        "run",
        "--no-prompt",
        "--no-config",
        `--import-map=${importMap}`,
        "--allow-net",
        "--allow-read",
        "--allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT",
        fixture,
        service.url,
      ],
      {
        cwd: ROOT,
        env: {
          KEPTN_CONTEXT: JSON.stringify(WORKLOAD_CONTEXT),
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        },
      },
    );
    expect(result.code).toBe(0);
    expect(receiver.requests).toEqual([]);
    expect(service.traceparents.get("/inside")).toMatch(new RegExp(`^00-${KEPTN_TRACE_ID}-`));
  });
});

describe("t.span without an endpoint", () => {
  const quiet = { write: () => undefined };
  const make = (env: Record<string, string>) =>
    task({
      env: { KEPTN_CONTEXT: JSON.stringify(WORKLOAD_CONTEXT), ...env },
      handleSignals: false,
      logDestination: quiet,
      secrets: new SecretRegistry(),
    });

  it("runs its function and returns its result, or throws what it throws", async () => {
    const t = make({});
    expect(await t.span("sync", () => 41 + 1)).toBe(42);
    expect(
      await t.span("async", async (span) => {
        span.setAttribute("k", "v");
        span.addEvent("e");
        return "ok";
      }),
    ).toBe("ok");
    await expect(t.span("fails", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });

  it("sends a child of the runner's span (TRACEPARENT) on t.fetch, not of Keptn's", async () => {
    const runner = "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01";
    const t = make({ TRACEPARENT: runner });
    await (await t.fetch(`${service.url}/child`)).text();
    const sent = parseTraceparent(service.traceparents.get("/child") ?? "");
    expect(sent?.traceId).toBe(KEPTN_TRACE_ID);
    expect(sent?.parentId).not.toBe("1111111111111111");
    expect(sent?.parentId).not.toBe(KEPTN_SPAN_ID);
  });
});

/** A loopback service recording the traceparent of each request, by path. */
async function startTraceEcho() {
  const traceparents = new Map<string, string>();
  const server = createServer((req, res) => {
    traceparents.set(req.url ?? "", String(req.headers.traceparent ?? ""));
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    traceparents,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
