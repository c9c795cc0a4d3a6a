import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTags, repoRoot } from "../../scripts/images/bake.mjs";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { podman, podmanOutput, runTaskImage } from "../helpers/podman.js";
import { runProcess } from "../helpers/run-process.js";
import { KEPTN_CONTEXT, runnerLogLines, scratch } from "../helpers/runner.js";

// The derived images of images/extending, built on the images the globalSetup built, as the
// README tells users to build them, then run as a Job runs them: with no network at all, so
// anything they would fetch at run time fails the test.

const tmp = scratch("keptn-task-extending-");
const built: string[] = [];
let server: FileServer;
/** The local base images (DEBIAN_IMAGE=...), made by make-bases.sh and kept by tag. */
let bases: Record<string, string>;

beforeAll(async () => {
  server = await startFileServer({
    "/lib/version.ts": `import { describe } from "./describe.ts";
export const atLeast = (version: string, minimum: string): boolean =>
  version.localeCompare(minimum, "en", { numeric: true }) >= 0;
export { describe };
`,
    "/lib/describe.ts":
      'export const describe = (name: string, version: string): string => name + " " + version;\n',
  });
  const made = await runProcess("bash", [join(repoRoot, "scripts/images/make-bases.sh")], {
    timeoutMs: 600_000,
  });
  if (made.code !== 0) throw new Error(`make-bases.sh exited ${made.code}: ${made.stderr}`);
  bases = Object.fromEntries(
    made.stdout
      .trim()
      .split("\n")
      .map((line) => line.split("=", 2) as [string, string]),
  );
});
afterAll(async () => {
  await server.close();
  for (const tag of built) await podman(["rmi", "--force", tag]);
  tmp.cleanup();
});

/** `podman build` of a derived image; the build may reach the loopback server. */
async function build(tag: string, context: string, args: Record<string, string>) {
  const result = await podman(
    [
      "build",
      "--network",
      "host",
      ...Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]),
      "--tag",
      tag,
      context,
    ],
    { timeoutMs: 600_000 },
  );
  if (result.code !== 0) {
    throw new Error(`podman build of ${tag} exited ${result.code}: ${result.stderr.slice(-3000)}`);
  }
  built.push(tag);
}

describe("a python-runtime extended with a Python package (images/extending/python-packages)", () => {
  const tag = "keptn-task-test/python-runtime-semver:dev";

  it("runs a task importing the added package next to Keptn's three, offline, with its bytecode precompiled", async () => {
    await build(tag, join(repoRoot, "images/extending/python-packages"), {
      BASE_IMAGE: localTags["python-runtime"] ?? "",
      DEBIAN_IMAGE: bases.DEBIAN_IMAGE ?? "",
    });
    const mountPath = "/var/data/function.py";
    const result = await runTaskImage({
      image: tag,
      network: "none",
      code: {
        file: tmp.file(
          "semver-task.py",
          `import importlib.util, json, os
import git, requests, semver, yaml
import keptn_task

t = keptn_task.task()
version = semver.Version.parse(t.context.workload_version)
print(json.dumps({
    "newer": version > "0.3.0",
    "next": str(version.bump_minor()),
    "module": semver.__file__,
    "bytecode": os.path.exists(importlib.util.cache_from_source(semver.__file__)),
}))
`,
        ),
        mountPath,
      },
      env: { KEPTN_CONTEXT, CMD_ARGS: "", SCRIPT: mountPath },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      newer: true,
      next: "0.4.0",
      module: "/usr/local/lib/python3.13/dist-packages/semver/__init__.py",
      bytecode: true,
    });
    // Nothing else changed: the base's user and exec-form entrypoint.
    expect(await podmanOutput(["image", "inspect", "--format", "{{.Config.User}}", tag])).toBe(
      "65532:65532",
    );
    expect(
      await podmanOutput(["image", "inspect", "--format", "{{json .Config.Entrypoint}}", tag]),
    ).toBe(
      await podmanOutput([
        "image",
        "inspect",
        "--format",
        "{{json .Config.Entrypoint}}",
        localTags["python-runtime"] ?? "",
      ]),
    );
  });
});

describe("a deno-runtime with its task and remote modules baked in (images/extending/deno-task)", () => {
  const tag = "keptn-task-test/deno-runtime-baked-task:dev";
  let hitsAfterBuild = 0;

  beforeAll(async () => {
    // The task of the example folder imports from JSR, which this machine cannot reach: the same
    // Dockerfile builds a task importing modules from the loopback server instead.
    const context = join(tmp.dir, "deno-task");
    tmp.file(
      "deno-task/task.ts",
      `import { task } from "@keptn-task/sdk";
import { atLeast, describe } from "${server.origin}/lib/version.ts";

const t = task();
const { workloadName, workloadVersion } = t.context;
const minimum = t.data.minimumVersion ?? "0.3.0";
const verdict = atLeast(workloadVersion, minimum) ? "ok" : "too old";
console.log(\`\${describe(workloadName, workloadVersion)}: \${verdict}, token \${t.secureData ?? "none"}\`);
`,
    );
    copyFileSync(
      join(repoRoot, "images/extending/deno-task/Dockerfile"),
      join(context, "Dockerfile"),
    );
    await build(tag, context, { BASE_IMAGE: localTags["deno-runtime"] ?? "" });
    hitsAfterBuild = server.hits("/lib/version.ts") + server.hits("/lib/describe.ts");
  });

  it("fetched the task's remote modules once, while it was built", () => {
    expect(server.hits("/lib/version.ts")).toBe(1);
    expect(server.hits("/lib/describe.ts")).toBe(1);
  });

  it("runs as a container task, with only KEPTN_CONTEXT, and no network: it fetches nothing", async () => {
    const result = await runTaskImage({ image: tag, network: "none", env: { KEPTN_CONTEXT } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("podtato-head-entry 0.3.1: ok, token none\n");
    expect(result.code).toBe(0);
    expect(server.hits("/lib/version.ts") + server.hits("/lib/describe.ts")).toBe(hitsAfterBuild);
  });

  it("runs it in a child process with its output masked when SECURE_DATA is set, still offline", async () => {
    const result = await runTaskImage({
      image: tag,
      network: "none",
      env: { KEPTN_CONTEXT, DATA: '{"minimumVersion":"1.0.0"}', SECURE_DATA: "baked-secret-81c4" },
    });
    expect(result.stdout).toBe("podtato-head-entry 0.3.1: too old, token ***\n");
    expect(runnerLogLines(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    expect(server.hits("/lib/version.ts") + server.hits("/lib/describe.ts")).toBe(hitsAfterBuild);
  });

  it("fails a Job whose code imports a module that was not baked in: the module cache is read-only", async () => {
    const mountPath = "/var/data/function.ts";
    const url = `${server.origin}/lib/describe.ts?not-baked`;
    const result = await runTaskImage({
      image: tag,
      network: "host",
      code: {
        file: tmp.file(
          "not-baked.ts",
          `import { describe } from "${url}";\nconsole.log(describe("a", "1"));\n`,
        ),
        mountPath,
      },
      env: { KEPTN_CONTEXT, CMD_ARGS: "", SCRIPT: mountPath },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Read-only file system");
  });
});
