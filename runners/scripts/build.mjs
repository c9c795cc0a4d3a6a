#!/usr/bin/env node
// Bundles the runner into runners/dist/: bootstrap.js (the entry point) and runner.js (the runner,
// which it loads), bundles loaded on demand (the HTTP client, the logger), the SDK bundle that task code imports as "@keptn-task/sdk", and
// the import map that says so.
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundledPackages, recordBundledPackages } from "../../scripts/release/bundled-packages.mjs";
import { bundleOptions } from "../../sdk/scripts/bundle-options.mjs";
import { writeKeptnValidators } from "./keptn-validators.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist`;
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The hot path (bootstrap.js and runner.js) holds no pino, no zod and no node: import (nor
// anything else from outside the bundle): Deno spends ~50 ms waking its Node compatibility layer,
// and ~6 ms on zod's schemas. The HTTP client is a bundle loaded only behind a proxy; the logger
// is a bundle loaded only when the runner has something to say.
const { banner: _banner, ...noBanner } = bundleOptions;
// The SDK's fetch imports "undici"; the fetch-loader bundle takes only the parts it uses.
const undiciSubset = {
  name: "undici-subset",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({
      path: fileURLToPath(new URL("./undici-subset.mjs", import.meta.url)),
    }));
  },
};
// The npm packages inside the bundles, for the images' SBOMs (scripts/release/sbom.mjs).
const bundled = [];
// The runner: one script (esbuild's IIFE, which declares `keptnRunner`), which bootstrap.js
// compiles as a function body rather than import as a module: Deno analyses every module it
// loads (from scratch in a Job's empty DENO_DIR), V8 compiles a function only when it runs.
await build({
  ...noBanner,
  format: "iife",
  globalName: "keptnRunner",
  entryPoints: { runner: `${root}src/runner/runner-main.ts` },
  outdir: dist,
  metafile: true,
}).then(({ metafile, warnings }) => {
  bundled.push(...bundledPackages(metafile));
  // esbuild warns of what a script cannot have (import.meta): the build must not go on.
  if (warnings.length > 0) throw new Error(`runner.js: ${warnings.map((w) => w.text).join("; ")}`);
  const output =
    metafile.outputs[Object.keys(metafile.outputs).find((o) => o.endsWith("runner.js"))];
  const heavy = [
    ...Object.keys(output.inputs).filter((input) =>
      /node_modules\/(pino|undici|zod)\//.test(input),
    ),
    ...output.imports.map(({ path }) => path),
  ];
  if (heavy.length > 0) throw new Error(`runner.js must not load ${heavy.join(", ")}`);
  // Every module runner.js loads is named by a URL computed at run time (a bundle of its own).
  if (/\bimport\(\s*["'`]/.test(readFileSync(`${dist}/runner.js`, "utf8"))) {
    throw new Error("runner.js: a literal import() is left");
  }
});
// The early start of a task's process (early-start.ts), a script too, which the entry point loads
// only when SECURE_DATA is set: the little it needs (no SDK barrel, no masker, no HTTP client).
await build({
  ...noBanner,
  format: "iife",
  globalName: "keptnEarlyStart",
  entryPoints: { "early-start": `${root}src/runner/early-start.ts` },
  outdir: dist,
  metafile: true,
}).then(({ metafile, warnings }) => {
  if (warnings.length > 0)
    throw new Error(`early-start.js: ${warnings.map((w) => w.text).join("; ")}`);
  const [output] = Object.values(metafile.outputs);
  const heavy = Object.keys(output.inputs).filter(
    (input) => /node_modules\//.test(input) && !/node_modules\/shlex\//.test(input),
  );
  if (heavy.length > 0 || output.imports.length > 0 || output.bytes > 12_000) {
    throw new Error(`early-start.js must stay small (${output.bytes} bytes): ${heavy.join(", ")}`);
  }
});
// The entry point: a module that imports nothing and loads runner.js.
await build({
  ...noBanner,
  entryPoints: { bootstrap: `${root}src/runner/bootstrap.ts` },
  outdir: dist,
  metafile: true,
}).then(({ metafile }) => {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  if ((output?.imports.length ?? 1) > 0) throw new Error("bootstrap.js must import nothing");
});
// The fetch through undici, for an environment naming a proxy: the HTTP client takes only the
// parts of undici it uses, and gets `require` from node-require.ts (no banner).
await build({
  ...noBanner,
  plugins: [...noBanner.plugins, undiciSubset],
  entryPoints: { "fetch-loader": `${root}src/runner/fetch-loader.ts` },
  outdir: dist,
  metafile: true,
}).then(({ metafile }) => {
  bundled.push(...bundledPackages(metafile));
  const wholeUndici = Object.values(metafile.outputs).some((output) =>
    Object.keys(output.inputs).some((input) => /node_modules\/undici\/index\.js$/.test(input)),
  );
  if (wholeUndici) throw new Error("fetch-loader.js must take undici's parts, not its index");
});
// Bundles of their own (not chunks, which the SDK's barrel would pull into the hot path): the
// logger, and the schema check of an unusual KEPTN_CONTEXT.
for (const options of [
  { ...bundleOptions, entryPoints: { "runner-log": `${root}src/runner/runner-log.ts` } },
  // The run's span (the OpenTelemetry SDK): loaded only when OTEL_* ask for export.
  { ...bundleOptions, entryPoints: { tracing: `${root}src/runner/tracing.ts` } },
  // (No require() banner: zod is an ES module, and node:module would wake Deno's Node layer.)
  { ...noBanner, entryPoints: { "context-warnings": `${root}src/runner/context-warnings.ts` } },
]) {
  const { metafile } = await build({ ...options, outdir: dist, metafile: true });
  bundled.push(...bundledPackages(metafile));
}
// The exit guard a Deno task's own process preloads (exit-guard-preload.ts): the pure policy only.
await build({
  ...noBanner,
  entryPoints: { "exit-guard": `${root}src/runner/exit-guard-preload.ts` },
  outdir: dist,
  metafile: true,
}).then(({ metafile }) => {
  bundled.push(...bundledPackages(metafile));
  const code = readFileSync(`${dist}/exit-guard.js`, "utf8");
  if (/\bimport\b(?!\.meta\b)/.test(code)) throw new Error("exit-guard.js must import nothing");
});
// The launcher of Python tasks (standard library only): the one exit path on Python's side.
// The python-runtime's entry point, which runs a plain Python task without starting Deno first
// and hands anything else to bootstrap.js (standard library only, and keptn_task's masker).
for (const file of [
  "task_launch.py",
  "python_entry.py",
  "python_entry_checks.py",
  "python_entry_fetch.py",
  "python_entry_supervise.py",
])
  copyFileSync(`${root}src/runner/${file}`, `${dist}/${file}`);
// With the SDK bundle's, which dist/ holds too (copied below).
recordBundledPackages("runners/build/bundled-packages.json", bundled, [
  "sdk/build/bundled-packages.json",
]);

// The SDK bundle and its types: `deno check --import-map=dist/import-map.json task.ts` type-checks
// a task against them.
for (const file of [
  "keptn-task-sdk.js",
  "keptn-task-sdk.d.ts",
  "keptn-task-sdk-testing.js",
  "keptn-task-sdk-testing.d.ts",
  // t.span's OpenTelemetry SDK, loaded by the SDK bundle only when an endpoint is set.
  "keptn-task-sdk-tracing.js",
]) {
  copyFileSync(`${root}../sdk/dist/${file}`, `${dist}/${file}`);
}
writeFileSync(
  `${dist}/import-map.json`,
  `${JSON.stringify(
    {
      imports: {
        "@keptn-task/sdk": "./keptn-task-sdk.js",
        "npm:@keptn-task/sdk": "./keptn-task-sdk.js",
        "@keptn-task/sdk/testing": "./keptn-task-sdk-testing.js",
        "npm:@keptn-task/sdk/testing": "./keptn-task-sdk-testing.js",
      },
    },
    null,
    2,
  )}\n`,
);

// `keptn-task test`'s Deno configuration: the task's own files are type-checked in full, the
// SDK's declaration files are not (TypeScript's skipLibCheck: they are checked when the SDK is
// built). A first `keptn-task test` of a task took 2.2 s, 1.0 s with it. No lock file: it would be
// written here, inside node_modules.
writeFileSync(
  `${dist}/deno-test.json`,
  `${JSON.stringify({ compilerOptions: { skipLibCheck: true }, lock: false }, null, 2)}\n`,
);

// The stdlib-only Python module for python tasks (on PYTHONPATH when the runner starts them), as
// the pip-installable project it is: `pip install --no-build-isolation --no-index dist/python`
// works from the npm package too.
for (const entry of [
  "keptn_task",
  "_build",
  "pyproject.toml",
  "README.md",
  // Reports a task's uncaught exception in the termination log (keptn_task/uncaught.py).
  "sitecustomize.py",
]) {
  cpSync(`${root}../sdk-python/${entry}`, `${dist}/python/${entry}`, {
    recursive: true,
    filter: (path) => !/__pycache__|\.pyc$|\.egg-info/.test(path),
  });
}

// The `keptn-task` command (bin/keptn-task.js imports lib/cli/main.js): one bundle of its code,
// the SDK and their dependencies, each subcommand a chunk loaded when it runs. A command started
// as ~250 files (zod, ajv, yaml, the SDK's modules) spent a third of its CPU resolving and
// loading them: `keptn-task run` of a Deno task took 0.97 s of CPU, bundled 0.63 s (farm-bench, side by side).
// Its dependencies stay declared in package.json (what is installed is what is bundled, same
// versions). Not bundled: esbuild and deno (native binaries, found through their packages),
// pino-pretty (loaded only for --pretty). The type check is `npm run typecheck` (the repository's
// tsconfig covers runners/src), which `npm test` runs.
const cli = `${root}lib/cli`;
rmSync(cli, { recursive: true, force: true });
await build({
  entryPoints: { main: `${root}src/cli/main.ts` },
  outdir: cli,
  // Chunks beside main.js: the code that finds package.json and dist/ from import.meta.url
  // may land in any of them.
  chunkNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  external: ["esbuild", "deno", "pino-pretty"],
  legalComments: "eof",
  logLevel: "warning",
  // CommonJS dependencies (ajv) require() Node's built-ins; an ES module has no require.
  banner: {
    js: 'import { createRequire as __keptnTaskRequire } from "node:module"; const require = __keptnTaskRequire(import.meta.url);',
  },
});
// The Keptn CRD validators, compiled now, where the bundled keptn-schema.ts loads them.
await writeKeptnValidators(`${root}../sdk/dist`, cli);
