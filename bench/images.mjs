#!/usr/bin/env node
// Benchmarks our runner images against images equivalent to Keptn's stock ones, side by side in
// one run: each image is run with podman as a Keptn Job runs it (read-only root, an empty tmpfs
// at /tmp, the code mounted where the operator mounts its ConfigMap, the operator's variables, the
// image's own user), the images' runs interleaved so that machine noise hits both alike.
//
// The Keptn-equivalent images (bench/keptn-images) are built here from the behaviour of Keptn's
// published Dockerfiles, on the same Debian packages and Deno binary as ours, so that only the
// runtime layer differs. Prints median wall times, the time from `podman stop` to the exit of a
// task that handles SIGTERM, peak memory of the container, image sizes, and what each image does
// with bad input.
//
//   npm run bench:images          (RUNS=9 by default; STOP_RUNS=3; MEMORY_RUNS=5)
//
// Needs podman (scripts/images/setup-podman.sh) and our images (npm run images, which the npm
// script runs first); peak memory needs root, to read the containers' memory cgroups.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createGzip } from "node:zlib";
import { localTags, repoRoot } from "../scripts/images/bake.mjs";

process.env.CONTAINERS_CONF ??= resolve(repoRoot, "images/containers.conf");
const RUNS = Number(process.env.RUNS ?? 9);
const STOP_RUNS = Number(process.env.STOP_RUNS ?? 3);
const MEMORY_RUNS = Number(process.env.MEMORY_RUNS ?? 5);

/** The Keptn-equivalent images, built by this script. */
const KEPTN_TAGS = {
  "deno-runtime": "keptn-task-bench/keptn-deno-runtime:dev",
  "python-runtime": "keptn-task-bench/keptn-python-runtime:dev",
};

const log = (message) => console.error(`bench: ${message}`);
const podmanText = (...args) => execFileSync("podman", args, { encoding: "utf8" }).trim();

// ---------------------------------------------------------------------------------------------
// Images

