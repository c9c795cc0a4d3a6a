import type { SecretRegistry } from "@keptn-task/sdk";
import {
  TERMINATION_MESSAGE_MAX_BYTES as LIMIT,
  type TerminationFile,
  TerminationLogWriter,
  terminationReadBytes,
  truncateUtf8,
} from "@keptn-task/sdk/contract";

/**
 * The file Kubernetes reads a container's termination message from (`/dev/termination-log`),
 * written by the process policy's one writer (`TerminationLogWriter`: the runner writes a short
 * reason when a task fails, but keeps a reason the task wrote itself, such as the SDK's `fail()`)
 * through Deno's file API, so the runner needs no Node layer.
 *
 * Deno opens a path under `/dev` only for a process with every permission. A runner about to
 * give some up (to run a task in its own process) first calls `hold()`, and writes through the
 * file it keeps open from then on.
 */
export class TerminationLog extends TerminationLogWriter {
  readonly #file: DenoTerminationFile;
  readonly #secrets: SecretRegistry;

  constructor(path: string, secrets: SecretRegistry) {
    const file = new DenoTerminationFile(path);
    super(file, secrets);
    this.#file = file;
    this.#secrets = secrets;
  }

  /** Opens the file now, while the runner may, to write it later; nothing when it is not there. */
  hold(): void {
    this.#file.hold();
  }

  /**
   * Copies what a Deno task wrote to its relay file (see `terminationRelay` in child-env.ts) here, as
   * the task's own words: masked, cut, and kept by the runner's later `write()`s.
   */
  adoptRelay(relay: string | undefined): void {
    if (relay === undefined) return;
    const text = readStart(relay, terminationReadBytes(this.#secrets.longest));
    if (text === undefined) return;
    if (text.trim() === "") return;
    this.#file.replace(truncateUtf8(this.#secrets.mask(text), LIMIT));
  }
}

/** The termination log through Deno's file API, optionally held open. */
class DenoTerminationFile implements TerminationFile {
  readonly #path: string;
  #file: Deno.FsFile | undefined;
  /** Set when `hold()` found no file: not in Kubernetes, so nothing is tried again. */
  #absent = false;

  constructor(path: string) {
    this.#path = path;
  }

  hold(): void {
    try {
      this.#file ??= Deno.openSync(this.#path, { read: true, write: true });
    } catch {
      // Not in Kubernetes, or not writable: the runner's log line carries the reason.
      this.#absent = true;
    }
  }

  read(maxBytes: number): string | undefined {
    if (this.#absent) return undefined;
    try {
      if (this.#file !== undefined) return new TextDecoder().decode(readUpTo(this.#file, maxBytes));
      return readStart(this.#path, maxBytes);
    } catch {
      return undefined;
    }
  }

  replace(text: string): boolean {
    if (this.#absent) return false;
    try {
      if (this.#file === undefined) {
        if (!isRegularFile(this.#path)) return false;
        Deno.writeTextFileSync(this.#path, text, { create: false });
        return true;
      }
      this.#file.truncateSync(0);
      this.#file.seekSync(0, 0);
      const bytes = new TextEncoder().encode(text);
      for (let written = 0; written < bytes.length; )
        written += this.#file.writeSync(bytes.subarray(written));
      return true;
    } catch {
      // Not in Kubernetes, or not writable: the runner's log line carries the reason.
      return false;
    }
  }
}

/**
 * Whether `path` is a regular file, not followed through a link: a task may replace its
 * termination log with a FIFO (whose read or write blocks for ever) or a link elsewhere.
 */
function isRegularFile(path: string): boolean {
  try {
    return Deno.lstatSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The text of the first `maxBytes` bytes of the regular file at `path`, not followed through a
 * link; `undefined` when it is not one or cannot be read. A task may write any amount to its
 * termination log (or its relay): nothing reads more than the writer needs.
 */
function readStart(path: string, maxBytes: number): string | undefined {
  try {
    if (!isRegularFile(path)) return undefined;
    const file = Deno.openSync(path, { read: true });
    try {
      // Checked again on what was opened: the path may have been swapped meanwhile.
      if (!file.statSync().isFile) return undefined;
      return new TextDecoder().decode(readUpTo(file, maxBytes));
    } finally {
      file.close();
    }
  } catch {
    return undefined;
  }
}

/** At most `maxBytes` bytes of an open file, from its start. */
function readUpTo(file: Deno.FsFile, maxBytes: number): Uint8Array {
  file.seekSync(0, 0);
  const bytes = new Uint8Array(maxBytes);
  let read = 0;
  while (read < maxBytes) {
    const n = file.readSync(bytes.subarray(read));
    if (n === null || n === 0) break;
    read += n;
  }
  return bytes.subarray(0, read);
}
