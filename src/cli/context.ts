/**
 * What the command runs with: its streams and client ({@link CliIo}), and what each command's
 * implementation gets ({@link CommandContext}). Types only.
 *
 * @module
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type * as Metadata from "@aws-sdk/ec2-metadata-service";
import type * as Library from "eni-kit";
import type * as Testing from "eni-kit/testing";
import type * as CliSdk from "./sdk.js";
import type { Output, OutputStream } from "./output.js";

/**
 * How the command loads what it needs only when a command runs: the library, the SDK, the
 * simulator (for `demo`) and the metadata client (for `--to self`), each with `import()`, so that
 * `eni-kit --help` loads none of them. In the bin, all of them are in its bundle (tsup.config.ts).
 */
export interface CliModules {
  readonly library: () => Promise<typeof Library>;
  readonly sdk: () => Promise<typeof CliSdk>;
  readonly testing: () => Promise<typeof Testing>;
  readonly metadata: () => Promise<typeof Metadata>;
}

/** What {@link main} runs with: the streams, and for tests an EC2 client and the metadata service. */
export interface CliIo {
  /** The command's output (results, progress, JSON). */
  readonly stdout: OutputStream;
  /** Errors. */
  readonly stderr: OutputStream;
  /** The EC2 client to use; by default one is made from `--profile`, `--region`, `--endpoint` and the SDK's default chain. */
  readonly client?: EC2Client | undefined;
  /** The environment (`NO_COLOR`, `TERM`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Fires on Ctrl-C: the running operation stops between steps. */
  readonly signal?: AbortSignal | undefined;
  /** The instance metadata service's endpoint, for `--to self`. @default the SDK's (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, or 169.254.169.254) */
  readonly metadataEndpoint?: string | undefined;
}

/** The options every command takes. */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly events?: boolean;
  readonly profile?: string;
  readonly region?: string;
  readonly endpoint?: string;
}

/** What a command's implementation gets: the output, the client, the Ctrl-C signal. */
export interface CommandContext {
  readonly output: Output;
  /** The EC2 client: the injected one, or one made (and the SDK loaded) on first use. */
  readonly ec2: () => Promise<EC2Client>;
  readonly signal: AbortSignal;
  readonly metadataEndpoint: string | undefined;
  /** The library (`eni-kit`), loaded. */
  readonly lib: typeof Library;
  /** How to load the rest. */
  readonly modules: CliModules;
}
