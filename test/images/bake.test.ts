import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Bake,
  type BakeTarget,
  loadBake,
  localBaseArgs,
  podmanBuildArgs,
  repoRoot,
} from "../../scripts/images/bake.mjs";
import { pythonEntryCommand, runnerDenoFlags } from "../../sdk/src/contract/index.js";

// docker-bake.hcl cannot run here (no buildx); these checks tie it to the files it names and to
// the podman build that npm run images performs. No podman needed.

const read = (path: string) => readFileSync(resolve(repoRoot, path), "utf8");
const runnersPackage = JSON.parse(read("runners/package.json")) as {
  version: string;
  dependencies: Record<string, string>;
};

interface Dockerfile {
  args: Map<string, string | undefined>;
  stages: string[];
  copies: string[];
  text: string;
}

/** The parts of a Dockerfile these checks need: ARG defaults, stage names, context COPY sources. */
function parseDockerfile(path: string): Dockerfile {
  const text = read(path);
  const lines = text.replace(/\\\n/g, " ").split("\n");
  const args = new Map<string, string | undefined>();
  const stages: string[] = [];
  const copies: string[] = [];
  for (const line of lines) {
    const arg = line.match(/^ARG\s+([A-Za-z_]\w*)(?:=(\S*))?/);
    if (arg?.[1] && (arg[2] !== undefined || !args.has(arg[1]))) args.set(arg[1], arg[2]);
    const stage = line.match(/^FROM\s+\S+\s+AS\s+(\S+)/i);
    if (stage?.[1]) stages.push(stage[1]);
    const copy = line.match(/^COPY\s+(?!--from)(.*)$/);
    if (copy?.[1]) copies.push(...copy[1].trim().split(/\s+/).slice(0, -1));
  }
  return { args, stages, copies, text };
}

/** Expands ${NAME} in a Dockerfile ARG default with the other defaults, as the builder does. */
const expand = (value: string | undefined, args: Map<string, string | undefined>) =>
  value?.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? "");

let bake: Bake;
let targets: BakeTarget[];

beforeAll(async () => {
  bake = await loadBake();
  targets = Object.values(bake.targets);
});

describe("docker-bake.hcl", () => {
  it("builds the deno-runtime and python-runtime images in its default group", () => {
    expect(bake.groups.default).toEqual(["deno-runtime", "python-runtime"]);
    expect(Object.keys(bake.targets).sort()).toEqual(["deno-runtime", "python-runtime"]);
  });

  it("builds every image for linux/amd64 and linux/arm64 from the repository root", () => {
    for (const target of targets) {
      expect(target.platforms, target.name).toEqual(["linux/amd64", "linux/arm64"]);
      expect(target.context, target.name).toBe(".");
    }
  });

  it("has variables for the versions, the tag and the registry", () => {
    for (const name of [
      "VERSION",
      "DENO_VERSION",
      "PYTHON_VERSION",
      "TAG",
      "REGISTRY",
      "REVISION",
    ]) {
      expect(bake.variables, name).toHaveProperty(name);
    }
  });

  it("tags each image with the registry and tag variables", async () => {
    const custom = await loadBake({ env: { REGISTRY: "registry.test/acme", TAG: "v9" } });
    expect(custom.targets["deno-runtime"]?.tags).toEqual(["registry.test/acme/deno-runtime:v9"]);
    expect(custom.targets["python-runtime"]?.tags).toEqual([
      "registry.test/acme/python-runtime:v9",
    ]);
  });

  it("labels every image with the OCI source, version, revision and licenses", async () => {
    const custom = await loadBake({ env: { VERSION: "9.0.0", TAG: "v9", REVISION: "abc123" } });
    for (const target of Object.values(custom.targets)) {
      expect(target.labels, target.name).toMatchObject({
        "org.opencontainers.image.source": custom.variables.SOURCE,
        "org.opencontainers.image.version": "9.0.0",
        "org.opencontainers.image.revision": "abc123",
        "org.opencontainers.image.licenses": "Apache-2.0",
      });
    }
  });

  it("tags the images with the project's version unless TAG says otherwise", () => {
    for (const target of targets) {
      expect(target.tags[0], target.name).toMatch(new RegExp(`:${runnersPackage.version}$`));
      expect(target.args.VERSION, target.name).toBe(runnersPackage.version);
    }
  });

  it("pins Deno to the version @keptn-task/runners depends on", () => {
    expect(bake.variables.DENO_VERSION).toBe(runnersPackage.dependencies.deno);
    for (const target of targets) {
      expect(target.args.DENO_VERSION, target.name).toBe(runnersPackage.dependencies.deno);
    }
  });
});

