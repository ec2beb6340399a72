import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, ResultAsync, type Result } from "neverthrow";
import { sleep } from "./async.js";
import { describeEni } from "./ec2/describe.js";
import { isTransient } from "./ec2/map-error.js";
import type { CallContext } from "./ec2/send.js";
import { AbortedError, InvalidStateError, WaitTimeoutError, type EniError } from "./errors.js";
import { describeState } from "./model.js";
import {
  checkAbortSignal,
  checkOptionsWith,
  invalid,
  refuse,
  type Check,
  type CheckedOptions,
  type OptionSpec,
} from "./validation.js";

/**
 * How long and how often to poll, in seconds, in the SDK waiters' vocabulary.
 *
 * @example
 * ```ts
 * await eni.waitUntilInUse({ maxWaitTime: 60, minDelay: 0.5, maxDelay: 2 });
 * ```
 */
export interface WaitOptions {
  /**
   * Give up after this many seconds with a `WaitTimeoutError`.
   * @default 300 for attach and in-use waits, 600 for detach and available waits, 120 for create and delete
   */
  readonly maxWaitTime?: number;
  /**
   * The first delay between checks, in seconds; later delays grow from it. The first check is immediate.
   * @default 0.25
   */
  readonly minDelay?: number;
  /**
   * The longest delay between checks, in seconds. Short, so a finished transition is noticed
   * within a second; many waits on one client share their reads, so this does not multiply.
   * @default 1
   */
  readonly maxDelay?: number;
  /** Stops the wait (and any request in flight) with an `AbortedError`. */
  readonly abortSignal?: AbortSignal;
}

/** Wait options with every default filled in; also the context of the requests the wait makes. */
export interface Wait extends CallContext {
  readonly maxWaitTime: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly abortSignal: AbortSignal | undefined;
}

/** Default limits per kind of wait, in seconds: EC2 usually settles in seconds, rarely in minutes. */
export const DEFAULT_MAX_WAIT = {
  attach: 300,
  detach: 600,
  available: 600,
  create: 120,
  delete: 120,
  move: 600,
} as const;
// EC2 attaches and detaches in seconds: poll fast enough to notice within a fraction of that.
// Measured with `npm run bench` (docs/performance.md).
const DEFAULT_MIN_DELAY = 0.25;
const DEFAULT_MAX_DELAY = 1;

/** The wait options every waiting operation takes; `checkWait` then checks them together. */
export const WAIT_OPTIONS = {
  maxWaitTime: [checkSeconds],
  minDelay: [checkSeconds],
  maxDelay: [checkSeconds],
  abortSignal: [checkAbortSignal],
} as const satisfies OptionSpec;

/** Wait options as checked one by one, and an operation's `wait` flag if it has one. */
type CheckedWait = Partial<CheckedOptions<typeof WAIT_OPTIONS> & { wait: boolean }>;

/**
 * Fills in the wait defaults and checks the options against each other. Timing options beside
 * `wait: false` contradict each other, so they are refused rather than silently ignored.
 */
export function checkWait(options: CheckedWait, defaultMaxWait: number): Check<Wait> {
  const { maxWaitTime = defaultMaxWait, minDelay = DEFAULT_MIN_DELAY, abortSignal } = options;
  const maxDelay = options.maxDelay ?? Math.max(DEFAULT_MAX_DELAY, minDelay);
  const timing = (["maxWaitTime", "minDelay", "maxDelay"] as const).find((key) => options[key] !== undefined);
  if (options.wait === false && timing !== undefined) {
    return refuse(timing, `\`${timing}\` makes no sense with \`wait: false\`.`);
  }
  if (maxDelay < minDelay) {
    return refuse("maxDelay", `Expected \`maxDelay\` (${maxDelay}) to be at least \`minDelay\` (${minDelay}).`);
  }
  if (maxWaitTime <= minDelay) {
    return refuse(
      "maxWaitTime",
      `Expected \`maxWaitTime\` (${maxWaitTime}) to be greater than \`minDelay\` (${minDelay}).`,
    );
  }
  return ok({ maxWaitTime, minDelay, maxDelay, abortSignal });
}

/** Checks an options object that holds wait options only, and fills in the defaults. */
export function checkWaitOptions(options: unknown, defaultMaxWait: number): Check<Wait> {
  return checkOptionsWith("options", options, WAIT_OPTIONS).andThen((o) => checkWait(o, defaultMaxWait));
}

/** A positive, finite number of seconds. */
function checkSeconds(field: string, value: unknown): Check<number> {
  return typeof value === "number" && Number.isFinite(value) && value > 0
    ? ok(value)
    : invalid(field, "a positive number of seconds", value);
}

/** One look at the world: finished (with a value), or not yet (with what was seen). */
export type Poll<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly seen: string };

/** A finished poll. */
export const done = <T>(value: T): Poll<T> => ({ done: true, value });
/** An unfinished poll, remembering what was seen for the timeout message. */
export const notYet = <T>(seen: string): Poll<T> => ({ done: false, seen });

/**
 * Polls `check` until it is done, fails, times out or is aborted: the first check at once, then
 * jittered delays from `minDelay` doubling up to `maxDelay` (the SDK waiters' schedule). Used for
 * every wait and every bounded retry in the library, so they share one timing and abort
 * behaviour. (Written here rather than on `@smithy/util-waiter`, which is deprecated upstream
 * and whose bundle is larger than all of eni-kit.)
 */
