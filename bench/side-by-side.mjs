#!/usr/bin/env node
// The runner of this checkout against the runner of another (say, a worktree of main), side by
// side: the same tasks, runs interleaved in random order, median CPU time (user+sys of the whole
// run, which a shared, loaded machine disturbs far less than wall time; WALL=1 for wall time).
//
//   git worktree add /tmp/before main && (cd /tmp/before && npm ci && npm run build)
//   node bench/side-by-side.mjs /tmp/before          (RUNS=21, COLD=1 for an empty DENO_DIR,
//                                                     CASES=plain,python to pick cases)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runnerDenoFlags } from "@keptn-task/sdk/internal";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const other = process.argv[2];
if (other === undefined) throw new Error("usage: node bench/side-by-side.mjs OTHER_CHECKOUT");
const trees = { other, this: root };
const runs = Number(process.env.RUNS ?? 21);
const cold = process.env.COLD === "1";
const wall = process.env.WALL === "1";
const deno = `${root}/node_modules/@deno/linux-${process.arch === "arm64" ? "arm64" : "x64"}-glibc/deno`;
const python = spawnSync("python3", ["-c", "import sys; print(sys.executable)"])
  .stdout.toString()
  .trim();

const dir = mkdtempSync(join(tmpdir(), "keptn-side-by-side-"));
const file = (name, text) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const plain = file("function.ts", 'const greeting: string = "hello";\nconsole.log(greeting);\n');
const sdk = file(
  "sdk.ts",
  'import { run } from "@keptn-task/sdk";\nawait run({}, (t) => { t.log.info("hi"); return "ok"; });\n',
);
const py = file("function.py", 'print("hello")\n');
const context = JSON.stringify({
  workloadName: "w",
  appName: "a",
  appVersion: "",
  workloadVersion: "1",
  taskType: "pre",
  objectType: "Workload",
  metadata: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
});
const cases = [
  ["deno plain (runner's process)", "deno", plain, {}],
  ["deno SDK run() (runner's process)", "deno", sdk, {}],
  ["deno SDK run(), SECURE_DATA (child)", "deno", sdk, { SECURE_DATA: "s3cr3t-value" }],
  ["python", "python", py, {}],
].filter(([name]) => (process.env.CASES ?? "").split(",").some((part) => name.includes(part)));

/** One run of the runner of `tree`: its time in ms. */
function once(tree, [name, runtime, script, extra]) {
  const denoDir = cold ? mkdtempSync(join(dir, "deno-dir-")) : join(dir, `deno-dir-${tree}`);
  const started = performance.now();
  const result = spawnSync(
    "bash",
    [
      "-c",
      'TIMEFORMAT="%U %S"; { time "$@" >/dev/null 2>&1 ; } 2>&1',
      "bash",
      deno,
      "run",
      ...runnerDenoFlags(`${trees[tree]}/runners/dist/import-map.json`),
      `${trees[tree]}/runners/dist/bootstrap.js`,
      runtime,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        TMPDIR: dir,
        DENO_DIR: denoDir,
        KEPTN_CONTEXT: context,
        CMD_ARGS: "",
        SCRIPT: script,
        KEPTN_TASK_PYTHON: python,
        ...extra,
      },
    },
  );
  const elapsed = performance.now() - started;
  if (cold) rmSync(denoDir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`${name} (${tree}) exited with ${result.status}`);
  const [user, sys] = result.stdout.toString().trim().split("\n").pop().split(" ").map(Number);
  return wall ? elapsed : (user + sys) * 1000;
}

const times = new Map(cases.map(([name]) => [name, { other: [], this: [] }]));
for (let run = 0; run <= runs; run++) {
  for (const testCase of cases) {
    for (const tree of Object.keys(trees).sort(() => Math.random() - 0.5)) {
      const ms = once(tree, testCase);
      // The first round warms the DENO_DIRs and the page cache.
      if (run > 0) times.get(testCase[0])[tree].push(ms);
    }
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(
  `${cold ? "empty" : "warm"} DENO_DIR, ${runs} runs, median ${wall ? "wall" : "CPU"} ms: ${other} | this checkout`,
);
for (const [name, t] of times)
  console.log(`${name.padEnd(40)} ${median(t.other).toFixed(0)} | ${median(t.this).toFixed(0)}`);
rmSync(dir, { recursive: true, force: true });
