/**
 * `keptn-task run --code FILE`: the definition runs with a file of this machine in place of its
 * inline, ConfigMap or httpRef code: same runtime, same variables, same runner. The file is
 * run where it is (locally `SCRIPT` names it; podman and docker mount it read-only at the
 * definition's mount path), never copied, so errors point at its own lines.
 */
import { readFile } from "node:fs/promises";
import { extname, isAbsolute, resolve } from "node:path";
import { UsageError } from "@keptn-task/sdk";
import type { ResolvedTask } from "@keptn-task/sdk/definitions";

/** Where each runner mounts its code, as the operator does. */
const MOUNT_PATHS = { deno: "/var/data/function.ts", python: "/var/data/function.py" } as const;

/** File name endings that belong to the other runtime: a likely mix-up. */
const FOREIGN: Readonly<Record<"deno" | "python", readonly string[]>> = {
  deno: [".py"],
  python: [".ts", ".js", ".mjs", ".mts", ".tsx", ".jsx"],
};

/** A code file given with `--code`. */
export interface CodeFile {
  /** Its absolute path. */
  readonly path: string;
  /** As given on the command line, for messages and the summary. */
  readonly given: string;
}

/**
 * The resolved task with `--code FILE` as its code: a ConfigMap-like source holding the file's
 * text, at the runner's mount path.
 *
 * @throws {UsageError} For a container task, an unreadable file, or a file of the other runtime.
 */
export async function withCodeFile(
  resolved: ResolvedTask,
  given: string,
  cwd: string,
): Promise<{ resolved: ResolvedTask; file: CodeFile }> {
  const name = resolved.definition.name;
  const runner = resolved.runner;
  if (runner === "container") {
    throw new UsageError(
      `Cannot use --code with container task "${name}": its code is in its image; leave out --code`,
    );
  }
  if (FOREIGN[runner].includes(extname(given).toLowerCase())) {
    throw new UsageError(
      `Cannot use --code "${given}" with "${name}": it is a ${runner} task and the file's name ends with "${extname(given)}": give its ${runner === "deno" ? "TypeScript or JavaScript" : "Python"} file`,
    );
  }
  const path = isAbsolute(given) ? given : resolve(cwd, given);
  let code: string;
  try {
    code = await readFile(path, "utf8");
  } catch (error) {
    const why = (error as { code?: unknown }).code;
    const reason =
      why === "ENOENT"
        ? "no such file or directory"
        : why === "EISDIR"
          ? "is a directory"
          : why === "EACCES"
            ? "permission denied"
            : String(why ?? error);
    throw new UsageError(`Cannot read --code file "${given}" for "keptn-task run": ${reason}`);
  }
  const source = {
    kind: "configMap",
    name: `--code ${given}`,
    namespace: resolved.definition.namespace,
    key: "code",
    code,
    createdByKeptn: false,
    definition: resolved.definition,
  } as const;
  return {
    resolved: { ...resolved, code: source, mountPath: resolved.mountPath ?? MOUNT_PATHS[runner] },
    file: { path, given },
  };
}
