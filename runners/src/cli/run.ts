import { KeptnTaskError, UsageError } from "@keptn-task/sdk";
import { registerTaskSecrets } from "@keptn-task/sdk/contract";
import { type Command, oneOf, type ParsedArgs } from "./args.js";
import type { CliContext } from "./io.js";
import { execute } from "./run-execute.js";
import { parseData, parseEnv } from "./run-input.js";
import { RUNTIMES } from "./run-plan.js";
import { checkReport, printPlan } from "./run-report.js";
import type { RunRequest } from "./run-request.js";
import { resolveRun } from "./run-setup.js";
import {
  contextFromArgs,
  DEFINITION_OPTIONS,
  DEFINITION_OPTIONS_HELP,
  printWarnings,
  readArgumentFile,
} from "./task-input.js";
import { type RunControl, watchRuns } from "./watch.js";

export const runCommand: Command = {
  name: "run",
  options: {
    ...DEFINITION_OPTIONS,
    data: { type: "string", multiple: true },
    code: { type: "string", values: "path" },
    secret: { type: "string", secret: true },
    runtime: { type: "string", values: RUNTIMES },
    image: { type: "string" },
    "dry-run": { type: "boolean" },
    output: { type: "string", short: "o", values: ["text", "json"] },
    report: { type: "string", values: "path" },
    quiet: { type: "boolean", short: "q" },
    env: { type: "string", multiple: true },
    pretty: { type: "boolean" },
    "no-pretty": { type: "boolean" },
    "as-keptn": { type: "boolean" },
    watch: { type: "boolean", short: "w" },
  },
  help: `Usage: keptn-task run NAME -f PATH... [options] [-- COMMAND...]

Resolves KeptnTaskDefinition NAME as the Keptn lifecycle-operator does and runs it as its Job
would: the same variables (DATA, KEPTN_CONTEXT, CMD_ARGS, SECURE_DATA, SCRIPT), the same code
source (inline or ConfigMap code written to a temporary file named like its mount path,
function.ts or function.py; httpRef fetched by the runner), the same runner. The task's output
is streamed, secrets masked; a one-line summary goes to stderr, with the task's termination
message (what fail() wrote, as kubectl describe pod shows it); the exit code is the task's.
The task is stopped at the definition's timeout (spec.timeout, default 5m), as the Job is.
Ctrl-C is passed on to the task once; a second Ctrl-C kills it. The run ends when the task's
process does, as its container would: what it left running is killed 2 s later.

Options:
${DEFINITION_OPTIONS_HELP}
      --data KEY=VALUE|@FILE  a parameter, or a JSON or YAML map of them from FILE; wins
                          over the definition's parameters.map; repeatable, the last winning
      --code FILE         run FILE in place of the definition's inline, ConfigMap or httpRef
                          code (same runtime, variables and runner): errors point at its lines
      --secret VALUE|@FILE  SECURE_DATA (default: the Secret named by secureParameters, from
                          the manifests); masked in all output. Prefer @FILE: a value on the
                          command line is visible to other users of this machine
      --runtime RUNTIME   local (default): the bootstrap runner with the npm Deno and python3;
                          podman or docker: the runner images of this version
                          (ghcr.io/keptn-task/deno-runtime and python-runtime, from npm run
                          images or podman pull; never pulled by the command), run
                          read-only as user 65532 with the host network
      --image IMAGE       the image to run with podman or docker instead (pulled if missing)
      --as-keptn          run as Keptn's stock deno-runtime and python-runtime images would:
                          their command lines, without this project's runner, import map or
                          keptn_task (local deno and python3; curl for a python httpRef)
      --env NAME=VALUE|NAME  a variable a derived image or a proxy would provide (NAME alone:
                          from this shell); repeatable. Not DATA, SECURE_DATA, KEPTN_CONTEXT,
                          SCRIPT, CMD_ARGS: the Job sets those (use --data, --secret, --app...)
      --pretty, --no-pretty  JSON log lines shown human-readable, or left raw (default:
                          readable on a terminal, raw otherwise, as in a Job)
  -w, --watch             run again whenever the code file (--code) or the manifests change:
                          a run in progress is stopped first (its summary kept); Ctrl-C ends
      --dry-run           print the environment and the command, start nothing
  -o, --output FORMAT     text (default) or json: the summary line (and --dry-run) as JSON
      --report FILE       also write the summary as JSON (as -o json prints it) to FILE,
                          alone; stderr keeps the text summary
  -q, --quiet             only the task's own output: no warnings, no runner log, no summary
  -h, --help              show this help

Container tasks (spec.container) run their image with podman or docker. With --runtime local,
give the command that stands in for the image after --; it gets the container's env.

Environment: KEPTN_TASK_DENO (the Deno binary), KEPTN_TASK_RUNNER (runners/dist/bootstrap.js),
KEPTN_TASK_PYTHON (python3).

Exit codes: the task's own; 124 when it ended with 0 after its timeout; 64 bad arguments;
65 invalid manifest or a definition Keptn would not run; 66 unknown definition or no code to
run; 69 httpRef code cannot be fetched; 78 no value for SECURE_DATA or an invalid context;
127 deno, python3, the runner, podman, docker or a runner image cannot be found.

Examples:
  keptn-task init hello && keptn-task run hello -f .
  keptn-task run hello -f . --code hello.ts --data @data.yaml --watch
  keptn-task run health-check -f k8s/ --data url=http://localhost:8080/healthz
  keptn-task run notify -f k8s/ --task-type post --secret @secure-data.json --runtime podman
  keptn-task run notify -f k8s/ --env HTTPS_PROXY --as-keptn
`,
  async run(args, context) {
    if (!args.flag("watch")) return await runOnce(args, context);
    if (args.flag("dry-run")) {
      throw new UsageError(`Cannot use --watch with --dry-run: a dry run starts nothing to watch`);
    }
    const code = args.string("code");
    return await watchRuns(
      [...args.list("file"), ...(code === undefined ? [] : [code])],
      (control) => runOnce(args, context, control),
      context,
      (error) => {
        // A run that cannot start (a manifest being edited) is said, and the watching goes on.
        if (!(error instanceof KeptnTaskError)) throw error;
        context.note(error.message);
        return error.exitCode;
      },
    );
  },
};

