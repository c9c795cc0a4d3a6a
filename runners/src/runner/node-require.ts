// Gives CommonJS code bundled into ES modules (undici) a `require` for Node's built-ins. Imported
// only on the fetch path, so the runner's hot path never loads Deno's Node compatibility layer.
import { createRequire } from "node:module";

const scope = globalThis as { require?: NodeJS.Require };
scope.require ??= createRequire(import.meta.url);
