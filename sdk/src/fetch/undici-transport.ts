/** The transport of `fetchScript`: undici (`attempt.ts`), through a proxy when one is set (`proxy.ts`). */
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici";
import { attempt } from "./attempt.js";
import type { ProxySettings } from "./proxy.js";
import type { Transport } from "./transport.js";

/** undici: an agent per fetch, or a proxy agent for the proxies the environment names. */
export const undiciTransport: Transport = {
  open(proxy, connectTimeoutMs) {
    const dispatcher = createDispatcher(proxy, connectTimeoutMs);
    return {
      attempt: (start, request) => attempt(start, { ...request, dispatcher }),
      close: () => dispatcher.destroy(),
    };
  },
};

/**
 * The dispatcher of one fetch: a plain agent, or a proxy agent when `proxy` is set. With a proxy
 * the connect timeout applies to the proxy and, through a tunnel, to the target.
 *
 * @param proxy The proxies from `proxySettings`.
 * @param connectTimeoutMs Time to establish each connection.
 */
function createDispatcher(proxy: ProxySettings | undefined, connectTimeoutMs: number): Dispatcher {
  const connect = { timeout: connectTimeoutMs };
  if (proxy === undefined) return new Agent({ connect });
  return new EnvHttpProxyAgent({
    ...proxy,
    connect,
    proxyTls: connect,
    requestTls: connect,
    proxyTunnel: false,
  });
}