/** One run: resolve, then run (or print the plan). */
async function runOnce(
  args: ParsedArgs,
  context: CliContext,
  control?: RunControl,
): Promise<number> {
  const request = await parseRunArgs(args, context);
  const setup = await resolveRun(request, args, context);
  if (!request.quiet) {
    // A --secret stands in for the Secret, so its absence from the manifests is expected.
    const skip = request.secret === undefined ? [] : (["SECRET_NOT_FOUND"] as const);
    printWarnings(setup.resolved, context, new Set(skip));
  }
  if (request.dryRun) {
    printPlan(setup.plan, request.output, context);
    return 0;
  }
  return await execute(request, setup, context, control);
}

/** Parses and checks the arguments; nothing is loaded yet. */
async function parseRunArgs(args: ParsedArgs, context: CliContext): Promise<RunRequest> {
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) {
    throw new UsageError(
      `Cannot run "keptn-task run": expected one definition NAME, received ${args.positionals.length}: see keptn-task run --help`,
    );
  }
  const secretArg = args.string("secret");
  const secret = secretArg?.startsWith("@")
    ? await readArgumentFile("run", "--secret", secretArg.slice(1), context.io.cwd)
    : secretArg;
  if (secret !== undefined) registerTaskSecrets(context.secrets, { values: [secret] });
  if (args.flag("pretty") && args.flag("no-pretty")) {
    throw new UsageError(
      `Cannot use --pretty with --no-pretty in "keptn-task run": give one of them`,
    );
  }
  const env = parseEnv(args.list("env"), context.io.env);
  // A proxy's URL may carry credentials: masked like an httpRef's.
  registerTaskSecrets(context.secrets, { urls: [...env.values()] });
  return {
    name,
    runtime: oneOf("run", "runtime", args.string("runtime"), RUNTIMES, "local"),
    output: oneOf("run", "output", args.string("output"), ["text", "json"], "text"),
    report: await checkReport(args.string("report"), context.io.cwd),
    quiet: args.flag("quiet"),
    dryRun: args.flag("dry-run"),
    data: await parseData(args.list("data"), context.io.cwd),
    code: args.string("code"),
    secret,
    image: args.string("image"),
    context: await contextFromArgs("run", args, context),
    env,
    pretty: args.flag("pretty") ? true : args.flag("no-pretty") ? false : undefined,
    asKeptn: args.flag("as-keptn"),
  };
}
