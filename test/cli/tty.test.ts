// The human output on a real terminal: a move run under `script` (util-linux), which gives the
// process a pseudo-terminal, as a person at the console would. The other tests fake the TTY.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the fixture's move on a pseudo-terminal; resolves to what the terminal got, and the exit code. */
function moveOnTerminal(env: Record<string, string>): Promise<{ code: number | null; screen: string }> {
  const command = `"${process.execPath}" --import tsx test/cli/tty-move.fixture.ts`;
  // Not in CI's environment: with CI set, the spinner (yocto-spinner) draws no animation.
  const { CI: _ci, ...person } = process.env;
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    cwd: repo,
    env: { ...person, TERM: "xterm-256color", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let screen = "";
  child.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, screen }));
  });
}

const ESC = "\u001b";
const SPINNER_FRAME = /[\u2800-\u28ff]/u; // yocto-spinner's dots, braille patterns

describe("on a real terminal", () => {
  it("a spinner redraws the running phase with its elapsed time, then leaves one line per phase", async () => {
    const { code, screen } = await moveOnTerminal({});

    expect(code).toBe(0);
    expect(screen).toContain(`${ESC}[?25l`); // cursor hidden while it spins…
    expect(screen).toContain(`${ESC}[?25h`); // …and shown again
    expect(screen).toContain(`${ESC}[1G${ESC}[0K`); // the line redrawn in place
    expect(screen).toMatch(SPINNER_FRAME);
    const detachTimes = new Set([...screen.matchAll(/detach… (\d+\.\d\d) s/g)].map((match) => match[1]));
    expect(detachTimes.size).toBeGreaterThanOrEqual(3); // the elapsed time ticks while it waits
    expect(screen).toMatch(/\] \S*✔\S* detach done in \d+\.\d\d s/);
    expect(screen).toMatch(/\] \S*✔\S* attach done in \d+\.\d\d s/);
    expect(screen).toContain(": moved");
    expect(screen).toContain(`${ESC}[32m`); // green ticks
  }, 60_000);

  it("with CI set (a CI job on a pseudo-terminal), writes plain lines: one per phase start and end", async () => {
    const { code, screen } = await moveOnTerminal({ CI: "true" });

    expect(code).toBe(0);
    expect(screen).not.toMatch(SPINNER_FRAME);
    expect(screen).not.toContain(`${ESC}[1G`);
    expect(screen.match(/detach…/g)).toHaveLength(1);
    expect(screen).toMatch(/\] \S*✔\S* detach done in/);
  }, 60_000);

  it("with NO_COLOR, still spins but writes no colour", async () => {
    const { code, screen } = await moveOnTerminal({ NO_COLOR: "1" });

    expect(code).toBe(0);
    expect(screen).toMatch(SPINNER_FRAME);
    expect(screen).toContain(`${ESC}[1G${ESC}[0K`);
    expect(screen).not.toMatch(new RegExp(`${ESC}\\[\\d+m`)); // no SGR colour codes
    expect(screen).toMatch(/\] ✔ detach done in/);
  }, 60_000);
});
