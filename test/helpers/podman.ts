// Runs the runner images with podman the way Kubernetes runs a Keptn Job's pod.
import { ROOT } from "./deno.js";
import { type ProcessResult, type RunOptions, runProcess } from "./run-process.js";

/** podman's settings for this project's machines (runc, rlimits the sandbox accepts). */
export const CONTAINERS_CONF = process.env.CONTAINERS_CONF ?? `${ROOT}images/containers.conf`;

/** Runs `podman <args>` with the repository's settings, to its end. */
export function podman(args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  return runProcess("podman", args, {
    timeoutMs: 120_000,
    ...options,
    env: { CONTAINERS_CONF, ...options.env },
  });
}

/** Runs `podman <args>` and returns its trimmed stdout; throws with stderr when it fails. */
export async function podmanOutput(args: string[]): Promise<string> {
  const result = await podman(args);
  if (result.code !== 0) {
    throw new Error(`podman ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/** Options of `runTaskImage`. */
export interface TaskImageRun {
  /** The image, e.g. `ghcr.io/keptn-task/deno-runtime:0.2.0`. */
  image: string;
  /** The container's environment: exactly these variables, as the operator sets them. */
  env: Record<string, string>;
  /** Host file mounted read-only at `mountPath`, as the ConfigMap with `subPath: code` is. */
  code?: { file: string; mountPath: string };
  /** `--user`; `null` runs as the image's own user. Default `65532` (`runAsUser`). */
  user?: string | null;
  /** `host` to reach a test server on 127.0.0.1, `none` for no network; default: podman's own. */
  network?: "host" | "none";
  /** A container name, so another command (`podman stop`) can find it. */
  name?: string;
  /** Called with each stdout chunk (e.g. to stop the container once the task is ready). */
  onStdout?: RunOptions["onStdout"];
  /** More `-v` mounts (`HOST:CONTAINER:OPTIONS`). */
  volumes?: string[];
}

/**
 * Runs a task image as Kubernetes runs the Job's container under the "restricted" Pod Security
 * Standard: `--read-only` root filesystem, a tmpfs at `/tmp` (the `emptyDir`), numeric user
 * 65532, the code mounted read-only, the operator's variables and nothing else. The container is
 * removed afterwards; its output is what `kubectl logs` would show.
 */
export function runTaskImage(run: TaskImageRun): Promise<ProcessResult> {
  const user = run.user === undefined ? "65532" : run.user;
  const args = [
    "run",
    "--rm",
    "--read-only",
    "--tmpfs",
    "/tmp",
    ...(user === null ? [] : ["--user", user]),
    ...(run.network === undefined ? [] : ["--network", run.network]),
    ...(run.name === undefined ? [] : ["--name", run.name]),
    ...(run.code === undefined ? [] : ["-v", `${run.code.file}:${run.code.mountPath}:ro`]),
    ...(run.volumes ?? []).flatMap((volume) => ["-v", volume]),
    ...Object.entries(run.env).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
    run.image,
  ];
  return podman(args, {
    timeoutMs: 120_000,
    ...(run.onStdout === undefined ? {} : { onStdout: run.onStdout }),
  });
}