function buildKeptnImages() {
  const bases = Object.fromEntries(
    execFileSync("bash", [resolve(repoRoot, "scripts/images/make-bases.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .map((line) => line.split("=", 2)),
  );
  const denoVersion = JSON.parse(readFileSync(resolve(repoRoot, "runners/package.json"), "utf8"))
    .dependencies.deno;
  for (const [name, tag] of Object.entries(KEPTN_TAGS)) {
    const started = Date.now();
    execFileSync(
      "podman",
      [
        "build",
        "--quiet",
        "--file",
        resolve(repoRoot, `bench/keptn-images/${name}/Dockerfile`),
        "--build-arg",
        `DEBIAN_IMAGE=${bases.DEBIAN_IMAGE}`,
        "--build-arg",
        `DENO_BIN_IMAGE=${bases.DENO_BIN_IMAGE}`,
        "--build-arg",
        `DENO_VERSION=${denoVersion}`,
        "--tag",
        tag,
        repoRoot,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    log(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Uncompressed size as podman reports it, and the size of `podman save` through gzip -6. */
async function imageSizes(tag) {
  const bytes = Number(podmanText("image", "inspect", "--format", "{{.Size}}", tag));
  const save = spawn("podman", ["save", tag], { stdio: ["ignore", "pipe", "inherit"] });
  const gzip = createGzip({ level: 6 });
  let compressed = 0;
  gzip.on("data", (chunk) => {
    compressed += chunk.length;
  });
  save.stdout.pipe(gzip);
  await once(gzip, "end");
  return { bytes, compressed };
}

// ---------------------------------------------------------------------------------------------
// Task code and the loopback server it is fetched from

const TASKS = {
  deno: {
    extension: "ts",
    mountPath: "/var/data/function.ts",
    hello: 'console.log("hello");\n',
    secret: 'console.log("token: " + Deno.env.get("SECURE_DATA"));\n',
    signal: `Deno.addSignalListener("SIGTERM", () => {
  console.log("handler ran");
  Deno.exit(143);
});
console.log("ready");
setInterval(() => {}, 1000);
`,
  },
  python: {
    extension: "py",
    mountPath: "/var/data/function.py",
    hello: 'print("hello")\n',
    secret: "import os\nprint(f\"token: {os.environ['SECURE_DATA']}\")\n",
    signal: `import signal, sys, time

def on_sigterm(signum, frame):
    print("handler ran", flush=True)
    sys.exit(143)

signal.signal(signal.SIGTERM, on_sigterm)
print("ready", flush=True)
while True:
    time.sleep(0.1)
`,
  },
};
const SECRET = "bench-secret-4f9a2c";
const KEPTN_CONTEXT = JSON.stringify({
  workloadName: "podtato-head-entry",
  appName: "podtato-head",
  appVersion: "",
  workloadVersion: "0.3.1",
  taskType: "pre",
  objectType: "Workload",
});

const dir = mkdtempSync(join(tmpdir(), "keptn-bench-images-"));
const files = {};
for (const [runtime, task] of Object.entries(TASKS)) {
  for (const name of ["hello", "secret", "signal"]) {
    files[`${runtime}/${name}`] = join(dir, `${runtime}-${name}.${task.extension}`);
    writeFileSync(files[`${runtime}/${name}`], task[name]);
  }
}

const server = createServer((req, res) => {
  const match = /^\/(deno|python)\/hello\.(ts|py)$/.exec(
    new URL(req.url ?? "/", "http://x").pathname,
  );
  if (match) {
    res.writeHead(200, {
      "content-type": match[2] === "ts" ? "application/typescript" : "text/x-python",
    });
    res.end(TASKS[match[1]].hello);
    return;
  }
  res.writeHead(404, { "content-type": "text/html" });
  res.end("<!doctype html><html><body><h1>404 Not Found</h1></body></html>\n");
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
const origin = `http://127.0.0.1:${server.address().port}`;
// A port nothing listens on: connections are refused at once.
const closedPort = await new Promise((done) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => done(port));
  });
});
/** The URL of a task on the loopback server; the extension is the runtime's. */
const urlOf = (runtime, path) => `${origin}/${runtime}/${path}.${TASKS[runtime].extension}`;

// ---------------------------------------------------------------------------------------------
// Running an image as a Job runs it

/**
 * Runs `tag` as a Keptn Job's container, to its end: read-only root, a tmpfs at /tmp, the
 * image's own user, the host's network (a pod's network exists before its container starts;
 * and the loopback server is reachable), the operator's variables.
 */
function runImage(tag, { runtime, script, file, env = {}, name, cgroupParent, onStdout }) {
  const args = [
    "run",
    "--rm",
    "--read-only",
    "--tmpfs",
    "/tmp",
    "--network",
    "host",
    ...(name ? ["--name", name] : []),
    ...(cgroupParent ? ["--cgroup-parent", cgroupParent] : []),
    ...(file ? ["-v", `${file}:${TASKS[runtime].mountPath}:ro`] : []),
    ...Object.entries({ KEPTN_CONTEXT, CMD_ARGS: "", SCRIPT: script, ...env }).flatMap(
      ([key, value]) => ["-e", `${key}=${value}`],
    ),
    tag,
  ];
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn("podman", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      onStdout?.(stdout);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      const ended = process.hrtime.bigint();
      done({ code, stdout, stderr, ms: Number(ended - started) / 1e6, ended });
    });
  });
}

/** The images, ours and Keptn's equivalent, for each runtime. */
const IMAGES = Object.entries(TASKS).flatMap(([runtime]) => [
  { runtime, who: "ours", tag: localTags[`${runtime}-runtime`] },
  { runtime, who: "keptn", tag: KEPTN_TAGS[`${runtime}-runtime`] },
]);

/** The timed cases: how the task gets to the image, and what it must print. */
const CASES = {
  "hello task, mounted file": (runtime) => ({
    file: files[`${runtime}/hello`],
    script: TASKS[runtime].mountPath,
    expect: "hello\n",
  }),
  "hello task, httpRef from 127.0.0.1": (runtime) => ({
    script: urlOf(runtime, "hello"),
    expect: "hello\n",
  }),
  "task with SECURE_DATA, mounted file": (runtime) => ({
    file: files[`${runtime}/secret`],
    script: TASKS[runtime].mountPath,
    env: { SECURE_DATA: SECRET },
    expect: /^token: /,
  }),
};

/** Appends `value` to the list at `key` of `map`. */
const push = (map, key, value) => {
  map[key] = [...(map[key] ?? []), value];
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function timeCases() {
  const times = {};
  const leaks = {};
  for (let round = 0; round < RUNS + 1; round++) {
    for (const [caseName, make] of Object.entries(CASES)) {
      // Alternate which image of a pair goes first.
      const order = round % 2 === 0 ? IMAGES : [...IMAGES].reverse();
      for (const image of order) {
        const spec = make(image.runtime);
        const result = await runImage(image.tag, { runtime: image.runtime, ...spec });
        const ok =
          result.code === 0 &&
          (typeof spec.expect === "string"
            ? result.stdout === spec.expect
            : spec.expect.test(result.stdout));
        if (!ok) {
          throw new Error(
            `${image.tag}, ${caseName}: exit ${result.code}, stdout ${JSON.stringify(result.stdout)}, stderr ${result.stderr.slice(0, 500)}`,
          );
        }
        if (spec.env?.SECURE_DATA) {
          leaks[`${image.runtime}/${image.who}`] = (result.stdout + result.stderr).includes(SECRET);
        }
        // The first round warms the page cache and podman's own state; it is not counted.
        if (round > 0) push(times, `${caseName}|${image.runtime}/${image.who}`, result.ms);
      }
    }
    if (round > 0) log(`round ${round} of ${RUNS} done`);
  }
  return { times, leaks };
}

/** Time from `podman stop` (its default 10 s before SIGKILL) to the exit of `podman run`. */
async function timeStops() {
  const stops = {};
  for (let round = 0; round < STOP_RUNS; round++) {
    const order = round % 2 === 0 ? IMAGES : [...IMAGES].reverse();
    for (const image of order) {
      const name = `keptn-task-bench-stop-${process.pid}-${round}-${image.runtime}-${image.who}`;
      let stopAt;
      const result = await runImage(image.tag, {
        runtime: image.runtime,
        name,
        file: files[`${image.runtime}/signal`],
        script: TASKS[image.runtime].mountPath,
        onStdout: (stdout) => {
          if (stopAt === undefined && stdout.includes("ready")) {
            stopAt = process.hrtime.bigint();
            spawn("podman", ["stop", name], { stdio: "ignore" });
          }
        },
      });
      if (stopAt === undefined) throw new Error(`${image.tag}: the signal task never got ready`);
      push(stops, `${image.runtime}/${image.who}`, {
        ms: Number(result.ended - stopAt) / 1e6,
        code: result.code,
        handled: result.stdout.includes("handler ran"),
      });
    }
    log(`stop round ${round + 1} of ${STOP_RUNS} done`);
  }
  return stops;
}

// ---------------------------------------------------------------------------------------------
// Peak memory: the container's memory cgroup, under a parent cgroup made for this run

const cgroupParent = `keptn-task-bench-${process.pid}`;
const cgroupRoots = [`/sys/fs/cgroup/memory/${cgroupParent}`, `/sys/fs/cgroup/${cgroupParent}`];

/** The peak usage the kernel recorded for the container's cgroup (v1 or v2), or undefined. */
function readPeak() {
  for (const root of cgroupRoots) {
    let entries;
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.startsWith("libpod-") || entry.startsWith("libpod-conmon")) continue;
      for (const file of ["memory.max_usage_in_bytes", "memory.peak"]) {
        try {
          return Number(readFileSync(join(root, entry, file), "utf8"));
        } catch {
          // not this cgroup version, or gone
        }
      }
    }
  }
  return undefined;
}

/**
 * Runs the hello task with its container under our parent cgroup and samples the container's
 * own peak (memory.max_usage_in_bytes, a high-water mark the kernel keeps) every 2 ms until the
 * cgroup is removed: processes, the tmpfs at /tmp and page cache first read by the container.
 */
const cgroupManager = podmanText("info", "--format", "{{.Host.CgroupManager}}");
async function peakMemory(image) {
  let peak;
  const timer = setInterval(() => {
    const value = readPeak();
    if (value !== undefined) peak = Math.max(peak ?? 0, value);
  }, 2);
  const result = await runImage(image.tag, {
    runtime: image.runtime,
    file: files[`${image.runtime}/hello`],
    script: TASKS[image.runtime].mountPath,
    cgroupParent: cgroupManager === "systemd" ? `${cgroupParent}.slice` : `/${cgroupParent}`,
  });
  clearInterval(timer);
  if (result.code !== 0) throw new Error(`${image.tag}: exit ${result.code}: ${result.stderr}`);
  return peak;
}

function removeCgroups() {
  for (const controller of ["", ...readdirSync("/sys/fs/cgroup")]) {
    const root = join("/sys/fs/cgroup", controller, cgroupParent);
    try {
      if (!statSync(root).isDirectory()) continue;
      for (const entry of readdirSync(root, { withFileTypes: true })) {
        if (entry.isDirectory()) rmdirSync(join(root, entry.name));
      }
      rmdirSync(root);
    } catch {
      // not there, or not removable: left for the system
    }
  }
}

async function measureMemory() {
  const peaks = {};
  try {
    for (let round = 0; round < MEMORY_RUNS + 1; round++) {
      for (const image of round % 2 === 0 ? IMAGES : [...IMAGES].reverse()) {
        const peak = await peakMemory(image);
        // The first round reads the images' files into the page cache; not counted.
        if (round > 0 && peak !== undefined) push(peaks, `${image.runtime}/${image.who}`, peak);
      }
    }
  } finally {
    removeCgroups();
  }
  return peaks;
}

// ---------------------------------------------------------------------------------------------
// Bad input: what each image does, in the terms of the README's exit-code table

const BAD_INPUTS = {
  'empty SCRIPT (""), as a definition whose functionRef chain is too deep gets': () => ({
    script: "",
  }),
  "httpRef URL answering 404 (an HTML page)": (runtime) => ({ script: urlOf(runtime, "missing") }),
  "httpRef URL that refuses connections": (runtime) => ({
    script: `http://127.0.0.1:${closedPort}/${runtime}/hello.${TASKS[runtime].extension}`,
  }),
};

// Deno colours its errors (Keptn's image does not set NO_COLOR).
const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** One line on what happened: the exit code, whether anything ran, and the evidence. */
function outcome(result) {
  const runnerLine = result.stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return {};
      }
    })
    .findLast((line) => line.name === "keptn-task-runner" && line.code);
  const stderr = result.stderr.replace(ANSI_COLOURS, "");
  if (runnerLine?.code) return `${result.code}: refused, nothing ran (${runnerLine.code})`;
  if (/File "<stdin>"/.test(stderr) && /SyntaxError/.test(stderr)) {
    return `${result.code}: the response body ran as Python (SyntaxError)`;
  }
  if (result.code === 0 && result.stdout === "" && stderr === "") {
    return "0: success, with nothing run (python3 read an empty stdin)";
  }
  // Deno's own error line, not its "Download <url>" progress line.
  const first =
    stderr.split("\n").find((line) => line.trim() !== "" && !line.startsWith("Download ")) ?? "";
  return `${result.code}: nothing ran (${first.replace(/^error: /, "deno: ").slice(0, 60)})`;
}

