import type { EC2Client } from "@aws-sdk/client-ec2";
import { errAsync, ResultAsync } from "neverthrow";
import { AbortedError, type EniError } from "../errors.js";
import { mapAwsError } from "./map-error.js";

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

/**
 * Sends one EC2 command: the only place the library calls the SDK. Every rejection,
 * including a synchronous throw from a misconfigured client, becomes a typed error.
 * Throttling and 5xx retries are the SDK's own (its retry strategy runs inside `send`).
 */
export function send<C extends Ec2Command>(
  ec2: EC2Client,
  command: C,
  abortSignal?: AbortSignal,
): ResultAsync<OutputOf<C>, EniError> {
  // Checked here as well as by the SDK, so an aborted operation stops before its next request.
  if (abortSignal?.aborted === true) return errAsync(new AbortedError("The operation was aborted before its next request."));
  const options = abortSignal === undefined ? undefined : { abortSignal };
  return ResultAsync.fromPromise(
    Promise.resolve().then(() => ec2.send(command as never, options) as Promise<OutputOf<C>>),
    mapAwsError,
  );
}
