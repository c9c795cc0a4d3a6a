#!/usr/bin/env node
// `keptn-task validate` of 4,000 objects, as a GitOps repository of a few hundred services holds
// them: 40 files of 100 objects each, per service a Deployment naming its pre- and
// post-deployment tasks, a deno and a python KeptnTaskDefinition with inline code (every line of
// it parsed: esbuild, and one python3 for all), a container definition, a code ConfigMap, a
// Secret, a KeptnAppContext, a KeptnMetric and a KeptnMetricsProvider (checked against Keptn's
// CRD schemas). Prints the median wall time of RUNS runs (default 3) of the command, in a
// process of its own, as CI runs it. The budget: under 5 s on a 2-core machine.
//
//   npm run build && node bench/validate.mjs
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const OBJECTS = 4000;
const PER_SERVICE = 10;
const PER_FILE = 100;
const runs = Number(process.env.RUNS ?? 3);
const cli = fileURLToPath(new URL("../runners/bin/keptn-task.js", import.meta.url));

function service(i) {
  const ns = `team-${i % 20}`;
  return [
    `apiVersion: apps/v1
kind: Deployment
metadata: { name: svc-${i}, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: svc-${i} } }
  template:
    metadata:
      labels: { app: svc-${i}, app.kubernetes.io/name: svc-${i}, app.kubernetes.io/part-of: shop-${i} }
      annotations:
        keptn.sh/pre-deployment-tasks: check-${i},py-check-${i}
        keptn.sh/post-deployment-tasks: notify-${i}
    spec:
      containers: [{ name: svc, image: "registry.example/svc:${i}" }]`,
    `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: check-${i}, namespace: ${ns} }
spec:
  timeout: 2m
  deno:
    parameters: { map: { url: "https://svc-${i}.${ns}.svc/health" } }
    inline:
      code: |
        const { url } = JSON.parse(Deno.env.get("DATA") ?? "{}");
        const response = await fetch(url);
        if (!response.ok) throw new Error(\`health check failed: \${response.status}\`);
        console.log("healthy", ${i});`,
    `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: py-check-${i}, namespace: ${ns} }
spec:
  python:
    cmdParameters: "-u"
    secureParameters: { secret: token-${i} }
    inline:
      code: |
        import json, os
        data = json.loads(os.environ.get("DATA", "{}"))
        if data.get("fail"):
            raise SystemExit(1)
        print("checked", ${i})`,
    `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: notify-${i}, namespace: ${ns} }
spec:
  deno:
    configMapRef: { name: notify-code-${i} }`,
    `apiVersion: v1
kind: ConfigMap
metadata: { name: notify-code-${i}, namespace: ${ns} }
data:
  code: |
    console.log("notify ${i}", Deno.env.get("KEPTN_CONTEXT"));`,
    `apiVersion: v1
kind: Secret
metadata: { name: token-${i}, namespace: ${ns} }
stringData: { SECURE_DATA: '{"token":"t-${i}"}' }`,
    `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: container-${i}, namespace: ${ns} }
spec:
  container:
    name: task
    image: busybox:1.36
    command: [sh, -c, "echo ${i}"]`,
    `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnAppContext
metadata: { name: shop-${i}, namespace: ${ns} }
spec:
  preDeploymentTasks: [check-${i}]
  postDeploymentTasks: [notify-${i}]`,
    `apiVersion: metrics.keptn.sh/v1
kind: KeptnMetricsProvider
metadata: { name: prom-${i}, namespace: ${ns} }
spec: { type: prometheus, targetServer: "http://prometheus:9090" }`,
    `apiVersion: metrics.keptn.sh/v1
kind: KeptnMetric
metadata: { name: rate-${i}, namespace: ${ns} }
spec:
  provider: { name: prom-${i} }
  query: rate(http_requests_total{service="svc-${i}"}[1m])
  fetchIntervalSeconds: 10`,
  ];
}

const dir = mkdtempSync(join(tmpdir(), "keptn-task-bench-validate-"));
try {
  const objects = [];
  for (let i = 0; objects.length < OBJECTS; i++) objects.push(...service(i).slice(0, PER_SERVICE));
  for (let file = 0; file * PER_FILE < OBJECTS; file++) {
    const chunk = objects.slice(file * PER_FILE, (file + 1) * PER_FILE);
    writeFileSync(
      join(dir, `services-${String(file).padStart(2, "0")}.yaml`),
      chunk.join("\n---\n"),
    );
  }
  const times = [];
  const cpu = [];
  let summary = "";
  // GNU time gives the CPU time of the command and its children (python3), which the load of a
  // shared machine does not change as much as the wall time.
  const timed = existsSync("/usr/bin/time");
  for (let run = 0; run < runs; run++) {
    const command = [process.execPath, cli, "validate", "--images", "keptn-task", dir];
    const start = process.hrtime.bigint();
    const result = timed
      ? spawnSync("/usr/bin/time", ["-f", "cpu %U %S", ...command], {
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
        })
      : spawnSync(command[0], command.slice(1), { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const lines = result.stderr.trim().split("\n");
    const [, user = "0", system = "0"] = /^cpu (\S+) (\S+)$/.exec(lines.at(-1) ?? "") ?? [];
    if (timed) cpu.push((Number(user) + Number(system)) * 1000);
    summary = (timed ? lines.at(-2) : lines.at(-1)) ?? "";
    if (result.status !== 0) {
      console.error(result.stdout.split("\n").slice(0, 5).join("\n"));
      throw new Error(`validate failed (exit ${result.status}): ${summary}`);
    }
  }
  const middle = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const median = middle(times);
  console.log(summary);
  // The machine's load says how much of the time was this command's: it is shared.
  const load = loadavg()[0]?.toFixed(1);
  console.log(
    `validate of ${OBJECTS} objects in ${OBJECTS / PER_FILE} files: ${(median / 1000).toFixed(2)} s (median of ${runs}; budget 5 s; load average ${load} on ${cpus().length} cores)`,
  );
  if (cpu.length > 0) console.log(`CPU time: ${(middle(cpu) / 1000).toFixed(2)} s (user + system)`);
} finally {
  if (process.env.KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
}
