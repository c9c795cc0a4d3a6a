// The packages as users get them: packed with `npm pack`, installed into empty projects outside
// the repository, used there with nothing of this checkout on PATH and no KEPTN_TASK_* setting.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measure, sizeSentence } from "../../scripts/install-sizes.mjs";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import {
  installedOnce,
  installedPackages,
  packedOnce,
  pathOutsideRepository,
  removeAll,
  type Tarballs,
  writeFiles,
} from "../helpers/packages.js";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";

const DEFINITIONS = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: greet
spec:
  deno:
    inline:
      code: |
        import { task, z } from "@keptn-task/sdk";
        const t = task({ data: z.object({ name: z.string(), times: z.number().default(2) }) });
        t.log.info({ token: t.secureData }, "starting");
        for (let i = 0; i < t.data.times; i++) console.log(\`Hello, \${t.data.name} (\${t.context.taskType})\`);
    parameters:
      map:
        name: world
    secureParameters:
      secret: greet-token
---
apiVersion: v1
kind: Secret
metadata:
  name: greet-token
stringData:
  SECURE_DATA: s3cr3t-t0ken-value
---
apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: pygreet
spec:
  python:
    inline:
      code: |
        from keptn_task import task
        t = task(data_schema={"name": str})
        print(f"Hello from Python, {t.data['name']}")
    parameters:
      map:
        name: snake
`;

const GOOD_TASK = `import { task, z } from "@keptn-task/sdk";
const t = task({ data: z.object({ url: z.url(), retries: z.number().int().default(3) }) });
const retries: number = t.data.retries;
const url: string = t.data.url;
t.log.info({ url, retries }, "checking");
`;

const BAD_TASK = `import { task, z } from "@keptn-task/sdk";
const t = task({ data: z.object({ url: z.url() }) });
const retries: number = t.data.url;
console.log(retries);
`;

let tarballs: Tarballs;
let tool: string;
let sdkOnly: string;
let server: FileServer;

beforeAll(async () => {
  ({ tarballs } = await packedOnce());
  tool = await installedOnce("tool", (packed) => [packed.sdk, packed.runners]);
  sdkOnly = await installedOnce("sdk", (packed) => [packed.sdk]);
  server = await startFileServer({
    "/lib/shout.ts": 'export const shout = (text: string): string => text.toUpperCase() + "!";\n',
    "/tasks/fetched.ts": 'console.log("fetched", Deno.args.length);\n',
  });
  writeFiles(tool, {
    "defs.yaml": DEFINITIONS,
    "good.ts": GOOD_TASK,
    "container.yaml": [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: { name: probe }",
      "spec:",
      "  container:",
      "    name: probe",
      "    image: busybox:1.37",
      "    resources:",
      "      limits: { memory: lots }",
      "",
    ].join("\n"),
    "bad.ts": BAD_TASK,
    "fetched.yaml": [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: { name: fetched }",
      "spec:",
      "  deno:",
      `    httpRef: { url: "${server.origin}/tasks/fetched.ts" }`,
      "",
    ].join("\n"),
    "remote.ts": `import { task } from "@keptn-task/sdk";\nimport { shout } from "${server.origin}/lib/shout.ts";\nconst t = task();\nconsole.log(shout("bundled " + t.context.taskType));\n`,
  });
}, 300_000);

afterAll(async () => {
  await server?.close();
  removeAll(tool, sdkOnly);
});

/** Runs `keptn-task ARGS` in the installed project, as `npx keptn-task` does. */
function keptnTask(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [join(tool, "node_modules/.bin/keptn-task"), ...args], {
    cwd: tool,
    env: { PATH: pathOutsideRepository(), TMPDIR: join(tool, "tmp"), ...env },
    timeoutMs: 120_000,
  });
}

/** The Deno binary the installed `deno` package brought. */
function installedDeno(): string {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  return join(tool, `node_modules/@deno/linux-${arch}-glibc/deno`);
}

describe("the install sizes the docs state", () => {
  it("are what these installs measure (scripts/install-sizes.mjs)", () => {
    const sentence = sizeSentence(measure(sdkOnly), measure(tool));
    const readme = readFileSync(join(ROOT, "docs/guide/install.md"), "utf8");
    const flat = (text: string) => text.replace(/\s+/g, " ");
    expect(flat(readme)).toContain(flat(sentence));
  });
});

