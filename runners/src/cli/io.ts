/**
 * What a command may touch: its output streams, standard input, the environment, and the secret
 * registry every line it writes is masked with. Commands get it as a value, so nothing else in
 * the CLI reads the process's globals.
 */
import { SecretRegistry, UsageError } from "@keptn-task/sdk";

/** A stream the CLI writes to. */
export interface OutputStream {
  write(chunk: string | Uint8Array): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/**
 * Guards one of the process's output streams: once its reader is gone (`keptn-task run ... |
 * head` ends: EPIPE) writes are dropped instead of crashing the CLI, so a running task is still
 * supervised to its end and its temporary files are removed.
 *
 * @param stream - `process.stdout` or `process.stderr`.
 * @returns A stream whose `write` never throws and whose `drain` also fires when it breaks.
 */
export function guardOutput(stream: NodeJS.WritableStream): OutputStream {
  let broken = false;
  const waiting = new Set<() => void>();
  stream.on("error", () => {
    broken = true;
    for (const listener of waiting) listener();
    waiting.clear();
  });
  return {
    write: (chunk) => (broken ? true : stream.write(chunk)),
    once: (_event, listener) => {
      if (broken) {
        listener();
        return;
      }
      const once = () => {
        waiting.delete(once);
        stream.off("drain", once);
        listener();
      };
      waiting.add(once);
      stream.once("drain", once);
    },
  };
}

/** An output stream that knows whether what was written to it so far ends a line. */
export interface LineTrackingStream extends OutputStream {
  /** Whether the last byte written was not a newline (false before anything is written). */
  readonly midLine: boolean;
}

/**
 * Wraps `stream` to remember whether its last byte was a newline, so a line of the CLI's own
 * (the summary after a task's output) can start on a line of its own.
 *
 * @param stream - A stream the task's output is forwarded to.
 * @returns The same stream, with `midLine`.
 */
export function trackLineEnds(stream: OutputStream): LineTrackingStream {
  let midLine = false;
  return {
    get midLine() {
      return midLine;
    },
    write: (chunk) => {
      if (chunk.length > 0) {
        const last = typeof chunk === "string" ? chunk.charCodeAt(chunk.length - 1) : chunk.at(-1);
        midLine = last !== 0x0a;
      }
      return stream.write(chunk);
    },
    once: (event, listener) => stream.once(event, listener),
  };
}

/** The world a command runs in. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: AsyncIterable<string | Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdout and stderr are terminals (log lines are then shown human-readable). */
  readonly terminal?: { readonly stdout: boolean; readonly stderr: boolean };
}

/** The program name, first on every line the CLI itself writes to stderr. */
export const PROGRAM = "keptn-task";

/** A command's view of the world: masked output, and the secrets to mask. */
export interface CliContext {
  readonly io: CliIo;
  /** Every secret the command has seen (`--secret`, Secret manifests): masked in all output. */
  readonly secrets: SecretRegistry;
  /** Writes data (the command's result) to stdout, masked. */
  out(text: string): void;
  /** Writes one line about the run to stderr, masked, as `keptn-task: <line>`. */
  note(line: string): void;
}

/**
 * The process's own streams and environment.
 *
 * @returns The `CliIo` of this process.
 */
export function processIo(): CliIo {
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    // ENOENT: the folder the shell is in was removed (or renamed) after it went there.
    throw new UsageError(
      "Cannot start: the current folder no longer exists (removed or renamed): cd to a folder that does, and run the command again",
    );
  }
  return {
    stdout: guardOutput(process.stdout),
    stderr: guardOutput(process.stderr),
    // Touched only when a command reads `-`: an idle terminal stdin must not hold the process.
    stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
    env: process.env,
    cwd,
    terminal: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  };
}

/**
 * Wraps `io` with masking: nothing a command writes through it can show a registered secret.
 *
 * @param io - The streams and environment.
 * @returns The context commands run with.
 */
export function createContext(io: CliIo): CliContext {
  const secrets = new SecretRegistry();
  return {
    io,
    secrets,
    out: (text) => {
      io.stdout.write(secrets.mask(text));
    },
    note: (line) => {
      io.stderr.write(`${PROGRAM}: ${oneLine(secrets.mask(line))}\n`);
    },
  };
}

/**
 * Folds a message onto one line, so every problem is exactly one line of stderr, without
 * control characters (C0 but tab, DEL, C1): what it quotes (a task's termination message, a
 * name) could otherwise move the cursor or rewrite the line on a terminal.
 */
export function oneLine(text: string): string {
  return (
    text
      .replace(/\s*\r?\n\s*/g, " ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]+/g, " ")
      .trim()
  );
}
