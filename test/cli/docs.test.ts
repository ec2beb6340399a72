// docs/cli.md against the command: its exit-code table is EXIT_CODES, and it names every command
// and every option the command's --help lists.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT_CODES, exitCodesMarkdown } from "../../src/cli/exit-codes.js";
import { cli } from "./run.js";

const page = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");

/** The rows of a Markdown exit-code table, as cells (Prettier pads the page's). */
function exitCodeRows(markdown: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => /^\| code +\| name +\| meaning +\| eni-kit errors +\|$/.test(line));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe("docs/cli.md", () => {
  it("has the exit-code table of src/cli/exit-codes.ts, row for row", () => {
    expect(exitCodeRows(page)).toEqual(exitCodeRows(exitCodesMarkdown()));
    expect(exitCodeRows(page)).toEqual(
      EXIT_CODES.map(({ code, name, meaning, errors }) => [
        String(code),
        `\`${name}\``,
        meaning,
        errors.map((error) => `\`${error}\``).join(", "),
      ]),
    );
  });

  it("maps every error class of the EniError union to a code", async () => {
    const errors = await import("../../src/errors.js");
    const classes = Object.keys(errors).filter(
      (name) => name.endsWith("Error") && name !== "isEniError" && name !== "EniKitError",
    );
    const mapped = new Set<string>(EXIT_CODES.flatMap((entry) => entry.errors));
    expect(classes.filter((name) => !mapped.has(name))).toEqual([]);
  });

  it("names every command and every option their --help lists", async () => {
    const root = await cli(["--help"]);
    const section = root.stdout.slice(root.stdout.indexOf("Commands:"), root.stdout.indexOf("Exit codes:"));
    const commands = [...section.matchAll(/^ {2}([a-z][a-z-]*) /gm)]
      .map((match) => match[1] ?? "")
      .filter((c) => c !== "help");
    expect(commands.length).toBe(10);
    for (const command of commands) {
      expect(page, command).toContain(`eni-kit ${command}`);
      const help = await cli([command, "--help"]);
      const options = new Set([...help.stdout.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((match) => match[0]));
      for (const option of options) expect(page, `${command} ${option}`).toContain(option);
    }
  });
});
