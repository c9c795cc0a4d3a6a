// Tracing from the packed packages, installed into empty projects outside the repository: the
// runner's bundles carry the OpenTelemetry SDK, and the SDK under Node uses it only when its
// optional peers are installed next to it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TRACEPARENT, WORKLOAD_CONTEXT } from "../fixtures/keptn-context.js";
import { ROOT } from "../helpers/deno.js";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.js";
import {
  installedOnce,
  installedPackages,
  pathOutsideRepository,
  removeAll,
  writeFiles,
} from "../helpers/packages.js";
import { runProcess } from "../helpers/run-process.js";

const TASK = `import { run } from "@keptn-task/sdk";
await run({}, async (t) => {
  const n = await t.span("count", () => 2);
  return \`counted \${n}\`;
});
`;

/** The SDK's optional peers for span export under Node, at the versions it was built with. */
function otelPeers(): string[] {
  const sdk = JSON.parse(readFileSync(join(ROOT, "sdk/package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  return Object.keys(sdk.peerDependencies)
    .filter((name) => name.startsWith("@opentelemetry/"))
    .map((name) => `${name}@${sdk.devDependencies[name]}`);
}

let tool: string;
let sdkOnly: string;
let traced: string;
let receiver: OtlpReceiver;

beforeAll(async () => {
  tool = await installedOnce("tool", (packed) => [packed.sdk, packed.runners]);
  sdkOnly = await installedOnce("sdk", (packed) => [packed.sdk]);
  traced = await installedOnce("traced", (packed) => [packed.sdk, ...otelPeers()]);
  for (const project of [tool, sdkOnly, traced]) writeFiles(project, { "task.mjs": TASK });
}, 300_000);
afterAll(() => removeAll(tool, sdkOnly, traced));
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const nodeTask = (project: string) =>
  runProcess(process.execPath, ["task.mjs"], {
    cwd: project,
    env: {
      PATH: pathOutsideRepository(),
      KEPTN_CONTEXT: JSON.stringify(WORKLOAD_CONTEXT),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      KEPTN_TASK_TERMINATION_LOG: join(project, "termination-log"),
    },
  });

describe("the SDK installed alone", () => {
  it("does not install the OpenTelemetry SDK", () => {
    expect(installedPackages(sdkOnly).filter((name) => name.startsWith("@opentelemetry/"))).toEqual(
      [],
    );
  });

  it("runs t.span without export, warning once what to install", async () => {
    const result = await nodeTask(sdkOnly);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"msg":"counted 2"');
    const warnings = result.stdout.split("\n").filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("install the SDK's optional peers @opentelemetry/api");
    expect(receiver.requests).toEqual([]);
  });
});

describe("the SDK installed with its OpenTelemetry peers", () => {
  it("exports t.span's spans, children of Keptn's", async () => {
    const result = await nodeTask(traced);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(receiver.spans()).toMatchObject([
      {
        name: "count",
        traceId: TRACEPARENT.split("-")[1],
        parentSpanId: TRACEPARENT.split("-")[2],
      },
    ]);
  });
});

describe("the keptn-task command installed from packed tarballs", () => {
  it("exports the run's span and the task's from the bundles it ships", async () => {
    writeFiles(tool, {
      "defs.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: count
spec:
  deno:
    inline:
      code: |
${TASK.split("\n")
  .map((line) => `        ${line}`)
  .join("\n")}
`,
    });
    const result = await runProcess(
      process.execPath,
      [join(tool, "node_modules/.bin/keptn-task"), "run", "count", "-f", "defs.yaml", "-q"],
      {
        cwd: tool,
        env: {
          PATH: pathOutsideRepository(),
          TMPDIR: tool,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        },
        timeoutMs: 120_000,
      },
    );
    expect(result.code).toBe(0);
    const spans = receiver.spans();
    const run = spans.find((span) => span.scope === "@keptn-task/runners");
    const count = spans.find((span) => span.name === "count");
    expect(count?.parentSpanId).toBe(run?.spanId);
    expect(count?.traceId).toBe(run?.traceId);
  });
});