async function badInputs() {
  const outcomes = {};
  for (const [input, make] of Object.entries(BAD_INPUTS)) {
    for (const image of IMAGES) {
      const result = await runImage(image.tag, { runtime: image.runtime, ...make(image.runtime) });
      outcomes[`${input}|${image.runtime}/${image.who}`] = outcome(result);
    }
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------

log("building the Keptn-equivalent images");
buildKeptnImages();
for (const image of IMAGES) podmanText("image", "exists", image.tag);

log(`timing ${Object.keys(CASES).length} cases x ${IMAGES.length} images, ${RUNS} rounds`);
const { times, leaks } = await timeCases();
log("podman stop of a task that handles SIGTERM");
const stops = await timeStops();
log("peak memory");
const peaks = process.getuid?.() === 0 ? await measureMemory() : {};
log("bad input");
const outcomes = await badInputs();
log("image sizes");
const sizes = {};
for (const image of IMAGES) sizes[`${image.runtime}/${image.who}`] = await imageSizes(image.tag);
server.close();
rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// The table

const ms = (value) => `${Math.round(value)} ms`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const ratio = (ours, keptn) => `${(ours / keptn).toFixed(2)}x`;
const rows = [];
const row = (label, cell) => {
  const cells = ["deno", "python"].flatMap((runtime) => {
    const [ours, keptn, r] = cell(runtime);
    return [ours, keptn, r ?? ""];
  });
  rows.push(`| ${label} | ${cells.join(" | ")} |`);
};
for (const caseName of Object.keys(CASES)) {
  row(`${caseName}, median`, (runtime) => {
    const ours = median(times[`${caseName}|${runtime}/ours`]);
    const keptn = median(times[`${caseName}|${runtime}/keptn`]);
    return [ms(ours), ms(keptn), ratio(ours, keptn)];
  });
}
row("SECURE_DATA the task prints, in the container's log", (runtime) => [
  leaks[`${runtime}/ours`] ? "leaked" : "masked (`***`)",
  leaks[`${runtime}/keptn`] ? "leaked" : "masked (`***`)",
]);
row("`podman stop` to exit, task handling SIGTERM, median", (runtime) =>
  ["ours", "keptn"]
    .map((who) => {
      const runs = stops[`${runtime}/${who}`];
      const handled = runs.every((run) => run.handled);
      const codes = [...new Set(runs.map((run) => run.code))].join("/");
      return `${ms(median(runs.map((run) => run.ms)))}, exit ${codes}, handler ${handled ? "ran" : "never ran"}`;
    })
    .concat([""]),
);
row("peak memory of the container, hello task, median", (runtime) => {
  const ours = peaks[`${runtime}/ours`];
  const keptn = peaks[`${runtime}/keptn`];
  if (!ours || !keptn) return ["n/a (needs root)", "n/a (needs root)"];
  return [mb(median(ours)), mb(median(keptn)), ratio(median(ours), median(keptn))];
});
row("image size, uncompressed", (runtime) => {
  const [ours, keptn] = [sizes[`${runtime}/ours`], sizes[`${runtime}/keptn`]];
  return [mb(ours.bytes), mb(keptn.bytes), ratio(ours.bytes, keptn.bytes)];
});
row("image size, compressed (`podman save \\| gzip`)", (runtime) => {
  const [ours, keptn] = [sizes[`${runtime}/ours`], sizes[`${runtime}/keptn`]];
  return [mb(ours.compressed), mb(keptn.compressed), ratio(ours.compressed, keptn.compressed)];
});
for (const input of Object.keys(BAD_INPUTS)) {
  row(`bad input: ${input}`, (runtime) => [
    outcomes[`${input}|${runtime}/ours`],
    outcomes[`${input}|${runtime}/keptn`],
  ]);
}

const deno = podmanText(
  "run",
  "--rm",
  "--entrypoint",
  "/usr/bin/deno",
  IMAGES[0].tag,
  "--version",
).split("\n")[0];
console.log(
  `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${podmanText("--version")}, ${deno}; ${RUNS} interleaved rounds (medians), ${STOP_RUNS} stops, ${MEMORY_RUNS} memory runs`,
);
console.log("");
console.log(
  "| | deno-runtime: ours | deno-runtime: Keptn-equivalent | ours / Keptn | python-runtime: ours | python-runtime: Keptn-equivalent | ours / Keptn |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const line of rows) console.log(line);
