/**
 * Linux refuses to start a program with one environment entry (`NAME=value` and its NUL) over
 * 128 KiB (`MAX_ARG_STRLEN`): a pod's container would not start. `keptn-task run` refuses such an
 * entry before it starts anything, and `validate` reports it (`ENV_TOO_LARGE`).
 */

/** The most one environment entry may take, in bytes, its NUL included. */
export const MAX_ENV_ENTRY_BYTES = 128 * 1024;

/**
 * The bytes one environment entry takes: `NAME=value` in UTF-8 and its NUL.
 *
 * @example
 * ```ts
 * envEntryBytes("DATA", "{}") > MAX_ENV_ENTRY_BYTES; // false
 * ```
 */
export function envEntryBytes(name: string, value: string): number {
  return Buffer.byteLength(`${name}=${value}`) + 1;
}
