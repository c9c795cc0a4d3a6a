/**
 * A timer for a wait that something else keeps going (a request, a connection): calls
 * `onTimeout` after `ms` unless the returned function is called first.
 *
 * Built on `AbortSignal.timeout` rather than `setTimeout`: under Deno a process's first
 * `setTimeout` costs ~20 ms (its timers load on first use), `AbortSignal.timeout` ~0.5 ms, and an
 * httpRef Job's fetch sits on its start-up path (docs/benchmarks.md, "Where a start-up goes").
 * Under Deno an armed alarm keeps the process alive (its listener refs the timer), under Node it
 * does not: it bounds a wait that something else keeps alive, never a sleep.
 *
 * @param ms Milliseconds, as `setTimeout` takes them (truncated, within 0 to 2^31 - 1).
 */
export function alarm(ms: number, onTimeout: () => void): () => void {
  const delay = Number.isFinite(ms) ? Math.min(Math.max(Math.trunc(ms), 0), 2 ** 31 - 1) : 0;
  const signal = AbortSignal.timeout(delay);
  const listener = () => onTimeout();
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}
