// What the fetchScript tests share: short retry waits, the pin of the OK script, and the ways
// to take the FetchError or ConfigError a call fails with.
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { ConfigError, FetchError } from "../../sdk/src/errors/errors.js";
import { OK_CODE } from "../helpers/script-server.js";

// Small waits so the retry tests stay fast.
export const FAST = { retryDelayMs: 5, maxRetryDelayMs: 20 } as const;
export const OK_SHA = createHash("sha256").update(OK_CODE).digest("hex");

export async function failure(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

export async function configFailure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).exitCode).toBe(78);
  return error as ConfigError;
}
