#!/usr/bin/env node
// Where a runner's start-up goes: the runner's bundle is copied and marked at its stages (all its
// modules loaded, the task's process about to be made, that process started and read, the exit
// called), each task prints a mark as its first statement, and every case runs as in a Job: an
// empty DENO_DIR on a tmpfs (a Job's /tmp is one; on a disk, Deno's caches cost a few ms more
// to create). Next to each case, Keptn's own command line for it. Prints the median time of
// each stage from the process's start, in ms.
//
//   npm run build && node bench/runner-stages.mjs        (RUNS=21 by default)
//
// The marks are added to the built bundle by text patterns: a pattern that no longer matches
// fails the bench rather than print a stage that was not measured.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runnerDenoFlags } from "@keptn-task/sdk/contract";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.RUNS ?? 21);
const deno = `${root}node_modules/deno/deno`;
// A tmpfs, as a Job's /tmp: /dev/shm where there is one.
const scratch = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : "/tmp", "keptn-stages-"));

const MARK = (name) =>
  `Deno.stderr.writeSync(new TextEncoder().encode("MARK ${name} "+(performance.timeOrigin+performance.now())+"\\n"))`;

/**
 * The stages, as edits of the built scripts: where each mark goes. Marks inside an expression
 * use the comma operator; an argument of `spawn()` is evaluated before the call.
 */
