import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { defaultSecrets } from "../masking/secret-registry.js";
import {
  DEFAULT_TERMINATION_LOG,
  TERMINATION_MESSAGE_MAX_BYTES,
  truncateUtf8,
} from "./termination-message.js";

export { DEFAULT_TERMINATION_LOG };

/**
 * Writes a short reason to the termination log when that file exists and is writable (it does
 * in a Kubernetes container; it does not on a laptop, where nothing is created). Registered
 * secrets are masked (Kubernetes shows the message in the pod's status, to anyone who can read
 * pods) and the message is cut to Kubernetes' 4096 bytes on a character boundary.
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
    const bytes = new TextEncoder().encode(
      truncateUtf8(defaultSecrets.mask(message), TERMINATION_MESSAGE_MAX_BYTES),
    );
    ftruncateSync(fd, 0);
    writeSync(fd, bytes, 0, bytes.length, 0);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
