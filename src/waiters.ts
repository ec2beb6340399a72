import type { EC2Client, Instance, NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, type Result } from "neverthrow";
import { createWaiter, WaiterState } from "@smithy/core/client";
import { abortReason, withDeadline, type Deadline } from "./deadline.js";
import { describeEni, describeInstance } from "./ec2/describe.js";
import { isTransient } from "./ec2/map-error.js";
import type { CallContext } from "./ec2/send.js";
import { AbortedError, ConflictError, InvalidStateError, WaitTimeoutError, type EniError } from "./errors.js";
import { attachmentOf, describeState } from "./model.js";
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
   * The operation's deadline: it ends with a `WaitTimeoutError` at most one poll (`maxDelay`)
   * after this many seconds, and a request still in flight then is abandoned.
   * @default 300 for attach and in-use waits; 600 for detach, available waits, moves and a delete with
   * `detachFirst`; 120 for create and delete; 60 for the read-back of the address, attribute and tag methods
   */
  readonly maxWaitTime?: number | undefined;
  /**
   * The delay between checks while a transition may be ending, in seconds: each check comes this
   * long after the last one answered, so a finished attach or detach is noticed within it and a
   * round trip. Right after its own detach or attach, eni-kit first waits 4 or 2 of these (EC2 is
   * never done sooner); a wait you start checks at once. Delays grow past it only in a wait that
   * has run long (past 40 of these). Many waits on one client share their reads.
   * @default 0.3
   */
  readonly minDelay?: number | undefined;
  /**
   * The longest delay between checks, in seconds, reached only in a wait that has run long (a
   * fortieth of the time waited so far); also how often an attach wait reads its target instance.
   * @default 1
   */
  readonly maxDelay?: number | undefined;
  /** Stops the wait (and any request in flight) with an `AbortedError`. */
  readonly abortSignal?: AbortSignal | undefined;
}

/** Wait options with every default filled in, as checked before an operation starts. */
export interface WaitPlan {
  readonly maxWaitTime: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  /** The caller's signal. */
  readonly abortSignal: AbortSignal | undefined;
}

/**
 * A running operation's context: its timing plan, its deadline, the deadline's signal (which
 * aborts a request still in flight when time is up), and the hooks every request reports to. Passed
 * as `context` to every request and wait of the operation. (Not the public `wait` option, a flag
 * that says whether to wait at all.)
 */
