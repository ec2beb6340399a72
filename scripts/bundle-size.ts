/**
 * The size of `import { Eni } from "eni-kit"` as a user's bundler sees it: bundled and minified
 * for Node, with the peers (`@aws-sdk/client-ec2`, `neverthrow`) and `@smithy/*` (the SDK's own, which eni-kit's waits run on) external. Shared by
 * `npm run bench`, which reports it, and the package check, which holds it to its budget.
 */
import { buildSync } from "esbuild";
import { gzipSync } from "node:zlib";

/**
 * The budget: at most 20 KB minified and gzipped. Issue #5 set 15 KB; issue #11 raised it once,
 * before measuring, for what a failover must do under real EC2 (hard deadlines, retries of
 * mutating calls, the dead-primary fence, address limits, the reaper's rule): correctness first.
 */
export const BUNDLE_LIMIT_GZIP_BYTES = 20 * 1024;

/** Bundles `export { Eni } from <specifier>`, resolved from `resolveDir`, and sizes the result. */
export function bundleSize(specifier: string, resolveDir: string): { minifiedBytes: number; gzipBytes: number } {
  const output = buildSync({
    stdin: { contents: `export { Eni } from ${JSON.stringify(specifier)};`, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    external: ["@aws-sdk/client-ec2", "neverthrow", "@smithy/*"],
    write: false,
  });
  const code = output.outputFiles[0]?.contents ?? new Uint8Array();
  return { minifiedBytes: code.length, gzipBytes: gzipSync(code).length };
}
