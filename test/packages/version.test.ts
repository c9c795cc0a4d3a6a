// One version for everything this project ships: the npm packages, the Python module, the images
// and the changelog; and one Deno for the command, the images and the tests.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IMAGE_REGISTRY, LOCAL_IMAGES } from "../../runners/src/cli/run-plan.js";
import { loadBake } from "../../scripts/images/bake.mjs";
import { ROOT } from "../helpers/deno.js";

const read = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");
const json = (path: string) =>
  JSON.parse(read(path)) as {
    version: string;
    dependencies?: Record<string, string>;
  };

const version = json("runners/package.json").version;

describe("the project's version", () => {
  it("is a semantic version", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it.each(["package.json", "sdk/package.json"])("is the version of %s", (path) => {
    expect(json(path).version).toBe(version);
  });

  it("is the SDK version the command depends on, exactly", () => {
    expect(json("runners/package.json").dependencies?.["@keptn-task/sdk"]).toBe(version);
  });

  it("is the version of the Python package and of keptn_task.__version__", () => {
    expect(read("sdk-python/pyproject.toml")).toMatch(
      new RegExp(`^version = "${version.replaceAll(".", "\\.")}"$`, "m"),
    );
    expect(read("sdk-python/keptn_task/__init__.py")).toMatch(
      new RegExp(`^__version__ = "${version.replaceAll(".", "\\.")}"$`, "m"),
    );
  });

  it("is the version docker-bake.hcl labels and tags the images with", async () => {
    const bake = await loadBake({ env: {} });
    expect(bake.variables.VERSION).toBe(version);
    for (const target of Object.values(bake.targets)) {
      expect(target.labels["org.opencontainers.image.version"], target.name).toBe(version);
    }
  });

  it("tags the images docker-bake.hcl names, which the command runs and derived images build on", async () => {
    const bake = await loadBake({ env: {} });
    const tags = Object.fromEntries(
      Object.values(bake.targets).map((target) => [target.name, target.tags[0]]),
    );
    expect(tags).toEqual({
      "deno-runtime": `${bake.variables.REGISTRY}/deno-runtime:${version}`,
      "python-runtime": `${bake.variables.REGISTRY}/python-runtime:${version}`,
    });
    expect(IMAGE_REGISTRY).toBe(bake.variables.REGISTRY);
    expect(LOCAL_IMAGES).toEqual({ deno: tags["deno-runtime"], python: tags["python-runtime"] });
    for (const [dockerfile, image] of [
      ["images/extending/deno-task/Dockerfile", "deno-runtime"],
      ["images/extending/python-packages/Dockerfile", "python-runtime"],
      ["images/extending/tracing/Dockerfile", "deno-runtime"],
      ["examples/container-runtime/Dockerfile", "deno-runtime"],
    ] as const) {
      expect(read(dockerfile), dockerfile).toContain(`\nARG BASE_IMAGE=${tags[image]}\n`);
    }
  });

  it("has an entry in CHANGELOG.md", () => {
    expect(read("CHANGELOG.md")).toMatch(
      new RegExp(`^## \\[?${version.replaceAll(".", "\\.")}\\]?`, "m"),
    );
  });
});

describe("the pinned Deno", () => {
  const deno = json("runners/package.json").dependencies?.deno;

  it("is an exact version", () => {
    expect(deno).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("is the Deno the images are built with", async () => {
    const bake = await loadBake({ env: {} });
    expect(bake.variables.DENO_VERSION).toBe(deno);
    for (const image of ["deno-runtime", "python-runtime"]) {
      expect(read(`images/${image}/Dockerfile`), image).toContain(`ARG DENO_VERSION=${deno}`);
    }
  });

  it("is the Deno installed in this checkout (npm ci)", () => {
    expect(json("node_modules/deno/package.json").version).toBe(deno);
  });
});
