import { defineConfig } from "tsup";

// Kept to a few lines on purpose: a later move to tsup's successor should stay trivial.
export default defineConfig([
  {
    entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: ["!cli/**"], // dist/cli is the other build's
    target: "node20",
    treeshake: true,
  },
  // The `eni-kit` bin, bundled with everything it loads (the library from its source, the SDK's
  // ES modules, commander) and split into chunks that load when a command needs them. Bundled, the
  // SDK is only the ~20 commands used, not all 700: a command starts ~300 ms sooner (docs/performance.md).
  {
    entry: { index: "src/cli/bin.ts" },
    outDir: "dist/cli",
    format: ["esm"],
    clean: true,
    target: "node20",
    noExternal: [/./],
    // Some of the SDK's CommonJS dependencies `require` Node.js's own modules.
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    esbuildOptions(options) {
      options.mainFields = ["module", "main"]; // the ES modules, which a bundler can tree-shake
      options.alias = { "eni-kit/testing": "./src/testing/index.ts", "eni-kit": "./src/index.ts" };
    },
  },
]);
