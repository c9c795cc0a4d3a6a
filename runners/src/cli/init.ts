/**
 * `keptn-task init NAME [--python]`: starts a task in the current folder: its code, its
 * KeptnTaskDefinition, a unit test and a CI workflow, so `keptn-task run NAME -f .` and
 * `keptn-task test` pass at once. Nothing that exists is overwritten.
 */
import { constants, existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { KeptnTaskError, UsageError } from "@keptn-task/sdk";
import type { Command } from "./args.js";
import {
  definition,
  denoTask,
  denoTest,
  pythonTask,
  pythonTest,
  taskFiles,
  WORKFLOW_PATH,
  workflow,
} from "./init-templates.js";

/**
 * The longest name whose Jobs Kubernetes accepts for every kind of task (promotion tasks':
 * `promotion-NAME-NNNNN-NNNNN` in a 63-character label).
 */
const MAX_NAME = 41;

export const initCommand: Command = {
  name: "init",
  options: { python: { type: "boolean" } },
  help: `Usage: keptn-task init NAME [--python]

Starts the Keptn task NAME in the current folder, ready to run and test:
  NAME.ts (--python: NAME.py, with _ for -)   the task: a handler and its options
  NAME.yaml                                    its KeptnTaskDefinition, the code inline; its first
                                               line names the JSON schema for editors
  NAME.test.ts (--python: test_NAME.py)        a unit test of the handler
  ${WORKFLOW_PATH}               CI for every task of the folder: keptn-task validate
                                               -o github ., keptn-task test (kept if it exists)
Other files that exist are left as they are: the command then fails, naming them.

Options:
      --python  a Python task (default: Deno, TypeScript)
  -h, --help    show this help

Then:
  npx keptn-task run NAME -f .                 run it as its Job would
  npx keptn-task run NAME -f . --code NAME.ts  run the file you edit
  npx keptn-task test                          run the unit tests

Exit codes: 0 written; 1 a file could not be written; 64 bad arguments or a file exists.

Examples:
  keptn-task init check-threshold
  keptn-task init notify --python
`,
  async run(args, context) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0) {
      throw new UsageError(
        `Cannot run "keptn-task init": expected one task NAME, received ${args.positionals.length}: see keptn-task init --help`,
      );
    }
    checkName(name);
    const runtime = args.flag("python") ? "python" : "deno";
    const files = taskFiles(name, runtime);
    const code = runtime === "deno" ? denoTask(name) : pythonTask(name, files.task);
    const module = files.task.replace(/\.py$/, "");
    const contents: [string, string][] = [
      [files.task, code],
      [files.definition, definition(name, runtime, code)],
      [files.test, runtime === "deno" ? denoTest(name) : pythonTest(name, module)],
    ];
    // One workflow checks every task of the folder: a second task keeps the first one's.
    const shared = existsSync(join(context.io.cwd, WORKFLOW_PATH));
    if (!shared) contents.push([WORKFLOW_PATH, workflow()]);
    const written = await writeAll(context.io.cwd, contents);
    for (const path of written) context.note(`Wrote ${path}`);
    if (shared) context.note(`Kept ${WORKFLOW_PATH}: it checks every task of this folder`);
    context.note(`Next: npx keptn-task run ${name} -f . && npx keptn-task test`);
    return 0;
  },
};

/** A name Kubernetes takes for a KeptnTaskDefinition whose Jobs it also takes. */
function checkName(name: string): void {
  const problem = !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)
    ? "a task name is lower-case letters, digits and -, starting and ending with a letter or digit (metadata.name)"
    : name.length > MAX_NAME
      ? `it has ${name.length} characters, and Keptn's Job names leave ${MAX_NAME} for a definition`
      : undefined;
  if (problem !== undefined) {
    throw new UsageError(`Cannot use "${name}" as a task name with "keptn-task init": ${problem}`);
  }
}

/**
 * Writes every file, none over an existing one: if any exists, nothing is written.
 *
 * @returns The paths written.
 * @throws {UsageError} Naming the files that exist.
 */
async function writeAll(cwd: string, contents: readonly [string, string][]): Promise<string[]> {
  const exists: string[] = [];
  for (const [path] of contents) if (existsSync(join(cwd, path))) exists.push(path);
  if (exists.length > 0) {
    throw new UsageError(
      `Cannot write the task: ${exists.map((p) => `"${p}"`).join(", ")} exist${exists.length === 1 ? "s" : ""}: remove ${exists.length === 1 ? "it" : "them"}, or pick another name`,
    );
  }
  for (const [path, text] of contents) {
    try {
      await mkdir(dirname(join(cwd, path)), { recursive: true });
      await writeFile(join(cwd, path), text, {
        flag: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      });
    } catch (error) {
      const why = (error as { code?: unknown }).code ?? String(error);
      throw new KeptnTaskError(`Cannot write "${path}": ${String(why)}`, "KEPTN_TASK_ERROR", {
        cause: error,
      });
    }
  }
  return contents.map(([path]) => path);
}
