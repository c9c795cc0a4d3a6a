// Tracing in the images themselves: each image, run as a Job's pod runs it, with the standard
// OTEL_EXPORTER_OTLP_ENDPOINT set (as a derived image or a container task would set it, see
// docs/guide/tracing.md), exports one span for the task run to an OTLP/HTTP receiver on the
// host's loopback: a child of Keptn's span, with the exit code, and the task gets TRACEPARENT
// naming it. Without the variable, nothing is sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { TRACEPARENT } from "../fixtures/keptn-context.js";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.js";
import { runTaskImage } from "../helpers/podman.js";
import { KEPTN_CONTEXT, scratch } from "../helpers/runner.js";

const [, KEPTN_TRACE_ID, KEPTN_SPAN_ID] = TRACEPARENT.split("-");

const RUNTIMES = [
  {
    image: "deno-runtime",
    mountPath: "/var/data/function.ts",
    extension: "ts",
    code: 'console.log("TRACEPARENT=" + (Deno.env.get("TRACEPARENT") ?? "unset"));\nDeno.exit(3);\n',
  },
  {
    image: "python-runtime",
    mountPath: "/var/data/function.py",
    extension: "py",
    code: 'import os, sys\nprint("TRACEPARENT=" + os.environ.get("TRACEPARENT", "unset"))\nsys.exit(3)\n',
  },
] as const;

const tmp = scratch("keptn-task-images-tracing-");
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  tmp.cleanup();
});

describe.each(RUNTIMES)("the $image image with an OTLP endpoint", (runtime) => {
  const run = (env: Record<string, string>) =>
    runTaskImage({
      image: localTags[runtime.image] ?? "",
      network: "host",
      code: {
        file: tmp.file(`${runtime.image}/task.${runtime.extension}`, runtime.code),
        mountPath: runtime.mountPath,
      },
      env: { KEPTN_CONTEXT, CMD_ARGS: "", SCRIPT: runtime.mountPath, ...env },
    });

  it("exports the task run's span, a child of Keptn's, with the exit code; the task gets TRACEPARENT naming it", async () => {
    const before = receiver.spans().length;
    const result = await run({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: `keptn-task-${runtime.image}`,
    });
    expect(result.code).toBe(3);
    const spans = receiver.spans().slice(before);
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span?.traceId).toBe(KEPTN_TRACE_ID);
    expect(span?.parentSpanId).toBe(KEPTN_SPAN_ID);
    expect(span?.attributes["process.exit.code"]).toBe(3);
    expect(span?.status.code).toBe(2);
    expect(span?.resource["service.name"]).toBe(`keptn-task-${runtime.image}`);
    expect(result.stdout).toContain(`TRACEPARENT=00-${KEPTN_TRACE_ID}-${span?.spanId}-01\n`);
  });

  it("sends nothing without an endpoint", async () => {
    const before = receiver.requests.length;
    const result = await run({});
    expect(result.code).toBe(3);
    expect(receiver.requests.length).toBe(before);
    expect(result.stdout).toContain("TRACEPARENT=unset\n");
  });
});
