#!/usr/bin/env node
// Masking throughput and memory: 2 MiB of output through the streaming masker (in 64 KiB
// writes, as a pipe delivers them), for ordinary log output and for the worst case, output that
// is one unbroken run of overlapping matches (SECURE_DATA=aaaa and a run of "a"). Each case runs
// in a fresh Node process, so its peak memory (VmHWM) is its own; a first pass over 256 KiB warms
// the JIT up.
//
//   npm run bench:masking       (RUNS=5 by default: median of 5 runs per case)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const SIZE = 2 * 1024 * 1024;
const CHUNK = 64 * 1024;
const runs = Number(process.env.RUNS ?? 5);

if (process.argv[2] === "case") {
  const { SecretMasker, SecretRegistry } = await import("@keptn-task/sdk");
  const kind = process.argv[3];
  const secrets = new SecretRegistry();
  secrets.register("aaaa");
  secrets.register('{"token":"hunter2-s3cr3t","pin":987654}');
  const line =
    '{"level":"info","time":"2025-01-01T00:00:00.000Z","app":"podtato-head","msg":"probe ok 200"}\n';
  const text =
    kind === "overlapping" ? "a".repeat(SIZE) : line.repeat(SIZE / line.length + 1).slice(0, SIZE);
  // A first pass over 256 KiB warms the JIT up, as a long-running runner is.
  const warm = new SecretMasker(secrets);
  for (let at = 0; at < SIZE / 8; at += CHUNK) warm.write(text.slice(at, at + CHUNK));
  warm.end();
  const masker = new SecretMasker(secrets);
  let held = 0;
  let written = 0;
  const started = performance.now();
  for (let at = 0; at < text.length; at += CHUNK) {
    written += masker.write(text.slice(at, at + CHUNK)).length;
    held = Math.max(held, masker.held);
  }
  written += masker.end().length;
  const ms = performance.now() - started;
  const status = readFileSync("/proc/self/status", "utf8");
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  console.log(JSON.stringify({ ms, hwm, held, written }));
  process.exit(0);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
for (const kind of ["ordinary", "overlapping"]) results[kind] = [];
for (let run = 0; run < runs; run++) {
  for (const kind of Object.keys(results)) {
    const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, "case", kind], {
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`bench case ${kind} failed: ${child.stderr}`);
    results[kind].push(JSON.parse(child.stdout));
  }
}
const mib = SIZE / 1024 / 1024;
console.log(
  `| output (${mib} MiB, 64 KiB writes) | throughput | peak memory (VmHWM) | held back at most |`,
);
console.log("| --- | --- | --- | --- |");
for (const [kind, list] of Object.entries(results)) {
  const ms = median(list.map((r) => r.ms));
  const label =
    kind === "ordinary"
      ? "ordinary log lines"
      : 'one run of "a", SECURE_DATA=aaaa (overlapping matches)';
  console.log(
    `| ${label} | ${(mib / (ms / 1000)).toFixed(0)} MB/s (${ms.toFixed(1)} ms) | ${median(list.map((r) => r.hwm)).toFixed(1)} MiB | ${Math.max(...list.map((r) => r.held))} characters |`,
  );
}
console.log(
  `\n(Node ${process.version}, ${runs} runs per case, median; each case in a fresh process.)`,
);
