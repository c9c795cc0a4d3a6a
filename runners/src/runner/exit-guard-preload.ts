/**
 * Preloaded into a Deno task's own process (`deno run --preload`): the exit guard, so that a
 * task run as a child ends exactly as one run in the runner's process (see `exit-guard.ts`).
 * Loads nothing but the pure process policy: it costs the task's start-up next to nothing.
 */
import { guardExit } from "./exit-guard.js";

// `?node`: the task may use Node's process, whose `exit` listeners run after `unload`.
guardExit(undefined, { node: new URL(import.meta.url).searchParams.has("node") });