export interface OperationContext extends CallContext {
  readonly maxWaitTime: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly deadline: Deadline;
  readonly abortSignal: AbortSignal;
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
// EC2 attaches and detaches in seconds: a check each 0.3 s after the last answer keeps a
// failover within a quarter of a second of its floor at the median, with the fewest calls that
// do (`npx tsx scripts/bench/single-move.ts --trade-off …`, docs/performance.md).
const DEFAULT_MIN_DELAY = 0.3;
const DEFAULT_MAX_DELAY = 1;

/**
 * How long after EC2 accepts our attach or detach its wait reads nothing, in `minDelay`s (by
 * default 0.6 s and 1.2 s; a caller's shorter delays, in a test on a faster clock, shorten it too).
 * EC2 applies both after it answers, as a hot-plug on the instance's host, and a graceful detach
 * also waits for the instance's OS to let the interface go: EC2 documents no figure, but both take
 * seconds (its own ENI waiter first looks after 20 s), a detach longer than an attach. A read
 * sooner would find the change under way: a call that learns nothing.
 */
const SETTLING = { attach: 2, detach: 4 } as const;

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
export function checkWait(options: CheckedWait, defaultMaxWait: number): Check<WaitPlan> {
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
export function checkWaitOptions(options: unknown, defaultMaxWait: number): Check<WaitPlan> {
  return checkOptionsWith("options", options, WAIT_OPTIONS).andThen((o) => checkWait(o, defaultMaxWait));
}

/** A positive, finite number of seconds. */
function checkSeconds(field: string, value: unknown): Check<number> {
  return typeof value === "number" && Number.isFinite(value) && value > 0
    ? ok(value)
    : invalid(field, "a positive number of seconds", value);
}

/**
 * Runs an operation under its deadline: `maxWaitTime` from now, one poll (`maxDelay`) of grace
 * for the last look, and the caller's signal. Every request and wait of `run` gets the returned
 * `OperationContext` (or one derived from it), so nothing outlives the deadline.
 */
export function timed<T>(
  plan: WaitPlan,
  what: string,
  run: (context: OperationContext) => ResultAsync<T, EniError>,
  hooks: Omit<CallContext, "abortSignal"> = {},
): ResultAsync<T, EniError> {
  return new ResultAsync(
    withDeadline(plan.maxWaitTime, plan.maxDelay * 1000, plan.abortSignal, what, (deadline) =>
      run({ ...plan, ...hooks, deadline, abortSignal: deadline.signal }),
    ),
  );
}

/** The same wait, with a soft deadline moved earlier to `at` (epoch ms); the hard stop stays the operation's. */
export function until(context: OperationContext, at: number): OperationContext {
  return { ...context, deadline: { ...context.deadline, at: Math.min(at, context.deadline.at) } };
}

/** One look at the world: finished (with a value), not yet (with what was seen), or a verdict that needs agreeing reads. */
export type Poll<T> =
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "not-yet"; readonly seen: string }
  | { readonly kind: "agreeing"; readonly value: T; readonly seen: string }
  | { readonly kind: "failing"; readonly error: EniError; readonly seen: string };

/** A finished poll. */
export const done = <T>(value: T): Poll<T> => ({ kind: "done", value });
/** An unfinished poll, remembering what was seen for the timeout message. */
export const notYet = <T>(seen: string): Poll<T> => ({ kind: "not-yet", seen });
/**
 * A poll that says the wait is done, in a state a stale read could also show (free, say, which the
 * ENI also was before its last attach): it stands only when reads agree on it (see {@link agreement}).
 */
export const agreeing = <T>(value: T, seen: string): Poll<T> => ({ kind: "agreeing", value, seen });
/**
 * A poll that says the wait has failed ("ended", "replaced", "gone"). EC2's reads are eventually
 * consistent and can go backwards, so it stands only when reads agree on it (see {@link agreement}).
 */
export const failing = <T>(error: EniError, seen: string): Poll<T> => ({ kind: "failing", error, seen });

/** The fewest reads in a row that must agree before a verdict that a stale read could fake is believed. */
export const AGREEING_READS = 2;

/**
 * Counts reads that agree on a verdict a stale read could fake. Stale reads only ever show older
 * versions of a resource, within a short window after each change, so a verdict stands once reads
 * in a row agree on it across one `maxDelay`: at least {@link AGREEING_READS}, and enough that,
 * `minDelay` apart, they span `maxDelay` (5 reads over a second by default). Counted rather than
 * timed, so a frozen test clock cannot stall it. Feed it each read's verdict (`undefined` for
 * none); it says whether the verdict stands.
 */
export function agreement(
  delays: Pick<OperationContext, "minDelay" | "maxDelay">,
): (verdict: string | undefined) => boolean {
  const needed = Math.max(AGREEING_READS, Math.ceil(delays.maxDelay / delays.minDelay) + 1);
  let current: { verdict: string; count: number } | undefined;
  return (verdict) => {
    current =
      verdict === undefined ? undefined : { verdict, count: current?.verdict === verdict ? current.count + 1 : 1 };
    return current !== undefined && current.count >= needed;
  };
}

/**
 * One step of a wait on the SDK's waiter engine: settled (with the operation's result), `again`
 * (check again on the schedule), or `stop` (end this wait without a result).
 */
type Step<T> = { readonly settled: Result<T, EniError> } | "again" | "stop";

/**
 * Runs `step` on the SDK's waiter engine, `createWaiter` from `@smithy/core/client`: the first
 * step at once, then after the schedule's delays (jittered, from `minDelay` doubling up to
 * `maxDelay`, in seconds; a wait's schedule is a steady `minDelay`, see {@link engineSchedule}),
 * until a step settles or stops, `seconds` run out or the operation's signal fires. eni-kit
 * supplies the acceptor (`step`): the coalesced reads, the typed errors, the deadline, the abort.
 * Returns the settled result, or `undefined` when the wait ended without one.
 *
 * What `createWaiter` cannot do, and what eni-kit does about it (measured in docs/performance.md):
 * - Change its delay within a wait. Its delays only grow, jittered, from `minDelay` to `maxDelay`;
 *   eni-kit's waits need a quiet start, reads `minDelay` apart where a transition may end or
 *   reads must agree, and longer delays only in a wait that has run long. So it ticks every
 *   `minDelay` and the acceptor decides which ticks read (see {@link pollUntil}).
 * - Cut its last delay to the deadline. It gives up when the next delay would pass
 *   `maxWaitTime`, without a last look; so it gets one more `maxDelay` than the operation and
 *   the acceptor decides the timeout at the first look past the deadline.
 * - Cancel a delay when the signal fires. It reports the abort at once, but its timer runs out
 *   (up to one `maxDelay`) and then calls the acceptor once more: `step` is not called once the
 *   signal has fired, so no request follows an abort.
 * - Stay quiet. It warns on the console when the reasons it is given look like HTTP 403s; it is
 *   never given one, so eni-kit never logs.
 */
async function onWaiterEngine<T>(
  signal: AbortSignal,
  schedule: { readonly minDelay: number; readonly maxDelay: number; readonly seconds: number },
  step: () => Promise<Step<T>>,
): Promise<Result<T, EniError> | undefined> {
  let settled: Result<T, EniError> | undefined;
  await createWaiter(
    {
      client: undefined,
      minDelay: schedule.minDelay,
      maxDelay: schedule.maxDelay,
      maxWaitTime: schedule.seconds,
      abortSignal: signal,
    },
    undefined,
    async () => {
      if (signal.aborted) return { state: WaiterState.ABORTED };
      const next = await step();
      if (next === "again") return { state: WaiterState.RETRY };
      if (next !== "stop") settled = next.settled;
      return { state: settled?.isOk() === true ? WaiterState.SUCCESS : WaiterState.FAILURE };
    },
  );
  return settled;
}

/** What one look of {@link pollUntil} found: a result, or whether a verdict awaits agreeing reads. */
type Look<T> = { readonly settled: Result<T, EniError> } | { readonly confirming: boolean };

/**
 * How much of the time a wait has run so far its next delay may be: a transition that ends after
 * t seconds is noticed within a fortieth of t (and within `minDelay` and a round trip, whichever
 * is longer), so the delay stays at `minDelay` through the seconds an attach or a detach takes on
 * EC2 and grows only in a wait that has run long (past 12 s by default), up to `maxDelay`.
 */
const DELAY_SHARE = 1 / 40;

/**
 * Polls `check` on the SDK's waiter engine until it is done, fails, runs out of time or is
 * aborted: the first check at once (or after `settling` times `minDelay`), then each `minDelay`
 * after the last answer, or a fortieth of the time waited so far once that is longer, up to
 * `maxDelay` ({@link DELAY_SHARE}). The engine ticks every `minDelay`; a tick before the next
 * check is due reads nothing. An `agreeing` or `failing` verdict stands only once reads agree on
 * it (see {@link agreement}): those reads come on the next ticks, `minDelay` apart. The first look
 * past the deadline that is not done ends the wait with a `WaitTimeoutError`, at most one
 * `maxDelay` after it; the deadline's signal cuts a check in flight one poll later.
 */
export function pollUntil<T>(
  waitingFor: string,
  context: OperationContext,
  check: () => ResultAsync<Poll<T>, EniError>,
  settling = 0,
): ResultAsync<T, EniError> {
  const started = Date.now();
  // Engine ticks to let pass before the next check. Counted rather than timed, so a frozen test
  // clock cannot stall a wait.
  let skip = settling;
  let lastSeen: string | undefined;
  const stands = agreement(context);
  const pastDeadline = () => Date.now() >= context.deadline.at;
  // Why the wait ended without a result: the caller's abort, or its time ran out (with what was last seen).
  const stopped = () =>
    context.abortSignal.aborted && abortReason(context.abortSignal).name === "AbortedError"
      ? new AbortedError(`Aborted while waiting for ${waitingFor}.`)
      : WaitTimeoutError.after(waitingFor, context.maxWaitTime, lastSeen);

  const look = async (): Promise<Look<T>> => {
    const polled = await check();
    if (polled.isErr()) {
      const cutOff = polled.error.name === "WaitTimeoutError" || polled.error.name === "AbortedError";
      return { settled: err(cutOff ? stopped() : polled.error) };
    }
    const result = polled.value;
    if (result.kind === "done") return { settled: ok(result.value) };
    lastSeen = result.seen;
    if (result.kind === "not-yet") {
      stands(undefined);
      return { confirming: false };
    }
    const verdict = result.kind === "failing" ? `failed: ${result.error.message}` : `done: ${result.seen}`;
    if (!stands(verdict)) return { confirming: true };
    return { settled: result.kind === "failing" ? err(result.error) : ok(result.value) };
  };

  const poll = async (): Promise<Result<T, EniError>> => {
    const settled = await onWaiterEngine<T>(context.abortSignal, engineSchedule(context), async () => {
      // Not time for a check yet; a look past the deadline is always due.
      if (skip-- > 0 && !pastDeadline()) return "again";
      const seen = await look();
      if ("settled" in seen) return seen;
      // The next check on the first tick at least that delay after this answer; reads that must
      // agree on the next tick, minDelay apart, however long the wait has run.
      const delay = Math.min(context.maxDelay, ((Date.now() - started) / 1000) * DELAY_SHARE);
      skip = seen.confirming ? 0 : Math.ceil(delay / context.minDelay) - 1;
      return pastDeadline() ? { settled: err(stopped()) } : "again";
    });
    return settled ?? err(stopped());
  };
  return new ResultAsync(poll());
}

/**
 * The engine's schedule for a wait under the operation's deadline: a tick every `minDelay`, the
 * acceptor deciding which ticks read. Its own time limit is one `maxDelay` past the deadline, so it
 * never ends a wait before the acceptor has looked past the deadline.
 */
function engineSchedule(context: OperationContext) {
  const { minDelay } = context;
  return {
    minDelay,
    maxDelay: minDelay,
    seconds: Math.max(0, context.deadline.at - Date.now()) / 1000 + 2 * context.maxDelay,
  };
}

/**
 * How many refusals EC2 may give for a moment ("in use" right after a detach, a device index
 * still taken) a mutating call takes before it gives up: with the backoff, about half a minute.
 */
export const MAX_REFUSALS = 8;

/**
 * The retry schedule of a mutating call, in seconds, for the waiter engine: from twice `minDelay`,
 * doubling up to eight times `maxDelay` (0.6 s, then up to 1.2 s, 2.4 s… 8 s by default), jittered so
 * a fleet of retries spreads out. A long outage costs a request every few seconds, not every poll.
 */
export function retrySchedule(delays: Pick<OperationContext, "minDelay" | "maxDelay">): {
  minDelay: number;
  maxDelay: number;
} {
  return { minDelay: 2 * delays.minDelay, maxDelay: 8 * delays.maxDelay };
}

/** What {@link retrying} does with one failure: give up, or try again (saying why). */
export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly reason: string };