describe.each(["deno-runtime", "python-runtime"])("the %s Dockerfile", (name) => {
  let target: BakeTarget;
  let dockerfile: Dockerfile;

  beforeAll(() => {
    const found = bake.targets[name];
    if (!found) throw new Error(`docker-bake.hcl has no target "${name}"`);
    target = found;
    dockerfile = parseDockerfile(target.dockerfile ?? "");
  });

  it("is the one the bake target names, and has the target's stage", () => {
    expect(target.dockerfile).toBe(`images/${name}/Dockerfile`);
    expect(target.target).toBe(name);
    expect(dockerfile.stages).toContain(name);
  });

  it("declares every build arg the bake target passes", () => {
    for (const arg of Object.keys(target.args)) {
      expect(dockerfile.args.has(arg), arg).toBe(true);
    }
  });

  it("defaults each version and base image to the bake file's value", () => {
    for (const arg of ["DENO_VERSION", "PYTHON_VERSION", ...localBaseArgs]) {
      if (!(arg in target.args)) continue;
      expect(expand(dockerfile.args.get(arg), dockerfile.args), arg).toBe(target.args[arg]);
    }
  });

  it("runs as the numeric user 65532 with tini as PID 1 and an exec-form entrypoint", () => {
    expect(dockerfile.text).toMatch(/^USER 65532:65532$/m);
    const entrypoint = dockerfile.text.match(/^ENTRYPOINT (.*)$/m)?.[1] ?? "";
    const argv = JSON.parse(entrypoint) as string[];
    expect(argv.slice(0, 2)).toEqual(["/usr/bin/tini", "--"]);
    expect(argv.slice(-2)).toEqual(["/app/bootstrap.js", name.replace("-runtime", "")]);
  });

  it("starts the runner with the SDK's runner flags (python: through the Python entry)", () => {
    const entrypoint = dockerfile.text.match(/^ENTRYPOINT (.*)$/m)?.[1] ?? "";
    const argv = JSON.parse(entrypoint) as string[];
    const runtime = name.replace("-runtime", "");
    const runner = ["/usr/bin/deno", "run", ...runnerDenoFlags("/app/import-map.json")];
    const command = [...runner, "/app/bootstrap.js", runtime];
    expect(argv.slice(2)).toEqual(
      runtime === "python"
        ? pythonEntryCommand("/usr/bin/python3", "/app/python_entry.py", command)
        : command,
    );
  });

  it("keeps everything it writes under /tmp", () => {
    expect(dockerfile.text).toMatch(/DENO_DIR=\/tmp\//);
    expect(dockerfile.text).toMatch(/HOME=\/tmp\b/);
  });

  it("labels the image with the OCI source, version, revision and licenses from build args", () => {
    // Dockerfile text, not template strings: "$" + "{ARG}" is what the LABEL line holds.
    const arg = (name: string) => `"$\{${name}}"`;
    for (const [label, value] of [
      ["source", arg("SOURCE")],
      ["version", arg("VERSION")],
      ["revision", arg("REVISION")],
      ["licenses", '"Apache-2.0"'],
    ]) {
      expect(dockerfile.text).toContain(`org.opencontainers.image.${label}=${value}`);
    }
  });

  it("pins every Debian package it unpacks to a version", () => {
    const lines = read(`images/${name}/debian-packages.txt`)
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^[a-z0-9][a-z0-9.+-]*=[0-9][\w.+:~-]*$/);
  });

  it("copies from the build context only what .dockerignore lets in", () => {
    const allowed = read(".dockerignore")
      .split("\n")
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1));
    expect(read(".dockerignore").split("\n")).toContain("*");
    expect(dockerfile.copies.length).toBeGreaterThan(0);
    for (const source of dockerfile.copies) {
      expect(
        allowed.some((entry) => source === entry || source.startsWith(entry.replace(/\/?$/, "/"))),
        source,
      ).toBe(true);
    }
  });

  it("is built by npm run images with the bake target's file, context, stage and args", () => {
    const bases = Object.fromEntries(localBaseArgs.map((arg) => [arg, `localhost/base/${arg}`]));
    const argv = podmanBuildArgs(target, bases);
    const option = (flag: string) =>
      argv.flatMap((value, i) => (argv[i - 1] === flag ? [value] : []));

    expect(argv[0]).toBe("build");
    expect(option("--file")).toEqual([resolve(repoRoot, target.dockerfile ?? "")]);
    expect(option("--target")).toEqual([name]);
    expect(argv.at(-1)).toBe(resolve(repoRoot, target.context ?? ""));
    expect(option("--tag")).toEqual([`${bake.variables.REGISTRY}/${name}:${bake.variables.TAG}`]);
    expect(option("--timestamp")).toEqual([]);
    const expected = Object.entries({ ...target.args, ...bases }).map(([k, v]) => `${k}=${v}`);
    expect(option("--build-arg").sort()).toEqual(expected.sort());
    expect(option("--label").sort()).toEqual(
      Object.entries(target.labels)
        .map(([k, v]) => `${k}=${v}`)
        .sort(),
    );
  });
});

