/**
 * The size of `import { Eni } from "eni-kit"` as a user's bundler sees it: bundled and minified
 * for Node, with the peers (`@aws-sdk/client-ec2`, `neverthrow`) and `@smithy/*` (the SDK's own, which eni-kit's waits run on) external. Shared by
 * `npm run bench`, which reports it, and the package check, which holds it to its budget.
 */
import { buildSync } from "esbuild";
import { gzipSync } from "node:zlib";

/**
 * The ceiling: at most 20 KB minified and gzipped. A ceiling, not a target: a clear name or a
 * clear structure is never traded for bytes below it (ARCHITECTURE.md).
 */
export const BUNDLE_LIMIT_GZIP_BYTES = 20 * 1024;

/** The dependencies of the `eni-kit` command only: `import { Eni }` must pull none of them. */
export const CLI_ONLY_PACKAGES = ["commander", "yocto-spinner", "yoctocolors", "@aws-sdk/ec2-metadata-service"];

/**
 * Bundles `export { Eni } from <specifier>`, resolved from `resolveDir`, and sizes the result.
 * Also says what went in: the files bundled (`modules`) and the imports left external (`imports`).
 */
export function bundleSize(
  specifier: string,
  resolveDir: string,
): { minifiedBytes: number; gzipBytes: number; modules: string[]; imports: string[] } {
  const output = buildSync({
    stdin: { contents: `export { Eni } from ${JSON.stringify(specifier)};`, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    external: ["@aws-sdk/client-ec2", "neverthrow", "@smithy/*"],
    write: false,
    metafile: true,
  });
  const code = output.outputFiles[0]?.contents ?? new Uint8Array();
  const outputs = Object.values(output.metafile.outputs);
  return {
    minifiedBytes: code.length,
    gzipBytes: gzipSync(code).length,
    modules: Object.keys(output.metafile.inputs),
    imports: [...new Set(outputs.flatMap((out) => out.imports.map((imported) => imported.path)))].sort(),
  };
}
