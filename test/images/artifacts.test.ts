// The release artifacts as a user gets them. `npm run artifacts:reproduce` builds them twice
// from a clean clone of HEAD (so: committed work only) and must find the two runs byte-identical;
// then each artifact of the second run is used from that folder alone: the npm tarballs in an
// empty project, the wheel and sdist with pip and no index, each image archive loaded into an
// empty podman store and run as its Job would run it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTags, repoRoot } from "../../scripts/images/bake.mjs";
import { ROOT } from "../helpers/deno.js";
import {
  installTarballs,
  pathOutsideRepository,
  removeAll,
  writeFiles,
} from "../helpers/packages.js";
import { CONTAINERS_CONF, podman } from "../helpers/podman.js";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";
import { KEPTN_CONTEXT } from "../helpers/runner.js";

const { version } = JSON.parse(readFileSync(`${ROOT}runners/package.json`, "utf8")) as {
  version: string;
};
const IMAGES = ["deno-runtime", "python-runtime"] as const;

let work: string;
let artifacts: string;
let reproduce: ProcessResult;
/** An empty podman store: nothing in it but what the archives bring. */
let store: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "keptn-task-artifacts-"));
  artifacts = join(work, "artifacts");
  reproduce = await runProcess(
    process.execPath,
    [join(repoRoot, "scripts/release/reproduce.mjs"), "--keep", artifacts],
    {
      cwd: repoRoot,
      env: { CONTAINERS_CONF, TMPDIR: process.env.TMPDIR },
      timeoutMs: 3_000_000,
    },
  );
  if (reproduce.code !== 0) {
    throw new Error(
      `npm run artifacts:reproduce exited ${reproduce.code}: ${`${reproduce.stdout}\n${reproduce.stderr}`.slice(-4000)}`,
    );
  }
  store = ["--root", join(work, "store/root"), "--runroot", join(work, "store/run")];
}, 3_100_000);

afterAll(async () => {
  if (store) await podman([...store, "rmi", "--all", "--force"]);
  removeAll(work);
  // The clone's builds took the images' names; give them back to this checkout's images, as the
  // globalSetup built them, for the test files after this one (podman's cache makes it quick).
  const rebuilt = await runProcess(process.execPath, [join(repoRoot, "scripts/images/build.mjs")], {
    cwd: repoRoot,
    env: { CONTAINERS_CONF },
    timeoutMs: 900_000,
  });
  if (rebuilt.code !== 0)
    throw new Error(`Cannot rebuild the images: ${rebuilt.stderr.slice(-3000)}`);
}, 1_000_000);

/** The SHA256SUMS block a run printed after "reproduce: <which> run (N s):". */
function printedSums(which: "first" | "second"): string {
  const match = new RegExp(
    `^reproduce: ${which} run \\([\\d.]+ s\\):\\n((?:[0-9a-f]{64}  \\S+\\n)+)`,
    "m",
  ).exec(reproduce.stdout);
  return match?.[1] ?? "";
}

describe("npm run artifacts", () => {
  it("gives byte-identical artifacts in two runs from a clean clone, the second with no image cache", () => {
    const first = printedSums("first");
    expect(first.split("\n").filter(Boolean)).toHaveLength(10);
    expect(printedSums("second")).toBe(first);
    expect(reproduce.stdout).toContain("reproduce: both runs gave the same 11 files");
  });

  it("writes everything a release publishes, named by the version, and SHA256SUMS over it", () => {
    expect(readdirSync(artifacts).sort()).toEqual(
      [
        `deno-runtime-${version}.cdx.json`,
        `deno-runtime-${version}.oci.tar`,
        `keptn-task-runners-${version}.cdx.json`,
        `keptn-task-runners-${version}.tgz`,
        `keptn-task-sdk-${version}.cdx.json`,
        `keptn-task-sdk-${version}.tgz`,
        `keptn_task-${version}-py3-none-any.whl`,
        `keptn_task-${version}.tar.gz`,
        `python-runtime-${version}.cdx.json`,
        `python-runtime-${version}.oci.tar`,
        "SHA256SUMS",
      ].sort(),
    );
    const check = execFileSync("sha256sum", ["--check", "--strict", "SHA256SUMS"], {
      cwd: artifacts,
      encoding: "utf8",
    });
    expect(check.trim().split("\n")).toHaveLength(10);
    expect(check).not.toContain("FAILED");
  });
});

