// What the API case modules share. Like the cases, only `node:` built-ins and the SDK are
// imported, so this means the same under Node and Deno.
import assert from "node:assert/strict";
import { ConfigError, SecretRegistry, task } from "../../../sdk/src/index.js";
import { WORKLOAD_CONTEXT } from "../../fixtures/keptn-context.js";

export interface ApiCase {
  name: string;
  run: () => void | Promise<void>;
}

export const CONTEXT = WORKLOAD_CONTEXT;

/** Log lines captured from a task's logger. */
export function capture(): { lines: string[]; write: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line), text: () => lines.join("") };
}

/** `task()` with a private registry and captured logs, no signal handlers. */
export function makeTask(
  env: Record<string, string | undefined>,
  extra: Record<string, unknown> = {},
) {
  const out = capture();
  const secrets = new SecretRegistry();
  const t = task({
    env,
    secrets,
    handleSignals: false,
    logDestination: out,
    onConfigError: "throw",
    ...extra,
  });
  return { t, out, secrets };
}

export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a ConfigError, but nothing was thrown");
}