/**
 * Sends a mutating request on the SDK's waiter engine, and sends it again with backoff
 * ({@link retrySchedule}) while its failure is transient (throttling, a 5xx, `RequestExpired`) or
 * `retryable` says so, until the deadline leaves no time for another try. The last failure is
 * returned as is. The wait's `onRetry` is told of each retry, and why, as it is sent.
 */
export function retrying<T>(
  context: OperationContext,
  attempt: () => ResultAsync<T, EniError>,
  retryable?: (error: EniError) => RetryDecision | PromiseLike<RetryDecision>,
): ResultAsync<T, EniError> {
  let last: Result<T, EniError> | undefined;
  let retryReason: string | undefined;
  const step = async (): Promise<Step<T>> => {
    if (retryReason !== undefined) context.onRetry?.(retryReason);
    const result = await attempt();
    last = result;
    if (result.isOk()) return { settled: result };
    const error = result.error;
    const decision: RetryDecision = isTransient(error)
      ? { retry: true, reason: `${error.code ?? error.name}` }
      : ((await retryable?.(error)) ?? { retry: false });
    if (!decision.retry) return { settled: result };
    retryReason = decision.reason;
    return "again";
  };
  const run = async (): Promise<Result<T, EniError>> => {
    const schedule = retrySchedule(context);
    const seconds = (context.deadline.at - Date.now()) / 1000;
    // No time left for a retry (nor a schedule the engine accepts): one try, its result as is.
    if (seconds <= schedule.minDelay) return attempt();
    const settled = await onWaiterEngine(context.abortSignal, { ...schedule, seconds }, step);
    if (settled !== undefined) return settled;
    // Out of time for another try: the last failure as is; aborted: why.
    return context.abortSignal.aborted || last === undefined ? err(abortReason(context.abortSignal)) : last;
  };
  return new ResultAsync(run());
}

