#!/usr/bin/env node
// Bundles the SDK and its dependencies (zod, pino) into one ESM file that Deno (or any ESM
// runtime with node: built-ins) imports without npm: `dist/keptn-task-sdk.js`, and its types
// into one self-contained declaration file next to it, `dist/keptn-task-sdk.d.ts` (zod's types
// inlined), which the bundle names with `@ts-self-types`. The runner maps the specifier
// "@keptn-task/sdk" to this file, so task code needs no network and `deno check` sees real types.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";
import { bundledPackages, recordBundledPackages } from "../../scripts/release/bundled-packages.mjs";
import { bundleOptions } from "./bundle-options.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The tracing bundle, named in the SDK bundle by `TRACING_MODULE` (src/trace/task-spans.ts). */
const TRACING_BUNDLE = "keptn-task-sdk-tracing.js";
const tracingModuleName = {
  name: "tracing-module-name",
  setup(b) {
    b.onLoad({ filter: /[\\/]trace[\\/]task-spans\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const from = 'const TRACING_MODULE = "./otel.js";';
      if (!source.includes(from)) throw new Error(`${args.path}: expected ${from}`);
      return {
        contents: source.replace(from, `const TRACING_MODULE = "./${TRACING_BUNDLE}";`),
        loader: "ts",
      };
    });
  },
};
const types = `${root}dist/keptn-task-sdk.d.ts`;

const { metafile } = await build({
  ...bundleOptions,
  plugins: [...bundleOptions.plugins, tracingModuleName],
  entryPoints: [`${root}src/index.ts`],
  outfile: `${root}dist/keptn-task-sdk.js`,
  banner: {
    js: `// @ts-self-types="./keptn-task-sdk.d.ts"\n${bundleOptions.banner.js}`,
  },
  metafile: true,
});
// t.span's OpenTelemetry SDK and exporters: a bundle of its own next to the SDK's, loaded (by a
// computed specifier, which Deno does not analyse at start) only when an endpoint is set.
const { metafile: tracingMetafile } = await build({
  ...bundleOptions,
  entryPoints: [`${root}src/trace/otel.ts`],
  outfile: `${root}dist/${TRACING_BUNDLE}`,
  metafile: true,
});
// The npm packages inside the bundles, for the images' SBOMs (scripts/release/sbom.mjs).
recordBundledPackages("sdk/build/bundled-packages.json", [
  ...bundledPackages(metafile),
  ...bundledPackages(tracingMetafile),
]);

// The testing entry point for Deno: it imports the SDK bundle next to it (one SDK, not two), so
// it holds only its own code.
const sdkAsExternal = {
  name: "sdk-as-external",
  setup(b) {
    b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({
      path: "./keptn-task-sdk.js",
      external: true,
    }));
  },
};
const { banner: _banner, ...noBanner } = bundleOptions;
await build({
  ...noBanner,
  plugins: [sdkAsExternal],
  entryPoints: [`${root}src/testing.ts`],
  outfile: `${root}dist/keptn-task-sdk-testing.js`,
  banner: { js: '// @ts-self-types="./keptn-task-sdk-testing.d.ts"' },
});

// One declaration file from tsc's output (dist/index.d.ts and what it imports), with the types of
// the dependencies inlined: Deno resolves no bare specifier without an import map entry.
const bundle = await rollup({
  input: `${root}dist/index.d.ts`,
  plugins: [dts({ respectExternal: true })],
  onwarn(warning, warn) {
    if (warning.code !== "CIRCULAR_DEPENDENCY") warn(warning);
  },
});
await bundle.write({ file: types, format: "es" });
await bundle.close();

// The testing entry point's declarations, importing the SDK bundle's.
const testingTypes = `${root}dist/keptn-task-sdk-testing.d.ts`;
const testingBundle = await rollup({
  input: `${root}dist/testing.d.ts`,
  plugins: [dts({ respectExternal: true })],
  external: (id) => /[\\/]index\.(d\.ts|js)$/.test(id) || id === "./index.js",
});
await testingBundle.write({ file: testingTypes, format: "es" });
await testingBundle.close();
const testingText = readFileSync(testingTypes, "utf8").replace(
  /from ['"](?:\.\/|[^'"]*[\\/])index\.(?:d\.ts|js)['"]/g,
  "from './keptn-task-sdk.js'",
);
if (/^(?:import|export)\b[^\n]*from ['"](?!\.\/keptn-task-sdk\.js)/m.test(testingText)) {
  throw new Error(`${testingTypes} must import only ./keptn-task-sdk.js`);
}
writeFileSync(testingTypes, testingText);

// rollup-plugin-dts turns some re-exported generic interfaces into type aliases but keeps their
// variance annotations (`type A<out T> = B<T>`), which TypeScript accepts only on interfaces and
// object types (TS2637). Drop them from such aliases.
const fixed = readFileSync(types, "utf8")
  .split("\n")
  .map((line) => {
    if (!/^(declare )?type [\w$]+</.test(line)) return line;
    const end = line.indexOf("> = ");
    if (end < 0) return line;
    return line.slice(0, end).replace(/([<,]\s*)(?:(?:in|out) )+/g, "$1") + line.slice(end);
  })
  .join("\n");
if (/^(?:import|export)\b[^\n]*from ['"](?![./])/m.test(fixed)) {
  throw new Error(`${types} must import nothing: Deno could not resolve it offline`);
}
writeFileSync(types, fixed);
