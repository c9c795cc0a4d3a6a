import { writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { UsageError } from "@keptn-task/sdk";
import { PROVISIONAL_REASON } from "@keptn-task/sdk/contract";
import { readFileStart } from "@keptn-task/sdk/internal";
import type { CliContext, OutputStream } from "./io.js";
import { createPrettyStream, type PrettyStream } from "./pretty.js";
import { type RunPlan, shellQuote } from "./run-plan.js";
import type { RunRequest } from "./run-request.js";
import { describeSource, type RunSetup } from "./run-setup.js";

/**
 * A stream that shows log lines human-readable: with --pretty, or on a terminal unless
 * --no-pretty; `undefined` for the raw lines.
 */
export async function prettyFor(
  request: RunRequest,
  name: "stdout" | "stderr",
  context: CliContext,
): Promise<PrettyStream | undefined> {
  const terminal = context.io.terminal?.[name] === true;
  if (!(request.pretty ?? terminal)) return undefined;
  const sink: OutputStream = context.io[name];
  return await createPrettyStream(sink, { colorize: terminal, secrets: context.secrets });
}

/** What the task (or the runner for it) wrote to the termination log, masked; `""` for nothing. */
export async function readReason(path: string | undefined, context: CliContext): Promise<string> {
  if (path === undefined) return "";
  // Regular files only, not through a link, at most REASON_READ_BYTES: the task may have replaced
  // its termination log with a FIFO (whose read would block for ever), a link, or a huge file.
  const text = await readFileStart(path, REASON_READ_BYTES)
    .then(({ bytes }) => bytes.toString("utf8"))
    .catch(() => "");
  return context.secrets.mask(text.trim());
}

/** More than a termination message holds (4 KiB), so a cut one still reads as cut. */
const REASON_READ_BYTES = 16 * 1024;

/** How a run ended. */
interface RunResult {
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Why podman or docker itself failed, when the task did not run. */
  readonly engineFailure: string | undefined;
  /** The termination message, as `kubectl describe pod` shows it; `""` for none. */
  readonly reason: string;
}

/** `definition (source, runner, runtime)`, how the summary names the run. */
export function label(request: RunRequest, setup: RunSetup): string {
  const { resolved } = setup;
  const runtime = request.asKeptn ? `${request.runtime}, as Keptn's image` : request.runtime;
  return `${resolved.definition.name} (${describeSource(resolved, setup.codeFile)}, ${resolved.runner}, ${runtime})`;
}

/** What the runner writes that a timeout's summary line already says, or only guesses at. */
const RESTATED_AT_TIMEOUT: readonly ((exitCode: number) => string)[] = [
  () => PROVISIONAL_REASON,
  (exitCode) => `Task stopped by SIGTERM with exit code ${exitCode}`,
];

/** How a run ended, in words: the summary's `result`. */
function outcomeOf(result: RunResult): "timed out" | "not run" | "succeeded" | "failed" {
  if (result.timedOut) return "timed out";
  if (result.engineFailure !== undefined) return "not run";
  return result.exitCode === 0 ? "succeeded" : "failed";
}

/** The JSON summary (`-o json`, `--report`). */
function summaryOf(
  request: RunRequest,
  setup: RunSetup,
  result: RunResult,
  outcome = outcomeOf(result),
): Record<string, unknown> {
  const { resolved } = setup;
  return {
    definition: resolved.definition.name,
    namespace: setup.namespace,
    source: describeSource(resolved, setup.codeFile),
    runner: resolved.runner,
    runtime: request.runtime,
    ...(request.asKeptn ? { asKeptn: true } : {}),
    result: outcome,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    ...(result.reason === "" ? {} : { reason: result.reason }),
  };
}

/** Where `--report` writes: the file is emptied now, so a path that cannot be written is said before the run. */
export async function checkReport(
  path: string | undefined,
  cwd: string,
): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    await writeFile(isAbsolute(path) ? path : join(cwd, path), "");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such directory"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : String(code ?? error);
    throw new UsageError(
      `Cannot write --report file "${path}" for "keptn-task run": ${why}: give a writable path`,
    );
  }
  return path;
}

