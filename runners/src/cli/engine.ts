/**
 * The container engine (podman or docker) around a run: removing a container whose client was
 * killed, and telling the engine's own failures from the task's exit codes.
 */
import { execFile, spawn } from "node:child_process";
import { RuntimeMissingError } from "@keptn-task/sdk";
import type { RunPlan } from "./run-plan.js";

/** After a kill: the container outlives its engine's client, so it is removed by name. */
export async function removeContainer(plan: RunPlan, cwd: string): Promise<void> {
  const container = plan.container;
  if (container === undefined) return;
  await runQuietly(container.engine, ["rm", "-f", container.name], plan.env, cwd);
}

/**
 * Why podman or docker itself failed, when it did: then the task did not run, which the summary
 * says instead of "failed with exit code". 125 is the engine's own failure; 126 and 127 say the
 * container's command cannot be run, unless the container started: then they are its own (a
 * task's exit code, or the runner's for an interpreter that cannot be started). The engine's
 * events say whether it started; when they cannot be read, a container task's 126 and 127 are
 * taken as the engine's and a runner image's as the runner's, as before events were asked.
 *
 * @param startedAt - When the engine's client was started (ms since the epoch).
 * @throws {RuntimeMissingError} When our runner image is not among the local images.
 */
export async function engineFailed(
  plan: RunPlan,
  exitCode: number,
  cwd: string,
  startedAt: number,
): Promise<string | undefined> {
  const container = plan.container;
  if (container === undefined || exitCode < 125 || exitCode > 127) return undefined;
  const { engine, image } = container;
  if (exitCode !== 125) {
    const started = await containerStarted(plan, cwd, startedAt);
    if (started ?? container.runner) return undefined;
  }
  if (exitCode === 125) {
    const inspected = container.local
      ? await runCapturing(engine, ["image", "inspect", image], plan.env, cwd)
      : undefined;
    // A stopped daemon fails the inspection too: said as docker says it, not as a missing image.
    const daemon = inspected?.stderr.split("\n").find((line) => DAEMON_DOWN.test(line));
    if (daemon !== undefined) return `${engine} cannot reach its daemon: ${daemon.trim()}`;
    if (inspected !== undefined && inspected.code !== 0) {
      throw new RuntimeMissingError(
        `Cannot run image "${image}" with ${engine}: it is not among the local images, and keptn-task run never pulls its own images: build them with npm run images, or give one with --image`,
      );
    }
    return `${engine} failed with exit code 125 (see its message above)`;
  }
  return `${engine} cannot ${exitCode === 126 ? "invoke" : "find"} the container's command (exit code ${exitCode})`;
}

/** What docker (or podman with a remote service) says when its daemon is not running. */
const DAEMON_DOWN =
  /Cannot connect to the (Docker|Podman) daemon|Is the docker daemon running|unable to connect to Podman/i;

/** How long the engine may take to list a container's events. */
const EVENTS_TIMEOUT_MS = 10_000;

/**
 * Whether the run's container started, from the engine's events (`start`, kept after `--rm`
 * removed the container); `undefined` when the events cannot be read (an events backend
 * switched off, say).
 */
function containerStarted(
  plan: RunPlan,
  cwd: string,
  startedAt: number,
): Promise<boolean | undefined> {
  const container = plan.container;
  if (container === undefined) return Promise.resolve(undefined);
  // Whole seconds: both engines parse them; a second earlier so the start is never cut off.
  const since = String(Math.floor(startedAt / 1000) - 1);
  const until = String(Math.ceil(Date.now() / 1000) + 1);
  const args = [
    "events",
    "--since",
    since,
    "--until",
    until,
    // podman keeps streaming without it; docker stops at --until and knows no --stream.
    ...(container.engine === "podman" ? ["--stream=false"] : []),
    "--filter",
    `container=${container.name}`,
    "--filter",
    "event=start",
    "--format",
    "{{.Status}}",
  ];
  return new Promise((resolve) => {
    execFile(
      container.engine,
      args,
      { env: plan.env, cwd, timeout: EVENTS_TIMEOUT_MS, encoding: "utf8" },
      (error, stdout) => {
        resolve(error === null ? /\bstart\b/.test(stdout) : undefined);
      },
    );
  });
}

/** Runs a command to its end: its exit code (127 when it cannot start) and its stderr. */
function runCapturing(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env, cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 16_384) stderr += chunk;
    });
    child.once("error", () => resolve({ code: 127, stderr }));
    child.once("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** Runs a command with no output, to its end; its exit code, 127 when it cannot start. */
function runQuietly(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env, cwd, stdio: "ignore" });
    child.once("error", () => resolve(127));
    child.once("close", (code) => resolve(code ?? 1));
  });
}
