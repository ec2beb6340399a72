/**
 * The exit codes of the `eni-kit` command: one table, rendered into every command's `--help` and
 * into docs/cli.md (a test holds the page to it). Stable: a code never changes meaning; new ones
 * are added at the end.
 *
 * Imports nothing at run time, so `eni-kit --help` loads no AWS SDK code.
 *
 * @module
 */
import type { EniError } from "eni-kit";

/** One exit code: its number, what it means, and the eni-kit errors that end with it. */
export interface ExitCode {
  /** The process exit code. */
  readonly code: number;
  /** A short name for scripts' `case` statements and logs. */
  readonly name: string;
  /** What happened, for `--help` and docs/cli.md. */
  readonly meaning: string;
  /** The `error.name`s of the EniError union that end with this code. */
  readonly errors: readonly string[];
}

/** Every exit code of `eni-kit`, in order. */
export const EXIT_CODES = [
  { code: 0, name: "ok", meaning: "done", errors: [] },
  {
    code: 1,
    name: "unexpected",
    meaning: "an unexpected failure: a bug, or one outside EC2 (the metadata service of --to self)",
    errors: [],
  },
  {
    code: 2,
    name: "validation",
    meaning: "bad arguments or options; nothing was sent",
    errors: ["ValidationError"],
  },
  { code: 3, name: "not-found", meaning: "the ENI, instance or subnet does not exist", errors: ["NotFoundError"] },
  {
    code: 4,
    name: "az-mismatch",
    meaning: "the ENI and the instance are in different Availability Zones; nothing changed",
    errors: ["AzMismatchError"],
  },
  {
    code: 5,
    name: "limit",
    meaning: "an instance type's or an account's limit would be exceeded",
    errors: ["AttachmentLimitError", "LimitExceededError"],
  },
  {
    code: 6,
    name: "conflict",
    meaning: "the fence (--expected-from) did not hold, or another controller changed the ENI",
    errors: ["ConflictError"],
  },
  {
    code: 7,
    name: "invalid-state",
    meaning: "the ENI or instance is in a state that forbids it (the primary ENI, a stopped instance…)",
    errors: ["InvalidStateError"],
  },
  { code: 8, name: "timeout", meaning: "EC2 did not settle in time", errors: ["WaitTimeoutError"] },
  { code: 9, name: "throttled", meaning: "EC2 throttled the requests, retries included", errors: ["ThrottledError"] },
  {
    code: 10,
    name: "access-denied",
    meaning: "the credentials may not do it (check-permissions: an action is denied)",
    errors: ["AccessDeniedError"],
  },
  {
    code: 11,
    name: "move-rolled-back",
    meaning: "the move failed and the ENI was put back on its source",
    errors: ["MoveFailedError"],
  },
  {
    code: 12,
    name: "move-not-attached",
    meaning:
      "the move failed and the ENI was not put back on its source: it is not attached where it should be (usually free); the output says where it is",
    errors: ["MoveFailedError"],
  },
  { code: 13, name: "aws", meaning: "any other EC2 or SDK failure (a 5xx, a network error)", errors: ["AwsError"] },
  {
    code: 130,
    name: "interrupted",
    meaning: "interrupted (Ctrl-C): the operation stopped between steps; the output says where the ENI was left",
    errors: ["AbortedError"],
  },
] as const satisfies readonly ExitCode[];

/** The name of one of the {@link EXIT_CODES}. */
export type ExitName = (typeof EXIT_CODES)[number]["name"];

/** The code named `name` in {@link EXIT_CODES}. */
export function exitCode(name: ExitName): number {
  // Typed by the table's names, so the lookup always finds one.
  return EXIT_CODES.find((entry) => entry.name === name)?.code ?? 1;
}

/**
 * The exit code an eni-kit error ends the command with. A failed move is told apart by where it
 * left the ENI, and by whether Ctrl-C stopped it.
 */
export function exitCodeOf(error: EniError): number {
  if (error.name === "MoveFailedError") {
    if (error.reason.name === "AbortedError") return exitCode("interrupted");
    return exitCode(error.rolledBack ? "move-rolled-back" : "move-not-attached");
  }
  return (
    EXIT_CODES.find((entry) => (entry.errors as readonly string[]).includes(error.name))?.code ?? exitCode("unexpected")
  );
}

/** The table as `--help` prints it: one line per code. */
export function exitCodesText(): string {
  const lines = EXIT_CODES.map(({ code, meaning }) => `  ${String(code).padStart(3)}  ${meaning}`);
  return `Exit codes:\n${lines.join("\n")}\n`;
}

/** The table as docs/cli.md shows it (a Markdown table; a test compares the page with it). */
export function exitCodesMarkdown(): string {
  const rows = EXIT_CODES.map(
    ({ code, name, meaning, errors }) =>
      `| ${code} | \`${name}\` | ${meaning} | ${errors.map((error) => `\`${error}\``).join(", ")} |`,
  );
  return ["| code | name | meaning | eni-kit errors |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
