// Every folder of examples/ runs with `keptn-task run`, as its README says, against loopback
// servers where it needs one (examples-server.ts). Here: the examples' coverage and those that run
// code (inline, ConfigMap, httpRef, functionRef, a container); the ones that talk to services
// are in examples-services.test.ts.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { DENO } from "../helpers/deno.js";
import { runCli } from "../helpers/keptn-task-cli.js";
import {
  dir,
  EXAMPLES,
  jsonLines,
  origin,
  requests,
  serveExamples,
  summary,
} from "./examples-server.js";

serveExamples();

/** The folders this file runs; a new example without a test here fails the first test. */
const TESTED = [
  "change-freeze",
  "configmap-ref",
  "container-runtime",
  "function-ref",
  "health-check",
  "hello",
  "http-ref",
  "inline-python",
  "notify-webhook",
  "prometheus-query",
  "secure-parameters",
  "slack-notify",
];

describe("examples", () => {
  it("has a test for every example folder, each with a README and its definition", () => {
    const folders = readdirSync(EXAMPLES, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(TESTED);
    for (const folder of folders) {
      expect(existsSync(join(EXAMPLES, folder, "README.md")), `${folder}/README.md`).toBe(true);
      expect(existsSync(join(EXAMPLES, folder, `${folder}.yaml`)), `${folder}/${folder}.yaml`).toBe(
        true,
      );
    }
  });

  it("hello greets the workload of the context it is given", async () => {
    const result = await runCli([
      "run",
      "hello",
      "-f",
      "examples/hello",
      "--workload",
      "podtato-head-entry",
    ]);
    expect(result.stdout.split("\n")[0]).toBe(
      "Hello, podtato-head-entry! This is a pre-deployment task.",
    );
    expect(result.stderr).toMatch(/^keptn-task: hello \(inline, deno, local\) succeeded in /);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it.each([
    ["1.4.2", [], 0, '"cart" version "1.4.2" is a semantic version: deploying'],
    ["latest", [], 1, '"cart" version "latest" is not a semantic version: refusing to deploy it'],
    [
      "2.0.0-rc.1",
      [],
      2,
      '"cart" version "2.0.0-rc.1" is a pre-release: set allowPrerelease to "true" to allow it',
    ],
    [
      "2.0.0-rc.1",
      ["--data", "allowPrerelease=true"],
      0,
      '"cart" version "2.0.0-rc.1" is a semantic version: deploying',
    ],
  ])("inline-python gates version %s %j with exit code %d", async (version, extra, code, line) => {
    const result = await runCli([
      "run",
      "inline-python",
      "-f",
      "examples/inline-python",
      "--workload",
      "cart",
      "--version",
      version,
      ...extra,
    ]);
    expect(result.stdout).toBe(`${line}\n`);
    expect(result.code).toBe(code);
    expect(result.leftovers).toEqual([]);
  });

  it("configmap-ref runs code from its ConfigMap, with DATA typed by the SDK", async () => {
    const result = await runCli([
      "run",
      "configmap-ref",
      "-f",
      "examples/configmap-ref",
      "--workload",
      "cart",
    ]);
    const [first, last] = jsonLines(result.stdout);
    expect(first).toMatchObject({
      workload: "cart",
      minReplicas: 2,
      msg: "Code from ConfigMap configmap-ref-code, typed by the SDK",
    });
    expect(last).toMatchObject({ msg: "At least 2 replicas required" });
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: configmap-ref \(configMap configmap-ref-code, deno, local\) succeeded/,
    );
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("http-ref fetches its pinned code and its relative import from the URL", async () => {
    const yaml = readFileSync(join(EXAMPLES, "http-ref", "http-ref.yaml"), "utf8").replace(
      "https://raw.githubusercontent.com/keptn-task/keptn-task-runtime/main",
      origin,
    );
    expect(yaml).toContain(`${origin}/examples/http-ref/task.ts#sha256=`);
    const copy = join(dir, "http-ref.yaml");
    writeFileSync(copy, yaml);
    const result = await runCli([
      "run",
      "http-ref",
      "-f",
      copy,
      "--workload",
      "cart",
      "--version",
      "1.0.0",
    ]);
    expect(result.stdout).toBe(
      'pre-deployment task from a URL for workload "cart" 1.0.0, environment "staging"\n',
    );
    // Pinned: no HTTPREF_UNPINNED warning.
    expect(result.stderr).not.toContain("warning");
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: http-ref \(httpRef, deno, local\) succeeded/,
    );
    expect(requests("/examples/http-ref/task.ts")).toHaveLength(1);
    expect(requests("/examples/http-ref/describe.ts")).toHaveLength(1);
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it.each([
    ["cart", 2, "cart 1.4.2 is held by the year-end change freeze until "],
    ["payments", 0, "payments 1.4.2 is exempt from the year-end change freeze until "],
  ])(
    "change-freeze, fetched with its handler module, gives %s exit code %d",
    async (workload, code, says) => {
      const yaml = readFileSync(
        join(EXAMPLES, "change-freeze", "change-freeze.yaml"),
        "utf8",
      ).replace("https://raw.githubusercontent.com/keptn-task/keptn-task-runtime/main", origin);
      expect(yaml).toContain(`${origin}/examples/change-freeze/task.ts#sha256=`);
      const copy = join(dir, "change-freeze.yaml");
      writeFileSync(copy, yaml);
      const until = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
      const result = await runCli([
        "run",
        "change-freeze",
        "-f",
        copy,
        "--workload",
        workload,
        "--version",
        "1.4.2",
        "--data",
        `freezeUntil=${until}`,
      ]);
      expect(result.stderr).not.toContain("warning");
      expect(String(jsonLines(result.stdout).pop()?.msg)).toBe(`${says}${until}`);
      expect(requests("/examples/change-freeze/handler.ts").length).toBeGreaterThan(0);
      expect(result.code).toBe(code);
      expect(result.leftovers).toEqual([]);
    },
  );

  it("function-ref runs the parent's code with the child's parameters winning", async () => {
    const child = await runCli(["run", "announce-release", "-f", "examples/function-ref"]);
    expect(child.stdout).toBe("[#deployments] podtato-head is being released (pre-deployment)\n");
    expect(summary(child.stderr)).toMatch(
      /^keptn-task: announce-release \(functionRef announce, inline, deno, local\) succeeded/,
    );
    expect(child.code).toBe(0);
    expect(child.leftovers).toEqual([]);
    const parent = await runCli([
      "run",
      "announce",
      "-f",
      "examples/function-ref",
      "--task-type",
      "post",
    ]);
    expect(parent.stdout).toBe("[#deployments] A deployment is starting (post-deployment)\n");
    expect(parent.stderrLines).toEqual([
      expect.stringMatching(/^keptn-task: announce \(inline, deno, local\) succeeded in /),
    ]);
    expect(parent.code).toBe(0);
    expect(parent.leftovers).toEqual([]);
  });

  it("container-runtime runs its SDK task with the container's env, in place of the image", async () => {
    const result = await runCli([
      "run",
      "container-runtime",
      "-f",
      "examples/container-runtime",
      "--workload",
      "cart",
      "--version",
      "1.4.2",
      "--",
      DENO,
      "run",
      "--no-config",
      "--import-map=runners/dist/import-map.json",
      "--allow-env=KEPTN_CONTEXT,DATA,SECURE_DATA,KEPTN_TASK_DEADLINE,KEPTN_TASK_LOG_LEVEL,TEAM",
      "--allow-read=runners/dist",
      "examples/container-runtime/task.ts",
    ]);
    const [note, done] = jsonLines(result.stdout);
    expect(note).toMatchObject({
      msg: "Release note",
      note: { team: "checkout", workload: "cart", version: "1.4.2", taskType: "pre" },
    });
    expect(done).toMatchObject({ msg: "Release note of cart recorded for team checkout" });
    expect(summary(result.stderr)).toMatch(
      /^keptn-task: container-runtime \(image ghcr\.io\/keptn-task\/example-release-note:dev, container, local\) succeeded/,
    );
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it("container-runtime's Dockerfile runs that task with those flags on the SDK it ships", () => {
    const dockerfile = readFileSync(join(EXAMPLES, "container-runtime", "Dockerfile"), "utf8");
    expect(dockerfile).toContain("COPY task.ts /task/task.ts");
    expect(dockerfile).toContain('"--import-map=/app/import-map.json"');
    expect(dockerfile).toContain(
      '"--allow-env=KEPTN_CONTEXT,DATA,SECURE_DATA,KEPTN_TASK_DEADLINE,KEPTN_TASK_LOG_LEVEL,TEAM"',
    );
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/usr\/bin\/deno", "run"/);
    // Built on the image npm run images makes, by the full name docker-bake.hcl gives it, and
    // tagged as the definition names it, in the Dockerfile and the README alike.
    expect(dockerfile).toContain(`ARG BASE_IMAGE=${localTags["deno-runtime"]}\n`);
    const image = /^\s+image: (\S+)$/m.exec(
      readFileSync(join(EXAMPLES, "container-runtime", "container-runtime.yaml"), "utf8"),
    )?.[1];
    const build = `podman build -t ${image} examples/container-runtime`;
    expect(dockerfile).toContain(build);
    expect(readFileSync(join(EXAMPLES, "container-runtime", "README.md"), "utf8")).toContain(build);
  });
});
