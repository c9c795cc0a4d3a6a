/**
 * `keptn-task completion bash|zsh|fish`: a shell completion script, generated from the commands'
 * own option tables (one source: an option added to a command is completed without more work).
 * Commands, options, and option values (paths; `--runtime local|podman|docker`...).
 */
import { UsageError } from "@keptn-task/sdk";
import type { Command, OptionSpec, OptionSpecs } from "./args.js";

/** A command as the command line lists it. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** The shells a script is written for. */
const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

/** What every command takes besides its own options. */
const HELP: OptionSpecs = { help: { type: "boolean", short: "h" } };

/** One command's name, summary and options, read from its table. */
interface CommandInfo {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly (readonly [string, OptionSpec])[];
}

/**
 * The `completion` command for `commands` (itself included).
 *
 * @param commands - Every command of the command line, as `main` lists them.
 */
export function completionCommand(commands: readonly CommandEntry[]): Command {
  return {
    name: "completion",
    options: {},
    help: `Usage: keptn-task completion bash|zsh|fish

Prints a completion script for the shell: commands, their options, and option values (files for
-f and --code, local|podman|docker for --runtime...). Load it now, or from the shell's start-up:

  bash  source <(keptn-task completion bash)            # in ~/.bashrc
  zsh   source <(keptn-task completion zsh)             # in ~/.zshrc
  fish  keptn-task completion fish | source             # or save it as
        ~/.config/fish/completions/keptn-task.fish

With npx: source <(npx keptn-task completion bash), and call the command as npx keptn-task or
put node_modules/.bin on PATH.

Exit codes: 0 printed; 64 bad arguments.
`,
    async run(args, context) {
      const [shell, ...extra] = args.positionals;
      if (
        shell === undefined ||
        extra.length > 0 ||
        !(SHELLS as readonly string[]).includes(shell)
      ) {
        throw new UsageError(
          `Cannot run "keptn-task completion${args.positionals.map((p) => ` ${p}`).join("")}": expected one shell: ${SHELLS.join(", ")}`,
        );
      }
      const infos = await Promise.all(
        commands.map(async (entry) => ({
          name: entry.name,
          summary: entry.summary,
          options: Object.entries({ ...(await entry.load()).options, ...HELP }),
        })),
      );
      context.out(script(shell as Shell, infos));
      return 0;
    },
  };
}

function script(shell: Shell, commands: readonly CommandInfo[]): string {
  if (shell === "fish") return fishScript(commands);
  const bash = bashScript(commands);
  // zsh runs the bash function through its bash completion layer.
  return shell === "zsh"
    ? `# keptn-task completion for zsh: source <(keptn-task completion zsh)\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bash}`
    : `# keptn-task completion for bash: source <(keptn-task completion bash)\n${bash}`;
}

/** `--name` and `-x` of an option. */
function flags(name: string, spec: OptionSpec): string[] {
  return [`--${name}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])];
}

/** The bash function: commands first, then a command's options, then an option's values. */
function bashScript(commands: readonly CommandInfo[]): string {
  const names = commands.map((c) => c.name).join(" ");
  const perCommand = commands
    .map((c) => {
      const all = c.options.flatMap(([name, spec]) => flags(name, spec)).join(" ");
      return `    ${c.name}) opts="${all}" ;;`;
    })
    .join("\n");
  // Per command: --output takes other words for run than for validate.
  const values = commands.flatMap((c) =>
    c.options
      .filter(([, spec]) => spec.values !== undefined)
      .map(([name, spec]) => {
        const words = spec.values === "path" ? undefined : spec.values?.join(" ");
        const reply =
          words === undefined
            ? 'COMPREPLY=($(compgen -f -- "$cur"))'
            : `COMPREPLY=($(compgen -W "${words}" -- "$cur"))`;
        const cases = flags(name, spec).map((flag) => `${c.name}:${flag}`);
        return `    ${cases.join("|")}) ${reply}; return ;;`;
      }),
  );
  return `_keptn_task() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names} help --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}:$prev" in
${values.join("\n")}
  esac
  case "\${COMP_WORDS[1]}" in
${perCommand}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _keptn_task keptn-task
`;
}

/** fish: one `complete` line per command and per option. */
function fishScript(commands: readonly CommandInfo[]): string {
  const lines = [
    "# keptn-task completion for fish: keptn-task completion fish | source",
    "complete -c keptn-task -f",
  ];
  const names = commands.map((c) => c.name).join(" ");
  for (const command of commands) {
    lines.push(
      `complete -c keptn-task -n "not __fish_seen_subcommand_from ${names}" -a ${command.name} -d ${fishQuote(command.summary)}`,
    );
    for (const [name, spec] of command.options) {
      const short = spec.short === undefined ? "" : ` -s ${spec.short}`;
      const value =
        spec.type === "boolean"
          ? ""
          : spec.values === "path"
            ? " -r -F"
            : spec.values === undefined
              ? " -r"
              : ` -r -f -a ${fishQuote(spec.values.join(" "))}`;
      lines.push(
        `complete -c keptn-task -n "__fish_seen_subcommand_from ${command.name}" -l ${name}${short}${value}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
