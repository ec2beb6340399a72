import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { cruise, type IConfiguration, type ICruiseResult } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

// The rules `npm run lint:architecture` checks src/ with.
const configFile = pathToFileURL(join(import.meta.dirname, "..", ".dependency-cruiser.mjs")).href;
const { default: config } = (await import(configFile)) as { default: IConfiguration };

// Small source trees shaped like src/, each breaking one rule of ARCHITECTURE.md.
const root = mkdtempSync(join(tmpdir(), "eni-kit-architecture-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` under a fresh directory and cruises its `src` with the project's rules. */
async function violationsOf(name: string, files: Record<string, string>): Promise<string[]> {
  const base = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), text);
  }
  writeFileSync(join(base, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext" } }));
  const result = await cruise(["src"], {
    baseDir: base,
    ruleSet: { forbidden: config.forbidden ?? [] },
    tsPreCompilationDeps: true,
    validate: true,
  });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
}

describe("the architecture rules (.dependency-cruiser.mjs, run by `npm test`)", () => {
  it("fail on a cycle closed by one type-only import, as errors → move once did", async () => {
    const violations = await violationsOf("cycle", {
      "src/model.ts": "export type EniState = { id: string };\n",
      "src/errors.ts": 'import type { MoveReport } from "./operations/move.js";\nexport type Failed = MoveReport;\n',
      "src/operations/move.ts":
        'import { type Failed } from "../errors.js";\nexport type MoveReport = { failed?: Failed };\n',
    });

    expect(violations).toContain("no-cycles: src/errors.ts → src/operations/move.ts");
  });

  it("fail on an operation importing another", async () => {
    const violations = await violationsOf("sibling", {
      "src/operations/attach.ts": "export const attach = 1;\n",
      "src/operations/move.ts": 'import { attach } from "./attach.js";\nexport const move = attach;\n',
    });

    expect(violations).toEqual([
      "operations-never-import-each-other: src/operations/move.ts → src/operations/attach.ts",
    ]);
  });

  it("fail on the library importing the simulator, and the simulator importing the library", async () => {
    const violations = await violationsOf("testing", {
      "src/errors.ts": "export const code = 1;\n",
      "src/testing/world.ts": 'import { code } from "../errors.js";\nexport const world = code;\n',
      "src/eni.ts": 'import { world } from "./testing/world.js";\nexport const eni = world;\n',
    });

    expect(violations.sort()).toEqual([
      "library-never-imports-the-simulator: src/eni.ts → src/testing/world.ts",
      "simulator-imports-nothing-of-the-library: src/testing/world.ts → src/errors.ts",
    ]);
  });

  it("fail on the EC2 layer or a shared step importing an operation", async () => {
    const violations = await violationsOf("layers", {
      "src/operations/move.ts": "export const move = 1;\n",
      "src/ec2/send.ts": 'import { move } from "../operations/move.js";\nexport const send = move;\n',
      "src/steps/target.ts": 'import { move } from "../operations/move.js";\nexport const target = move;\n',
    });

    expect(violations.sort()).toEqual([
      "ec2-layer-never-imports-what-builds-on-it: src/ec2/send.ts → src/operations/move.ts",
      "steps-never-import-operations: src/steps/target.ts → src/operations/move.ts",
    ]);
  });

  it("fail on the library importing the command, and the command importing the library's insides", async () => {
    const violations = await violationsOf("cli", {
      "src/index.ts": "export const eni = 1;\n",
      "src/testing/index.ts": "export const sim = 1;\n",
      "src/eni.ts": 'import { main } from "./cli/main.js";\nexport const eni = main;\n',
      "src/cli/main.ts":
        'import { eni } from "../index.js";\nimport { sim } from "../testing/index.js";\nimport { move } from "../operations/move.js";\nexport const main = [eni, sim, move];\n',
      "src/operations/move.ts": "export const move = 1;\n",
    });

    expect(violations.sort()).toEqual([
      "cli-uses-the-public-entry-points-only: src/cli/main.ts → src/operations/move.ts",
      "library-never-imports-the-cli: src/eni.ts → src/cli/main.ts",
    ]);
  });

  it("pass on src/ as it is", async () => {
    const result = await cruise(["src"], {
      ruleSet: { forbidden: config.forbidden ?? [] },
      tsPreCompilationDeps: true,
      tsConfig: { fileName: "tsconfig.json" },
      validate: true,
    });

    expect((result.output as ICruiseResult).summary.violations).toEqual([]);
  });
});
