/**
 * `@keptn-task/sdk/fetch`: fetch `httpRef` task code safely (timeouts, retries with backoff,
 * size and redirect limits, HTML and empty bodies refused, sha256 pin). Works on Node and, when
 * bundled with esbuild for `platform: "node"`, under Deno.
 *
 * @example
 * ```ts
 * import { fetchScript } from "@keptn-task/sdk/fetch";
 * const { code, sha256 } = await fetchScript(process.env.SCRIPT ?? "", { timeoutMs: 30_000 });
 * ```
 *
 * @module
 */

export { redactUrl } from "../contract/secret-rule.js";
export {
  FETCH_DEFAULTS,
  type FetchedScript,
  type FetchScriptOptions,
  fetchScript,
  type RetryEvent,
} from "./fetch-script.js";
