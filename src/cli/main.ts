/**
 * The `eni-kit` command: the runbook's steps for the person at the terminal, and for the scripts
 * (keepalived notify, an instance's user data) that move ENIs. {@link main} parses the arguments
 * with commander and runs one command; it never throws, and resolves to the exit code.
 *
 * This module loads no AWS SDK code: a command that talks to EC2 imports the library (and the SDK)
 * when it runs, so `eni-kit --help` stays fast.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { exitCode, exitCodesText } from "./exit-codes.js";
import type * as Commands from "./commands.js";
import type { CliIo, CliModules, CommandContext, GlobalOptions } from "./context.js";
import { Output, type OutputMode } from "./output.js";

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The modules a command loads when it runs: in the tests, `eni-kit` is the source; in the bin, its bundle. */
const MODULES: CliModules = {
  library: () => import("eni-kit"),
  sdk: () => import("./sdk.js"),
  testing: () => import("eni-kit/testing"),
  metadata: () => import("@aws-sdk/ec2-metadata-service"),
};

/** A number of seconds, 0 or more. */
function secondsArg(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`Expected a number of seconds, 0 or more, got ${JSON.stringify(value)}.`);
  return n;
}

/** A positive number. */
function factorArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`Expected a positive number, got ${JSON.stringify(value)}.`);
  return n;
}

