import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "@keptn-task/sdk";
import { rewritingStream } from "./code-lines.js";
import { engineFailed, removeContainer } from "./engine.js";
import { type CliContext, trackLineEnds } from "./io.js";
import type { RunPlan } from "./run-plan.js";
import { label, prettyFor, readReason, report, writeReport } from "./run-report.js";
import { type RunRequest, TIMED_OUT } from "./run-request.js";
import type { RunSetup } from "./run-setup.js";
import { StopSignals, signalExitCode, supervise } from "./supervise.js";
import type { RunControl } from "./watch.js";

/** Runs the planned process in a fresh directory and reports how it ended. */
export async function execute(
  request: RunRequest,
  setup: RunSetup,
  context: CliContext,
  control?: RunControl,
): Promise<number> {
  // From here on a Ctrl-C must not leave the temporary directory or an unsupervised task
  // behind: it is handled before anything is written, and the run stops in good order.
  const signals = new StopSignals();
  if (control !== undefined) control.stop = () => signals.stop();
  try {
    // Every check has passed: only now is anything written.
    const { workDir, plan: planned } = setup;
    await createWorkDir(workDir);
    try {
      await prepare(workDir, planned, setup.terminationLog);
      const stopped = signals.first;
      if (stopped !== undefined) {
        context.note(`${label(request, setup)} was not run: received ${stopped} before it started`);
        return signalExitCode(stopped);
      }
      return await superviseRun(request, setup, planned, signals, context);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  } finally {
    signals.dispose();
  }
}

/** Starts the process, watches it as Kubernetes watches a Job's pod, and reports. */
async function superviseRun(
  request: RunRequest,
  setup: RunSetup,
  planned: RunPlan,
  signals: StopSignals,
  context: CliContext,
): Promise<number> {
  const { io } = context;
  const startedAt = Date.now();
  const prettyOut = await prettyFor(request, "stdout", context);
  const prettyErr = await prettyFor(request, "stderr", context);
  const lines = setup.codeLines;
  const [mappedOut, mappedErr] = [prettyOut ?? io.stdout, prettyErr ?? io.stderr].map((sink) =>
    lines === undefined ? undefined : rewritingStream(sink, lines.path, lines.rewrite),
  );
  const stdout = trackLineEnds(mappedOut ?? prettyOut ?? io.stdout);
  const stderr = trackLineEnds(mappedErr ?? prettyErr ?? io.stderr);
  const outcome = await supervise({
    command: planned.command,
    args: planned.args,
    env: planned.env,
    cwd: io.cwd,
    deadlineMs: setup.resolved.job.activeDeadlineSeconds * 1000,
    signals,
    stdout,
    stderr,
    secrets: context.secrets,
    ...(planned.container === undefined ? {} : { onKill: () => removeContainer(planned, io.cwd) }),
  });
  mappedOut?.flush();
  mappedErr?.flush();
  prettyOut?.flush();
  prettyErr?.flush();
  // stdout and stderr may be one terminal or file: a line of ours after output left mid-line
  // on either starts on a line of its own. With -q the output stays as it was.
  if (!request.quiet && (stdout.midLine || stderr.midLine)) io.stderr.write("\n");
  const exitCode = outcome.timedOut && outcome.exitCode === 0 ? TIMED_OUT : outcome.exitCode;
  const engineFailure = await engineFailed(planned, exitCode, io.cwd, startedAt);
  const reason = await readReason(setup.terminationLog, context);
  const result = { ...outcome, exitCode, engineFailure, reason };
  // -q silences the summary line, not the JSON report a script asked for with --output json.
  if (!request.quiet || request.output === "json") report(request, setup, result, context);
  if (request.report !== undefined) await writeReport(request, setup, result, context);
  return exitCode;
}

async function prepare(
  workDir: string,
  plan: RunPlan,
  terminationLog: string | undefined,
): Promise<void> {
  // The task's HOME and TMPDIR (mkdtemp made workDir 0700): its files are nobody else's business.
  await mkdir(`${workDir}/tmp`, { mode: 0o700 });
  // A container's user (65532) reads the code through its mount, as it reads a ConfigMap's: for
  // podman and docker the way to the file opens for traversal only (no listing), tmp/ stays shut.
  const dirMode = plan.container === undefined ? 0o700 : 0o711;
  const mounts = plan.files.length > 0 || terminationLog !== undefined;
  if (dirMode !== 0o700 && mounts) await chmod(workDir, dirMode);
  if (terminationLog !== undefined) {
    // Empty, as the kubelet makes it; the container's user writes it through its mount.
    await writeFile(terminationLog, "", { mode: 0o600 });
    if (plan.container !== undefined) await chmod(terminationLog, 0o666);
  }
  for (const file of plan.files) {
    // --code's file is the user's own: mounted where it is, never written.
    if (file.existing === true) continue;
    await mkdir(dirname(file.path), { recursive: true, mode: dirMode });
    await writeFile(file.path, file.content, { mode: 0o444 });
  }
}

/**
 * Creates the run's scratch directory, private to this user. Like mkdtemp: the path must not
 * exist yet, so nothing another user prepared there is used.
 *
 * @throws {ConfigError} When TMPDIR cannot hold it: the user's to fix.
 */
async function createWorkDir(path: string): Promise<void> {
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such directory"
        : code === "ENOTDIR"
          ? "not a directory"
          : code === "EACCES" || code === "EPERM" || code === "EROFS"
            ? "not writable"
            : String(code ?? error);
    throw new ConfigError(
      [{ source: "TMPDIR", path: "", message: `${why}: set TMPDIR to a writable directory` }],
      { summary: `Cannot create the run's scratch directory in "${dirname(path)}"` },
    );
  }
}
