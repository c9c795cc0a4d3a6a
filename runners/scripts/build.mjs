#!/usr/bin/env node
// Bundles the runner into runners/dist/: bootstrap.js (the entry point), chunks loaded on demand
// (the HTTP client, the logger), the SDK bundle that task code imports as "@keptn-task/sdk", and
// the import map that says so.
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundleOptions } from "../../sdk/scripts/bundle-options.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist`;
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The hot path (bootstrap.js and what it imports statically) holds no pino and no node: import:
// Deno spends ~50 ms waking its Node compatibility layer. The HTTP client is a chunk loaded only
// for URLs; the logger is a separate bundle loaded only when the runner has something to say.
const { banner: _banner, ...noBanner } = bundleOptions;
await build({
  ...noBanner,
  entryPoints: { bootstrap: `${root}src/bootstrap.ts` },
  outdir: dist,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
}).then(({ metafile }) => {
  const bootstrap =
    metafile.outputs["runners/dist/bootstrap.js"] ?? Object.values(metafile.outputs)[0];
  const heavy = Object.keys(bootstrap?.inputs ?? {}).filter((input) =>
    /node_modules\/(pino|undici|zod\/v4\/classic)/.test(input),
  );
  if (heavy.length > 0) throw new Error(`bootstrap.js must not contain ${heavy.join(", ")}`);
});
await build({
  ...bundleOptions,
  entryPoints: { "runner-log": `${root}src/runner-log.ts` },
  outdir: dist,
});

copyFileSync(`${root}../sdk/dist/keptn-task-sdk.js`, `${dist}/keptn-task-sdk.js`);
writeFileSync(
  `${dist}/import-map.json`,
  `${JSON.stringify({ imports: { "@keptn-task/sdk": "./keptn-task-sdk.js", "npm:@keptn-task/sdk": "./keptn-task-sdk.js" } }, null, 2)}\n`,
);

// The stdlib-only Python module for python tasks (on PYTHONPATH when the runner starts them).
if (existsSync(`${root}python/keptn_task`)) {
  cpSync(`${root}python/keptn_task`, `${dist}/python/keptn_task`, {
    recursive: true,
    filter: (path) => !path.includes("__pycache__"),
  });
}
