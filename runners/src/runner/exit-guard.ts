/**
 * The exit guard of a Deno task: whatever code the task ends with (`Deno.exit(code)`,
 * `Deno.exitCode`, `process.exit(code)` of node:process, which calls them), the process ends
 * with `taskExitCode(code)`, the policy's one exit path. The system keeps the low 8 bits of an
 * exit code, so without it `Deno.exit(256)` would end a failed task with 0, a success.
 *
 * Installed in the runner's own process for a task that runs there (`direct.ts`), and preloaded
 * (`deno run --preload exit-guard.js`, see `exit-guard-preload.ts`) into a task's own process:
 * both modes end the same way.
 */
import { readsAsSuccess, taskExitCode } from "@keptn-task/sdk/contract";
import { endListeners } from "./end-listeners.js";

/**
 * Installs the guard. `onEnd` is called as the process ends, behind every listener of the task's,
 * with the exit code it ends with and, when the task asked for a code that would have read as 0
 * (256, -256, ...), that code.
 */
export function guardExit(
  onEnd?: (exitCode: number, readAsZero: number | undefined) => void,
  options: { node?: boolean } = {},
): void {
  let readAsZero: number | undefined;
  const exit = Deno.exit;
  // Deno cuts a code to 32 bits before `unload` could see it (2 ** 32 would be 0 there): the
  // code is taken as the task gave it.
  Deno.exit = ((code?: number) => {
    if (code === undefined) return exit();
    if (readsAsSuccess(code)) readAsZero ??= code;
    return exit(taskExitCode(code));
  }) as typeof Deno.exit;
  endListeners("unload", () => {
    const code = Deno.exitCode;
    if (readsAsSuccess(code)) readAsZero ??= code;
    Deno.exitCode = taskExitCode(code);
    onEnd?.(Deno.exitCode, readAsZero);
    // Node's `exit` listeners run after this, and may set `process.exitCode` (256 would end
    // with 0): a listener added now runs after all of the task's. Reading `process` wakes
    // Deno's Node layer, so only for a task that may use it (`options.node`) or that has loaded
    // it (through a module the runner does not read, or a name it cannot see).
    if (options.node || nodeProcessLoaded()) {
      const node = (globalThis as { process?: NodeExitEmitter }).process;
      node?.on("exit", () => {
        const code = Deno.exitCode;
        Deno.exitCode = taskExitCode(code);
        // Only when a Node listener turned the exit into one that reads as 0.
        if (readsAsSuccess(code) && readAsZero === undefined) {
          readAsZero = code;
          onEnd?.(Deno.exitCode, readAsZero);
        }
      });
    }
  });
}

/**
 * Whether Deno's Node `process` has been loaded in this process, asked without loading it: Deno
 * registers its exit dispatch among its internals when it loads it (Deno 2). Where Deno keeps no
 * such internals, `false`: the guard then follows Node's listeners for code that names them.
 */
function nodeProcessLoaded(): boolean {
  const key = (Deno as { internal?: symbol }).internal;
  if (key === undefined) return false;
  const internals = (Deno as unknown as Record<symbol, unknown>)[key] as
    | { dispatchProcessExitEvent?: unknown }
    | undefined;
  return typeof internals?.dispatchProcessExitEvent === "function";
}

/** What the guard uses of Node's `process`. */
interface NodeExitEmitter {
  on(event: "exit", listener: () => void): unknown;
}
