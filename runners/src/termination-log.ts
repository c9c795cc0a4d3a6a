import type { SecretRegistry } from "@keptn-task/sdk";
import { TERMINATION_MESSAGE_MAX_BYTES as LIMIT, truncateUtf8 } from "@keptn-task/sdk/internal";

/**
 * The file Kubernetes reads a container's termination message from (`/dev/termination-log`).
 * The runner writes a short reason there when a task fails, but keeps a reason the task wrote
 * itself (the SDK's `fail()`): the task's own words say more.
 *
 * Deno opens a path under `/dev` only for a process with every permission. A runner about to
 * give some up (to run a task in its own process) first calls `hold()`, and writes through the
 * file it keeps open from then on.
 */
export class TerminationLog {
  readonly #path: string;
  readonly #secrets: SecretRegistry;
  #file: Deno.FsFile | undefined;
  /** Set when `hold()` found no file: not in Kubernetes, so nothing is tried again. */
  #absent = false;
  /** What the runner itself last wrote, so it can tell its own words from the task's. */
  #ours: string | undefined;

  constructor(path: string, secrets: SecretRegistry) {
    this.#path = path;
    this.#secrets = secrets;
  }

  /** Opens the file now, while the runner may, to write it later; nothing when it is not there. */
  hold(): void {
    try {
      this.#file ??= Deno.openSync(this.#path, { read: true, write: true });
    } catch {
      // Not in Kubernetes, or not writable: the runner's log line carries the reason.
      this.#absent = true;
    }
  }

  /** Reads the file; `undefined` when it is not there (not in Kubernetes) or not readable. */
  #read(): string | undefined {
    if (this.#absent) return undefined;
    try {
      if (this.#file === undefined) return Deno.readTextFileSync(this.#path);
      this.#file.seekSync(0, 0);
      const chunks: Uint8Array[] = [];
      for (;;) {
        const chunk = new Uint8Array(LIMIT);
        const read = this.#file.readSync(chunk);
        if (read === null || read === 0) break;
        chunks.push(chunk.subarray(0, read));
      }
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      return new TextDecoder().decode(bytes);
    } catch {
      return undefined;
    }
  }

  #write(text: string): void {
    try {
      if (this.#file === undefined) {
        Deno.writeTextFileSync(this.#path, text, { create: false });
        return;
      }
      this.#file.truncateSync(0);
      this.#file.seekSync(0, 0);
      const bytes = new TextEncoder().encode(text);
      for (let written = 0; written < bytes.length; )
        written += this.#file.writeSync(bytes.subarray(written));
    } catch {
      // Not in Kubernetes, or not writable: the runner's log line carries the reason.
    }
  }

  /**
   * Writes `reason`. A reason the task wrote itself is kept (masked: kubectl describe shows it)
   * unless `override`.
   */
  write(reason: string, override = false): void {
    const written = this.#read();
    if (written === undefined) return;
    const own = !override && written.trim() !== "" && written !== this.#ours;
    const text = truncateUtf8(this.#secrets.mask(own ? written : reason), LIMIT);
    if (!own) this.#ours = text;
    this.#write(text);
  }

  /** Masks what the task wrote itself (after a success, which writes no reason of its own). */
  maskTaskWords(): void {
    const written = this.#read();
    if (written === undefined || written === "") return;
    const masked = truncateUtf8(this.#secrets.mask(written), LIMIT);
    if (masked !== written) this.#write(masked);
  }

  /**
   * Writes `reason` now, to stand if the process dies without another word (killed by a signal
   * or the kernel); `withdraw()` takes it back.
   */
  provisional(reason: string): void {
    this.write(reason);
  }

  /** Empties the file again if it still holds only the runner's own words. */
  withdraw(): void {
    if (this.#ours !== undefined && this.#read() === this.#ours) this.#write("");
    this.#ours = undefined;
  }
}
