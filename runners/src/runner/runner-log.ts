// The runner's own log: pino JSON lines on stderr, named "keptn-task-runner" so they are told
// apart from the task's output. Loaded on demand: pino costs ~50 ms of Deno start-up, which
// the happy path does not pay.
import { createLogger, type Logger, type SecretRegistry } from "@keptn-task/sdk";
import { LEVELS } from "./log-line.js";

export function runnerLogger(secrets: SecretRegistry, level: string): Logger {
  const valid = Object.hasOwn(LEVELS, level);
  return createLogger({
    name: "keptn-task-runner",
    level: valid ? (level as "info") : "info",
    secrets,
    destination: { write: (line: string) => Deno.stderr.writeSync(new TextEncoder().encode(line)) },
  });
}
