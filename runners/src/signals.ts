/** The signals the runner forwards to the task. */
export type StopSignal = "SIGTERM" | "SIGINT";

/**
 * Listens for SIGTERM and SIGINT from the runner's first moment, so a signal that arrives while
 * the code is still being fetched is not lost: `signal` aborts the fetch, and whoever starts the
 * task asks `received` first. Listeners told of a signal get whether it is the first one.
 */
export class SignalRelay {
  readonly #controller = new AbortController();
  readonly #listeners = new Set<(signal: StopSignal, first: boolean) => void>();
  readonly #handlers: [StopSignal, () => void][];
  #received: StopSignal | undefined;

  constructor() {
    this.#handlers = (["SIGTERM", "SIGINT"] as const).map((signal) => {
      const handler = () => {
        const first = this.#received === undefined;
        this.#received ??= signal;
        if (first) this.#controller.abort(new DOMException(`Received ${signal}`, "AbortError"));
        for (const listener of this.#listeners) listener(signal, first);
      };
      Deno.addSignalListener(signal, handler);
      return [signal, handler];
    });
  }

  /** The first signal received, if any. */
  get received(): StopSignal | undefined {
    return this.#received;
  }

  /** Aborted at the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Calls `listener` for every signal from now on; returns a function that stops that. */
  subscribe(listener: (signal: StopSignal, first: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening. */
  dispose(): void {
    for (const [signal, handler] of this.#handlers) Deno.removeSignalListener(signal, handler);
    this.#listeners.clear();
  }
}

/** 128 + the signal's number: the exit code of a process that died of it. */
export function signalExitCode(signal: StopSignal): number {
  return signal === "SIGTERM" ? 143 : 130;
}
