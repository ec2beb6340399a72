import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { blockName, checkSnippets, codeBlocks, documentationPages, type BlockReport } from "./snippets.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const pages = documentationPages(repo);
/** A page of known blocks, to check the checker: compiled in the same program as the real pages. */
const FIXTURE = "test/docs/fixtures/checker.md";

// One program for every block of every page: the library is checked once, not per block.
let reports: Map<string, BlockReport>;
beforeAll(() => {
  reports = new Map(checkSnippets(repo, [...pages, FIXTURE]).map((report) => [blockName(report.block), report]));
}, 60_000);

describe("the documentation's code blocks", () => {
  it.each(pages)("%s: every block names its language, and TypeScript is tagged ts", (page) => {
    const mislabelled = codeBlocks(repo, page)
      .filter((block) => block.lang === "" || /^(js|javascript|mjs|cjs|typescript)$/.test(block.lang))
      .map((block) => `${blockName(block)}: \`\`\`${block.lang}`);
    expect(mislabelled, "tag TypeScript ```ts, and any other block with its language (sh, json, text)").toEqual([]);
  });
});

describe("the documentation's TypeScript compiles against the API", () => {
  const blocks = pages.flatMap((page) => codeBlocks(repo, page).filter((block) => block.lang === "ts"));

  it("finds the blocks of the README and the guides, and a setup on each page that has fragments", () => {
    expect(blocks.length).toBeGreaterThan(30);
    expect(blocks.filter((block) => block.setup).map((block) => block.file)).toEqual([
      "README.md",
      "docs/addresses.md",
      "docs/failover-runbook.md",
      "docs/getting-started.md",
      "docs/iam.md",
      "docs/testing.md",
    ]);
  });

  it.each(blocks.map((block) => [blockName(block) + (block.setup ? " (setup)" : ""), block] as const))(
    "%s",
    (_, block) => {
      const problems = reports.get(blockName(block))?.problems;
      expect(problems, problems?.join("\n")).toEqual([]);
    },
  );
});

describe("the snippet checker", () => {
  const lines = readFileSync(new URL(`../../${FIXTURE}`, import.meta.url), "utf8").split("\n");
  /** The page's 1-based line that contains `text`. */
  const lineOf = (text: string) => lines.findIndex((line) => line.includes(text)) + 1;
  const problemsAt = (text: string) => {
    const block = codeBlocks(repo, FIXTURE).find((b) => b.code.includes(text));
    return block && reports.get(blockName(block))?.problems;
  };

  it("reads fences at any indentation, the setup's included, and skips those in other comments", () => {
    const blocks = codeBlocks(repo, FIXTURE);
    expect(blocks.map((block) => [block.line, block.lang, block.setup])).toEqual([
      [lineOf("import { Eni }"), "ts", true],
      [lineOf("eni.attach("), "ts", false],
      [lineOf('import { EC2Client } from "@aws-sdk/client-ec2"'), "ts", false],
      [lineOf("return eni.id"), "ts", false],
      [lineOf("const count"), "ts", false],
      [lineOf("echo"), "sh", false],
    ]);
    expect(blocks[4]?.code).toBe("const count: number = eni.id;\n");
  });

  it("names the page, line and column of an API the library does not have, with TypeScript's message", () => {
    expect(problemsAt("eni.attach(")).toEqual([
      `${FIXTURE}:${lineOf("eni.attach(")}:11 TS2551: Property 'attach' does not exist on type 'Eni'. Did you mean 'attachTo'?`,
    ]);
  });

  it("counts lines and columns from the page in an indented block", () => {
    expect(problemsAt("const count")).toEqual([
      `${FIXTURE}:${lineOf("const count")}:7 TS2322: Type 'string' is not assignable to type 'number'.`,
    ]);
  });

  it("gives a block the setup's names, except those it declares itself", () => {
    expect(problemsAt("new EC2Client")).toEqual([]);
  });

  it("checks a block with a top-level return as a function body", () => {
    expect(problemsAt("return eni.id")).toEqual([]);
  });
});