describe("the npm tarballs of artifacts/", () => {
  let project: string;
  afterAll(() => removeAll(project));

  it("install into an empty project, where keptn-task runs a Deno task importing the SDK", async () => {
    project = installTarballs([
      join(artifacts, `keptn-task-sdk-${version}.tgz`),
      join(artifacts, `keptn-task-runners-${version}.tgz`),
    ]);
    mkdirSync(join(project, "tmp"));
    writeFiles(project, {
      "hello.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: hello
spec:
  deno:
    inline:
      code: |
        import { task, z } from "@keptn-task/sdk";
        const t = task({ data: z.object({ name: z.string() }) });
        console.log(\`Hello, \${t.data.name}, from \${t.context.taskType}\`);
    parameters:
      map:
        name: release
`,
    });
    const run = (args: string[]) =>
      runProcess(process.execPath, [join(project, "node_modules/.bin/keptn-task"), ...args], {
        cwd: project,
        env: { PATH: pathOutsideRepository(), TMPDIR: join(project, "tmp") },
        timeoutMs: 120_000,
      });
    const versionLine = await run(["--version"]);
    expect(versionLine.stdout).toMatch(
      new RegExp(`^keptn-task ${version.replaceAll(".", "\\.")} \\(deno `),
    );
    const result = await run(["run", "hello", "-f", "hello.yaml"]);
    expect(result.stdout).toBe("Hello, release, from pre\n");
    expect(result.code).toBe(0);
  });
});

describe("the Python distributions of artifacts/", () => {
  const python = (target: string, code: string) =>
    runProcess("python3", ["-c", code], {
      env: { PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: "1" },
    });

  it.each([
    ["wheel", `keptn_task-${version}-py3-none-any.whl`, []],
    ["sdist", `keptn_task-${version}.tar.gz`, ["--no-build-isolation"]],
  ])("install the %s with pip --no-index, and keptn_task imports", async (_, file, flags) => {
    const target = join(work, `site-${file}`);
    const pip = await runProcess(
      "python3",
      [
        "-m",
        "pip",
        "install",
        "--no-index",
        "--no-deps",
        ...flags,
        "--target",
        target,
        join(artifacts, file),
      ],
      { env: { PIP_DISABLE_PIP_VERSION_CHECK: "1", TMPDIR: work }, timeoutMs: 120_000 },
    );
    expect(pip.code, pip.stderr).toBe(0);
    const result = await python(
      target,
      "import keptn_task; print(keptn_task.__version__, keptn_task.__file__)",
    );
    expect(result.stdout).toBe(`${version} ${join(target, "keptn_task/__init__.py")}\n`);
    expect(readdirSync(target)).toContain(`keptn_task-${version}.dist-info`);
  });
});

const TASKS = {
  "deno-runtime": {
    mountPath: "/var/data/function.ts",
    code: `import { task } from "@keptn-task/sdk";
const t = task();
console.log(\`archive task: \${t.context.taskType} \${t.context.workloadName} \${t.data.greeting}\`);
`,
  },
  "python-runtime": {
    mountPath: "/var/data/function.py",
    code: `import keptn_task, yaml
t = keptn_task.task()
print(f"archive task: {t.context.task_type} {t.context.workload_name} {t.data['greeting']} yaml {yaml.__version__}")
`,
  },
} as const;

describe.each(IMAGES)("the %s archive of artifacts/", (image) => {
  const tag = localTags[image] ?? "";
  const archive = () => join(artifacts, `${image}-${version}.oci.tar`);
  const sbom = () =>
    JSON.parse(readFileSync(join(artifacts, `${image}-${version}.cdx.json`), "utf8")) as {
      metadata: { component: { name: string; version: string; purl: string } };
      components: { name: string; version: string; purl: string }[];
    };

  it("loads into an empty podman store under the name docker-bake.hcl gives it", async () => {
    const loaded = await podman([...store, "load", "--input", archive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain(`Loaded image: ${tag}`);
    expect(tag).toBe(`ghcr.io/keptn-task/${image}:${version}`);
  });

  it("runs a task as its Job would: read-only root, tmpfs /tmp, user 65532, code mounted read-only", async () => {
    const task = TASKS[image];
    const file = join(work, `function-${image}`);
    writeFileSync(file, task.code);
    const result = await podman(
      [
        ...store,
        "run",
        "--rm",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--user",
        "65532",
        "--network",
        "none",
        "-v",
        `${file}:${task.mountPath}:ro`,
        "-e",
        `KEPTN_CONTEXT=${KEPTN_CONTEXT}`,
        "-e",
        "CMD_ARGS=",
        "-e",
        `SCRIPT=${task.mountPath}`,
        "-e",
        'DATA={"greeting":"hi"}',
        tag,
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.stdout).toMatch(/^archive task: pre podtato-head-entry hi(?: yaml \d\S*)?\n$/);
    expect(result.code).toBe(0);
  });

  it("is labelled with the version and the commit, and dated by the commit", async () => {
    // The commit the clone was made of (HEAD may have moved on since).
    const head = /^reproduce: ([0-9a-f]{40}) cloned into /m.exec(reproduce.stdout)?.[1] ?? "";
    const time = Number(
      execFileSync("git", ["log", "-1", "--format=%ct", head], {
        cwd: repoRoot,
        encoding: "utf8",
      }).trim(),
    );
    const inspect = await podman([...store, "image", "inspect", "--format", "json", tag]);
    const [config] = JSON.parse(inspect.stdout) as {
      Created: string;
      Labels: Record<string, string>;
    }[];
    expect(config?.Labels["org.opencontainers.image.version"]).toBe(version);
    expect(config?.Labels["org.opencontainers.image.revision"]).toBe(head);
    expect(Date.parse(config?.Created ?? "") / 1000).toBe(time);
  });

  it("has an SBOM naming the archived image's digest, the Deno it runs and its Debian packages", async () => {
    const bom = sbom();
    const index = JSON.parse(
      execFileSync("tar", ["-xOf", archive(), "index.json"], { encoding: "utf8" }),
    ) as { manifests: { digest: string }[] };
    expect(bom.metadata.component.purl).toContain(`@${index.manifests[0]?.digest}?`);
    expect(bom.metadata.component.name).toBe(tag.slice(0, tag.lastIndexOf(":")));

    const deno = await podman([
      ...store,
      "run",
      "--rm",
      "--entrypoint",
      "/usr/bin/deno",
      tag,
      "--version",
    ]);
    const denoVersion = /^deno (\S+)/.exec(deno.stdout)?.[1];
    expect(bom.components.find((c) => c.name === "deno")?.version).toBe(denoVersion);

    const pins = readFileSync(join(repoRoot, `images/${image}/debian-packages.txt`), "utf8")
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean);
    const debian = bom.components.filter((c) => c.purl.startsWith("pkg:deb/debian/"));
    expect(debian.map((c) => `${c.name}=${c.version}`).sort()).toEqual([...pins].sort());
    expect(bom.components.find((c) => c.name === "keptn-task")?.version).toBe(version);
    expect(bom.components.find((c) => c.name === "zod")?.purl).toMatch(/^pkg:npm\/zod@/);
  });
});
