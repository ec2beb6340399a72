import { defineConfig } from "tsup";

// Kept to a few lines on purpose: a later move to tsup's successor should stay trivial.
export default defineConfig({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  treeshake: true,
});