/** `key=value`, collected into a record. */
function tagArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError(`Expected key=value, got ${JSON.stringify(value)}.`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** `key=value`, or `key` alone for any value, collected into a record. */
function tagFilterArg(value: string, previous: Record<string, string | true> = {}): Record<string, string | true> {
  const at = value.indexOf("=");
  if (at === 0) throw new InvalidArgumentError(`Expected key=value or key, got ${JSON.stringify(value)}.`);
  return at < 0 ? { ...previous, [value]: true } : { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Repeated or comma-separated values, collected. */
function listArg(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").filter((item) => item !== "")];
}

const MAX_WAIT = () =>
  new Option("--max-wait <sec>", "give up after this many seconds (default: the library's, 300 to 600 s)").argParser(
    secondsArg,
  );

type Run = (context: CommandContext, commands: typeof Commands) => Promise<number>;

/** Builds the program; `schedule` receives the chosen command's work. */
function program(io: CliIo, schedule: (run: Run, options: GlobalOptions) => void): Command {
  const root = new Command("eni-kit")
    .description(
      "Manage EC2 Elastic Network Interfaces: list, create, attach, move for failover (fenced, with rollback), wait for EC2 to settle.",
    )
    .version(version(), "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError("(add --help for usage)")
    .addOption(new Option("--json", "print one JSON object: the snapshot or the report").conflicts("events"))
    .option("--events", "print NDJSON events as they happen, for log shippers, then the result")
    .option("--profile <name>", "the AWS profile (shared config and credentials files)")
    .option("--region <region>", "the AWS Region (default: the SDK's chain, e.g. AWS_REGION)")
    .option("--endpoint <url>", "the EC2 endpoint, e.g. http://localhost:4566 for LocalStack or moto");

  const on = (command: Command, run: (...args: never[]) => Run) =>
    command.action((...args: unknown[]) => {
      const self = args.at(-1) as Command;
      schedule(run(...(args.slice(0, -1) as never[])), self.optsWithGlobals<GlobalOptions>());
    });

  on(
    root
      .command("ls")
      .description("list ENIs (all criteria combined with AND)")
      .option("--name <name>", "the Name tag")
      .option("--tag <key=value>", "a tag, or key alone for any value (repeatable)", tagFilterArg)
      .option("--instance <id>", "attached to this instance")
      .option("--subnet <id>", "in this subnet")
      .option("--status <status>", "available, in-use, attaching, detaching…"),
    (options: Parameters<typeof Commands.list>[1]) => (context, commands) => commands.list(context, options),
  );
  on(
    root.command("show").description("show one ENI").argument("<eni>", "the ENI id (eni-…)"),
    (eniId: string) => (context, commands) => commands.show(context, eniId),
  );
  on(
    root
      .command("create")
      .description("create an ENI, tagged as eni-kit's (so `orphans` can clean it up)")
      .requiredOption("--subnet <id>", "its subnet")
      .requiredOption("--name <name>", "its Name tag")
      .option("--sg <ids>", "a security group (repeatable, or comma-separated)", listArg)
      .option("--description <text>", "its description")
      .option("--tag <key=value>", "a tag (repeatable)", tagArg)
      .addOption(MAX_WAIT()),
    (options: Parameters<typeof Commands.create>[1]) => (context, commands) => commands.create(context, options),
  );
  on(
    root
      .command("attach")
      .description("attach an ENI to an instance and wait until it is attached")
      .argument("<eni>", "the ENI id")
      .requiredOption("--to <instance>", "the instance id, or `self` for this instance (IMDSv2)")
      .option("--device-index <n>", "the device index (default: the lowest free from 1)", (v) => Number(v))
      .addOption(MAX_WAIT()),
    (eniId: string, options: Parameters<typeof Commands.attach>[2]) => (context, commands) =>
      commands.attach(context, eniId, options),
  );
  on(
    root
      .command("detach")
      .description("detach an ENI and wait until it is free")
      .argument("<eni>", "the ENI id")
      .option("--force", "force the detach at once (the instance's OS may not notice)")
      .addOption(
        new Option("--force-after <sec>", "detach gracefully, force if not done after this many seconds")
          .argParser(secondsArg)
          .conflicts("force"),
      )
      .addOption(MAX_WAIT()),
    (eniId: string, options: Parameters<typeof Commands.detach>[2]) => (context, commands) =>
      commands.detach(context, eniId, options),
  );
  on(
    root
      .command("move")
      .description("move an ENI to another instance for failover: fence, detach, attach, roll back on failure")
      .argument("<eni>", "the ENI id")
      .requiredOption("--to <instance>", "the target instance, or `self` for this instance (IMDSv2)")
      .option(
        "--expected-from <instance>",
        "the fence: move only if the ENI is on this instance (or it is dead and the ENI free)",
      )
      .addOption(
        new Option("--force-after <sec>", "force the detach if not done after this many seconds").argParser(secondsArg),
      )
      .option("--no-rollback", "do not put the ENI back on its source if the attach fails")
      .addOption(MAX_WAIT()),
    (eniId: string, options: Parameters<typeof Commands.move>[2]) => (context, commands) =>
      commands.move(context, eniId, options),
  );
  on(
    root
      .command("delete")
      .description("delete an ENI (an ENI already gone counts as deleted)")
      .argument("<eni>", "the ENI id")
      .option("--detach-first", "detach it first if it is attached")
      .addOption(MAX_WAIT()),
    (eniId: string, options: Parameters<typeof Commands.remove>[2]) => (context, commands) =>
      commands.remove(context, eniId, options),
  );
  on(
    root
      .command("check-permissions")
      .description("dry-run every request a move of this ENI makes; changes nothing")
      .argument("<eni>", "the ENI id")
      .requiredOption("--to <instance>", "the target instance, or `self`")
      .option("--expected-from <instance>", "the source instance"),
    (eniId: string, options: Parameters<typeof Commands.checkPermissions>[2]) => (context, commands) =>
      commands.checkPermissions(context, eniId, options),
  );
  on(
    root
      .command("orphans")
      .description("list ENIs eni-kit created that have been free too long; --reap --yes deletes them")
      .addOption(
        new Option("--older-than <sec>", "seen free by an earlier pass at least this long ago")
          .argParser(secondsArg)
          .default(3600),
      )
      .option("--owner <name>", "the owner tag eni-kit wrote at create", "eni-kit")
      .option("--include-once-attached", "also ENIs that were attached before")
      .option("--reap", "delete them (re-checked one by one right before each delete)")
      .option("--yes", "confirm --reap"),
    (options: Parameters<typeof Commands.orphans>[1]) => (context, commands) => commands.orphans(context, options),
  );
  on(
    root
      .command("demo")
      .description("the walkthrough on the built-in EC2 simulator: no AWS account needed")
      .addOption(
        new Option("--speed <factor>", "run the simulator's clock this many times faster")
          .argParser(factorArg)
          .default(1),
      ),
    (options: Parameters<typeof Commands.demo>[1]) => (context, commands) => commands.demo(context, options),
  );

  for (const command of [root, ...root.commands]) command.addHelpText("after", `\n${exitCodesText()}`);
  return root;
}

/**
 * Runs the `eni-kit` command.
 *
 * @param argv - the arguments after `eni-kit`, e.g. `["move", "eni-…", "--to", "i-…"]`.
 * @param io - the streams, and optionally the EC2 client, environment and Ctrl-C signal.
 * @returns the exit code (see `EXIT_CODES`); never throws.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const started = performance.now();
  try {
    let scheduled: { run: Run; options: GlobalOptions } | undefined;
    const root = program(io, (run, options) => {
      scheduled = { run, options };
    });
    try {
      await root.parseAsync([...argv], { from: "user" });
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode === 0 ? exitCode("ok") : exitCode("validation");
      throw error;
    }
    if (scheduled === undefined) return exitCode("ok");
    const { run, options } = scheduled;
    const mode: OutputMode = options.json === true ? "json" : options.events === true ? "events" : "human";
    const output = new Output({
      mode,
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env ?? process.env,
      elapsed: () => performance.now() - started,
    });
    let client = io.client;
    const context: CommandContext = {
      output,
      signal: io.signal ?? new AbortController().signal,
      metadataEndpoint: io.metadataEndpoint,
      lib: await MODULES.library(),
      modules: MODULES,
      ec2: async () => {
        if (client !== undefined) return client;
        const { EC2Client } = await MODULES.sdk();
        client = new EC2Client({
          ...(options.region !== undefined && { region: options.region }),
          ...(options.profile !== undefined && { profile: options.profile }),
          ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
        });
        return client;
      },
    };
    await output.prepare();
    try {
      return await run(context, await import("./commands.js"));
    } finally {
      output.close();
      if (io.client === undefined) client?.destroy();
    }
  } catch (error) {
    io.stderr.write(
      `eni-kit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return exitCode("unexpected");
  }
}
