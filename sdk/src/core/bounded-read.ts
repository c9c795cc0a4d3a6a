/**
 * Bounded reads of files a task or a repository controls (termination logs, manifests, argument
 * files), through `node:fs`: regular files only, never through a link (`O_NOFOLLOW`), never
 * blocking on a FIFO (`O_NONBLOCK`), and never more than a given number of bytes, so a planted
 * `/dev/zero` or a 600 MB file costs at most that many bytes of memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

/** Why a file was not read: not a regular file, or larger than allowed. */
export type BoundedReadProblem = "not a regular file" | "too large";

/** The result of a bounded read: the bytes (at most `maxBytes`), and whether there were more. */
export interface BoundedRead {
  readonly bytes: Buffer;
  /** Whether the file holds more than `maxBytes` bytes (only the first `maxBytes` were read). */
  readonly truncated: boolean;
}

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** For a path a user named on the command line: a link is followed, the rest holds. */
const FOLLOW_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Options of a bounded read. */
export interface BoundedReadOptions {
  /** Follow a link at `path` itself (a path named by the user); default: refuse it (`ELOOP`). */
  readonly follow?: boolean;
}

/**
 * The first `maxBytes` bytes of the regular file at `path`.
 *
 * @throws the system's error (`ENOENT`, `ELOOP` for a link, ...) or an `Error` whose `code` is
 *   `ENOTREGULAR` for a FIFO, device or directory.
 */
export function readFileStartSync(
  path: string,
  maxBytes: number,
  options: BoundedReadOptions = {},
): BoundedRead {
  const fd = openSync(path, options.follow === true ? FOLLOW_FLAGS : FLAGS);
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(path);
    const buffer = Buffer.alloc(maxBytes + 1);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: buffer.subarray(0, Math.min(read, maxBytes)), truncated: read > maxBytes };
  } finally {
    closeSync(fd);
  }
}

/** `readFileStartSync`, without blocking the event loop. */
export async function readFileStart(
  path: string,
  maxBytes: number,
  options: BoundedReadOptions = {},
): Promise<BoundedRead> {
  const file = await open(path, options.follow === true ? FOLLOW_FLAGS : FLAGS);
  try {
    if (!(await file.stat()).isFile()) throw notRegular(path);
    const buffer = Buffer.alloc(maxBytes + 1);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await file.read(buffer, read, buffer.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { bytes: buffer.subarray(0, Math.min(read, maxBytes)), truncated: read > maxBytes };
  } finally {
    await file.close();
  }
}

function notRegular(path: string): Error {
  return Object.assign(new Error(`"${path}" is not a regular file`), { code: "ENOTREGULAR" });
}
