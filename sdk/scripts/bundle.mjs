#!/usr/bin/env node
import { fileURLToPath } from "node:url";
// Bundles the SDK and its dependencies (zod, pino) into one ESM file that Deno (or any ESM
// runtime with node: built-ins) imports without npm: `dist/keptn-task-sdk.js`. The runner maps
// the specifier "@keptn-task/sdk" to this file so task code needs no network.
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

// pino calls os.hostname() when it loads; under Keptn's Deno flags (no --allow-sys) that throws.
// Give pino an os whose hostname() falls back to "" instead.
const safeHostname = {
  name: "safe-hostname",
  setup(build) {
    build.onResolve({ filter: /^(node:)?os$/ }, (args) =>
      /[\\/]pino[\\/]pino\.js$/.test(args.importer)
        ? { path: "os", namespace: "safe-hostname" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "safe-hostname" }, () => ({
      contents:
        'const os = require("node:os"); module.exports = { ...os, hostname() { try { return os.hostname(); } catch { return ""; } } };',
      loader: "js",
    }));
  },
};

await build({
  entryPoints: [`${root}src/index.ts`],
  outfile: `${root}dist/keptn-task-sdk.js`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "es2022",
  legalComments: "eof",
  minify: true,
  keepNames: true,
  // Only pino's worker-thread transports read these, and the SDK uses none; reading them at load
  // would need env permissions that Keptn's Deno flags (DATA, SECURE_DATA, KEPTN_CONTEXT) deny.
  define: {
    "process.env.NODE_V8_COVERAGE": "undefined",
    "process.env.NODE_OPTIONS": "undefined",
  },
  logLevel: "warning",
  plugins: [safeHostname],
  // pino is CommonJS and requires node built-ins; give the bundle a real `require`.
  banner: {
    js: 'import { createRequire as __keptnCreateRequire } from "node:module"; const require = __keptnCreateRequire(import.meta.url);',
  },
});
