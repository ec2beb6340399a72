import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The examples import the package by name, as a user would; here the names point at the source.
  resolve: {
    alias: [
      { find: /^eni-kit$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^eni-kit\/testing$/, replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // The SDK warns once per worker that its 2027 releases will need Node 22; known, and noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    typecheck: { include: ["test/**/*.test-d.ts"], tsconfig: "tsconfig.json" },
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // The bin only wires the process to `main`; the package check runs it as a child process.
      exclude: ["src/cli/bin.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 95, branches: 90 },
    },
  },
});
