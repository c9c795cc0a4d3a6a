/**
 * Preloaded into a Deno task's own process (`deno run --preload`): the gate, then the exit guard,
 * so that a task run as a child ends exactly as one run in the runner's process (see
 * `exit-guard.ts`). Loads nothing but the pure process policy: it costs the task's start-up next
 * to nothing.
 *
 * The gate (`?gate`): Deno runs a preloaded module to its end, its event loop included, before it
 * even loads the main module. So the task's code loads only once the runner has written one byte,
 * "g", to this process's stdin (then closed, as the task's stdin reads empty). Anything else (the
 * runner decided not to run the task, or died) ends this process at once, nothing run: the runner
 * can start the task's process before it has checked everything (see `early-start.ts`).
 */
import { guardExit } from "./exit-guard.js";

const query = new URL(import.meta.url).searchParams;
if (query.has("gate")) {
  const go = new Uint8Array(1);
  let read: number | null = null;
  try {
    read = Deno.stdin.readSync(go);
  } catch {
    // no stdin
  }
  // 70, a runner's failure (EX_SOFTWARE), should anyone see it: the runner reports the run.
  if (read !== 1 || go[0] !== 0x67) Deno.exit(70);
}
// `?node`: the task may use Node's process, whose `exit` listeners run after `unload`.
guardExit(undefined, { node: query.has("node") });
