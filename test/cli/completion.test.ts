// keptn-task completion bash|zsh|fish: scripts generated from the commands' own option tables.
// bash's is loaded into a real bash and asked, as the shell asks at a Tab.
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { CLI, runCli } from "../helpers/keptn-task-cli.js";
import { runProcess } from "../helpers/run-process.js";

/** What bash's completion offers for the words typed so far (the last one being completed). */
async function bashComplete(...words: string[]): Promise<string[]> {
  const script = `source <("${process.execPath}" "${CLI}" completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_keptn_task; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = await runProcess("bash", ["-c", script], { cwd: ROOT });
  expect(result.stderr).toBe("");
  return result.stdout.split("\n").filter((line) => line !== "");
}

describe("keptn-task completion bash", () => {
  it("completes the commands", async () => {
    expect(await bashComplete("keptn-task", "")).toEqual([
      "init",
      "validate",
      "render",
      "run",
      "test",
      "bundle",
      "completion",
      "help",
      "--help",
      "--version",
    ]);
    expect(await bashComplete("keptn-task", "r")).toEqual(["render", "run"]);
  });

  it("completes a command's options from its own table", async () => {
    expect(await bashComplete("keptn-task", "run", "check", "--w")).toEqual([
      "--workload",
      "--watch",
    ]);
    expect(await bashComplete("keptn-task", "init", "--")).toEqual(["--python", "--help"]);
  });

  it("completes an option's values, per command", async () => {
    expect(await bashComplete("keptn-task", "run", "x", "--runtime", "")).toEqual([
      "local",
      "podman",
      "docker",
    ]);
    expect(await bashComplete("keptn-task", "run", "x", "-o", "")).toEqual(["text", "json"]);
    expect(await bashComplete("keptn-task", "validate", "-o", "g")).toEqual(["github"]);
    expect(await bashComplete("keptn-task", "run", "x", "--task-type", "p")).toEqual([
      "pre",
      "post",
      "promotion",
    ]);
  });

  it("completes paths after -f and --code", async () => {
    expect(await bashComplete("keptn-task", "run", "x", "-f", "examples/hel")).toEqual([
      "examples/hello",
    ]);
    expect(await bashComplete("keptn-task", "run", "x", "--code", "README.m")).toEqual([
      "README.md",
    ]);
  });
});

describe("keptn-task completion", () => {
  it("writes a zsh script that loads the bash function through bashcompinit", async () => {
    const result = await runCli(["completion", "zsh"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("autoload -U +X bashcompinit && bashcompinit\n");
    expect(result.stdout).toContain("complete -o filenames -F _keptn_task keptn-task\n");
  });

  it("writes a fish script with each command and option", async () => {
    const result = await runCli(["completion", "fish"]);
    expect(result.stdout).toContain(
      `complete -c keptn-task -n "__fish_seen_subcommand_from run" -l runtime -r -f -a 'local podman docker'\n`,
    );
    expect(result.stdout).toContain(
      `complete -c keptn-task -n "__fish_seen_subcommand_from run" -l code -r -F\n`,
    );
    expect(result.stdout).toContain(
      `complete -c keptn-task -n "__fish_seen_subcommand_from init" -l python\n`,
    );
  });

  it("refuses another shell, naming the ones it knows", async () => {
    const result = await runCli(["completion", "powershell"]);
    expect(result.code).toBe(64);
    expect(result.stderrLines).toEqual([
      'keptn-task: Cannot run "keptn-task completion powershell": expected one shell: bash, zsh, fish',
    ]);
  });
});
