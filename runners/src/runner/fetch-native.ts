/**
 * Fetches httpRef code on Deno's own sockets (the SDK's fetch steps on its socket transport, which
 * hands what it does not carry plainly to Deno's `fetch`): no Node compatibility layer, no HTTP
 * client to load, so an httpRef Job starts about as fast as Keptn's `deno run URL`. Where the environment names a proxy, the SDK's undici fetch
 * (`fetch-loader.ts`) takes over: it reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY as before.
 */
import { FetchError } from "@keptn-task/sdk";
import type { FetchedScript, FetchScriptOptions } from "@keptn-task/sdk/fetch";
import {
  fetchScriptWith,
  PROXY_VARIABLES,
  socketConnectsPending,
  socketTransport,
} from "@keptn-task/sdk/internal/fetch";

/** Whether a connection the fetch gave up on is still being made (see `socketConnectsPending`). */
export const connectsPending = socketConnectsPending;

/**
 * The loader is a bundle of its own, with its own copy of the SDK's error classes: its
 * `FetchError` is not the runner's, which the runner reports as a fetch failure (exit 69) rather
 * than as a bug of its own. The same error, as the runner's class.
 */
function ownFetchError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== "FetchError" || error instanceof FetchError)
    return error;
  const { url, attempts, status } = error as Error & {
    url: string;
    attempts: number;
    status?: number;
  };
  const details = status === undefined ? { url, attempts } : { url, attempts, status };
  return new FetchError(error.message, details, { cause: error });
}

/** Variables naming a proxy: the SDK's, and ALL_PROXY, which Deno's fetch reads too. */
const PROXY_NAMES = [...PROXY_VARIABLES, "all_proxy", "ALL_PROXY"];

/**
 * `fetchScript` of the SDK, on Deno's sockets unless a proxy is named.
 *
 * @param loaderUrl URL of the fetch through undici (`fetch-loader.ts`), for a proxy.
 */
export async function fetchScript(
  url: string,
  loaderUrl: string,
  options: FetchScriptOptions = {},
): Promise<FetchedScript> {
  const env = Deno.env.toObject();
  if (PROXY_NAMES.some((name) => (env[name] ?? "").trim() !== "")) {
    // A bundle of its own (the HTTP client, ~330 KB), loaded only here.
    const loader = (await import(loaderUrl)) as typeof import("./fetch-loader.js");
    try {
      return await loader.fetchScript(url, { ...options, env });
    } catch (error) {
      throw ownFetchError(error);
    }
  }
  return await fetchScriptWith(socketTransport, url, { ...options, env: {} });
}
