#!/usr/bin/env node
// npm run images:size: prints each image's size beside the deno image's floor, the Deno binary
// plus the glibc libraries it links to, as found in the image itself. With --check, exits 1 when
// the deno image is more than 15% over its floor.
//
// Usage: node scripts/images/size.mjs [--check]
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { localTags, repoRoot } from "./bake.mjs";

process.env.CONTAINERS_CONF ??= resolve(repoRoot, "images/containers.conf");

/** Largest allowed ratio of the deno image to its floor. */
export const maxDenoOverFloor = 1.15;

// Runs inside the image with its own Deno: asks the image's dynamic loader which libraries
// /usr/bin/deno needs and sums their sizes. Deno is in both images, a shell in neither.
const floorProgram = `
const loader = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"].find((p) => {
  try { Deno.statSync(p); return true; } catch { return false; }
});
const out = new Deno.Command(loader, { args: ["--list", "/usr/bin/deno"] }).outputSync();
const libs = new TextDecoder().decode(out.stdout).split("\\n")
  .map((line) => line.match(/=> (\\S+)/)?.[1] ?? line.match(/^\\s*(\\/\\S+)/)?.[1])
  .filter(Boolean);
const files = ["/usr/bin/deno", ...new Set(libs)].map((path) => ({ path, size: Deno.statSync(path).size }));
console.log(JSON.stringify(files));
`;

const podman = (...args) => execFileSync("podman", args, { encoding: "utf8" }).trim();

/**
 * Measures the two images.
 *
 * @returns {{ floor: { bytes: number, files: { path: string, size: number }[] },
 *   images: { name: string, tag: string, bytes: number }[] }}
 */
export function measure() {
  const images = Object.entries(localTags).map(([name, tag]) => ({
    name,
    tag,
    bytes: Number(podman("image", "inspect", "--format", "{{.Size}}", tag)),
  }));
  const files = JSON.parse(
    podman(
      "run",
      "--rm",
      "--read-only",
      "--tmpfs",
      "/tmp",
      "--network",
      "none",
      "--entrypoint",
      "/usr/bin/deno",
      localTags["deno-runtime"],
      "eval",
      floorProgram,
    ),
  );
  return { floor: { bytes: files.reduce((sum, f) => sum + f.size, 0), files }, images };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { floor, images } = measure();
  console.log(`deno floor: ${mb(floor.bytes)} (${floor.files.map((f) => f.path).join(", ")})`);
  for (const image of images) {
    console.log(
      `${image.tag}: ${mb(image.bytes)}, ${(image.bytes / floor.bytes).toFixed(3)} x the deno floor`,
    );
  }
  const deno = images.find((image) => image.name === "deno-runtime");
  if (process.argv.includes("--check") && deno && deno.bytes > floor.bytes * maxDenoOverFloor) {
    console.error(`images: the deno image is more than ${maxDenoOverFloor} x its floor`);
    process.exit(1);
  }
}