export function pollUntil<T>(
  waitingFor: string,
  wait: Wait,
  check: () => ResultAsync<Poll<T>, EniError>,
): ResultAsync<T, EniError> {
  const deadline = Date.now() + wait.maxWaitTime * 1000;
  const poll = async (): Promise<Result<T, EniError>> => {
    for (let attempt = 1; ; attempt += 1) {
      if (wait.abortSignal?.aborted === true) return err(aborted(waitingFor));
      const polled = await check();
      if (polled.isErr()) return err(polled.error);
      if (polled.value.done) return ok(polled.value.value);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return err(new WaitTimeoutError(waitingFor, wait.maxWaitTime, polled.value.seen));
      // The last sleep is cut to the deadline, so the final check happens right at it.
      const delay = Math.min(backoff(wait, attempt) * 1000, remaining);
      if (!(await sleep(delay, wait.abortSignal))) return err(aborted(waitingFor));
    }
  };
  return new ResultAsync(poll());
}

/**
 * The SDK waiters' schedule: a random delay between `minDelay` and a ceiling that doubles each
 * attempt, then exactly `maxDelay` once the ceiling has reached it.
 */
function backoff(wait: Wait, attempt: number): number {
  if (attempt > Math.log2(wait.maxDelay / wait.minDelay) + 1) return wait.maxDelay;
  const ceiling = Math.min(wait.minDelay * 2 ** (attempt - 1), wait.maxDelay);
  return wait.minDelay + Math.random() * (ceiling - wait.minDelay);
}

function aborted(waitingFor: string): AbortedError {
  return new AbortedError(`Aborted while waiting for ${waitingFor}.`);
}

/**
 * Polls one ENI until `accept` says done. NotFound is an error, unless `visibleSoon` says the
 * id was just created and EC2 may not show it yet (its eventual consistency).
 */
export function waitForEni(
  ec2: EC2Client,
  id: string,
  waitingFor: string,
  wait: Wait,
  accept: (ni: NetworkInterface) => Result<boolean, EniError>,
  visibleSoon = false,
): ResultAsync<NetworkInterface, EniError> {
  return pollUntil(`${id} to be ${waitingFor}`, wait, () =>
    describeEni(ec2, id, wait)
      .andThen((ni) =>
        accept(ni).map((finished) => (finished ? done(ni) : notYet<NetworkInterface>(describeState(ni)))),
      )
      .orElse((error) => {
        if (visibleSoon && error.name === "NotFoundError") return okAsync(notYet<NetworkInterface>("not visible yet"));
        // One throttled or failed read must not fail a wait that still has time left.
        return isTransient(error)
          ? okAsync(notYet<NetworkInterface>(`read failed: ${error.code ?? error.name}`))
          : errAsync(error);
      }),
  );
}

/** Waits until EC2 no longer reports the ENI (after a delete). */
export function waitUntilGone(ec2: EC2Client, id: string, wait: Wait): ResultAsync<void, EniError> {
  return pollUntil(`${id} to be deleted`, wait, () =>
    describeEni(ec2, id, wait)
      .map((ni) => notYet<void>(describeState(ni)))
      .orElse((error) => (error.name === "NotFoundError" ? okAsync(done(undefined)) : errAsync(error))),
  );
}

/** Waits until the ENI's status is `available` (detached and free to attach). */
export function waitUntilAvailable(ec2: EC2Client, id: string, wait: Wait): ResultAsync<NetworkInterface, EniError> {
  return waitForEni(ec2, id, "available", wait, (ni) => ok(ni.Status === "available"));
}

/**
 * Waits until the ENI is `in-use` with its attachment `attached`. Given an attachment id, it
 * fails fast if another attachment replaces it. A missing attachment is waited out: right after
 * an attach, EC2's reads may not show it yet.
 */
export function waitUntilInUse(
  ec2: EC2Client,
  id: string,
  wait: Wait,
  attachmentId?: string,
): ResultAsync<NetworkInterface, EniError> {
  const what = attachmentId === undefined ? "in-use" : `in-use on attachment ${attachmentId}`;
  return waitForEni(ec2, id, what, wait, (ni) => {
    const current = ni.Attachment?.AttachmentId;
    if (attachmentId !== undefined && current !== undefined && current !== attachmentId) {
      const message = `Attachment ${attachmentId} of ${id} was replaced by ${current} (to ${ni.Attachment?.InstanceId}) while waiting for it.`;
      return err(new InvalidStateError(message, id, describeState(ni)));
    }
    return ok(ni.Status === "in-use" && ni.Attachment?.Status === "attached");
  });
}

/**
 * Waits until the given attachment is gone: the ENI is detached from that instance. As DESIGN
 * notes, EC2 usually drops a finished attachment rather than showing it `detached`.
 */
export function waitUntilDetached(
  ec2: EC2Client,
  id: string,
  wait: Wait,
  attachmentId: string,
): ResultAsync<NetworkInterface, EniError> {
  return waitForEni(ec2, id, `detached from attachment ${attachmentId}`, wait, (ni) =>
    // Another attachment (or none) means ours is gone.
    ok(
      ni.Attachment?.AttachmentId !== attachmentId || ni.Attachment.Status === "detached" || ni.Status === "available",
    ),
  );
}
