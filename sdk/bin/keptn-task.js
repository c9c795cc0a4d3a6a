#!/usr/bin/env node
// The `keptn-task` command: a shim over the compiled CLI (npm run build writes dist/).
let main;
try {
  ({ main } = await import("../dist/cli/main.js"));
} catch (error) {
  if (
    error?.code !== "ERR_MODULE_NOT_FOUND" ||
    !String(error.message).includes("dist/cli/main.js")
  ) {
    throw error;
  }
  process.stderr.write(
    'keptn-task: Cannot start: "dist/cli/main.js" of @keptn-task/sdk is missing: run npm run build\n',
  );
  process.exit(127);
}
process.exitCode = await main(process.argv.slice(2));
