#!/usr/bin/env node
// The `keptn-task` command: a shim over the compiled command (npm run build writes lib/).
let main;
try {
  ({ main } = await import("../lib/cli/main.js"));
} catch (error) {
  if (
    error?.code !== "ERR_MODULE_NOT_FOUND" ||
    !String(error.message).includes("lib/cli/main.js")
  ) {
    throw error;
  }
  process.stderr.write(
    'keptn-task: Cannot start: "lib/cli/main.js" of @keptn-task/runners is missing: run npm run build\n',
  );
  process.exit(127);
}
process.exitCode = await main(process.argv.slice(2));
