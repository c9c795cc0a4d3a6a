// Running an image as a Keptn Job runs it, and the timed runs: cold starts and `podman stop`.
import { spawn } from "node:child_process";
import { localTags } from "../../scripts/images/bake.mjs";
import { KEPTN_TAGS, log } from "./keptn-images.mjs";
import { KEPTN_CONTEXT, SECRET, TASKS } from "./tasks.mjs";

/** The images, ours and Keptn's equivalent, for each runtime. */
export const IMAGES = Object.keys(TASKS).flatMap((runtime) => [
  { runtime, who: "ours", tag: localTags[`${runtime}-runtime`] },
  { runtime, who: "keptn", tag: KEPTN_TAGS[`${runtime}-runtime`] },
]);

/**
 * Runs `tag` as a Keptn Job's container, to its end: read-only root, a tmpfs at /tmp, the
 * image's own user, the host's network (a pod's network exists before its container starts;
 * and the loopback server is reachable), the operator's variables.
 */
export function runImage(tag, options) {
  const { runtime, script, file, env = {}, name, cgroupParent, entrypoint, onStdout } = options;
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
    ...(entrypoint ? ["--entrypoint", JSON.stringify(entrypoint)] : []),
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

/** The timed cases: how the task gets to the image, and what it must print. */
export function timedCases(files, urlOf) {
  return {
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
}

/** Appends `value` to the list at `key` of `map`. */
export const push = (map, key, value) => {
  map[key] = [...(map[key] ?? []), value];
};

/** Runs one case on one image and checks what it printed. */
async function runCase(image, caseName, spec) {
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
  return result;
}

/** Every case on every image, interleaved, `runs` rounds after one that is not counted. */
export async function timeCases(cases, runs) {
  const times = {};
  const leaks = {};
  for (let round = 0; round < runs + 1; round++) {
    for (const [caseName, make] of Object.entries(cases)) {
      // Alternate which image of a pair goes first.
      const order = round % 2 === 0 ? IMAGES : [...IMAGES].reverse();
      for (const image of order) {
        const spec = make(image.runtime);
        const result = await runCase(image, caseName, spec);
        if (spec.env?.SECURE_DATA) {
          leaks[`${image.runtime}/${image.who}`] = (result.stdout + result.stderr).includes(SECRET);
        }
        // The first round warms the page cache and podman's own state; it is not counted.
        if (round > 0) push(times, `${caseName}|${image.runtime}/${image.who}`, result.ms);
      }
    }
    if (round > 0) log(`round ${round} of ${runs} done`);
  }
  return { times, leaks };
}

/** Time from `podman stop` (its default 10 s before SIGKILL) to the exit of `podman run`. */
export async function timeStops(files, stopRuns) {
  const stops = {};
  for (let round = 0; round < stopRuns; round++) {
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
    log(`stop round ${round + 1} of ${stopRuns} done`);
  }
  return stops;
}

/**
 * What the runner costs a python Job: our python image as it is, against python3 alone in the
 * same image (`--entrypoint python3 FILE`, Keptn's command line), interleaved.
 */
export async function timeRunnerCost(files, runs) {
  const image = IMAGES.find((i) => i.runtime === "python" && i.who === "ours");
  const spec = { file: files["python/hello"], script: TASKS.python.mountPath, expect: "hello\n" };
  const alone = { ...spec, entrypoint: ["/usr/bin/python3", TASKS.python.mountPath] };
  const times = { runner: [], alone: [] };
  for (let round = 0; round < runs + 1; round++) {
    const order = round % 2 === 0 ? ["runner", "alone"] : ["alone", "runner"];
    for (const which of order) {
      const result = await runCase(image, `python3 ${which}`, which === "alone" ? alone : spec);
      if (round > 0) times[which].push(result.ms);
    }
  }
  return times;
}
