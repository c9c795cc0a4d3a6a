import { defineConfig } from "vitest/config";

// Image tests (npm run test:images): they build both images once (globalSetup), then run them
// with podman, one test file at a time.
export default defineConfig({
  test: {
    include: ["test/images/**/*.test.ts"],
    globalSetup: ["test/helpers/build-images.ts"],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    typecheck: { enabled: false },
  },
});
