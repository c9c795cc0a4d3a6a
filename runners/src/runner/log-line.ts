import type { SecretRegistry } from "@keptn-task/sdk";

/** pino's level numbers, by name. */
export const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 99,
};

/** A level the runner logs at. */
export type Level = "debug" | "info" | "warn" | "error" | "fatal";

/**
 * Writes one runner log line now, synchronously, in the shape of the runner's pino logger
 * (`{"level":"error","time":"…","name":"keptn-task-runner",…,"msg":"…"}`). For the moments
 * the process is about to end (an exit, an uncaught error), when loading pino (~50 ms) would
 * come too late.
 */
export function writeLogLine(
  threshold: string,
  secrets: SecretRegistry | undefined,
  at: Level,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if ((LEVELS[at] ?? 0) < (LEVELS[threshold] ?? LEVELS.info ?? 30)) return;
  const line = JSON.stringify({
    level: at,
    time: new Date().toISOString(),
    name: "keptn-task-runner",
    ...fields,
    msg: message,
  });
  try {
    const masked = secrets === undefined ? line : secrets.mask(line);
    Deno.stderr.writeSync(new TextEncoder().encode(`${masked}\n`));
  } catch {
    // stderr is gone: nothing else to tell it to
  }
}
