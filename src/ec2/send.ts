import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { errAsync, ResultAsync } from "neverthrow";
import { abortReason } from "../deadline.js";
import type { EniError } from "../errors.js";
import { mapAwsError } from "./map-error.js";
import { takeToken } from "./rate-limit.js";
import type { ApiCall } from "../model.js";

/** Any EC2 command object, e.g. `new AttachNetworkInterfaceCommand(input)`. */
export interface Ec2Command {
  readonly input: object;
  readonly middlewareStack: { add(middleware: never, options: never): void };
  resolveMiddleware(...args: never[]): unknown;
}

/** The output type of an SDK command, read from its middleware handler. */
export type OutputOf<C> = C extends {
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
}
  ? O
  : never;

/** What every request of an operation is sent with. */
export interface CallContext {
  /** Aborts the request in flight and stops the operation before its next one (an operation's deadline, or the caller's signal). */
  readonly abortSignal?: AbortSignal | undefined;
  /** Told of every request once it settles. */
  readonly onCall?: ((call: ApiCall) => void) | undefined;
  /** Told of every ENI description read, so a caller can follow state changes. */
  readonly onState?: ((ni: NetworkInterface) => void) | undefined;
  /** Told of every retry of a mutating request (see `retrying`), with why, as it is sent. */
  readonly onRetry?: ((reason: string) => void) | undefined;
}

/** The middleware step where eni-kit learns the action's name and waits for its rate-limit token. */
const STEP = { step: "initialize", name: "eniKitRequest", priority: "high", override: true } as const;

/**
 * Sends one EC2 command: the only place the library calls the SDK. Every rejection, including a
 * synchronous throw from a misconfigured client, becomes a typed error; when the context's signal
 * fires, the request is abandoned at once with the signal's reason (the deadline's
 * `WaitTimeoutError` or the caller's `AbortedError`), whatever the SDK is doing. Throttling and
 * 5xx retries are the SDK's own (its retry strategy runs inside `send`).
 *
 * The action's name comes from the SDK's middleware context (`commandName`), as the SDK itself
 * names it: class names do not survive a minifying bundler. A test double that replaces
 * `client.send` runs no middleware; its requests are named after the command's class instead.
 */
export function send<C extends Ec2Command>(
  ec2: EC2Client,
  command: C,
  context: CallContext = {},
): ResultAsync<OutputOf<C>, EniError> {
  const { abortSignal, onCall } = context;
  // Checked here as well as by the SDK, so an aborted operation stops before its next request.
  if (abortSignal?.aborted === true) return errAsync(abortReason(abortSignal));
  let action: string | undefined;
  let sentAt: number | undefined;
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => {
    return async (args: unknown) => {
      action = (context.commandName ?? "").replace(/Command$/, "");
      // The client-side rate limit first: a mass failover waits for tokens rather than being throttled.
      const token = await takeToken(ec2, action, abortSignal);
      if (token.isErr()) throw token.error;
      sentAt = Date.now();
      return next(args);
    };
  };
  command.middlewareStack.add(middleware as never, STEP as never);
  const started = Date.now();
  const report = (outcome: string) => {
    // A request that never left (aborted while waiting for its token) is not a call.
    if (action !== undefined && sentAt === undefined) return;
    action ??= command.constructor.name.replace(/Command$/, "");
    onCall?.({ action, outcome, durationMs: Date.now() - (sentAt ?? started) });
  };
  // The SDK's `send` ties a command to the client's generics in a way a generic `C` cannot
  // satisfy; `OutputOf` recovers the command's own output type. An options object is always
  // passed, which also keeps a `cacheMiddleware` client from reusing another command's stack.
  const sent = Promise.resolve().then(
    () => ec2.send(command as never, abortSignal === undefined ? {} : { abortSignal }) as Promise<OutputOf<C>>,
  );
  return ResultAsync.fromPromise(abortSignal === undefined ? sent : race(sent, abortSignal), (error) =>
    abortSignal?.aborted === true ? abortReason(abortSignal) : mapAwsError(error),
  )
    .andTee(() => report("ok"))
    .orTee((error) => report(error.code ?? error.name));
}

/** `promise`, or a rejection as soon as `signal` fires: the SDK may not notice an abort until its next attempt. */
function race<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  // The abandoned request may still fail later: that is expected, not an unhandled rejection.
  promise.catch(() => undefined);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}
