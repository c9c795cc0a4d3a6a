/**
 * `keptn-task`: validate, render, run and bundle Keptn task definitions on a laptop.
 *
 * Every problem is one line on stderr (`keptn-task: Cannot ...`), secrets masked, and the exit
 * code of its error family (see `EXIT_CODES`).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { EXIT_CODES, KeptnTaskError, UsageError } from "@keptn-task/sdk";
import { closestName } from "@keptn-task/sdk/internal";
import { parseCommandArgs } from "./args.js";
import type { CommandEntry } from "./completion.js";
import { type CliIo, createContext, oneLine, PROGRAM, processIo } from "./io.js";
import { findDeno } from "./runtime-paths.js";
import { didYouMean } from "./suggest.js";

/** The commands, loaded on use: `--help` and `bundle` need none of the manifest machinery. */
const COMMANDS: readonly CommandEntry[] = [
  {
    name: "init",
    summary: "start a task here: its code, definition, unit test and CI workflow",
    load: async () => (await import("./init.js")).initCommand,
  },
  {
    name: "validate",
    summary: "check manifests against their schemas and Keptn's resolution traps",
    load: async () => (await import("./validate.js")).validateCommand,
  },
  {
    name: "render",
    summary: "print the Job and ConfigMap the operator would create for a definition",
    load: async () => (await import("./render.js")).renderCommand,
  },
  {
    name: "run",
    summary: "run a definition on this machine exactly as its Job would",
    load: async () => (await import("./run.js")).runCommand,
  },
  {
    name: "test",
    summary: "run a task's unit tests with the pinned Deno or python3, the SDK offline",
    load: async () => (await import("./test.js")).testCommand,
  },
  {
    name: "bundle",
    summary: "bundle a Deno task and its remote imports into one file that needs no network",
    load: async () => (await import("./bundle.js")).bundleCommand,
  },
  {
    name: "completion",
    summary: "print a completion script for bash, zsh or fish",
    load: async () => (await import("./completion.js")).completionCommand(COMMANDS),
  },
];

function version(env: Readonly<Record<string, string | undefined>>): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return `keptn-task ${pkg.version ?? "unknown"} (${denoVersion(env)})`;
}

/** The version of the Deno that `run --runtime local` starts, as it reports itself. */
function denoVersion(env: Readonly<Record<string, string | undefined>>): string {
  try {
    const out = execFileSync(findDeno(env), ["--version"], { encoding: "utf8", timeout: 10_000 });
    return /^deno \S+/.exec(out)?.[0] ?? "deno: unknown version";
  } catch (error) {
    return error instanceof KeptnTaskError ? "deno: not found" : "deno: cannot be started";
  }
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `Usage: keptn-task COMMAND [options]

Validate, render, run and bundle Keptn task definitions (KeptnTaskDefinition) on this machine,
as the Keptn lifecycle-operator and its Jobs would.

Commands:
${list}

Options:
  -h, --help     show this help (keptn-task COMMAND --help for a command's)
      --version  print the version, and the version of the Deno it runs tasks with

Exit codes: 0 success; 1 the task failed (run: the task's own code); 64 bad arguments (also
keptn-task without a command, which prints this help on stderr);
65 invalid manifest; 66 task code not found; 69 task code cannot be fetched; 78 invalid task
environment; 127 a runtime (deno, python3, podman, esbuild) is missing.

Examples:
  keptn-task init hello && keptn-task run hello -f . && keptn-task test
  keptn-task validate --images keptn-task -o github k8s/
`;
}

/**
 * Runs the `keptn-task` command line.
 *
 * @param argv - The arguments after the program name.
 * @param io - Streams and environment (default: the process's).
 * @returns The exit code.
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], given?: CliIo): Promise<number> {
  let io: CliIo;
  try {
    io = given ?? processIo();
  } catch (error) {
    if (!(error instanceof KeptnTaskError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    return error.exitCode;
  }
  const context = createContext(io);
  const [name, ...rest] = argv;
  try {
    if (name === "--help" || name === "-h") {
      context.out(mainHelp());
      return 0;
    }
    if (name === "--version") {
      if (rest.length > 0) {
        throw new UsageError(
          `Cannot run "keptn-task --version ${rest.join(" ")}": --version takes no arguments`,
        );
      }
      context.out(`${version(io.env)}\n`);
      return 0;
    }
    if (name === "help") {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && topic === undefined) throw unknownCommand(rest[0]);
      context.out(topic === undefined ? mainHelp() : (await topic.load()).help);
      return 0;
    }
    if (name === undefined) {
      // As git does: the help, but no success for a script that forgot its command.
      io.stderr.write(mainHelp());
      return EXIT_CODES.USAGE_INVALID;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry === undefined) throw unknownCommand(name);
    const command = await entry.load();
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      context.out(command.help);
      return 0;
    }
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof KeptnTaskError) {
      context.note(error.message);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    context.note(`Internal error: ${oneLine(message)}: please report it`);
    return EXIT_CODES.INTERNAL_ERROR;
  }
}

function unknownCommand(name: string): UsageError {
  if (name.startsWith("-")) {
    // An option where the command goes: the program's own options are --help and --version.
    const near = closestName(name, ["--help", "--version"]);
    return new UsageError(
      `Cannot run "${PROGRAM} ${name}": unknown option${didYouMean(near && `"${PROGRAM} ${near}"`)}: give a command first (keptn-task COMMAND --help for its options): see keptn-task --help`,
    );
  }
  const names = COMMANDS.map((c) => c.name);
  const near = closestName(name, names);
  return new UsageError(
    `Cannot run "${PROGRAM} ${name}": unknown command${didYouMean(near && `"${PROGRAM} ${near}"`)}: use ${names.join(", ")}: see keptn-task --help`,
  );
}
