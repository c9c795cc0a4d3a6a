import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";

/** Where Kubernetes reads a container's termination message (`terminationMessagePath`). */
export const DEFAULT_TERMINATION_LOG = "/dev/termination-log";

/** Kubernetes keeps at most 4096 bytes of a termination message. */
const MAX_BYTES = 4096;

/**
 * Writes a short reason to the termination log when that file exists and is writable (it does
 * in a Kubernetes container; it does not on a laptop, where nothing is created).
 *
 * @returns Whether the message was written.
 */
export function writeTerminationLog(
  message: string,
  path: string = DEFAULT_TERMINATION_LOG,
): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r+");
  } catch {
    return false;
  }
  try {
    let bytes = new TextEncoder().encode(message);
    if (bytes.length > MAX_BYTES) bytes = bytes.slice(0, MAX_BYTES);
    ftruncateSync(fd, 0);
    writeSync(fd, bytes, 0, bytes.length, 0);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
