import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { runCli } from "../helpers/keptn-task-cli.js";
import {
  installTarballs,
  packWorkspaces,
  pathOutsideRepository,
  removeAll,
  writeFiles,
} from "../helpers/packages.js";
import { CONTAINERS_CONF } from "../helpers/podman.js";
import { runProcess } from "../helpers/run-process.js";

// `keptn-task run --runtime podman` end to end: the command resolves an example definition and
// runs it in the runner image built by the globalSetup, as its Job would run.

describe("keptn-task run --runtime podman", () => {
  it("runs the hello example in the deno-runtime image", async () => {
    const result = await runCli(["run", "hello", "-f", "examples/hello", "--runtime", "podman"], {
      env: { CONTAINERS_CONF },
      timeoutMs: 120_000,
    });
    expect(result.stdout).toContain("Hello, world! This is a pre-deployment task.");
    expect(result.stderrLines.at(-1)).toMatch(
      // However long podman takes here: "182 ms", "1.4 s", "1 min 2 s".
      /^keptn-task: hello \(inline, deno, podman\) succeeded in \d+(?:\.\d)? (?:ms|s|min)(?: \d+ s)?$/,
    );
    expect(result.code).toBe(0);
    expect(result.leftovers).toEqual([]);
  });

  it.each([
    ["sdk-fail", "deno", 1, "Webhook answered HTTP 401"],
    ["python-gate", "python", 2, "Health gate closed: 2 of 3 checks failed"],
  ])(
    "ends with the reason %s's fail() wrote to the container's /dev/termination-log",
    async (name, runner, code, reason) => {
      const result = await runCli(
        ["run", name, "-f", "test/cli/fixtures/command.yaml", "--runtime", "podman"],
        { env: { CONTAINERS_CONF }, timeoutMs: 120_000 },
      );
      expect(result.stderrLines.at(-1)).toMatch(
        new RegExp(
          `^keptn-task: ${name} \\(inline, ${runner}, podman\\) failed with exit code ${code} in [\\d.]+ m?s: ${reason}$`,
        ),
      );
      expect(result.code).toBe(code);
      expect(result.leftovers).toEqual([]);
    },
  );

  it("runs the inline python example in the python-runtime image and keeps its verdict", async () => {
    const run = (version: string) =>
      runCli(
        ["run", "inline-python", "-f", "examples/inline-python", "--runtime", "podman"].concat([
          "--workload",
          "podtato-head",
          "--version",
          version,
        ]),
        { env: { CONTAINERS_CONF }, timeoutMs: 120_000 },
      );
    const refused = await run("latest");
    expect(refused.stdout).toContain('"podtato-head" version "latest" is not a semantic version');
    expect(refused.code).toBe(1);
    const result = await run("1.2.3");
    expect(result.stdout).toContain(
      '"podtato-head" version "1.2.3" is a semantic version: deploying',
    );
    expect(result.code).toBe(0);
    expect(result.stderrLines.at(-1)).toMatch(
      /^keptn-task: inline-python \(inline, python, podman\) succeeded/,
    );
  });
});

describe("keptn-task installed from packed tarballs, with --runtime podman --image", () => {
  let packDir: string | undefined;
  let project: string | undefined;
  afterAll(() => removeAll(packDir, project));

  it("runs a definition in the runner image it is given, outside the repository", async () => {
    const packed = packWorkspaces();
    packDir = packed.dir;
    project = installTarballs([packed.tarballs.sdk, packed.tarballs.runners]);
    writeFiles(project, {
      "hello.yaml": `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata:
  name: hello-image
spec:
  deno:
    inline:
      code: |
        import { task } from "@keptn-task/sdk";
        const t = task();
        console.log("in the image: " + t.context.taskType + " " + Deno.env.get("SCRIPT"));
`,
    });
    const result = await runProcess(
      process.execPath,
      [
        join(project, "node_modules/.bin/keptn-task"),
        "run",
        "hello-image",
        "-f",
        "hello.yaml",
        "--runtime",
        "podman",
        "--image",
        localTags["deno-runtime"] ?? "",
      ],
      {
        cwd: project,
        env: { PATH: pathOutsideRepository(), CONTAINERS_CONF, TMPDIR: project },
        timeoutMs: 120_000,
      },
    );
    expect(result.stdout).toBe("in the image: pre /var/data/function.ts\n");
    expect(result.stderr).toMatch(/keptn-task: hello-image \(inline, deno, podman\) succeeded/);
    expect(result.code).toBe(0);
  }, 300_000);
});