describe("the keptn-task command installed from packed tarballs", () => {
  beforeAll(() => mkdirSync(join(tool, "tmp"), { recursive: true }));

  it("validates a definition with inline Deno code importing the SDK and inline Python code", async () => {
    const result = await keptnTask(["validate", "--images", "keptn-task", "defs.yaml"]);
    expect(result.stderr).toContain("checked 3 objects in 1 file: valid");
    expect(result.code).toBe(0);
    // Against Keptn's stock images (the default) the SDK imports are flagged.
    const stock = await keptnTask(["validate", "defs.yaml"]);
    expect(stock.stdout.match(/ warning SDK_ON_STOCK_IMAGE /g)).toHaveLength(2);
  });

  it("checks a container task against Kubernetes' Container schema (kubernetes-models installed with it)", async () => {
    const result = await keptnTask(["validate", "container.yaml"]);
    expect(result.stdout).toContain(
      'container.yaml:9:17: error MANIFEST_INVALID KeptnTaskDefinition/default/probe: spec.container.resources.limits.memory: Invalid KeptnTaskDefinition: must be a Kubernetes quantity such as "512Mi", "1Gi", "500m" or 2, received "lots"',
    );
    expect(result.code).toBe(65);
  });

  it("renders the Job the operator would create", async () => {
    const result = await keptnTask(["render", "greet", "-f", "defs.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("kind: Job");
    expect(result.stdout).toContain("name: keptn-function-runner");
    expect(result.stdout).toContain("name: keptnfn-greet");
  });

  it("runs Deno code importing @keptn-task/sdk with the Deno the package brings, secrets masked", async () => {
    const result = await keptnTask(["run", "greet", "-f", "defs.yaml"]);
    expect(result.stdout).toContain("Hello, world (pre)\nHello, world (pre)\n");
    expect(result.stdout).toContain('"token":"***"');
    expect(`${result.stdout}${result.stderr}`).not.toContain("s3cr3t-t0ken-value");
    expect(result.stderr).toContain("greet (inline, deno, local) succeeded");
    expect(result.code).toBe(0);
  });

  it("runs httpRef code the packed runner fetches itself, once", async () => {
    const result = await keptnTask(["run", "fetched", "-f", "fetched.yaml"]);
    expect(result.stdout).toBe("fetched 0\n");
    expect(result.stderr).toContain("fetched (httpRef, deno, local) succeeded");
    expect(result.code).toBe(0);
    expect(server.hits("/tasks/fetched.ts")).toBe(1);
  });

  it("shows log lines human-readable with --pretty (pino-pretty installed with the command)", async () => {
    const result = await keptnTask(["run", "greet", "-f", "defs.yaml", "--pretty"]);
    expect(result.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: starting\n {4}/m);
    expect(result.stdout).toContain('token: "***"');
    expect(result.code).toBe(0);
  });

  it("says in one line that pino-pretty is missing from a damaged install, before the task runs (127)", async () => {
    const damaged = await installedOnce("tool", (packed) => [packed.sdk, packed.runners]);
    try {
      rmSync(join(damaged, "node_modules/pino-pretty"), { recursive: true, force: true });
      writeFiles(damaged, { "defs.yaml": DEFINITIONS });
      const result = await runProcess(
        process.execPath,
        [
          join(damaged, "node_modules/.bin/keptn-task"),
          "run",
          "greet",
          "-f",
          "defs.yaml",
          "--pretty",
        ],
        { cwd: damaged, env: { PATH: pathOutsideRepository() }, timeoutMs: 120_000 },
      );
      expect(result.stderr).toBe(
        'keptn-task: Cannot show log lines readable: the package "pino-pretty" is not installed: run npm install @keptn-task/runners again, or pass --no-pretty\n',
      );
      expect(result.stdout).toBe("");
      expect(result.code).toBe(127);
    } finally {
      removeAll(damaged);
    }
  });

  it("runs Python code with the machine's python3 and the keptn_task module the package ships", async () => {
    const result = await keptnTask(["run", "pygreet", "-f", "defs.yaml"]);
    expect(result.stdout).toBe("Hello from Python, snake\n");
    expect(result.stderr).toContain("pygreet (inline, python, local) succeeded");
    expect(result.code).toBe(0);
  });

  it.each([
    ["podman", "podman run --rm"],
    ["docker", "docker run --rm"],
  ])("builds the %s command for a runner image given with --image", async (engine, command) => {
    const result = await keptnTask([
      "run",
      "greet",
      "-f",
      "defs.yaml",
      "--runtime",
      engine,
      "--image",
      "registry.example/deno-runtime:1",
      "--dry-run",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(command);
    expect(result.stdout).toContain("-e SECURE_DATA");
    expect(result.stdout).toContain("registry.example/deno-runtime:1");
    expect(result.stdout).not.toContain("s3cr3t-t0ken-value");
  });

  it("bundles a task with a remote import with the esbuild it depends on, and the bundle runs offline", async () => {
    const bundled = await keptnTask(["bundle", "remote.ts", "--outfile", "remote.bundle.js"]);
    expect(bundled.stderr).toContain("keptn-task: bundled");
    expect(bundled.code).toBe(0);
    expect(server.hits("/lib/shout.ts")).toBe(1);
    const run = await runProcess(
      installedDeno(),
      [
        "run",
        "--no-remote",
        "--cached-only",
        "--no-config",
        "--allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT",
        `--import-map=${join(tool, "node_modules/@keptn-task/runners/dist/import-map.json")}`,
        "remote.bundle.js",
      ],
      {
        cwd: tool,
        env: {
          KEPTN_CONTEXT:
            '{"workloadName":"","appName":"shop","appVersion":"1","workloadVersion":"","taskType":"post","objectType":"App"}',
          NO_COLOR: "1",
        },
      },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("BUNDLED POST!\n");
    expect(run.code).toBe(0);
  });

  it("prints its version with the version of the Deno it runs", async () => {
    const { version, dependencies } = JSON.parse(
      readFileSync(join(tool, "node_modules/@keptn-task/runners/package.json"), "utf8"),
    ) as { version: string; dependencies: Record<string, string> };
    const result = await keptnTask(["--version"]);
    expect(result.stdout).toBe(`keptn-task ${version} (deno ${dependencies.deno})\n`);
    expect(result.code).toBe(0);
  });

  it("type-checks a Deno task against the SDK bundle's types through the runner's import map", async () => {
    // Both files in one check (one TypeScript program, the SDK's declarations read once): the
    // bad one's error is reported, and nothing of the good one.
    const check = await runProcess(
      installedDeno(),
      [
        "check",
        "--no-config",
        `--import-map=${join(tool, "node_modules/@keptn-task/runners/dist/import-map.json")}`,
        "good.ts",
        "bad.ts",
      ],
      { cwd: tool, env: { NO_COLOR: "1", DENO_DIR: join(tool, "tmp/deno-dir") } },
    );
    expect(check.stderr).toContain("TS2322");
    expect(check.stderr).toContain("Type 'string' is not assignable to type 'number'");
    expect(check.stderr).toContain("bad.ts:3:7");
    // One error, in bad.ts: good.ts type-checks.
    expect(check.stderr.match(/\[ERROR\]/g)).toHaveLength(1);
    expect(check.stderr).not.toContain("good.ts:");
    expect(check.code).toBe(1);
  });

  it("says in one line that python3 is missing and how to get it, with exit code 127", async () => {
    // A PATH with node and nothing else: no python3 on it.
    const bin = join(tool, "tmp/node-only-bin");
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, "node"))) symlinkSync(process.execPath, join(bin, "node"));
    const result = await keptnTask(["run", "pygreet", "-f", "defs.yaml"], { PATH: bin });
    expect(result.stderr).toMatch(
      /^keptn-task: Cannot start "python3": not found on PATH: install Python 3 .*apt-get install python3.*KEPTN_TASK_PYTHON.*\n$/,
    );
    expect(result.stdout).toBe("");
    expect(result.code).toBe(127);
  });

  it("says in one line that Deno is missing and how to get it, with exit code 127", async () => {
    // As if npm had installed no Deno binary for this platform.
    const moved: [string, string][] = ["node_modules/@deno", "node_modules/deno"]
      .map((path) => join(tool, path))
      .filter((path) => existsSync(path))
      .map((path) => [path, `${path}.away`]);
    for (const [from, to] of moved) renameSync(from, to);
    try {
      const result = await keptnTask(["run", "greet", "-f", "defs.yaml"], {
        PATH: join(tool, "tmp/node-only-bin"),
      });
      expect(result.stderr).toMatch(
        /^keptn-task: Cannot start "deno": the npm package "deno@\d+\.\d+\.\d+" has no binary for linux-\w+ .*npm install.*KEPTN_TASK_DENO.*\n$/,
      );
      expect(result.code).toBe(127);
    } finally {
      for (const [from, to] of moved) renameSync(to, from);
    }
  });
});

describe("the command's tarball", () => {
  it("ships no Python bytecode that running the tests (or a task) left in dist", () => {
    // python3 writes __pycache__ next to keptn_task when a task imports it from dist/python.
    const caches = ["dist/__pycache__", "dist/python/keptn_task/__pycache__"].map((dir) =>
      join(ROOT, "runners", dir),
    );
    const planted = caches.filter((dir) => !existsSync(dir));
    try {
      for (const dir of caches) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "planted.cpython-311.pyc"), "");
      }
      const [packed] = JSON.parse(
        execFileSync("npm", ["pack", "--dry-run", "--json", "-w", "runners"], {
          cwd: ROOT,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        }),
      ) as { files: { path: string }[] }[];
      expect(packed?.files.length).toBeGreaterThan(10);
      expect(packed?.files.filter((f) => /__pycache__|\.pyc$/.test(f.path))).toEqual([]);
    } finally {
      for (const dir of caches) rmSync(join(dir, "planted.cpython-311.pyc"), { force: true });
      for (const dir of planted) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the SDK installed alone, as a container-runtime image does", () => {
  it("brings no command, YAML parser, HTTP client, bundler or Deno", () => {
    const installed = installedPackages(sdkOnly);
    expect(installed).toContain("@keptn-task/sdk");
    expect(installed).toContain("zod");
    expect(installed).toContain("pino");
    for (const name of [
      "@keptn-task/runners",
      "yaml",
      "undici",
      "leven",
      "kubernetes-models",
      "@kubernetes-models",
      "esbuild",
      "deno",
      "@deno",
    ]) {
      expect(installed.filter((p) => p === name || p.startsWith(`${name}/`))).toEqual([]);
    }
    expect(existsSync(join(sdkOnly, "node_modules/.bin/keptn-task"))).toBe(false);
  });

  it("runs a Node task that reads its context and data and masks its secret", async () => {
    writeFiles(sdkOnly, {
      "task.mjs": `import { task, z } from "@keptn-task/sdk";
const t = task({ data: z.object({ attempts: z.number() }), secureData: z.object({ token: z.string() }) });
t.log.info({ token: t.secureData.token }, \`\${t.context.workloadName} \${t.data.attempts}\`);
t.succeed("done");
`,
    });
    const result = await runProcess(process.execPath, ["task.mjs"], {
      cwd: sdkOnly,
      env: {
        PATH: pathOutsideRepository(),
        KEPTN_CONTEXT:
          '{"workloadName":"checkout","appName":"shop","appVersion":"","workloadVersion":"1.2.0","taskType":"pre","objectType":"Workload"}',
        DATA: '{"attempts":"3"}',
        SECURE_DATA: '{"token":"n0de-t0ken-42"}',
        KEPTN_TASK_TERMINATION_LOG: join(sdkOnly, "termination-log"),
      },
    });
    expect(result.stdout).toContain('"msg":"checkout 3"');
    expect(result.stdout).toContain('"token":"***"');
    expect(result.stdout).not.toContain("n0de-t0ken-42");
    expect(result.code).toBe(0);
  });

  it("ships no command line, no source maps and nothing outside dist and schemas", () => {
    const files = execFileSync("tar", ["tzf", tarballs.sdk], { encoding: "utf8" })
      .trim()
      .split("\n");
    expect(
      files.filter((f) =>
        /\/cli\/|\.map$|^package\/(?!dist\/|schemas\/|package\.json$|README\.md$)/.test(f),
      ),
    ).toEqual([]);
    expect(files).toContain("package/dist/keptn-task-sdk.d.ts");
    // For yaml-language-server: ./node_modules/@keptn-task/sdk/schemas/<this file>.
    expect(files).toContain("package/schemas/keptn-task-definition.schema.json");
  });

  it("keeps what is not in its exports map private", async () => {
    const result = await runProcess(
      process.execPath,
      ["--input-type=module", "-e", 'await import("@keptn-task/sdk/dist/core/task.js")'],
      { cwd: sdkOnly },
    );
    expect(result.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    expect(result.code).not.toBe(0);
  });

  it("loads the definitions tooling only with its optional peers (yaml, ajv) installed", async () => {
    const result = await runProcess(
      process.execPath,
      ["--input-type=module", "-e", 'await import("@keptn-task/sdk/definitions")'],
      { cwd: sdkOnly },
    );
    expect(result.stderr).toMatch(/Cannot find package '(yaml|ajv)'/);
    expect(result.code).not.toBe(0);
  });
});