const STAGES = {
  // The task's process the entry module starts, gated, for a Deno task with SECURE_DATA.
  "early-start.js": [
    [
      /new Deno\.Command\(/,
      (found) => `(${MARK("early start: making the task's process")},0)||${found}`,
    ],
    [/\.spawn\(\)/, () => `.spawn(${MARK("early start: Deno.Command ready, spawning (gated)")})`],
  ],
  "runner.js": [
    [
      /(async function [\w$]+\(\w,\w,\w,\w\)\{)(let \w=\(await [\w$]+\(\w,\w\.loader)/,
      (_found, head, body) => `${head}${MARK("fetching the task's code")};${body}`,
    ],
    [/(\w)\.hash="",(\w)\.username=""/, (found) => `${MARK("code fetched")},${found}`],
    [
      /import\(([\w$]+)\((\w)\.path\)\)\.catch/,
      (found) => `(${MARK("importing the task's module")},0)||${found}`,
    ],
    [
      /(\w+)\.early\?\.take\(/,
      (found) => `(${MARK("checked: taking the early process, or making one")},0)||${found}`,
    ],
    [/new Deno\.Command\(/, (found) => `(${MARK("making the task's process")},0)||${found}`],
    [/\.spawn\(\)\}catch/, () => `.spawn(${MARK("Deno.Command ready, spawning")})}catch`],
    [
      /(\w+)\.secrets\.settle\(\)\}catch/,
      (found) => found.replace("}catch", `;${MARK("secret forms settled")}}catch`),
    ],
    [/(\w+)\.stdin\.getWriter\(\)/, (found) => `(${MARK("the go given")},0)||${found}`],
    [/await ([\w$]+)\.write\(([\w$]+)\),/, (found) => `${found}(${MARK("go written")}),`],
    [
      /(\w+)=await (\w+)\.status;/,
      (found) => `__stage=(${MARK("reading the task's output")},0),${found}`,
    ],
    [
      /typeof (\w+)=="number"&&Deno\.exit\(\1\)/,
      (found) => `${MARK("runner done: exits, or starts the task in its own process")};${found}`,
    ],
  ],
};

/** A copy of the runner's bundle with the marks, in the scratch directory. */
function markedRunner() {
  const dist = join(scratch, "dist");
  cpSync(`${root}runners/dist`, dist, { recursive: true });
  for (const [name, stages] of Object.entries(STAGES)) {
    const file = join(dist, name);
    let code = readFileSync(file, "utf8");
    for (const [at, edit] of stages) {
      if (!at.test(code)) throw new Error(`bench: no ${at.source} in ${name}`);
      code = code.replace(at, edit);
    }
    // The entry module (bootstrap.js) loads each as a script: marked as it starts.
    writeFileSync(file, `${MARK(`${name} loaded`)};let __stage;${code}`);
  }
  // A first module of the entry's, evaluated once Deno has loaded and analysed it.
  writeFileSync(join(dist, "loaded.js"), `${MARK("entry module loaded")};\n`);
  const entry = join(dist, "bootstrap.js");
  writeFileSync(entry, `import "./loaded.js";${readFileSync(entry, "utf8")}`);
  return dist;
}

const dist = markedRunner();
const tasks = {
  "hello.ts": `${MARK("task's first statement")};\nconsole.log("hello");\n`,
  "secret.ts": `${MARK("task's first statement")};\nconsole.log("token: " + Deno.env.get("SECURE_DATA"));\n`,
  "hello.py": `import sys, time\nsys.stderr.write(f"MARK task's first statement {time.time() * 1000}\\n")\nprint("hello")\n`,
};
for (const [name, text] of Object.entries(tasks)) writeFileSync(join(scratch, name), text);
const KEPTN_CONTEXT = JSON.stringify({
  workloadName: "w",
  appName: "a",
  appVersion: "",
  workloadVersion: "1",
  taskType: "pre",
  objectType: "Workload",
});
const runner = (runtime) => [
  deno,
  "run",
  ...runnerDenoFlags(join(dist, "import-map.json")),
  join(dist, "bootstrap.js"),
  runtime,
];
// The real interpreter, not a pyenv shim (which costs ~100 ms more to start).
const python = spawnSync("python3", ["-c", "import sys; print(sys.executable)"])
  .stdout.toString()
  .trim();
const KEPTN_DENO = [deno, "run", "--allow-net", "--allow-read", "--allow-write", "--allow-env"];
const SECRET = "bench-secret-4f9a2c";
// The httpRef case's code, served from 127.0.0.1 as a file server would.
const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/typescript" });
  response.end(tasks["hello.ts"]);
});
await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
const url = `http://127.0.0.1:${server.address().port}/hello.ts`;
const CASES = [
  ["deno, mounted file: ours", runner("deno"), { SCRIPT: join(scratch, "hello.ts") }],
  ["deno, mounted file: Keptn's", [...KEPTN_DENO, join(scratch, "hello.ts")], {}],
  ["deno, httpRef: ours", runner("deno"), { SCRIPT: url }],
  ["deno, httpRef: Keptn's", [...KEPTN_DENO, url], {}],
  [
    "deno, SECURE_DATA: ours",
    runner("deno"),
    { SCRIPT: join(scratch, "secret.ts"), SECURE_DATA: SECRET },
  ],
  [
    "deno, SECURE_DATA: Keptn's",
    [...KEPTN_DENO, join(scratch, "secret.ts")],
    { SECURE_DATA: SECRET },
  ],
  [
    "python, mounted file: ours",
    runner("python"),
    { SCRIPT: join(scratch, "hello.py"), KEPTN_TASK_PYTHON: python },
  ],
  ["python, mounted file: Keptn's", [python, join(scratch, "hello.py")], {}],
];

/** One run: each mark's time from the spawn, and the exit's. */
function runOnce([, [command, ...args], extra]) {
  const denoDir = mkdtempSync(join(scratch, "deno-dir-"));
  const env = { PATH: process.env.PATH, HOME: scratch, DENO_DIR: denoDir, KEPTN_CONTEXT, ...extra };
  return new Promise((done) => {
    const started = performance.timeOrigin + performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => {
      const ended = performance.timeOrigin + performance.now();
      rmSync(denoDir, { recursive: true, force: true });
      if (code !== 0)
        throw new Error(`bench: ${command} ${args.join(" ")} ended with ${code}: ${stderr}`);
      const marks = [...stderr.matchAll(/^MARK (.+) ([\d.]+)$/gm)].map(([, name, at]) => [
        name,
        Number(at) - started,
      ]);
      done([...marks, ["process ended", ended - started]]);
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const times = new Map(CASES.map(([name]) => [name, new Map()]));
for (let round = 0; round <= RUNS; round++) {
  for (const c of CASES) {
    const marks = await runOnce(c);
    // The first round warms the page cache; it is not counted.
    if (round === 0) continue;
    for (const [stage, ms] of marks) {
      const stages = times.get(c[0]);
      stages.set(stage, [...(stages.get(stage) ?? []), ms]);
    }
  }
}
server.close();
rmSync(scratch, { recursive: true, force: true });
const version = spawnSync(deno, ["--version"]).stdout.toString().split("\n")[0];
console.log(
  `${new Date().toISOString().slice(0, 10)}, ${version}, ${RUNS} interleaved rounds, median ms from the process's start:\n`,
);
for (const [name, stages] of times) {
  console.log(`${name}`);
  for (const [stage, values] of stages)
    console.log(`  ${median(values).toFixed(1).padStart(7)}  ${stage}`);
}