/**
 * Writes the JSON summary alone to `--report`'s file, masked.
 *
 * @throws {KeptnTaskError} When the file cannot be written (exit code 1).
 */
export async function writeReport(
  request: RunRequest,
  setup: RunSetup,
  result: RunResult,
  context: CliContext,
): Promise<void> {
  const path = request.report ?? "";
  const text = `${context.secrets.mask(JSON.stringify(summaryOf(request, setup, result)))}\n`;
  try {
    await writeFile(isAbsolute(path) ? path : join(context.io.cwd, path), text);
  } catch (error) {
    const why = (error as { code?: unknown }).code ?? String(error);
    context.note(`Cannot write --report file "${path}": ${String(why)}`);
  }
}

/** The one-line summary on stderr: text, or JSON with --output json. */
export function report(
  request: RunRequest,
  setup: RunSetup,
  result: RunResult,
  context: CliContext,
) {
  const { resolved } = setup;
  const { exitCode, durationMs, engineFailure } = result;
  const outcome = outcomeOf(result);
  if (request.output === "json") {
    const summary = summaryOf(request, setup, result, outcome);
    context.io.stderr.write(`${context.secrets.mask(JSON.stringify(summary))}\n`);
    return;
  }
  const name = label(request, setup);
  const took = formatDuration(durationMs);
  const timeout = formatDuration(resolved.job.activeDeadlineSeconds * 1000);
  // The runner's own "Task exited with code N" says no more than the line itself.
  const plain =
    result.reason === "" ||
    result.reason === `Task exited with code ${exitCode}` ||
    // At the timeout the line says what stopped the task: the runner's guess or its restatement
    // of the signal would only blur it.
    (result.timedOut && RESTATED_AT_TIMEOUT.some((words) => words(exitCode) === result.reason));
  const why = plain ? "" : `: ${result.reason}`;
  const lines = {
    "timed out": `${name} exceeded its timeout of ${timeout} (activeDeadlineSeconds) and was stopped: exit code ${exitCode} after ${took}${why}`,
    "not run": `${name} was not run: ${engineFailure}`,
    succeeded: `${name} succeeded in ${took}${why}`,
    failed: `${name} failed with exit code ${exitCode} in ${took}${why}`,
  };
  context.note(lines[outcome]);
}
/**
 * Prints what `run` would do. Each value is masked before it is quoted or encoded (a secret with
 * a `'` in it would otherwise be printed whole, as `'it'\''s'`, where no form of it matches).
 */
export function printPlan(unmasked: RunPlan, output: "text" | "json", context: CliContext): void {
  const mask = (text: string) => context.secrets.mask(text);
  const plan = {
    command: mask(unmasked.command),
    args: unmasked.args.map(mask),
    taskEnv: Object.fromEntries(
      Object.entries(unmasked.taskEnv).map(([name, value]) => [mask(name), mask(value)]),
    ),
    files: unmasked.files.map((f) => ({ ...f, path: mask(f.path), mountPath: mask(f.mountPath) })),
  };
  if (output === "json") {
    context.out(
      `${JSON.stringify(
        {
          command: plan.command,
          args: plan.args,
          env: plan.taskEnv,
          files: plan.files.map((f) => ({
            path: f.path,
            mountPath: f.mountPath,
            bytes: Buffer.byteLength(f.content),
          })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines = ["# The task's variables, as its Job's container gets them:"];
  for (const [name, value] of Object.entries(plan.taskEnv)) {
    lines.push(`${name}=${shellQuote(value)}`);
  }
  for (const file of plan.files) {
    lines.push(
      `# Writes the code (${Buffer.byteLength(file.content)} bytes) to ${file.path}, mounted at ${file.mountPath}`,
    );
  }
  lines.push("# The command:");
  lines.push([plan.command, ...plan.args].map(shellQuote).join(" "));
  context.out(`${lines.join("\n")}\n`);
}

/**
 * A duration for people: `182 ms`, `4.2 s`, `5 min`, `2 min 30 s`.
 *
 * @param ms - Milliseconds.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}
