import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { ROOT } from "../helpers/deno.js";
import { runCli } from "../helpers/keptn-task-cli.js";
import { ctrlC, runScratch, TASKS } from "./run-helpers.js";

const { dir } = runScratch();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keptn-task run", () => {
  describe("with podman or docker", () => {
    // A stand-in engine on PATH records what the CLI asks of it (test/cli/fixtures/fake-engine.mjs).
    const bin = join(dir, "engine-bin");
    const log = join(dir, "engine.log");
    beforeAll(() => {
      mkdirSync(bin, { recursive: true });
      for (const engine of ["podman", "docker"]) {
        writeFileSync(
          join(bin, engine),
          `#!/bin/sh\nexec '${process.execPath}' '${ROOT}test/cli/fixtures/fake-engine.mjs' "$@"\n`,
        );
        chmodSync(join(bin, engine), 0o755);
      }
    });
    const engineEnv = (mode: string) => {
      rmSync(log, { force: true });
      return {
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        FAKE_ENGINE_LOG: log,
        FAKE_ENGINE_RUN: mode,
      };
    };
    const calls = () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as string[])
        : [];

    it("says to build the runner image when it is not among the local images", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("missing-image"),
      });
      expect(result.stderrLines).toEqual([
        `Error: ${localTags["deno-runtime"]}: image not known`,
        `keptn-task: Cannot run image "${localTags["deno-runtime"]}" with podman: it is not among the local images, and keptn-task run never pulls its own images: build them with npm run images, or give one with --image`,
      ]);
      expect(calls()[0]).toContain("--pull=never");
      expect(result.code).toBe(127);
      expect(result.leftovers).toEqual([]);
    });

    it("says a stopped daemon is stopped, in docker's words, not that the image is missing", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "docker"], {
        env: engineEnv("daemon-down"),
      });
      const daemon =
        "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
      expect(result.stderrLines).toEqual([
        daemon,
        `keptn-task: print-env (inline, deno, docker) was not run: docker cannot reach its daemon: ${daemon}`,
      ]);
      expect(result.code).toBe(125);
      expect(result.leftovers).toEqual([]);
    });

    it("says the task did not run when the engine cannot start the container's command", async () => {
      const result = await runCli(["run", "container-task", "-f", TASKS, "--runtime", "docker"], {
        env: engineEnv("no-command"),
      });
      expect(result.stderrLines.at(-1)).toBe(
        "keptn-task: container-task (image example.com/acme/task:1.0.0, container, docker) was not run: docker cannot find the container's command (exit code 127)",
      );
      expect(result.code).toBe(127);
    });

    it("says the task was not run when the engine refuses to start the runner image's container", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("refuse"),
      });
      expect(result.stderrLines.at(-1)).toBe(
        "keptn-task: print-env (inline, deno, podman) was not run: podman cannot invoke the container's command (exit code 126)",
      );
      expect(result.code).toBe(126);
      const json = await runCli(
        ["run", "print-env", "-f", TASKS, "--runtime", "podman", "-o", "json"],
        { env: engineEnv("refuse") },
      );
      expect(JSON.parse(json.stderrLines.at(-1) ?? "")).toMatchObject({
        result: "not run",
        exitCode: 126,
      });
      expect(json.code).toBe(126);
    });

    it("reports exit code 126 as the task's failure when the container did start", async () => {
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("exit-126"),
      });
      expect(result.stdout).toBe("container running\n");
      expect(result.stderrLines.at(-1)).toMatch(
        /^keptn-task: print-env \(inline, deno, podman\) failed with exit code 126 in /,
      );
      expect(result.code).toBe(126);
    });

    it("removes the container by name when a second Ctrl-C kills the engine's client", async () => {
      let sent = 0;
      const result = await runCli(["run", "print-env", "-f", TASKS, "--runtime", "podman"], {
        env: engineEnv("hang"),
        detached: true,
        timeoutMs: 20_000,
        onStdout: (chunk, child) => {
          if (
            (chunk.includes("container running") && sent === 0) ||
            (chunk.includes("got SIGINT") && sent === 1)
          ) {
            sent += 1;
            ctrlC(child);
          }
        },
      });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(137);
      const [run, remove] = calls();
      const name = run?.[run.indexOf("--name") + 1];
      expect(name).toMatch(/^keptn-task-[0-9a-f]{12}$/);
      expect(remove).toEqual(["rm", "-f", name]);
      expect(result.leftovers).toEqual([]);
    });
  });
});
