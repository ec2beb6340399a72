import { type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import { InvalidStateError, type EniError } from "../errors.js";
import { checkOptionsWith, type Check, type CheckedOptions, type OptionSpec } from "../validation.js";
import {
  WAIT_OPTIONS,
  agreeNothingToDo,
  checkWait,
  readEniWithin,
  retrying,
  timed,
  waitForEni,
  type OperationContext,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";
import { EVENT_OPTIONS, openEventLog, type EventOptions } from "./events.js";

/**
 * How long a change is read back before giving up: EC2 is eventually consistent, so a
 * change it accepted can take a moment to show in its reads; usually well under a minute.
 */
const READ_BACK_MAX_WAIT = 60;
/**
 * Refuses changes to an ENI another AWS service manages (a load balancer's, a NAT gateway's):
 * that service owns its addresses and attributes, and EC2 refuses most changes anyway.
 */
export function checkManaged(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  if (ni.RequesterManaged !== true) return ok(ni);
  const id = ni.NetworkInterfaceId;
  return err(
    new InvalidStateError(
      `Network interface ${id} is managed by another AWS service (${ni.RequesterId ?? "unknown"}); eni-kit leaves it alone.`,
      { resourceId: id, state: "requester-managed" },
    ),
  );
}

/** A change EC2 has yet to make: the request that makes it, and how a read shows it done. */
export interface Change {
  /** What the read-back waits for, for a timeout's message. */
  readonly waitingFor: string;
  /** Sends the mutating request. */
  readonly apply: () => ResultAsync<unknown, EniError>;
  /** Whether a read shows the change. */
  readonly isSet: (ni: NetworkInterface) => boolean;
}

/** Decides from a read of the ENI (and any reads of its own) what to change; `undefined` for nothing. */
export type ChangePlan = (
  ni: NetworkInterface,
) => Result<Change | undefined, EniError> | ResultAsync<Change | undefined, EniError>;

/** `plan`, for an ENI eni-kit may change: another service's ENI is refused first (see {@link checkManaged}). */
export function unlessManaged(plan: ChangePlan): ChangePlan {
  return (ni) => okAsync(ni).andThen(checkManaged).andThen(plan);
}

/**
 * The flow of every setter: reads the ENI, lets `plan` decide from the read what to change,
 * applies it, and reads back until EC2 shows it. Nothing to change (`undefined`, or the read
 * already shows it, e.g. every address already there): no call.
 */
export function changeEni(
  ec2: EC2Client,
  eniId: string,
  context: OperationContext,
  plan: ChangePlan,
): ResultAsync<NetworkInterface, EniError> {
  // What to change, from one read; `undefined` when that read shows nothing to do.
  const decide = (ni: NetworkInterface) =>
    okAsync(ni)
      .andThen(plan)
      .map((change) => (change === undefined || change.isSet(ni) ? undefined : change));
  const apply = (change: Change) =>
    // A throttled or failed change is sent again within the deadline: each sets a value, so twice is harmless.
    retrying(context, change.apply).andThen(() => waitForEni(ec2, eniId, change.waitingFor, context, change.isSet));
  return readEniWithin(ec2, eniId, context).andThen((first) =>
    decide(first).andThen((change) =>
      change !== undefined
        ? apply(change)
        : // Nothing to do is decided only once reads agree: a stale one can show an older value.
          agreeNothingToDo(ec2, eniId, context, decide).andThen(({ ni, todo }) =>
            todo === undefined ? okAsync(ni) : apply(todo),
          ),
    ),
  );
}

/**
 * The options every setter takes: the wait options (the read-back waits up to a minute by default)
 * and `onEvent`.
 *
 * @example
 * ```ts
 * const options: ChangeOptions = { maxWaitTime: 30, onEvent: (event) => console.log(event.type) };
 * ```
 */
export interface ChangeOptions extends WaitOptions, EventOptions {}

/**
 * A setter's input, parsed: its value, its options (the {@link ChangeOptions} plus any the setter
 * takes itself) and the wait they give.
 */
export interface ChangeRequest<T, S extends OptionSpec = Record<never, never>> {
  readonly value: T;
  readonly options: CheckedOptions<S> & EventOptions;
  readonly plan: WaitPlan;
}

/**
 * Parses a setter's value and options, before anything is sent: the {@link ChangeOptions}
 * (reading back for up to `READ_BACK_MAX_WAIT`) plus any the setter takes itself, described by `spec`.
 */
export function parseChange<T, S extends OptionSpec = Record<never, never>>(
  value: Check<T>,
  options: unknown,
  spec?: S,
): Check<ChangeRequest<T, S>> {
  return value.andThen((valid) =>
    checkOptionsWith("options", options, { ...spec, ...EVENT_OPTIONS, ...WAIT_OPTIONS }).andThen((checkedOptions) =>
      checkWait(checkedOptions, READ_BACK_MAX_WAIT).map((plan) => ({
        value: valid,
        // TypeScript loses `S` when spreading an optional `spec`; the checked object does hold its keys.
        options: checkedOptions as CheckedOptions<S> & EventOptions,
        plan,
      })),
    ),
  );
}

/** Runs a parsed setter under its deadline, as one `change` phase of its event log. */
export function runChange<T, S extends OptionSpec>(
  eniId: string,
  { value, options, plan }: ChangeRequest<T, S>,
  run: (value: T, context: OperationContext, options: CheckedOptions<S>) => ResultAsync<NetworkInterface, EniError>,
): ResultAsync<NetworkInterface, EniError> {
  const log = openEventLog(eniId, options.onEvent, "change");
  return timed(
    plan,
    "the change to show",
    (context) => log.step("change", () => run(value, context, options)),
    log.context,
  );
}
