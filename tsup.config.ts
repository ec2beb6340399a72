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
  // The `eni-kit` bin: ESM only, in its own directory. It imports the library by its own name (the
  // package's dist), and the SDK only when a command runs.
  {
    entry: { index: "src/cli/bin.ts" },
    outDir: "dist/cli",
    format: ["esm"],
    clean: true,
    target: "node20",
    external: ["eni-kit", "eni-kit/testing"],
  },
]);
