/**
 * Runs the `eni-kit` command in-process, as the bin would, and captures what it writes.
 */
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/context.js";

/** A JSON object the command printed. */
export type Json = Record<string, any>;

/** What a run of the command wrote, and how it ended. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as one JSON object (`--json`). */
  json(): Json;
  /** stdout as NDJSON (`--events`). */
  events(): Json[];
}

/** A stream that keeps what is written to it. */
export function capture(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    // What a terminal's stream has besides `write`, for the spinner.
    columns: 80,
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    get text() {
      return chunks.join("");
    },
  };
}

/**
 * Runs `eni-kit ...argv` with `io` (the simulator's client, usually); `settle` drives the fake
 * clock while it runs.
 */
export async function cli(
  argv: readonly string[],
  io: Partial<CliIo> & { tty?: boolean } = {},
  settle: <T>(work: PromiseLike<T>) => Promise<T> = (work) => Promise.resolve(work),
): Promise<Ran> {
  const stdout = capture(io.tty ?? false);
  const stderr = capture();
  const code = await settle(main(argv, { env: {}, ...io, stdout: io.stdout ?? stdout, stderr: io.stderr ?? stderr }));
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    json: () => JSON.parse(stdout.text) as Json,
    events: () =>
      stdout.text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Json),
  };
}
