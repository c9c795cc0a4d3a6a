// esbuild settings shared by every bundle that runs under Deno: the SDK bundle and the runner.

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

/** @type {import("esbuild").BuildOptions} */
export const bundleOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "es2022",
  legalComments: "eof",
  minify: true,
  keepNames: true,
  logLevel: "warning",
  plugins: [safeHostname],
  // Reading a variable needs an env permission that Keptn's Deno flags (DATA, SECURE_DATA,
  // KEPTN_CONTEXT) and the runner's own deny. Only pino's worker-thread transports read the
  // first two, and nothing here uses them; undici reads the others when it makes its first
  // HTTP/1 client (test-runner detection, a SIMD override): here they are always unset.
  define: {
    "process.env.NODE_V8_COVERAGE": "undefined",
    "process.env.NODE_OPTIONS": "undefined",
    "process.env.JEST_WORKER_ID": "undefined",
    "process.env.UNDICI_NO_WASM_SIMD": "undefined",
    "process.env.CI": "undefined",
  },
  // CommonJS dependencies (pino) call require(); give the ES module a real one.
  banner: {
    js: 'import { createRequire as __keptnCreateRequire } from "node:module"; const require = __keptnCreateRequire(import.meta.url);',
  },
};
