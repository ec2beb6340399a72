import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as errors from "../../src/errors.js";
import * as api from "../../src/index.js";

/** The error classes src/errors.ts exports: every concrete subclass of EniKitError. */
const errorClasses = Object.entries(errors)
  .filter(([, value]) => typeof value === "function" && value.prototype instanceof errors.EniKitError)
  .map(([name]) => name)
  .sort();

/** The classes docs/errors.md's table lists, from its first column. */
function documentedClasses(): string[] {
  const page = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const table = page.slice(page.indexOf("| class (`name`)"));
  const rows = table.slice(0, table.search(/\n\n/)).split("\n").slice(2);
  return rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1] ?? `(unreadable row: ${row.slice(0, 40)})`).sort();
}

describe("docs/errors.md", () => {
  it("finds the error classes", () => {
    expect(errorClasses).toContain("MoveFailedError");
    expect(errorClasses.length).toBeGreaterThan(10);
  });

  it("lists every error class src/errors.ts exports, and no other", () => {
    expect(documentedClasses()).toEqual(errorClasses);
  });

  it("lists only classes the package exports", () => {
    expect(errorClasses.filter((name) => !(name in api))).toEqual([]);
  });

  it("names the base class and the guard", () => {
    const page = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    expect(page).toContain("`EniKitError extends Error`");
    expect(page).toContain("`isEniError(value)`");
  });
});
