// Image names have one home, docker-bake.hcl's REGISTRY and TAG: the docs and Dockerfiles name our
// images exactly as it does, Keptn's stock images by their own registry, and a user's own images
// under the reserved example domain, never a placeholder organisation.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { localTags, repoRoot } from "../../scripts/images/bake.mjs";

/** Markdown and Dockerfiles users read: the README, docs/, images/ and examples/. */
function documents(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else if (/\.md$|^Dockerfile$/.test(entry.name)) {
        found.push(relative(repoRoot, path));
      }
    }
  };
  for (const dir of ["docs", "images", "examples"]) walk(join(repoRoot, dir));
  return ["README.md", "CHANGELOG.md", ...found].sort();
}

const IMAGE_REFERENCE = /[\w./-]*\b(?:deno|python)-runtime:[\w.-]+/g;

describe("image names in the docs and Dockerfiles", () => {
  it("are docker-bake.hcl's tags for our images (REGISTRY/TAG)", () => {
    expect(localTags).toEqual({
      "deno-runtime": expect.stringMatching(/^ghcr\.io\/keptn-task\/deno-runtime:\d+\.\d+\.\d+/),
      "python-runtime": expect.stringMatching(
        /^ghcr\.io\/keptn-task\/python-runtime:\d+\.\d+\.\d+/,
      ),
    });
  });

  it.each(documents())("%s names our images as docker-bake.hcl does", (file) => {
    const text = readFileSync(join(repoRoot, file), "utf8");
    expect(text).not.toMatch(/\bacme\b/);
    const ours = Object.values(localTags);
    for (const reference of text.match(IMAGE_REFERENCE) ?? []) {
      const allowed =
        ours.includes(reference) ||
        // Keptn's stock images, by their registry or by their short name and Keptn's tag.
        /^(?:ghcr\.io\/keptn\/)?(?:deno-runtime:v3\.|python-runtime:v1\.)/.test(reference) ||
        // A user's own image, built on ours.
        reference.startsWith("registry.example.com/");
      expect(allowed, `${file}: ${reference}`).toBe(true);
    }
  });
});
