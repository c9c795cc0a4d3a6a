// The images of the bench: the Keptn-equivalent ones it builds (bench/keptn-images), and the sizes
// of every image, uncompressed and through gzip.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createGzip } from "node:zlib";
import { repoRoot } from "../../scripts/images/bake.mjs";

/** The Keptn-equivalent images, built by this bench. */
export const KEPTN_TAGS = {
  "deno-runtime": "keptn-task-bench/keptn-deno-runtime:dev",
  "python-runtime": "keptn-task-bench/keptn-python-runtime:dev",
};

export const log = (message) => console.error(`bench: ${message}`);
export const podmanText = (...args) => execFileSync("podman", args, { encoding: "utf8" }).trim();

/** Builds the Keptn-equivalent images from the same base images as ours. */
export function buildKeptnImages() {
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
export async function imageSizes(tag) {
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
