/**
 * The neverthrow API eni-kit uses, imported in this one module. A bundler keeps one import
 * statement per importing module for an external package (esbuild, so tsup, does not merge
 * them), so importing it once keeps every build of eni-kit smaller.
 */
export { err, errAsync, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
