import {
  STOP_SIGNALS,
  StopSequence,
  type StopSignal,
  type StopStep,
} from "@keptn-task/sdk/contract";

export type { StopSignal, StopStep };

/**
 * The runner's adapter of the stop rule (`StopSequence`) to Deno's signal listeners. Listens for
 * SIGTERM and SIGINT from the moment it is made, so a signal that arrives while the code is still
 * being fetched is not lost: `signal` aborts the fetch, and whoever starts the task asks
 * `received` first. Listeners are told each signal's step: the first stops, a later one kills.
 */
export class SignalRelay {
  readonly #controller = new AbortController();
  readonly #listeners = new Set<(step: StopStep) => void>();
  readonly #stops = new StopSequence();
  readonly #handlers: [StopSignal, () => void][];

  constructor() {
    this.#handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => {
        const step = this.#stops.receive(signal, performance.now());
        if (step.action === "stop")
          this.#controller.abort(new DOMException(`Received ${signal}`, "AbortError"));
        for (const listener of this.#listeners) listener(step);
      };
      Deno.addSignalListener(signal, handler);
      return [signal, handler];
    });
  }

  /** The first signal received, if any. */
  get received(): StopSignal | undefined {
    return this.#stops.first;
  }

  /** Aborted at the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Calls `listener` for every signal from now on; returns a function that stops that. */
  subscribe(listener: (step: StopStep) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening. */
  dispose(): void {
    for (const [signal, handler] of this.#handlers) Deno.removeSignalListener(signal, handler);
    this.#listeners.clear();
  }
}
