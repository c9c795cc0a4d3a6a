/**
 * The only place that touches the host process: environment, signals, exit. Node, Deno (2.x)
 * and Bun all provide `node:process`.
 */
import process from "node:process";
import { STOP_SIGNALS, type StopSignal } from "../contract/process-policy.js";

/** A plain map of environment variables, as tests and callers pass them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the named variables from the process's environment. Under Deno a variable the task may
 * not read (permissions) counts as unset instead of throwing.
 */
export function readProcessEnv(names: readonly string[]): Env {
  const env: Record<string, string | undefined> = {};
  for (const name of names) {
    try {
      env[name] = process.env[name];
    } catch {
      env[name] = undefined;
    }
  }
  return env;
}

/** Listens for the stop signals (SIGTERM, SIGINT); returns a function that stops listening. */
export function onTerminationSignal(listener: (signal: StopSignal) => void): () => void {
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => listener(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/**
 * Calls `listener` when the process has nothing left to do but has not exited (Node's and Deno's
 * `beforeExit`); returns a function that stops listening.
 */
export function onBeforeExit(listener: () => void): () => void {
  process.on("beforeExit", listener);
  return () => {
    process.off("beforeExit", listener);
  };
}

/** Ends the process with `code`. */
export function exitProcess(code: number): never {
  process.exit(code);
}

/** Sets the exit code used when the process ends by itself. */
export function setExitCode(code: number): void {
  process.exitCode = code;
}
