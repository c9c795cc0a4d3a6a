import { defineConfig } from "vitest/config";

// Image tests (npm run test:images): they build and run the images with podman, one at a time.
export default defineConfig({
  test: {
    include: ["test/images/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    typecheck: { enabled: false },
  },
});