/** Reads one ENI within the operation's deadline, riding out throttling and 5xx as a wait does. */
export function readEniWithin(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
): ResultAsync<NetworkInterface, EniError> {
  return retrying(context, () => describeEni(ec2, id, context));
}

/** Reads one instance within the operation's deadline, riding out throttling and 5xx. */
export function readInstanceWithin(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
): ResultAsync<Instance, EniError> {
  return retrying(context, () => describeInstance(ec2, id, context));
}

/**
 * One stale read must not decide that an operation has nothing to do (the ENI already on the
 * target, already detached, the value already set): when `first` says so, the ENI is read again
 * until reads agree across one `maxDelay` (see {@link agreeNothingToDo}), and the caller decides
 * again from the last read. Costs reads only on that path.
 */
export function confirmNoOp(
  ec2: EC2Client,
  first: NetworkInterface,
  context: OperationContext,
  isNoOp: (ni: NetworkInterface) => boolean,
): ResultAsync<NetworkInterface, EniError> {
  if (!isNoOp(first)) return okAsync(first);
  return agreeNothingToDo(ec2, first.NetworkInterfaceId ?? "", context, (ni) =>
    okAsync(isNoOp(ni) ? undefined : ni),
  ).map(({ ni }) => ni);
}

/**
 * Reads the ENI until `decide` finds something to do (`todo`) on a read, or reads agree across one
 * `maxDelay` that there is nothing (see {@link agreement}): a stale read can show an older state,
 * the very one an operation wants (free before an attach, no address before an associate), and
 * stale reads only last a moment. Returns the last read, and what to do (`undefined`: nothing).
 */
