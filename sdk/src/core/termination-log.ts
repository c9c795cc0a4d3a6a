import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import {
  DEFAULT_TERMINATION_LOG,
  type TerminationFile,
  TerminationLogWriter,
} from "../contract/process-policy.js";
import { defaultSecrets } from "../masking/secret-registry.js";
import { readFileStartSync } from "./bounded-read.js";

export { DEFAULT_TERMINATION_LOG };

/**
 * Writes a short reason to the termination log when that file exists and is writable (it does
 * in a Kubernetes container; it does not on a laptop, where nothing is created). Registered
 * secrets are masked (Kubernetes shows the message in the pod's status, to anyone who can read
 * pods) and the message is cut to Kubernetes' 4096 bytes on a character boundary.
 *
 * @returns Whether the message was written.
 * @example
 * ```ts
 * import { writeTerminationLog } from "@keptn-task/sdk";
 *
 * writeTerminationLog("Health check failed: HTTP 503");
 * ```
 */
export function writeTerminationLog(
  message: string,
  path: string = DEFAULT_TERMINATION_LOG,
): boolean {
  return new TerminationLogWriter(nodeTerminationFile(path), defaultSecrets).write(message, true);
}

/** The termination log through `node:fs` (Node, Bun, and Deno's Node layer). */
function nodeTerminationFile(path: string): TerminationFile {
  return {
    read: (maxBytes) => {
      try {
        return readFileStartSync(path, maxBytes).bytes.toString("utf8");
      } catch {
        return undefined;
      }
    },
    replace: (text) => {
      let fd: number;
      try {
        // "r+" opens an existing file only: a missing termination log is never created.
        fd = openSync(path, "r+");
      } catch {
        return false;
      }
      try {
        const bytes = new TextEncoder().encode(text);
        ftruncateSync(fd, 0);
        writeSync(fd, bytes, 0, bytes.length, 0);
        return true;
      } catch {
        return false;
      } finally {
        closeSync(fd);
      }
    },
  };
}
