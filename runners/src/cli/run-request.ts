/** `keptn-task run`: what the command line asks for, and the constants its parts share. */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeName } from "./run-plan.js";

/** Resolution errors that --code makes moot: it gives the code. */
export const REPLACED_BY_CODE = new Set([
  "NO_CODE",
  "CONFIGMAP_WITHOUT_CODE",
  "HTTPREF_INVALID",
] as const);
/** Exit code when the task ended 0 after its deadline: the Job still failed (timeout(1)'s code). */
export const TIMED_OUT = 124;
/** Shown instead of the per-run directory by --dry-run, which creates nothing. */
export const DRY_RUN_DIR = "$TMPDIR/keptn-task-run-XXXXXX";
/** Shown instead of the container's random name by --dry-run. */
export const DRY_RUN_NAME = "keptn-task-XXXXXX";

/** What the command line asks for. */
export interface RunRequest {
  readonly name: string;
  readonly runtime: RuntimeName;
  readonly output: "text" | "json";
  /** `--report FILE`: the JSON summary, written alone to this file. */
  readonly report: string | undefined;
  readonly quiet: boolean;
  readonly dryRun: boolean;
  readonly data: ReadonlyMap<string, string>;
  /** `--code FILE`: the file that runs in place of the definition's code. */
  readonly code: string | undefined;
  /** `--secret`'s value (read from its file), registered for masking. */
  readonly secret: string | undefined;
  readonly image: string | undefined;
  readonly context: Readonly<Record<string, unknown>>;
  /** `--env`: variables a derived image or a proxy would provide. */
  readonly env: ReadonlyMap<string, string>;
  /** `--pretty` (true), `--no-pretty` (false), or neither: human-readable on a terminal. */
  readonly pretty: boolean | undefined;
  /** `--as-keptn`: Keptn's stock images' command lines. */
  readonly asKeptn: boolean;
}

/** A fresh path for the run's scratch directory, under TMPDIR (created by `createWorkDir`). */
export function workDirPath(tmp: string | undefined): string {
  const parent = tmp !== undefined && tmp !== "" ? tmp : tmpdir();
  return join(parent, `keptn-task-run-${randomBytes(6).toString("hex")}`);
}
