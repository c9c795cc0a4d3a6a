import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { CLI, runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

const COMMANDS = ["validate", "render", "run", "bundle"];

describe("keptn-task", () => {
  it("says in one line that the current folder no longer exists (64), whatever the command", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "keptn-task-gone-"));
    try {
      // The shell goes into a folder, which is then removed, as a terminal left in a deleted one.
      const result = await runProcess(
        "bash",
        [
          "-c",
          'mkdir gone && cd gone && rmdir ../gone && exec "$0" "$1" --version',
          process.execPath,
          CLI,
        ],
        { cwd: scratch },
      );
      expect(result.stderr).toBe(
        "keptn-task: Cannot start: the current folder no longer exists (removed or renamed): cd to a folder that does, and run the command again\n",
      );
      expect(result.code).toBe(64);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("prints its help with every command on --help and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: keptn-task COMMAND/);
    for (const command of COMMANDS)
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(result.stderr).toBe("");
  });

  it.each(COMMANDS)("prints the help of %s on --help, -h and help COMMAND", async (command) => {
    for (const args of [
      [command, "--help"],
      [command, "-h"],
      ["help", command],
    ]) {
      const result = await runCliInProcess(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: keptn-task ${command} `));
      expect(result.stdout).toMatch(/^Exit codes: /m);
      expect(result.stderr).toBe("");
    }
  });

  it("shows the help even when other arguments are wrong", async () => {
    const result = await runCliInProcess(["run", "--no-such-flag", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: keptn-task run /);
  });

  it("prints its version and the version of the Deno it runs tasks with on --version", async () => {
    const { version, dependencies } = JSON.parse(
      readFileSync(`${ROOT}runners/package.json`, "utf8"),
    ) as { version: string; dependencies: Record<string, string> };
    const result = await runCli(["--version"]);
    expect(result.stdout).toBe(`keptn-task ${version} (deno ${dependencies.deno})\n`);
    expect(result.code).toBe(0);
  });

  it("refuses arguments after --version", async () => {
    const result = await runCliInProcess(["--version", "--bogus"]);
    expect(result.stderr).toBe(
      'keptn-task: Cannot run "keptn-task --version --bogus": --version takes no arguments\n',
    );
    expect(result.code).toBe(64);
  });

  it("says on --version when the Deno it would run is missing", async () => {
    const result = await runCliInProcess(["--version"], {
      env: { KEPTN_TASK_DENO: "/nonexistent/deno" },
    });
    expect(result.stdout).toMatch(/^keptn-task \S+ \(deno: not found\)\n$/);
    expect(result.code).toBe(0);
  });

  it.each([
    [
      ["rendr", "hello"],
      /^keptn-task: Cannot run "keptn-task rendr": unknown command \(did you mean "keptn-task render"\?\): use init, validate, render, run, test, bundle, completion: see keptn-task --help$/,
    ],
    [["deploy"], /^keptn-task: Cannot run "keptn-task deploy": unknown command: use /],
    // Case and a swap of neighbouring letters are typos too.
    [
      ["RUN"],
      /^keptn-task: Cannot run "keptn-task RUN": unknown command \(did you mean "keptn-task run"\?\)/,
    ],
    [
      ["rnu"],
      /^keptn-task: Cannot run "keptn-task rnu": unknown command \(did you mean "keptn-task run"\?\)/,
    ],
    [
      ["run", "hello", "-f", "examples/hello", "--evn", "A=b"],
      /^keptn-task: Cannot parse the arguments of "keptn-task run": unknown option "--evn" \(did you mean --env\?\)/,
    ],
    [
      ["run", "hello", "-f", "examples/hello", "--dry-rn"],
      /^keptn-task: Cannot parse the arguments of "keptn-task run": unknown option "--dry-rn" \(did you mean --dry-run\?\): see keptn-task run --help$/,
    ],
    [
      ["validate", "-f", "examples/hello", "--outptu", "json"],
      /unknown option "--outptu" \(did you mean --output\?\)/,
    ],
    [["help", "deploy"], /^keptn-task: Cannot run "keptn-task deploy": unknown command/],
    // An option where the command goes is an unknown option, with the program's own near it.
    [
      ["--verison"],
      /^keptn-task: Cannot run "keptn-task --verison": unknown option \(did you mean "keptn-task --version"\?\): give a command first/,
    ],
    [["-x"], /^keptn-task: Cannot run "keptn-task -x": unknown option: give a command first /],
    [
      ["run", "hello", "-f", "examples/hello", "--bogus"],
      /^keptn-task: Cannot parse the arguments of "keptn-task run": unknown option "--bogus": see keptn-task run --help$/,
    ],
    [
      ["render", "hello", "-f"],
      /^keptn-task: Cannot parse the arguments of "keptn-task render": option "-f" needs a value/,
    ],
    [
      ["run", "hello", "--data", "--dry-run", "-f", "examples/hello"],
      /option "--data" needs a value, received the option "--dry-run" \(write --data=--dry-run if that is the value\)/,
    ],
    [
      ["run", "hello", "-f", "examples/hello", "--dry-run=yes"],
      /option "--dry-run" takes no value/,
    ],
  ])("fails with one line and exit code 64 on bad usage: %j", async (args, message) => {
    const result = await runCliInProcess(args);
    expect(result.code).toBe(64);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toMatch(message);
    expect(result.stdout).toBe("");
  });

  it("fails with one line and exit code 64 on bad usage in a process of its own too", async () => {
    const result = await runCli(["rendr", "hello"]);
    expect(result.code).toBe(64);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot run "keptn-task rendr": unknown command (did you mean "keptn-task render"?): use init, validate, render, run, test, bundle, completion: see keptn-task --help',
    ]);
    expect(result.stdout).toBe("");
  });

  it("prints the help on stderr and exits 64 when run without a command", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^Usage: keptn-task COMMAND \[options\]\n/);
    expect(result.stderr).toMatch(/\n {2}run {9}run a definition on this machine/);
  });

  it.each([[["-f=examples/hello"]], [["--file=examples/hello"]], [["-f", "examples/hello"]]])(
    "takes the manifests as %j alike",
    async (flags) => {
      const result = await runCliInProcess(["render", "hello", ...flags]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("kind: Job");
    },
  );

  it("never echoes a --secret value that starts with - in its usage error", async () => {
    const result = await runCliInProcess([
      "run",
      "hello",
      "-f",
      "examples/hello",
      "--secret",
      "-pa55-word-xyz",
    ]);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot parse the arguments of "keptn-task run": option "--secret" needs a value, received a value starting with - (write --secret=VALUE if that is the value): see keptn-task run --help',
    ]);
    expect(result.stdout + result.stderr).not.toContain("pa55");
    expect(result.code).toBe(64);
  });
});
