// The README is the front door: short, with the contributors' two commands exactly, and links
// that stay in the repository or go to public sites. The same link rule holds for the other
// Markdown files a reader of the repository opens first. No process, no network.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";

const FRONT_DOORS = [
  "README.md",
  "ARCHITECTURE.md",
  "CONTRIBUTING.md",
  "sdk/README.md",
  "runners/README.md",
  "sdk-python/README.md",
];

/** Public sites these files may link to. */
const PUBLIC_SITES = new Set(["keptn.sh", "fast-check.dev"]);

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

describe("the README", () => {
  it("is at most 300 lines", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(300);
  });

  it("gives the contributors' two commands exactly", () => {
    const readme = read("README.md");
    expect(readme).toContain(
      "npm ci && npm run build && npx keptn-task run hello -f examples/hello",
    );
    expect(readme).toContain("npm ci && npm test");
  });

  it("points into the documentation for every journey", () => {
    const readme = read("README.md");
    for (const page of [
      "docs/guide/install.md",
      "docs/guide/typescript.md",
      "docs/guide/python.md",
      "docs/testing-tasks.md",
      "docs/guide/running.md",
      "docs/guide/validate-in-ci.md",
      "docs/deploying.md",
      "docs/security.md",
      "docs/images.md",
      "docs/benchmarks.md",
    ]) {
      expect(readme).toContain(`](${page})`);
    }
  });
});

describe.each(FRONT_DOORS)("%s", (file) => {
  it("links only to files in the repository and to public sites", () => {
    const problems: string[] = [];
    for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (target === undefined || target.startsWith("#")) continue;
      if (/^[a-z]+:/.test(target)) {
        const url = new URL(target);
        if (url.protocol !== "https:" || !PUBLIC_SITES.has(url.hostname)) problems.push(target);
        continue;
      }
      const path = join(ROOT, dirname(file), target.split("#")[0] ?? "");
      if (!path.startsWith(ROOT) || !existsSync(path)) problems.push(target);
    }
    expect(problems).toEqual([]);
  });
});
