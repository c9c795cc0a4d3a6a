/**
 * Argument parsing on top of `node:util` `parseArgs`, with the CLI's own messages: every mistake
 * is one `UsageError` naming the flag and pointing at `--help`.
 */
import { parseArgs } from "node:util";
import { UsageError } from "@keptn-task/sdk";
import { closestName } from "@keptn-task/sdk/internal";
import { didYouMean } from "./suggest.js";

/** One option of a command. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value is a secret: messages never echo it. */
  readonly secret?: boolean;
  /** What a shell completes as its value: a path, or one of these words. */
  readonly values?: "path" | readonly string[];
}

/** Options by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A subcommand. */
export interface Command {
  readonly name: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: OptionSpecs;
  run(args: ParsedArgs, context: import("./io.js").CliContext): Promise<number>;
}

/** What was parsed. */
export interface ParsedArgs {
  /** Positionals before a lone `--`. */
  readonly positionals: readonly string[];
  /** Words after a lone `--`, untouched. */
  readonly rest: readonly string[];
  /** Whether `--help` or `-h` was given. */
  readonly help: boolean;
  /** A string option's last value. */
  string(name: string): string | undefined;
  /** Every value of a repeatable string option. */
  list(name: string): string[];
  /** A boolean option. */
  flag(name: string): boolean;
}

const HELP: OptionSpecs = { help: { type: "boolean", short: "h" } };

/**
 * Parses `argv` for `command`.
 *
 * @param command - The subcommand (its name is used in messages).
 * @param argv - The words after the subcommand.
 * @returns Positionals, the words after `--`, and typed accessors for the options.
 * @throws {UsageError} For an unknown option, a missing value, or a value given to a flag.
 */
export function parseCommandArgs(
  command: Pick<Command, "name" | "options">,
  argv: readonly string[],
): ParsedArgs {
  const options: OptionSpecs = { ...command.options, ...HELP };
  const { values, tokens } = parseArgs({
    args: splitShortInline(argv, options),
    // parseArgs knows only type, short and multiple.
    options: Object.fromEntries(
      Object.entries(options).map(([name, { secret: _secret, values: _values, ...spec }]) => [
        name,
        spec,
      ]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const help = values.help === true;
  const problems = tokens.flatMap((token) =>
    token.kind === "option" ? optionProblems(token, options) : [],
  );
  if (!help && problems.length > 0) {
    throw new UsageError(
      `Cannot parse the arguments of "keptn-task ${command.name}": ${problems.join("; ")}: see keptn-task ${command.name} --help`,
    );
  }
  return {
    ...splitPositionals(tokens),
    help,
    ...accessors(values as RawValues),
  };
}

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];
type OptionToken = Extract<Token, { kind: "option" }>;
type RawValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * `-f=PATH` as `-f PATH`: parseArgs would take `=PATH` as the value of a short option. Only for
 * the short options that take a value, and never after a lone `--`.
 */
function splitShortInline(argv: readonly string[], options: OptionSpecs): string[] {
  const valued = new Set(
    Object.values(options).flatMap((spec) =>
      spec.type === "string" && spec.short !== undefined ? [spec.short] : [],
    ),
  );
  const end = argv.indexOf("--");
  return argv.flatMap((word, index) => {
    const match = /^-([A-Za-z])=([\s\S]*)$/.exec(word);
    if (match === null || (end >= 0 && index > end) || !valued.has(match[1] ?? "")) return [word];
    return [`-${match[1]}`, match[2] ?? ""];
  });
}

/** What is wrong with one option as given: unknown, a value for a flag, a missing value. */
function optionProblems(token: OptionToken, options: OptionSpecs): string[] {
  const flag = token.rawName;
  const spec = options[token.name];
  if (spec === undefined) {
    const near = flag.startsWith("--") ? closestName(token.name, Object.keys(options)) : undefined;
    return [`unknown option "${flag}"${didYouMean(near && `--${near}`)}`];
  }
  if (spec.type === "boolean") {
    return token.value === undefined ? [] : [`option "${flag}" takes no value`];
  }
  if (token.value === undefined) return [`option "${flag}" needs a value`];
  // `--name --other`: parseArgs took the next option as the value; `-` alone is standard input.
  if (token.inlineValue || !token.value.startsWith("-") || token.value === "-") return [];
  return [
    spec.secret === true
      ? `option "${flag}" needs a value, received a value starting with - (write ${flag}=VALUE if that is the value)`
      : `option "${flag}" needs a value, received the option "${token.value}" (write ${flag}=${token.value} if that is the value)`,
  ];
}

/** Positionals before a lone `--`, and the words after it. */
function splitPositionals(tokens: readonly Token[]): { positionals: string[]; rest: string[] } {
  const positionals: string[] = [];
  const rest: string[] = [];
  let afterTerminator = false;
  for (const token of tokens) {
    if (token.kind === "option-terminator") afterTerminator = true;
    else if (token.kind === "positional") (afterTerminator ? rest : positionals).push(token.value);
  }
  return { positionals, rest };
}

/** The typed accessors of `ParsedArgs` over parseArgs' values. */
function accessors(raw: RawValues): Pick<ParsedArgs, "string" | "list" | "flag"> {
  return {
    string: (name) => {
      const value = raw[name];
      const last = Array.isArray(value) ? value[value.length - 1] : value;
      return typeof last === "string" ? last : undefined;
    },
    list: (name) => {
      const value = raw[name];
      const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
      return all.filter((v): v is string => typeof v === "string");
    },
    flag: (name) => raw[name] === true,
  };
}

/**
 * Checks that a string option holds one of `allowed`.
 *
 * @returns The value, or `fallback` when the option is absent.
 * @throws {UsageError} Naming the option and the allowed values.
 */
export function oneOf<T extends string>(
  command: string,
  option: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `Cannot use --${option} "${value}" with "keptn-task ${command}": expected ${allowed.map((a) => `"${a}"`).join(", ")}`,
  );
}
