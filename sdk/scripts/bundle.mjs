#!/usr/bin/env node
// Bundles the SDK and its dependencies (zod, pino) into one ESM file that Deno (or any ESM
// runtime with node: built-ins) imports without npm: `dist/keptn-task-sdk.js`. The runner maps
// the specifier "@keptn-task/sdk" to this file so task code needs no network.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundleOptions } from "./bundle-options.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

await build({
  ...bundleOptions,
  entryPoints: [`${root}src/index.ts`],
  outfile: `${root}dist/keptn-task-sdk.js`,
});
