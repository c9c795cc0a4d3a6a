// What the SDK's fetch (sdk/src/fetch) uses of undici, for the runner's fetch chunk, taken from
// undici's own modules: `Agent`, `EnvHttpProxyAgent` and `request`. undici's index evaluates all of
// undici when it loads (fetch, WebSocket, EventSource, caches, mocks, the SQLite cache store): under
// Deno, with an empty DENO_DIR as in every Job, that cost every httpRef start ~65 ms.

import api from "undici/lib/api/index.js";
import Agent from "undici/lib/dispatcher/agent.js";
import Dispatcher from "undici/lib/dispatcher/dispatcher.js";
import EnvHttpProxyAgent from "undici/lib/dispatcher/env-http-proxy-agent.js";

// As undici's index does: dispatchers get request(), stream(), pipeline(), ...
Object.assign(Dispatcher.prototype, api);

/**
 * undici's `request(url, options)` for the calls the SDK makes: `options.dispatcher` is always
 * given (the SDK's Agent or proxy agent), so undici's global dispatcher is never needed.
 */
export function request(url, { dispatcher, ...options }) {
  if (dispatcher === undefined) throw new TypeError("undici subset: request() needs a dispatcher");
  const parsed = new URL(url);
  return dispatcher.request({
    ...options,
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
    method: options.method ?? "GET",
  });
}

export { Agent, EnvHttpProxyAgent };
