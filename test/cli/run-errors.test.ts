import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";
import { runScratch, SECRET, TASKS } from "./run-helpers.js";

const { dir } = runScratch();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keptn-task run", () => {
  it.each([
    {
      case: "a missing file",
      args: ["run", "print-env", "-f", "test/cli/fixtures/absent.yaml"],
      code: 65,
      line: 'keptn-task: Cannot read "test/cli/fixtures/absent.yaml": no such file or directory',
    },
    {
      case: "invalid YAML",
      args: ["run", "print-env", "-f", "test/fixtures/definitions/broken.yaml"],
      code: 65,
      line: /^keptn-task: test\/fixtures\/definitions\/broken\.yaml:6:1: Cannot parse YAML: [^\n]+ with a \]$/,
    },
    {
      case: "a mistyped definition name",
      args: ["run", "print-envv", "-f", TASKS],
      code: 66,
      line: 'keptn-task: Cannot find KeptnTaskDefinition "print-envv" in "test/cli/fixtures/tasks.yaml": did you mean "print-env"?',
    },
    {
      case: "an unknown definition",
      args: ["run", "deploy-everything", "-f", TASKS],
      code: 66,
      line: /^keptn-task: Cannot find KeptnTaskDefinition "deploy-everything" in "test\/cli\/fixtures\/tasks\.yaml": they define "print-env", "print-secret", /,
    },
    {
      case: "a definition in another namespace",
      args: ["run", "print-env", "-f", TASKS, "-n", "default"],
      code: 66,
      line: /^keptn-task: Cannot find KeptnTaskDefinition "print-env" in namespace "default" or "keptn-system" in /,
    },
    {
      case: "a functionRef to a missing parent",
      args: ["run", "orphan", "-f", TASKS],
      code: 66,
      line: /^keptn-task: Cannot run "orphan": MISSING_PARENT "orphan" has functionRef "no-such-parent", which is in neither namespace "shop" nor "keptn-system"/,
    },
    {
      case: "a configMapRef to a ConfigMap not among the manifests",
      args: ["run", "missing-configmap", "-f", TASKS],
      code: 66,
      line: 'keptn-task: Cannot run "missing-configmap": ConfigMap "not-applied" (configMapRef of "missing-configmap") is not among the manifests: add it with -f, its code under the key "code"',
    },
    {
      case: "no value for SECURE_DATA",
      args: ["run", "print-secret", "-f", TASKS],
      code: 78,
      line: 'keptn-task: Cannot run "print-secret": SECURE_DATA: Secret "cli-secret" key "SECURE_DATA" has no value: pass the value with --secret @FILE or --secret VALUE, or add the Secret with -f',
    },
    {
      case: "no value for a container's env from a Secret",
      args: [
        "run",
        "container-secret",
        "-f",
        "test/cli/fixtures/container-secret.yaml",
        "--",
        "true",
      ],
      code: 78,
      line: 'keptn-task: Cannot run "container-secret": API_TOKEN: Secret "api-token" key "token" has no value: give it with --env API_TOKEN=VALUE (masked), or add the Secret with -f',
    },
    {
      case: "a --secret for a definition without secureParameters",
      args: ["run", "print-env", "-f", TASKS, "--secret", SECRET],
      code: 64,
      line: 'keptn-task: Cannot use --secret with "print-env": it has no secureParameters, so its Job gets no SECURE_DATA',
    },
    {
      case: "a --secret @FILE that does not exist",
      args: ["run", "print-secret", "-f", TASKS, "--secret", "@no-such-secret.json"],
      code: 64,
      line: 'keptn-task: Cannot read --secret file "no-such-secret.json" for "keptn-task run": no such file or directory',
    },
    {
      case: "a --data without =",
      args: ["run", "print-env", "-f", TASKS, "--data", "size"],
      code: 64,
      line: /^keptn-task: Cannot use --data "size" with "keptn-task run": expected KEY=VALUE/,
    },
    {
      case: "an invalid --context",
      args: ["run", "print-env", "-f", TASKS, "--context", '{"objectType":"Application"}'],
      code: 78,
      line: 'keptn-task: Cannot use --context with "keptn-task run": KEPTN_CONTEXT.objectType: expected "App" or "Workload": Keptn sends "App" for applications, not "Application"',
    },
    {
      case: "an unknown runtime",
      args: ["run", "print-env", "-f", TASKS, "--runtime", "kubernetes"],
      code: 64,
      line: 'keptn-task: Cannot use --runtime "kubernetes" with "keptn-task run": expected "local", "podman", "docker"',
    },
    {
      case: "a container task run locally without a command",
      args: ["run", "container-task", "-f", TASKS],
      code: 64,
      line: 'keptn-task: Cannot run container task "container-task" with --runtime local: give the command that stands in for image "example.com/acme/task:1.0.0" after --, or use --runtime podman',
    },
    {
      case: "a command after -- for a deno task",
      args: ["run", "print-env", "-f", TASKS, "--", "echo"],
      code: 64,
      line: /^keptn-task: Cannot run "print-env" with a command after --: only a container task/,
    },
    {
      case: "a runner that has not been built",
      args: ["run", "print-env", "-f", TASKS],
      env: { KEPTN_TASK_RUNNER: "/nonexistent/bootstrap.js" },
      code: 127,
      line: 'keptn-task: Cannot find the runner "/nonexistent/bootstrap.js" (KEPTN_TASK_RUNNER): no such file',
    },
    {
      case: "a container engine that is not installed",
      args: ["run", "print-env", "-f", TASKS, "--runtime", "docker"],
      env: { PATH: "/nonexistent" },
      code: 127,
      line: 'keptn-task: Cannot start "docker": not found: install it (Debian: apt-get install docker.io), use the other engine with --runtime, or run with --runtime local',
    },
    {
      case: "a KEPTN_TASK_DENO that is a directory",
      args: ["run", "print-env", "-f", TASKS],
      env: { KEPTN_TASK_DENO: "/tmp" },
      code: 127,
      line: 'keptn-task: Cannot start "deno": KEPTN_TASK_DENO names "/tmp", which is not an executable file: point it at a Deno binary, or unset it to use the Deno that comes with @keptn-task/runners',
    },
    {
      case: "a TMPDIR that does not exist",
      args: ["run", "print-env", "-f", TASKS],
      env: { TMPDIR: "/nonexistent/tmp" },
      code: 78,
      line: 'keptn-task: Cannot create the run\'s scratch directory in "/nonexistent/tmp": TMPDIR: no such directory: set TMPDIR to a writable directory',
    },
    {
      case: "a parameter over Linux's limit for one environment variable",
      args: [
        "run",
        "print-env",
        "-f",
        TASKS,
        "--data",
        `region=${"x".repeat(100_000)}`,
        "--data",
        `size=${"y".repeat(40_000)}`,
      ],
      code: 78,
      line: /^keptn-task: Cannot run "print-env": DATA: would be 14\d{4} bytes, over Linux's limit of 131072 bytes for one environment variable, so its container could not start either: /,
    },
  ])(
    "fails with one line, nothing on stdout and nothing left behind for $case",
    async ({ args, code, line, env }) => {
      const result = await runCliInProcess(args, env === undefined ? {} : { env });
      expect(result.stderrLines).toHaveLength(1);
      if (typeof line === "string") expect(result.stderrLines[0]).toBe(line);
      else expect(result.stderrLines[0]).toMatch(line);
      expect(result.stdout).toBe("");
      expect(result.leftovers).toEqual([]);
      expect(result.code).toBe(code);
    },
  );

  it("fails with one line and exit code 66 for an unknown definition in a process of its own too", async () => {
    const result = await runCli(["run", "print-envv", "-f", TASKS]);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot find KeptnTaskDefinition "print-envv" in "test/cli/fixtures/tasks.yaml": did you mean "print-env"?',
    ]);
    expect(result.stdout).toBe("");
    expect(result.leftovers).toEqual([]);
    expect(result.code).toBe(66);
  });
});
