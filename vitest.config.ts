import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The examples' own unit tests (examples/change-freeze/handler.test.ts) run in the suite too.
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: ["test/images/**", "**/node_modules/**"],
    // Real processes (deno, python3) start inside tests; a 2-core CI machine needs headroom.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    typecheck: { enabled: false },
  },
});
