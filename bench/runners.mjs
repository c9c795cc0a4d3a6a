#!/usr/bin/env node
// Benchmarks the runners against bare interpreters, side by side in one run (runs interleaved,
// so machine noise hits both alike). Prints median wall times, ratios, and the runner's own peak
// memory (VmHWM of the runner process, not of the task it starts).
//
//   npm run bench            (RUNS=21 by default; RUNS=41 npm run bench for steadier figures)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runnerDenoFlags } from "@keptn-task/sdk/contract";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.RUNS ?? 21);
const deno = [
  `${root}node_modules/@deno/linux-${process.arch === "arm64" ? "arm64" : "x64"}-glibc/deno`,
  `${root}node_modules/deno/deno`,
].find((path) => spawnSync(path, ["--version"]).status === 0);
// The real interpreter, not a pyenv shim (which costs ~100 ms more to start).
const python = spawnSync("python3", ["-c", "import sys; print(sys.executable)"])
  .stdout.toString()
  .trim();
const runner = `${root}runners/dist/bootstrap.js`;
// As the images start the runner.
const IMAGE_FLAGS = runnerDenoFlags(`${root}runners/dist/import-map.json`);
const KEPTN_DENO_FLAGS = ["--allow-net", "--allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT"];
const KEPTN_DENO_FLAGS_JSON = KEPTN_DENO_FLAGS.map((flag) => JSON.stringify(flag)).join(", ");

const dir = mkdtempSync(join(tmpdir(), "keptn-bench-"));
const tsTask = join(dir, "function.ts");
const pyTask = join(dir, "function.py");
const sleepyTs = join(dir, "sleepy.ts");
writeFileSync(tsTask, 'const greeting: string = "hello";\nconsole.log(greeting);\n');
writeFileSync(pyTask, 'print("hello")\n');
writeFileSync(sleepyTs, "await new Promise((r) => setTimeout(r, 400));\n");
// The floor of any runner that masks a task's output: a Deno parent that does nothing but start
// the task as a child and pipe its output. Two Deno start-ups cannot cost less than this.
const floorTs = join(dir, "floor.ts");
writeFileSync(
  floorTs,
  `const child = new Deno.Command(Deno.execPath(), { args: ["run", ${KEPTN_DENO_FLAGS_JSON}, Deno.args[0]], stdout: "piped" }).spawn();
await child.stdout.pipeTo(Deno.stdout.writable, { preventClose: true });
Deno.exit((await child.status).code);
`,
);
const KEPTN_CONTEXT = JSON.stringify({
  workloadName: "w",
  appName: "a",
  appVersion: "",
  workloadVersion: "1",
  taskType: "pre",
  objectType: "Workload",
});
const denoDir = join(dir, "deno-dir");
const env = {
  PATH: process.env.PATH,
  HOME: dir,
  DENO_DIR: denoDir,
  KEPTN_CONTEXT,
  CMD_ARGS: "",
  DATA: '{"a":"b"}',
};

const cases = {
  "bare deno (Keptn's flags)": [deno, ["run", ...KEPTN_DENO_FLAGS, tsTask], {}],
  "floor: deno spawning deno": [deno, ["run", "-A", floorTs, tsTask], {}],
  "deno runner (task in the runner's process)": [
    deno,
    ["run", ...IMAGE_FLAGS, runner, "deno"],
    { SCRIPT: tsTask },
  ],
  "deno runner, SECURE_DATA (task in a child, output masked)": [
    deno,
    ["run", ...IMAGE_FLAGS, runner, "deno"],
    { SCRIPT: tsTask, SECURE_DATA: "bench-secret-value" },
  ],
  "deno runner, KEPTN_TASK_ISOLATION=process (task in a child)": [
    deno,
    ["run", ...IMAGE_FLAGS, runner, "deno"],
    { SCRIPT: tsTask, KEPTN_TASK_ISOLATION: "process" },
  ],
  "bare python3": [python, [pyTask], {}],
  "python runner": [
    deno,
    ["run", ...IMAGE_FLAGS, runner, "python"],
    { SCRIPT: pyTask, KEPTN_TASK_PYTHON: python },
  ],
};

function timeOnce([command, args, extra]) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    env: { ...env, ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return ms;
}

/**
 * Peak RSS (VmHWM) of the runner process, sampled until it exits: the runner alone when the task
 * is a child, the runner and the task together when the task runs in the runner's process.
 */
function peakMemory(extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(deno, ["run", ...IMAGE_FLAGS, runner, extra.runtime], {
      env: { ...env, ...extra.env },
      stdio: "ignore",
    });
    let peakKiB = 0;
    const sample = () => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 10);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`runner exited ${code}`));
      else resolve(peakKiB / 1024);
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

for (const spec of Object.values(cases)) timeOnce(spec); // warm DENO_DIR and the page cache
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < runs; i++)
  for (const [name, spec] of Object.entries(cases)) times[name].push(timeOnce(spec));

const memory = { direct: [], child: [] };
for (let i = 0; i < 5; i++) {
  memory.direct.push(await peakMemory({ runtime: "deno", env: { SCRIPT: sleepyTs } }));
  memory.child.push(
    await peakMemory({ runtime: "deno", env: { SCRIPT: sleepyTs, SECURE_DATA: "bench-secret" } }),
  );
}
rmSync(dir, { recursive: true, force: true });

const m = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
const row = (name, base) =>
  `| ${name} | ${m[name].toFixed(1)} ms |${base ? ` ${(m[name] / m[base]).toFixed(2)}x ${base} |` : " |"}`;
console.log(
  `Deno ${spawnSync(deno, ["--version"]).stdout.toString().split("\n")[0]}, ${spawnSync(python, ["--version"]).stdout.toString().trim()}, ${runs} interleaved runs, median wall time`,
);
console.log("| case | median | ratio |");
console.log("| --- | --- | --- |");
const BARE_DENO = "bare deno (Keptn's flags)";
console.log(row(BARE_DENO));
console.log(row("deno runner (task in the runner's process)", BARE_DENO));
console.log(row("floor: deno spawning deno", BARE_DENO));
console.log(row("deno runner, SECURE_DATA (task in a child, output masked)", BARE_DENO));
console.log(row("deno runner, KEPTN_TASK_ISOLATION=process (task in a child)", BARE_DENO));
// What masking itself costs at start-up: the same child, with and without SECURE_DATA.
const MASKED = "deno runner, SECURE_DATA (task in a child, output masked)";
const CHILD = "deno runner, KEPTN_TASK_ISOLATION=process (task in a child)";
console.log(
  `| masking's own start-up cost | ${(m[MASKED] - m[CHILD]).toFixed(1)} ms | ${(m[MASKED] / m[CHILD]).toFixed(2)}x the unmasked child |`,
);
console.log(row("bare python3"));
console.log(row("python runner", "bare python3"));
console.log(
  `| peak memory, runner and task in one process (VmHWM) | ${median(memory.direct).toFixed(1)} MiB | |`,
);
console.log(
  `| peak memory, runner with the task in a child (VmHWM of the runner) | ${median(memory.child).toFixed(1)} MiB | |`,
);
