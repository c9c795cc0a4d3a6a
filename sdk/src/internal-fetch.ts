/**
 * `@keptn-task/sdk/internal/fetch`: the steps of `fetchScript` on a transport of the caller's
 * choice, and the transport on the runtime's own `fetch`, with which the runner fetches httpRef
 * code under Deno (undici would wake Deno's Node compatibility layer). **Not public API**, like
 * `@keptn-task/sdk/internal`; an entry point of its own so that nothing of it loads with that one.
 *
 * @module
 */
export { fetchScriptWith } from "./fetch/fetch-core.js";
export { PROXY_VARIABLES } from "./fetch/proxy.js";
export { socketConnectsPending, socketTransport } from "./fetch/socket-transport.js";
export type { Transport } from "./fetch/transport.js";
export { webTransport } from "./fetch/web-transport.js";
