/**
 * Human-readable log lines for a terminal: the runner's and the SDKs' JSON lines (pino's shape:
 * `level`, `time`, `msg`, fields) shown by `pino-pretty` as `[time] LEVEL (name): message` with
 * the fields below; every other line passes through unchanged. In a Job the lines stay JSON.
 */
import { RuntimeMissingError, type SecretRegistry } from "@keptn-task/sdk";
import type { OutputStream } from "./io.js";

/** A line longer than this is passed on as it is, never held whole. */
const MAX_LINE_BYTES = 1024 * 1024;

/** An output stream that turns log lines human-readable; `flush()` writes a held last line. */
export interface PrettyStream extends OutputStream {
  flush(): void;
}

/** Options of `createPrettyStream`. */
export interface PrettyOptions {
  /** ANSI colours (on a terminal). */
  readonly colorize: boolean;
  /** Masks what pino-pretty writes (a JSON-escaped secret reads unescaped there). */
  readonly secrets: SecretRegistry;
}

/** pino-pretty, which @keptn-task/runners brings; a damaged install says so in one line. */
async function loadPrettyFactory() {
  try {
    return (await import("pino-pretty")).prettyFactory;
  } catch (error) {
    throw new RuntimeMissingError(
      'Cannot show log lines readable: the package "pino-pretty" is not installed: run npm install @keptn-task/runners again, or pass --no-pretty',
      { cause: error },
    );
  }
}

/**
 * Wraps `sink` so each complete JSON log line written to it is shown human-readable. A line is
 * held until its end only while it may be JSON (it starts with `{`); any other text goes on at
 * once, so a prompt or progress output without a newline is not delayed.
 */
export async function createPrettyStream(
  sink: OutputStream,
  options: PrettyOptions,
): Promise<PrettyStream> {
  const prettyFactory = await loadPrettyFactory();
  const pretty = prettyFactory({
    colorize: options.colorize,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    singleLine: false,
  });
  const decoder = new TextDecoder();
  /** The start of a line that may be JSON, held until its newline. */
  let held = "";
  /** Whether the current line was already passed on in part (not JSON): the rest follows it. */
  let passing = false;

  const render = (line: string): string => {
    const log = logRecord(line);
    if (log === undefined) return `${line}\n`;
    try {
      return options.secrets.mask(pretty(log));
    } catch {
      // A record pino-pretty cannot format (a key such as "constructor") passes through as it is:
      // output is never lost.
      return `${line}\n`;
    }
  };
  const push = (text: string): boolean => {
    let out = "";
    let rest = text;
    for (let end = rest.indexOf("\n"); end >= 0; end = rest.indexOf("\n")) {
      const piece = rest.slice(0, end);
      rest = rest.slice(end + 1);
      if (passing) out += `${piece}\n`;
      else out += render(held + piece);
      held = "";
      passing = false;
    }
    if (rest !== "") {
      if (!passing && (held + rest).trimStart().startsWith("{") && held.length < MAX_LINE_BYTES) {
        held += rest;
      } else {
        out += held + rest;
        held = "";
        passing = true;
      }
    }
    return out === "" ? true : sink.write(out);
  };
  return {
    write: (chunk) =>
      push(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true })),
    once: (event, listener) => sink.once(event, listener),
    flush: () => {
      const rest = held + decoder.decode();
      held = "";
      if (rest !== "") sink.write(rest);
    },
  };
}

/** The log record a line holds: a JSON object with a level and a message or time. */
function logRecord(line: string): Record<string, unknown> | undefined {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (!text.trimStart().startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const level = record.level;
  const isLevel = typeof level === "number" || typeof level === "string";
  return isLevel && ("msg" in record || "time" in record) ? record : undefined;
}
