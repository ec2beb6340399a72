/**
 * The size of `import { Eni } from "eni-kit"` as a user's bundler sees it: bundled and minified
 * for Node, with the peers (`@aws-sdk/client-ec2`, `neverthrow`) external. Shared by
 * `npm run bench`, which reports it, and the package check, which holds it to its budget.
 */
import { buildSync } from "esbuild";
import { gzipSync } from "node:zlib";

/** The budget from issue #5: at most 15 KB minified and gzipped. */
export const BUNDLE_LIMIT_GZIP_BYTES = 15 * 1024;

/** Bundles `export { Eni } from <specifier>`, resolved from `resolveDir`, and sizes the result. */
export function bundleSize(specifier: string, resolveDir: string): { minifiedBytes: number; gzipBytes: number } {
  const output = buildSync({
    stdin: { contents: `export { Eni } from ${JSON.stringify(specifier)};`, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    external: ["@aws-sdk/client-ec2", "neverthrow"],
    write: false,
  });
  const code = output.outputFiles[0]?.contents ?? new Uint8Array();
  return { minifiedBytes: code.length, gzipBytes: gzipSync(code).length };
}