export function agreeNothingToDo<T>(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
  decide: (ni: NetworkInterface) => ResultAsync<T | undefined, EniError>,
): ResultAsync<{ ni: NetworkInterface; todo: T | undefined }, EniError> {
  return pollUntil(`reads of ${id} to agree there is nothing to do`, context, () =>
    pollEni(ec2, id, context, (ni) =>
      decide(ni).map((todo) =>
        todo === undefined ? agreeing({ ni, todo }, `${describeState(ni)}, nothing to do`) : done({ ni, todo }),
      ),
    ),
  );
}

/** Reads the ENI; NotFound becomes a verdict to confirm (or "not visible yet" for an id just made). */
function pollEni<T>(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
  judge: (ni: NetworkInterface) => Poll<T> | ResultAsync<Poll<T>, EniError>,
  { visibleSoon = false }: Pick<EniWaitOptions, "visibleSoon"> = {},
): ResultAsync<Poll<T>, EniError> {
  return describeEni(ec2, id, context)
    .andThen((ni) => {
      const poll = judge(ni);
      return poll instanceof ResultAsync ? poll : okAsync(poll);
    })
    .orElse((error) => {
      if (error.name === "NotFoundError")
        return ok(visibleSoon ? notYet<T>("not visible yet") : failing<T>(error, "not found"));
      // One throttled or failed read must not fail a wait that still has time left.
      return isTransient(error) ? ok(notYet<T>(`read failed: ${error.code ?? error.name}`)) : err(error);
    });
}

/** How {@link waitForEni} decides. */
export interface EniWaitOptions {
  /** The id was just created: NotFound means "not visible yet", not gone. */
  readonly visibleSoon?: boolean | undefined;
  /**
   * The accepted state is one the ENI was also in a moment ago (free, say, before an attach): a
   * stale read could show it, so reads must agree (see {@link agreement}).
   */
  readonly agreeing?: boolean | undefined;
  /** `minDelay`s without a read first: a change just asked for cannot be done sooner ({@link SETTLING}). */
  readonly settling?: number | undefined;
}

