// Mutation testing: `npm run mutation` (all the files below), or one file:
// `npm run mutation -- --mutate src/ec2/map-error.ts`. Not part of `npm test` or CI: a full run
// takes tens of minutes. Reports: reports/mutation/mutation.html and mutation.json.
//
// The npm script sets CI=1 so that the seeded property tests repeat their fixed seed.
// The vitest runner turns coverage off (so vitest.config.ts's thresholds never apply) and does not
// pass --typecheck (so the *.test-d.ts type tests are not run); the TypeScript checker below
// type-checks each mutant against tsconfig.stryker.json (the sources only) instead, and drops the
// ones that do not compile.

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.config.ts" },
  coverageAnalysis: "perTest",
  concurrency: 2,
  // Stryker's defaults (1.5 × the covering tests' time + 5 s) are too tight here: a run re-imports
  // the SDK in every test file it touches, and two runners share two CPUs. With them, mutants the
  // tests do not detect were reported as timeouts (that is, as detected) instead of survivors.
  // A test that really hangs still fails at vitest's own test timeout.
  timeoutFactor: 2,
  timeoutMS: 30_000,
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.stryker.json",
  mutate: [
    "src/operations/move.ts",
    "src/steps/target.ts",
    "src/steps/attach-at.ts",
    "src/steps/detach-from.ts",
    "src/waiters.ts",
    "src/ec2/map-error.ts",
  ],
  // Not needed to run the tests; keeps the sandbox copy small.
  ignorePatterns: ["/dist", "/coverage", "/docs/api", "/test-output", "/reports", "/.stryker-tmp*"],
  reporters: ["clear-text", "progress", "html", "json"],
  // The survivors and the score table; not the list of every test.
  clearTextReporter: { reportTests: false },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
