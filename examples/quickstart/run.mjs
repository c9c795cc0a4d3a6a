#!/usr/bin/env node
// Runs task.mjs with the environment a Keptn Job gives its container (env.json), nothing else.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const env = JSON.parse(readFileSync(new URL("env.json", import.meta.url), "utf8"));
const { status } = spawnSync(process.execPath, [new URL("task.mjs", import.meta.url).pathname], {
  env: { PATH: process.env.PATH, ...env },
  stdio: "inherit",
});
process.exit(status ?? 1);