/**
 * Polls one ENI until `accept` says done. NotFound fails the wait once reads agree, unless
 * `visibleSoon` says the id was just created and EC2 may not show it yet (its eventual consistency).
 */
export function waitForEni(
  ec2: EC2Client,
  id: string,
  waitingFor: string,
  context: OperationContext,
  accept: (ni: NetworkInterface) => boolean,
  options: EniWaitOptions = {},
): ResultAsync<NetworkInterface, EniError> {
  return pollUntil(
    `${id} to be ${waitingFor}`,
    context,
    () =>
      pollEni(
        ec2,
        id,
        context,
        (ni) => {
          if (!accept(ni)) return notYet(describeState(ni));
          return options.agreeing === true ? agreeing(ni, `${describeState(ni)} (confirming)`) : done(ni);
        },
        options,
      ),
    options.settling,
  );
}

/** Waits until EC2 no longer reports the ENI (after a delete). */
export function waitUntilGone(ec2: EC2Client, id: string, context: OperationContext): ResultAsync<void, EniError> {
  return pollUntil(`${id} to be deleted`, context, () =>
    describeEni(ec2, id, context)
      .map((ni) => notYet<void>(describeState(ni)))
      .orElse((error) => (error.name === "NotFoundError" ? okAsync(done(undefined)) : err(error))),
  );
}

/** Waits until the ENI's status is `available` (detached and free to attach). */
export function waitUntilAvailable(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
): ResultAsync<NetworkInterface, EniError> {
  // Free is also what the ENI was before its last attach: reads must agree.
  return waitForEni(ec2, id, "available", context, (ni) => ni.Status === "available", { agreeing: true });
}

/** The attachment an in-use wait follows, when known. */
export interface AttachmentWatch {
  /** The attachment to see attached. */
  readonly attachmentId: string;
  /** Its instance, watched too: one going away ends the wait. */
  readonly instanceId: string;
  /** An attachment just ended (the source of a move): a read that still shows it is stale, not a replacement. */
  readonly previous?: string | undefined;
  /** EC2 has just accepted our attach: the first read waits for it to settle ({@link SETTLING}). */
  readonly justAttached?: boolean | undefined;
}

/** Instance states from which an attach can never complete. */
const GOING_AWAY = ["shutting-down", "terminated"];

/**
 * Waits until the ENI is `in-use` with its attachment `attached`. Without a known attachment it
 * follows the first one it sees, and its instance too, read at most once per `maxDelay` (in the
 * same batch as the ENI's read), and never more than `maxDelay` before a read that shows the ENI
 * attached. It fails fast when that instance is shutting down or terminated, or the
 * attachment starts detaching (`InvalidStateError`: states that only move forward, so one read is
 * a fact), and, once reads agree, when the attachment ends (`InvalidStateError`) or another
 * attachment replaces it (`ConflictError`: someone else attached the ENI). A missing attachment
 * not yet seen is waited out: right after an attach, EC2's reads may not show it.
 */