describe("a reproducible podman build", () => {
  it("dates the image and every file in its layers with the timestamp, and can skip the cache", () => {
    const target = bake.targets["deno-runtime"];
    if (!target) throw new Error('docker-bake.hcl has no target "deno-runtime"');
    const bases = Object.fromEntries(localBaseArgs.map((arg) => [arg, `localhost/base/${arg}`]));
    const argv = podmanBuildArgs(target, bases, { timestamp: 1_796_535_221, noCache: true });
    expect(argv.slice(-4)).toEqual([
      "--timestamp",
      "1796535221",
      "--no-cache",
      resolve(repoRoot, target.context ?? ""),
    ]);
  });
});

describe("the python-runtime image", () => {
  it("pins Python 3.13 (Keptn's python-runtime runs 3.13 since v1.0.7) to the bake file's PYTHON_VERSION", () => {
    expect(bake.variables.PYTHON_VERSION).toMatch(/^3\.13\.\d+$/);
    const pin = read("images/python-runtime/debian-packages.txt").match(/^python3\.13=(\S+)$/m);
    expect(pin?.[1]).toMatch(
      new RegExp(`^${bake.variables.PYTHON_VERSION?.replace(/\./g, "\\.")}-`),
    );
  });

  it("builds both images from Debian 13 (trixie)", () => {
    expect(bake.variables.DEBIAN_IMAGE).toMatch(/^docker\.io\/library\/debian:trixie-\d{8}-slim$/);
    for (const name of ["deno-runtime", "python-runtime"]) {
      const pins = read(`images/${name}/debian-packages.txt`);
      expect(pins, name).toMatch(/^libc6=2\.41-/m);
    }
  });

  it("carries the libraries Keptn advertises for python tasks, and git", () => {
    const packages = read("images/python-runtime/debian-packages.txt");
    for (const name of ["python3-requests", "python3-yaml", "python3-git", "git", "tini"]) {
      expect(packages).toMatch(new RegExp(`^${name}=`, "m"));
    }
  });
});
