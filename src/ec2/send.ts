import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { errAsync, ResultAsync } from "neverthrow";
import { AbortedError, type EniError } from "../errors.js";
import { mapAwsError } from "./map-error.js";
import { takeToken } from "./rate-limit.js";

/** Any EC2 command object, e.g. `new AttachNetworkInterfaceCommand(input)`. */
export interface Ec2Command {
  readonly input: object;
  resolveMiddleware(...args: never[]): unknown;
}

/** The output type of an SDK command, read from its middleware handler. */
export type OutputOf<C> = C extends {
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
}
  ? O
  : never;

/** One EC2 request as eni-kit made it, for reports and metrics. */
export interface ApiCall {
  /** The EC2 action, e.g. `AttachNetworkInterface`. */
  readonly action: string;
  /** `ok`, or the EC2 error code. */
  readonly outcome: string;
  /** How long the request took, SDK retries included, in milliseconds. */
  readonly durationMs: number;
}

/** What every request of an operation is sent with. */
export interface CallContext {
  /** Stops the operation before its next request (and the SDK aborts the one in flight). */
  readonly abortSignal?: AbortSignal | undefined;
  /** Told of every request once it settles. */
  readonly onCall?: ((call: ApiCall) => void) | undefined;
  /** Told of every ENI description read, so a caller can follow state changes. */
  readonly onState?: ((ni: NetworkInterface) => void) | undefined;
}

/**
 * Sends one EC2 command: the only place the library calls the SDK. Every rejection,
 * including a synchronous throw from a misconfigured client, becomes a typed error.
 * Throttling and 5xx retries are the SDK's own (its retry strategy runs inside `send`).
 */
export function send<C extends Ec2Command>(
  ec2: EC2Client,
  command: C,
  context: CallContext = {},
): ResultAsync<OutputOf<C>, EniError> {
  const { abortSignal, onCall } = context;
  // Checked here as well as by the SDK, so an aborted operation stops before its next request.
  if (abortSignal?.aborted === true)
    return errAsync(new AbortedError("The operation was aborted before its next request."));
  const action = command.constructor.name.replace(/Command$/, "");
  // The client-side rate limit first: a mass failover waits for tokens rather than being throttled.
  return new ResultAsync(takeToken(ec2, action, abortSignal)).andThen(() => {
    const started = Date.now();
    const report = (outcome: string) => onCall?.({ action, outcome, durationMs: Date.now() - started });
    // The SDK's `send` ties a command to the client's generics in a way a generic `C` cannot
    // satisfy; `OutputOf` recovers the command's own output type.
    return ResultAsync.fromPromise(
      Promise.resolve().then(() => ec2.send(command as never, abortSignal && { abortSignal }) as Promise<OutputOf<C>>),
      mapAwsError,
    )
      .andTee(() => report("ok"))
      .orTee((error) => report(error.code ?? error.name));
  });
}
