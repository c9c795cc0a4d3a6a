// Peak memory: the container's memory cgroup, under a parent cgroup made for this run.
import { readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { podmanText } from "./keptn-images.mjs";
import { IMAGES, push, runImage } from "./run-image.mjs";
import { TASKS } from "./tasks.mjs";

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
async function peakMemory(image, files, cgroupManager) {
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

/** Peak memory of each image's container, `runs` times after one run that is not counted. */
export async function measureMemory(files, runs) {
  const cgroupManager = podmanText("info", "--format", "{{.Host.CgroupManager}}");
  const peaks = {};
  try {
    for (let round = 0; round < runs + 1; round++) {
      for (const image of round % 2 === 0 ? IMAGES : [...IMAGES].reverse()) {
        const peak = await peakMemory(image, files, cgroupManager);
        // The first round reads the images' files into the page cache; not counted.
        if (round > 0 && peak !== undefined) push(peaks, `${image.runtime}/${image.who}`, peak);
      }
    }
  } finally {
    removeCgroups();
  }
  return peaks;
}