export function waitUntilInUse(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
  watch?: AttachmentWatch,
): ResultAsync<NetworkInterface, EniError> {
  let followed = watch;
  let seen = false;
  // The latest read of the followed attachment's instance: `undefined` until read, `null` if EC2 no longer knows it.
  let instanceState: string | null | undefined;
  // When that instance was last read (epoch ms).
  let instanceReadAt = -Infinity;
  const what = watch === undefined ? "in-use" : `in-use on attachment ${watch.attachmentId}`;
  const judge = (ni: NetworkInterface): Result<Poll<NetworkInterface>, EniError> => {
    const state = describeState(ni);
    const attachment = attachmentOf(ni);
    if (followed !== undefined && instanceState !== undefined) {
      const message = `Instance ${followed.instanceId} is ${instanceState ?? "gone"}: the attachment of ${id} cannot complete.`;
      if (instanceState === null)
        return ok(failing(new InvalidStateError(message, { resourceId: followed.instanceId, state: "gone" }), state));
      if (GOING_AWAY.includes(instanceState))
        return err(new InvalidStateError(message, { resourceId: followed.instanceId, state: instanceState }));
    }
    if (attachment?.AttachmentId === undefined) {
      if (followed === undefined || !seen) return ok(notYet(seen ? state : `${state} (attachment not visible yet)`));
      const message = `Attachment ${followed.attachmentId} of ${id} to ${followed.instanceId} ended while waiting for it.`;
      return ok(failing(new InvalidStateError(message, { resourceId: id, state: "detached" }), state));
    }
    followed ??= { attachmentId: attachment.AttachmentId, instanceId: attachment.InstanceId ?? "" };
    if (attachment.AttachmentId === followed.previous) return ok(notYet(`${state} (a stale read)`));
    if (attachment.AttachmentId !== followed.attachmentId) {
      const message = `Attachment ${followed.attachmentId} of ${id} was replaced by ${attachment.AttachmentId} (to ${attachment.InstanceId}) while waiting for it: someone else attached it.`;
      return ok(
        failing(new ConflictError(message, { expected: followed.instanceId, actual: attachment.InstanceId }), state),
      );
    }
    seen = true;
    if (attachment.Status === "detaching" || attachment.Status === "detached") {
      const message = `Attachment ${followed.attachmentId} of ${id} to ${followed.instanceId} is ${attachment.Status} while waiting for it to be attached.`;
      return err(new InvalidStateError(message, { resourceId: id, state: attachment.Status }));
    }
    return ok(ni.Status === "in-use" && attachment.Status === "attached" ? done(ni) : notYet(state));
  };
  const readInstance = () => {
    const instanceId = followed?.instanceId;
    if (instanceId === undefined || instanceId === "") return okAsync(undefined);
    instanceReadAt = Date.now();
    return (
      describeInstance(ec2, instanceId, context)
        .map((found) => (instanceState = found.State?.Name ?? "unknown"))
        // A failed read of it only skips that check.
        .orElse((error) => ok(error.name === "NotFoundError" ? (instanceState = null) : undefined))
    );
  };
  return pollUntil(
    `${id} to be ${what}`,
    context,
    () =>
      ResultAsync.combine([
        pollEni(ec2, id, context, done),
        // With the ENI (one batched call per kind) once its last read is maxDelay old: a target
        // going away fails the wait within about a second, at about a call per second.
        Date.now() - instanceReadAt >= context.maxDelay * 1000 ? readInstance() : okAsync(undefined),
      ])
        .andThen(([read]) => (read.kind === "done" ? judge(read.value) : ok(read)))
        .andThen((verdict) =>
          // Attached, its instance not read yet (the attachment was not known before this read):
          // read it first, so a target that is going away is not reported as the ENI's new home.
          verdict.kind === "done" && instanceState === undefined
            ? readInstance().andThen(() => judge(verdict.value))
            : okAsync(verdict),
        ),
    watch?.justAttached === true ? SETTLING.attach : 0,
  );
}

/**
 * How long after an attach a read may still show the ENI free from before it. EC2 documents no
 * bound for its eventual consistency; it settles within seconds.
 */
const RECENT_MS = 10_000;

/**
 * Waits until the given attachment is gone, right after its detach was asked for (so the first
 * read waits for it to settle, {@link SETTLING}): the ENI is detached from that instance. EC2
 * usually drops a finished attachment rather than showing it `detached`. If the attachment is recent (`attachedAt` within seconds), free is also what a stale read could show
 * from before it, so reads must agree; the floating ENI of a failover, attached long ago, is
 * believed free on the first read that shows it.
 */
export function waitUntilDetached(
  ec2: EC2Client,
  id: string,
  context: OperationContext,
  attachment: { readonly id: string; readonly attachedAt: Date | undefined },
): ResultAsync<NetworkInterface, EniError> {
  const recent = attachment.attachedAt === undefined || Date.now() - attachment.attachedAt.getTime() < RECENT_MS;
  return waitForEni(
    ec2,
    id,
    `detached from attachment ${attachment.id}`,
    context,
    // Another attachment (or none) means ours is gone.
    (ni) =>
      ni.Attachment?.AttachmentId !== attachment.id || ni.Attachment.Status === "detached" || ni.Status === "available",
    { agreeing: recent, settling: SETTLING.detach },
  );
}
