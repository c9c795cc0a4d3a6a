#!/usr/bin/env node
// Benchmarks our runner images against images equivalent to Keptn's stock ones, side by side in
// one run: each image is run with podman as a Keptn Job runs it (read-only root, an empty tmpfs
// at /tmp, the code mounted where the operator mounts its ConfigMap, the operator's variables, the
// image's own user), the images' runs interleaved so that machine noise hits both alike.
//
// The Keptn-equivalent images (bench/keptn-images) are built here from the behaviour of Keptn's
// published Dockerfiles, on the same Debian packages and Deno binary as ours, so that only the
// runtime layer differs. Prints median wall times, what the runner costs a python Job, the time
// from `podman stop` to the exit of a task that handles SIGTERM, peak memory of the container,
// image sizes, what each image does with bad input, and the cold starts against their targets.
//
//   npm run bench:images          (RUNS=9 by default; STOP_RUNS=3; MEMORY_RUNS=5)
//
// Needs podman (scripts/images/setup-podman.sh) and our images (npm run images, which the npm
// script runs first); peak memory needs root, to read the containers' memory cgroups. The parts
// are in bench/images/.
import { cpus } from "node:os";
import { resolve } from "node:path";
import { repoRoot } from "../scripts/images/bake.mjs";
import { badInputCases, badInputs } from "./images/bad-input.mjs";
import { buildKeptnImages, imageSizes, log, podmanText } from "./images/keptn-images.mjs";
import { measureMemory } from "./images/memory.mjs";
import { IMAGES, timeCases, timedCases, timeRunnerCost, timeStops } from "./images/run-image.mjs";
import { printTables } from "./images/table.mjs";
import { startTaskServer, writeTaskFiles } from "./images/tasks.mjs";

process.env.CONTAINERS_CONF ??= resolve(repoRoot, "images/containers.conf");
// Medians of 11, as issue 23 measured them.
const RUNS = Number(process.env.RUNS ?? 11);
const STOP_RUNS = Number(process.env.STOP_RUNS ?? 3);
const MEMORY_RUNS = Number(process.env.MEMORY_RUNS ?? 5);

const { files, remove } = writeTaskFiles();
const server = await startTaskServer();
const cases = timedCases(files, server.urlOf);
const badCases = badInputCases(server.closedPort, server.urlOf);

log("building the Keptn-equivalent images");
buildKeptnImages();
for (const image of IMAGES) podmanText("image", "exists", image.tag);

log(`timing ${Object.keys(cases).length} cases x ${IMAGES.length} images, ${RUNS} rounds`);
const { times, leaks } = await timeCases(cases, RUNS);
log("python3 alone in our python image");
const runnerCost = await timeRunnerCost(files, RUNS);
log("podman stop of a task that handles SIGTERM");
const stops = await timeStops(files, STOP_RUNS);
log("peak memory");
const peaks = process.getuid?.() === 0 ? await measureMemory(files, MEMORY_RUNS) : {};
log("bad input");
const outcomes = await badInputs(badCases);
log("image sizes");
const sizes = {};
for (const image of IMAGES) sizes[`${image.runtime}/${image.who}`] = await imageSizes(image.tag);
server.close();
remove();

const deno = podmanText(
  "run",
  "--rm",
  "--entrypoint",
  "/usr/bin/deno",
  IMAGES[0].tag,
  "--version",
).split("\n")[0];
const header = `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${podmanText("--version")}, ${deno}; ${RUNS} interleaved rounds (medians), ${STOP_RUNS} stops, ${MEMORY_RUNS} memory runs`;
const measured = { cases, times, leaks, runnerCost, stops, peaks, sizes, outcomes };
const allWithin = printTables({ ...measured, badInputCases: badCases }, header);
log(allWithin ? "every cold start is within its target" : "a cold start is over its target");
