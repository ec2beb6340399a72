/**
 * The architecture (ARCHITECTURE.md), checked by `npm run lint:architecture` (part of `npm test`):
 * which layer of src/ may import which. Type-only imports count: a cycle of types is still a
 * cycle to read through.
 */
/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-cycles",
      comment: "No module may reach itself through its imports, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "library-never-imports-the-simulator",
      comment: "The library works without eni-kit/testing; only tests and users import it.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(testing|cli)/" },
      to: { path: "^src/testing/" },
    },
    {
      name: "library-never-imports-the-cli",
      comment: "The command builds on the library; `import { Eni }` must pull none of it (nor commander).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "cli-uses-the-public-entry-points-only",
      comment: "The command is a user of the package: it imports `eni-kit` and `eni-kit/testing`, nothing inside.",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/", pathNot: "^src/(cli/|index\\.ts$|testing/index\\.ts$)" },
    },
    {
      name: "simulator-imports-nothing-of-the-library",
      comment: "The simulator is EC2's stand-in: it knows EC2, not eni-kit.",
      severity: "error",
      from: { path: "^src/testing/" },
      to: { path: "^src/", pathNot: "^src/testing/" },
    },
    {
      name: "ec2-layer-never-imports-what-builds-on-it",
      comment: "src/ec2 talks to the SDK; operations, steps and the public edge build on it.",
      severity: "error",
      from: { path: "^src/ec2/" },
      to: { path: "^src/(operations/|steps/|eni\\.ts|bulk\\.ts|index\\.ts)" },
    },
    {
      name: "steps-never-import-operations",
      comment: "Shared steps serve operations; they never import one.",
      severity: "error",
      from: { path: "^src/steps/" },
      to: { path: "^src/(operations/|eni\\.ts|bulk\\.ts|index\\.ts)" },
    },
    {
      name: "operations-never-import-each-other",
      comment: "What two operations share lives in src/steps, named for what it does.",
      severity: "error",
      from: { path: "^src/operations/([^/]+)\\.ts$" },
      to: { path: "^src/operations/", pathNot: "^src/operations/$1\\.ts$" },
    },
    {
      name: "errors-depend-on-the-model-only",
      comment: "Any layer may report an error; errors must not pull any layer in.",
      severity: "error",
      from: { path: "^src/errors\\.ts$" },
      to: { path: "^src/", pathNot: "^src/(errors|model)\\.ts$" },
    },
    {
      name: "the-model-depends-on-nothing",
      comment: "The shared types and pure functions of EC2's shapes sit at the bottom.",
      severity: "error",
      from: { path: "^src/model\\.ts$" },
      to: { path: "^src/", pathNot: "^src/model\\.ts$" },
    },
    {
      name: "foundations-never-import-what-builds-on-them",
      comment: "Waits, deadlines, validation and helpers serve operations; they never import one.",
      severity: "error",
      from: { path: "^src/(waiters|deadline|validation|async)\\.ts$" },
      to: { path: "^src/(operations/|steps/|eni\\.ts|bulk\\.ts|index\\.ts)" },
    },
    {
      name: "only-the-public-edge-imports-the-public-edge",
      comment: "src/eni.ts and src/index.ts are the public edge: nothing inside imports them.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(index\\.ts$|cli/)" },
      to: { path: "^src/index\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^src/.*\\.test\\.ts$" },
  },
};
