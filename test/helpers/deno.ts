import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The Deno binary @keptn-task/runners depends on (npm package `deno`, pinned in runners/package.json). */
export const DENO = [
  `${ROOT}node_modules/@deno/linux-${process.arch === "arm64" ? "arm64" : "x64"}-glibc/deno`,
  `${ROOT}node_modules/deno/deno`,
].find((path) => existsSync(path)) as string;

/** The SDK bundled into one ESM file (`npm run build`). */
export const SDK_BUNDLE = `${ROOT}sdk/dist/keptn-task-sdk.js`;
