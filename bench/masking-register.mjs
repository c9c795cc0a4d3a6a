#!/usr/bin/env node
// What registering a secret costs: the first `register` of a process (the runner registers
// SECURE_DATA before anything else, with nothing compiled yet), under Deno with the SDK's bundle
// (as the runner runs) and under Node, for a token, a 64 KiB PEM-like value of 1,000 lines and
// a 1 MiB one of 16,384 lines (every line is masked on its own, in every form). Each case in a
// fresh process; median of RUNS (5).
//
//   npm run bench:masking      (runs this after bench/masking.mjs)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.RUNS ?? 5);
const CASES = {
  "a 17-character token": "s3cr3t-value-1234",
  "64 KiB, 1,000 lines": 1_000,
  "1 MiB, 16,384 lines": 16_384,
};

if (process.argv[2] === "case") {
  const sdk = process.argv[4] ?? "@keptn-task/sdk";
  const { SecretRegistry } = await import(sdk);
  const spec = CASES[process.argv[3]];
  const line = "MIIEowIBAAKCAQEA7bq98".padEnd(64, "x");
  const secret =
    typeof spec === "string"
      ? spec
      : Array.from(
          { length: spec },
          (_, i) => `${line.slice(0, 58)}${String(i).padStart(6, "0")}`,
        ).join("\n");
  const started = performance.now();
  new SecretRegistry().register(secret);
  console.log(performance.now() - started);
  globalThis.Deno ? Deno.exit(0) : process.exit(0);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const deno = `${ROOT}node_modules/.bin/deno`;
const self = fileURLToPath(import.meta.url);
const runtimes = {
  "Deno (the runner)": (name) => [
    deno,
    ["run", "-A", self, "case", name, `${ROOT}runners/dist/keptn-task-sdk.js`],
  ],
  Node: (name) => [process.execPath, [self, "case", name]],
};
console.log("| first `register` of a process | Deno (the runner) | Node |");
console.log("| --- | --- | --- |");
for (const name of Object.keys(CASES)) {
  const cells = Object.values(runtimes).map((command) => {
    const times = [];
    for (let run = 0; run < runs; run++) {
      const [file, args] = command(name);
      const child = spawnSync(file, args, { encoding: "utf8" });
      if (child.status !== 0) throw new Error(`bench case ${name} failed: ${child.stderr}`);
      times.push(Number(child.stdout));
    }
    return `${median(times).toFixed(1)} ms`;
  });
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
console.log(`\n(${runs} runs per case, median; each in a fresh process.)`);
