import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { abortReason, withDeadline } from "../deadline.js";
import { describeEni } from "../ec2/describe.js";
import { type CallContext } from "../ec2/send.js";
import { ConflictError, MoveFailedError, ValidationError, type EniError } from "../errors.js";
import { attachmentOf, describeState, liveAttachment, toEniState } from "../model.js";
import {
  checkBoolean,
  checkId,
  checkIndex,
  checkOptionsWith,
  checkPlacement,
  refuse,
  type OptionCheck,
} from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  agreeing,
  checkWait,
  done,
  notYet,
  pollUntil,
  readInstanceWithin,
  retrying,
  timed,
  until,
  waitUntilInUse,
  type OperationContext,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";

import { checkCallback, openEventLog } from "../steps/events.js";
import { holdEni } from "../steps/ownership.js";
import { PLACEMENT_OPTIONS, preflight, type Slot } from "../steps/target.js";
import { attachAt, lostRace } from "../steps/attach-at.js";
import { checkDetachable, detachFrom } from "../steps/detach-from.js";
import type { ApiCall, EniEvent, MoveEvent, MovePhase, MoveReport, MoveSource } from "../model.js";

/**
 * How `moveTo` moves.
 *
 * @example
 * ```ts
 * const options: MoveOptions = { expectedFrom: "i-0aaaaaaaaaaaaaaa1", forceAfter: 30, deviceIndex: "same" };
 * ```
 */
export interface MoveOptions extends WaitOptions {
  /**
   * The fence: the instance id (or attachment id) the ENI must come from. The move starts only if
   * the ENI is attached there, or, for an instance id, if the ENI is `available` and that
   * instance no longer runs (stopping, stopped, shutting down, terminated, or gone): the failover
   * from a dead primary. Anything else stops it with a `ConflictError` before any change. Set it
   * whenever two controllers might move the same ENI.
   */
  readonly expectedFrom?: string | undefined;
  /**
   * Force the detach at once. A forced detach may leave the source's OS unaware of it, and EC2
   * warns the device index may not be reusable until that instance stops.
   * @default false
   */
  readonly force?: boolean | undefined;
  /**
   * Detach gracefully, and force only if that has not finished after this many seconds.
   * Cannot be combined with `force`.
   */
  readonly forceAfter?: number | undefined;
  /**
   * The device index on the target; `"same"` keeps the source's (the lowest free one when the
   * source's is unknown: an ENI released by a dead instance).
   * @default the lowest free index from 1
   */
  readonly deviceIndex?: number | "same" | undefined;
  /**
   * The network card on the target.
   * @default 0
   */
  readonly networkCardIndex?: number | undefined;
  /**
   * `DeleteOnTermination` of the new attachment.
   * @default the source attachment's (an ENI moved off an instance keeps how it was treated there); false for an ENI that was free
   */
  readonly deleteOnTermination?: boolean | undefined;
  /**
   * If the attach to the target fails for good, re-attach the ENI to its source (when the source
   * still runs and the ENI is still free). Part of `maxWaitTime` is kept for it.
   * @default true
   */
  readonly rollback?: boolean | undefined;
  /** Told of each phase, API call, state change and retry. Its exceptions are ignored. */
  readonly onEvent?: ((event: MoveEvent) => void) | undefined;
}

/** A checked `moveTo` request. */
export interface ParsedMove {
  /** The target instance. */
  readonly instanceId: string;
  readonly expectedFrom: string | undefined;
  readonly force: boolean;
  readonly forceAfter: number | undefined;
  readonly deviceIndex: number | "same" | undefined;
  /** Whether the caller chose the device index. */
  readonly pinned: boolean;
  readonly networkCardIndex: number;
  readonly deleteOnTermination: boolean | undefined;
  readonly rollback: boolean;
  readonly onEvent: ((event: MoveEvent) => void) | undefined;
  readonly plan: WaitPlan;
}

/** How long a move's lease outlives its deadline: clocks of other hosts may run behind. */
const LEASE_MARGIN_MS = 5 * 60_000;
/** The share of `maxWaitTime` a throttled lease may take before the move goes on without it, at most {@link MAX_LEASE_WAIT_MS}. */
const LEASE_WAIT_SHARE = 0.1;
const MAX_LEASE_WAIT_MS = 10_000;
/** The share of `maxWaitTime` kept for a rollback, at most {@link MAX_ROLLBACK_RESERVE_MS}. */
const ROLLBACK_SHARE = 0.25;
const MAX_ROLLBACK_RESERVE_MS = 60_000;
/** The instance states from which a fenced move of a free ENI may start: its source no longer runs. */
const RUNNING = ["pending", "running"];

// The fence names an instance or, more precisely, one attachment.
const checkFenceId: OptionCheck<string> = (field, value) =>
  checkId(field, value, typeof value === "string" && value.startsWith("eni-attach-") ? "eni-attach" : "i");

const checkDeviceIndex: OptionCheck<number | "same"> = (field, value) =>
  value === "same" ? ok(value) : checkIndex(field, value);

export function parseMove(instanceId: unknown, options: unknown): Result<ParsedMove, ValidationError> {
  return safeTry(function* () {
    const o = yield* checkOptionsWith("options", options, {
      expectedFrom: [checkFenceId],
      force: [checkBoolean, false],
      // A number of seconds, checked as the wait options are; that it is below `maxWaitTime` comes after.
      forceAfter: WAIT_OPTIONS.maxWaitTime,
      deviceIndex: [checkDeviceIndex],
      ...PLACEMENT_OPTIONS,
      rollback: [checkBoolean, true],
      onEvent: [checkCallback<(event: MoveEvent) => void>()],
      ...WAIT_OPTIONS,
    });
    const plan = yield* checkWait(o, DEFAULT_MAX_WAIT.move);
    const { forceAfter } = o;
    if (forceAfter !== undefined) {
      if (o.force)
        yield* refuse(
          "forceAfter",
          "Give either `force` (force at once) or `forceAfter` (force if still detaching), not both.",
        );
      if (forceAfter >= plan.maxWaitTime) {
        yield* refuse(
          "forceAfter",
          `Expected \`forceAfter\` (${forceAfter}) to be below \`maxWaitTime\` (${plan.maxWaitTime}).`,
        );
      }
    }
    if (o.deviceIndex !== "same") yield* checkPlacement(o.deviceIndex, o.networkCardIndex);
    return ok({
      ...o,
      instanceId: yield* checkId("instanceId", instanceId, "i"),
      pinned: o.deviceIndex !== undefined,
      plan,
    });
  });
}

/** Mutating actions whose success means the move changed where the ENI is (tags do not). */
const MOVING_ACTIONS = ["DetachNetworkInterface", "AttachNetworkInterface"];

/** Opens the move's books: phases, calls, retries, state changes, on its event log. */
function openBook(eniId: string, request: ParsedMove) {
  const { instanceId: to } = request;
  const log = openEventLog<MovePhase, Exclude<MoveEvent, EniEvent<MovePhase>>>(eniId, request.onEvent, "preflight");
  const started = Date.now();
  const phases: { phase: MovePhase; ok: boolean; durationMs: number }[] = [];
  const callsByAction: Record<string, number> = {};
  let apiCalls = 0;
  const book = {
    emit: log.emit,
    /** The last description of the ENI read during the move, and when: where it is, if a final read fails. */
    lastSeen: undefined as { ni: NetworkInterface; at: Date } | undefined,
    retries: 0,
    forced: false,
    leased: false,
    /** Whether a detach or attach of ours has gone through: from then on a failure is a MoveFailedError. */
    changed: false,
    from: undefined as MoveSource | undefined,

    /** What every request and wait of the move reports to: counted here, told to the log. */
    context: {
      onCall: (call: ApiCall) => {
        apiCalls += 1;
        callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
        if (call.outcome === "ok" && MOVING_ACTIONS.includes(call.action)) book.changed = true;
        log.context.onCall(call);
      },
      onState: (ni: NetworkInterface) => {
        book.lastSeen = { ni, at: new Date() };
        log.context.onState(ni);
      },
      onRetry: (reason: string) => {
        book.retries += 1;
        log.context.onRetry(reason);
      },
    } satisfies CallContext,

    /** Runs one phase, timing it for the report and telling the log. */
    async phase<T, E>(phase: MovePhase, run: () => PromiseLike<Result<T, E>>): Promise<Result<T, E>> {
      const phaseStarted = Date.now();
      const result = await log.phase(phase, run);
      phases.push({ phase, ok: result.isOk(), durationMs: Date.now() - phaseStarted });
      return result;
    },

    /** The finished report, made once at the end of the move; also told to `onEvent` as the last event. */
    close(outcome: MoveReport["outcome"]): MoveReport {
      const report: MoveReport = {
        eniId,
        from: book.from,
        to,
        outcome,
        phases,
        apiCalls,
        callsByAction,
        retries: book.retries,
        forced: book.forced,
        leased: book.leased,
        durationMs: Date.now() - started,
      };
      log.emit({ type: "done", eniId, report });
      return report;
    },
  };
  return book;
}

type MoveBook = ReturnType<typeof openBook>;

/** The result of a successful move: where the ENI is now, and how it got there. */
export interface Moved {
  readonly ni: NetworkInterface;
  readonly report: MoveReport;
}

/** How a move ended, before its report is closed. */
type Ending =
  | { readonly kind: "ok"; readonly outcome: "moved" | "already-there"; readonly ni: NetworkInterface }
  | { readonly kind: "refused"; readonly error: EniError }
  | {
      readonly kind: "failed";
      readonly phase: "detach" | "attach";
      readonly reason: EniError;
      readonly rollback?: RollbackEnding | undefined;
    };

/** What a rollback did: put the ENI back, failed (with why), or was not tried (with why). */
type RollbackEnding =
  | { readonly kind: "back" }
  | { readonly kind: "failed"; readonly error: EniError }
  | { readonly kind: "skipped"; readonly why: string };

/**
 * Moves an ENI to another instance: preflight from reads, fence, lease, detach (graceful, forced,
 * or forced after a delay), attach with retries, and rollback to the source if the attach fails
 * for good. Refusals before any change are their own typed errors; a failure after a change is a
 * `MoveFailedError` that says where the ENI ended up. The whole move ends within its
 * `maxWaitTime` and one poll.
 */
export function moveEni(ec2: EC2Client, eniId: string, request: ParsedMove): ResultAsync<Moved, EniError> {
  const book = openBook(eniId, request);
  return timed(
    request.plan,
    `${eniId} to move to ${request.instanceId}`,
    (context) =>
      new ResultAsync(
        runMove(ec2, eniId, request, book, context).then((ending) => finish(ec2, eniId, ending, book, context)),
      ),
    book.context,
  );
}

async function runMove(
  ec2: EC2Client,
  eniId: string,
  request: ParsedMove,
  book: MoveBook,
  context: OperationContext,
): Promise<Ending> {
  // Preflight: the ENI, the target and the fence's instance in one batch of reads (the instance
  // type's limits are cached per client); no change. The fence's instance matters only if the ENI is free.
  const fence = request.expectedFrom;
  const fenceInstance =
    fence?.startsWith("i-") === true
      ? readInstanceWithin(ec2, fence, context)
          .map((instance) => instance.State?.Name ?? "unknown")
          .orElse((error) => (error.name === "NotFoundError" ? ok("gone") : err(error)))
      : undefined;
  const checked = await book.phase("preflight", () =>
    preflight(ec2, eniId, request, context, (ni) =>
      admitMove(ni, request, fenceInstance).map(({ deviceIndex, from }) => {
        book.from = from;
        return deviceIndex;
      }),
    ).andThen((admitted) =>
      admitted.slot === undefined ? okAsync(admitted) : lease(ec2, admitted.ni, book, context).map(() => admitted),
    ),
  );
  if (checked.isErr()) return { kind: "refused", error: checked.error };
  const { ni, slot } = checked.value;
  if (slot === undefined) return alreadyThere(ec2, eniId, ni, context);
  return detachThenAttach(ec2, ni, slot, request, book, context);
}

/**
 * Marks the ENI as held before the move changes it. A reaper in any process re-reads an ENI just
 * before it deletes it, so the lease must be there before the detach can free the ENI: written in
 * parallel, a throttled lease would let a reaper delete the ENI mid-failover. Throttling and 5xx
 * are ridden out for a short while ({@link MAX_LEASE_WAIT_MS}); after that, or when tagging is
 * refused (no `ec2:CreateTags`), the failover goes on without the lease, and its report says so.
 */
function lease(
  ec2: EC2Client,
  ni: NetworkInterface,
  book: MoveBook,
  context: OperationContext,
): ResultAsync<void, never> {
  const budget = until(
    context,
    Date.now() + Math.min(MAX_LEASE_WAIT_MS, context.maxWaitTime * 1000 * LEASE_WAIT_SHARE),
  );
  return retrying(budget, () => holdEni(ec2, ni, budget, new Date(context.deadline.at + LEASE_MARGIN_MS)))
    .map((held) => {
      book.leased = held;
    })
    .orElse(() => ok(undefined));
}

/** Already on the target: nothing to change, at most an attach under way to wait for. */
async function alreadyThere(
  ec2: EC2Client,
  eniId: string,
  ni: NetworkInterface,
  context: OperationContext,
): Promise<Ending> {
  const current = attachmentOf(ni);
  if (current?.Status === "attached") return { kind: "ok", outcome: "already-there", ni };
  const settled = await waitUntilInUse(
    ec2,
    eniId,
    context,
    current && { attachmentId: current.AttachmentId ?? "", instanceId: current.InstanceId ?? "" },
  );
  return settled.isOk()
    ? { kind: "ok", outcome: "already-there", ni: settled.value }
    : { kind: "refused", error: settled.error };
}

async function detachThenAttach(
  ec2: EC2Client,
  ni: NetworkInterface,
  slot: Slot,
  request: ParsedMove,
  book: MoveBook,
  context: OperationContext,
): Promise<Ending> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const source = book.from?.kind === "attached" ? book.from : undefined;
  if (source !== undefined) {
    const detached = await book.phase("detach", () => detachForMove(ec2, ni, request, book, context));
    if (detached.isErr()) {
      return book.changed
        ? { kind: "failed", phase: "detach", reason: detached.error }
        : { kind: "refused", error: detached.error };
    }
    const holder = liveAttachment(detached.value);
    if (holder !== undefined) {
      // Someone attached it between our detach and our attach: they won the race.
      if (holder.InstanceId === request.instanceId) return { kind: "ok", outcome: "already-there", ni: detached.value };
      return { kind: "refused", error: lostRace(eniId, request.instanceId, holder.InstanceId) };
    }
  }

  // Attach to the target, keeping part of the deadline for a rollback if one is possible.
  const canRollBack = request.rollback && source !== undefined;
  const reserve = canRollBack ? Math.min(MAX_ROLLBACK_RESERVE_MS, context.maxWaitTime * 1000 * ROLLBACK_SHARE) : 0;
  const attach = {
    ...request,
    // The source attachment's setting carries over, unless the caller said otherwise.
    deleteOnTermination: request.deleteOnTermination ?? (source?.deleteOnTermination === true ? true : undefined),
  };
  const attached = await book.phase("attach", () =>
    attachAt(ec2, ni, slot, attach, until(context, context.deadline.at - reserve)),
  );
  if (attached.isOk()) return { kind: "ok", outcome: "moved", ni: attached.value };
  const reason = attached.error;
  // Nothing of ours went through (the ENI was free and stays free), or another controller won.
  if (!book.changed || reason.name === "ConflictError") return { kind: "refused", error: reason };
  // The move's signal fired (the caller's abort, which means "stop", or the move's hard stop): no rollback.
  if (!canRollBack || context.abortSignal.aborted) return { kind: "failed", phase: "attach", reason };
  const rolled = await book.phase("rollback", () => rollBack(ec2, eniId, request.instanceId, source, book, context));
  if (rolled.isOk() && rolled.value.kind === "late") return { kind: "ok", outcome: "moved", ni: rolled.value.ni };
  return { kind: "failed", phase: "attach", reason, rollback: rolled.isOk() ? { kind: "back" } : rolled.error };
}

/**
 * Puts the ENI back on its source after a failed attach, once reads agree on where it is, and
 * only if it is free: a late success of our attach (attached to a target that still runs) is
 * success, and an ENI someone else attached is theirs (a backend that accepts a double attach
 * would let us take it from them). An ENI still held by a target that is going away is waited
 * for: its termination frees it.
 */
function rollBack(
  ec2: EC2Client,
  eniId: string,
  target: string,
  source: Extract<MoveSource, { kind: "attached" }>,
  book: MoveBook,
  context: OperationContext,
): ResultAsync<{ readonly kind: "back" | "late"; readonly ni: NetworkInterface }, RollbackEnding> {
  const unreadable = (error: EniError): RollbackEnding => ({
    kind: "skipped",
    why: `its state could not be read (${error.name}: ${error.message})`,
  });
  return readInstanceWithin(ec2, target, context)
    .map((instance) => RUNNING.includes(instance.State?.Name ?? "") || instance.State?.Name === "stopped")
    .orElse((error) => (error.name === "NotFoundError" ? ok(false) : err(error)))
    .andThen((targetAlive) =>
      settledWhere(ec2, eniId, context, {
        sourceAttachment: source.attachmentId,
        dyingTarget: targetAlive ? undefined : target,
      }),
    )
    .mapErr(unreadable)
    .andThen((now) => {
      const holder = liveAttachment(now);
      // Late success: the attach we gave up on went through after all.
      if (holder?.InstanceId === target) return okAsync({ kind: "late" as const, ni: now });
      if (holder !== undefined) {
        return errAsync<never, RollbackEnding>({
          kind: "skipped",
          why: `it is attached to ${holder.InstanceId} by someone else`,
        });
      }
      return backHome(ec2, now, source, book, context).map((ni) => ({ kind: "back" as const, ni }));
    });
}

/**
 * Reads where the ENI has settled before a rollback decides anything: reads must agree that it
 * is free; an attachment in transition (attaching, detaching), or held by a target that is going
 * away, is waited out; and the source attachment a stale read may still show is not believed.
 */
function settledWhere(
  ec2: EC2Client,
  eniId: string,
  context: OperationContext,
  known: { readonly sourceAttachment: string; readonly dyingTarget: string | undefined },
): ResultAsync<NetworkInterface, EniError> {
  return pollUntil(`${eniId} to settle before a rollback`, context, () =>
    describeEni(ec2, eniId, context).map((ni) => {
      const attachment = attachmentOf(ni);
      const state = describeState(ni);
      // Free is also what it was before our attach: reads must agree.
      if (attachment === undefined) return agreeing(ni, `${state} (confirming)`);
      const settling =
        attachment.AttachmentId === known.sourceAttachment ||
        attachment.Status !== "attached" ||
        attachment.InstanceId === known.dyingTarget;
      return settling ? notYet(state) : done(ni);
    }),
  );
}

/** The rollback's attach: back to the source's old device index, if the source can still take the ENI. */
function backHome(
  ec2: EC2Client,
  ni: NetworkInterface,
  source: Extract<MoveSource, { kind: "attached" }>,
  book: MoveBook,
  context: OperationContext,
): ResultAsync<NetworkInterface, RollbackEnding> {
  return readInstanceWithin(ec2, source.instanceId, context)
    .mapErr((error): RollbackEnding => ({ kind: "failed", error }))
    .andThen((instance) => {
      const state = instance.State?.Name ?? "unknown";
      if (state !== "running" && state !== "stopped") {
        return errAsync<NetworkInterface, RollbackEnding>({
          kind: "skipped",
          why: `its source ${source.instanceId} is ${state}`,
        });
      }
      // Its old index, where the source's OS expects it; if that was taken meanwhile, another is chosen.
      const home = { deviceIndex: source.deviceIndex, networkCardIndex: source.networkCardIndex };
      const back = {
        instanceId: source.instanceId,
        deleteOnTermination: source.deleteOnTermination || undefined,
      };
      return attachAt(ec2, ni, home, back, context).mapErr((error): RollbackEnding => ({ kind: "failed", error }));
    });
}

/**
 * The move's own preflight checks, for an ENI not already on the target (which is success
 * whatever the fence says: the world is as the caller wants it): never another service's ENI or a
 * primary; the fence; and the device index asked for. Says where the ENI comes from.
 */
function admitMove(
  ni: NetworkInterface,
  request: ParsedMove,
  fenceInstance: ResultAsync<string, EniError> | undefined,
): ResultAsync<Admitted, EniError> {
  const eniId = ni.NetworkInterfaceId;
  const current = attachmentOf(ni);
  const expected = request.expectedFrom;
  const conflict = (where: string, actual: string) =>
    errAsync<Admitted, EniError>(
      new ConflictError(`Expected ${eniId} to come from ${expected}, but it is ${where}; nothing was changed.`, {
        expected,
        actual,
      }),
    );
  return checkDetachable(ni).asyncAndThen((): ResultAsync<Admitted, EniError> => {
    if (current !== undefined) {
      const actual = expected?.startsWith("eni-attach-") === true ? current.AttachmentId : current.InstanceId;
      if (expected !== undefined && actual !== expected) return conflict(`attached to ${actual}`, actual ?? "unknown");
      const from: MoveSource = {
        kind: "attached",
        instanceId: current.InstanceId ?? "",
        attachmentId: current.AttachmentId ?? "",
        deviceIndex: current.DeviceIndex ?? 0,
        networkCardIndex: current.NetworkCardIndex ?? 0,
        deleteOnTermination: current.DeleteOnTermination ?? false,
      };
      const deviceIndex = request.deviceIndex === "same" ? current.DeviceIndex : request.deviceIndex;
      const placed = checkPlacement(deviceIndex, request.networkCardIndex);
      return placed.isErr() ? errAsync(placed.error) : okAsync({ deviceIndex, from });
    }
    // A free ENI: with a fence, its instance must no longer run (the failover from a dead primary).
    if (expected === undefined) {
      return request.deviceIndex === "same"
        ? errAsync(
            new ValidationError(`\`deviceIndex: "same"\` needs an attached ENI; ${eniId} is not attached.`, {
              field: "deviceIndex",
            }),
          )
        : okAsync({ deviceIndex: request.deviceIndex, from: undefined });
    }
    // A fence on an attachment: a free ENI is not on it.
    if (fenceInstance === undefined) return conflict("not attached", "detached");
    return fenceInstance.andThen((instanceState) => {
      if (RUNNING.includes(instanceState))
        return conflict(`not attached, and ${expected} is ${instanceState}`, "detached");
      const from: MoveSource = { kind: "released", instanceId: expected, instanceState };
      return okAsync({ deviceIndex: request.deviceIndex === "same" ? undefined : request.deviceIndex, from });
    });
  });
}

/** What the move's own preflight lets through: the device index asked for, and where the ENI comes from. */
interface Admitted {
  readonly deviceIndex: number | undefined;
  readonly from: MoveSource | undefined;
}

/** Detaches from the source; forces at once, after `forceAfter`, or never. Returns the ENI once detached. */
async function detachForMove(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: ParsedMove,
  book: MoveBook,
  context: OperationContext,
): Promise<Result<NetworkInterface, EniError>> {
  const detach = (force: boolean, within: OperationContext) =>
    detachFrom(ec2, ni, { force, waitForDetached: true }, within);
  const { force, forceAfter } = request;
  book.forced = force;
  if (forceAfter === undefined) return detach(force, context);
  const graceful = await detach(false, until(context, Date.now() + forceAfter * 1000));
  if (graceful.isOk() || graceful.error.name !== "WaitTimeoutError" || context.abortSignal.aborted) return graceful;
  book.forced = true;
  book.emit({ type: "forced", eniId: ni.NetworkInterfaceId ?? "" });
  return detach(true, context);
}

/** Turns how the move ended into its result, closing the report; a failure reads where the ENI is first. */
async function finish(
  ec2: EC2Client,
  eniId: string,
  ending: Ending,
  book: MoveBook,
  context: OperationContext,
): Promise<Result<Moved, EniError>> {
  if (ending.kind === "ok") return ok({ ni: ending.ni, report: book.close(ending.outcome) });
  if (ending.kind === "refused") {
    book.close("refused");
    return err(ending.error);
  }
  const final = await finalRead(ec2, eniId, context);
  const gone = final.isErr() && final.error.name === "NotFoundError";
  const rolledBack = ending.rollback?.kind === "back";
  const report = book.close(rolledBack ? "rolled-back" : "failed");
  const seen = final.isOk() ? { ni: final.value, at: new Date() } : gone ? undefined : book.lastSeen;
  const stale = final.isErr() && !gone;
  const state = seen && toEniState(seen.ni);
  let where: string;
  if (final.isOk()) where = `it is ${whereIs(final.value)}`;
  else if (gone) where = "it no longer exists";
  else
    where = `its state is unknown: the final read failed (${final.error.name}: ${final.error.message})${
      seen === undefined
        ? ""
        : `; it was last seen ${whereIs(seen.ni)} at ${seen.at.toISOString()}, ${((Date.now() - seen.at.getTime()) / 1000).toFixed(1)} s before`
    }`;
  const rollback = ending.rollback;
  const told =
    rollback === undefined
      ? ""
      : rollback.kind === "back"
        ? "; it was rolled back to its source"
        : rollback.kind === "failed"
          ? `; the rollback failed too (${rollback.error.name}: ${rollback.error.message})`
          : `; no rollback: ${rollback.why}`;
  const { phase, reason } = ending;
  const message = `Moving ${eniId} to ${report.to} failed in the ${phase} phase (${reason.name}: ${reason.message})${told}; ${where}.`;
  return err(
    new MoveFailedError(message, {
      phase,
      rolledBack,
      eni: state,
      eniIsStale: stale,
      eniSeenAt: seen?.at,
      reason,
      rollbackError: rollback?.kind === "failed" ? rollback.error : undefined,
      report,
    }),
  );
}

/** `in-use on i-… (attached)`, `available, not attached`. */
function whereIs(ni: NetworkInterface): string {
  const attachment = attachmentOf(ni);
  return attachment === undefined
    ? `${ni.Status ?? "unknown"}, not attached`
    : `${ni.Status ?? "unknown"} on ${attachment.InstanceId} (${attachment.Status})`;
}

/**
 * One last look at where the ENI is, for the error: even after the caller's abort (the truth is
 * still owed), but never past the move's deadline by more than one poll. Reads can lag and go
 * backwards, so it reads until two reads in a row agree; if time runs out first, the latest read
 * stands. NotFound, too, must be read twice.
 */
async function finalRead(
  ec2: EC2Client,
  eniId: string,
  context: OperationContext,
): Promise<Result<NetworkInterface, EniError>> {
  // The move's hard stop: its signal fires then, so no time is left once it has.
  const hardEnd = context.deadline.at + context.maxDelay * 1000;
  const windowMs = Math.min(context.maxDelay * 1000, hardEnd - Date.now());
  if (windowMs <= 0) return err(abortReason(context.abortSignal));
  // The latest read: the ENI, or EC2's NotFound; two in a row that agree decide.
  type Seen = Result<NetworkInterface, EniError>;
  let latest: { seen: Seen; where: string } | undefined;
  const what = `a final read of ${eniId}`;
  const read = await withDeadline(windowMs / 1000, 0, undefined, what, (deadline) =>
    pollUntil<Seen>(what, { ...context, maxWaitTime: deadline.seconds, deadline, abortSignal: deadline.signal }, () =>
      describeEni(ec2, eniId, { ...context, abortSignal: deadline.signal })
        .map((ni): Seen => ok(ni))
        .orElse((error) => (error.name === "NotFoundError" ? ok<Seen, EniError>(err(error)) : err(error)))
        .map((seen) => {
          const where = seen.isOk()
            ? `${seen.value.Status}/${seen.value.Attachment?.AttachmentId}/${seen.value.Attachment?.Status}`
            : "gone";
          const agreed = latest?.where === where;
          latest = { seen, where };
          return agreed ? done(seen) : notYet<Seen>(seen.isOk() ? describeState(seen.value) : "not found");
        })
        .orElse((error) => ok(notYet<Seen>(`read failed: ${error.code ?? error.name}`))),
    ),
  );
  if (read.isOk()) return read.value;
  // Out of time before two reads agreed: the latest read of the ENI stands; a lone NotFound does not.
  return latest?.seen.isOk() === true ? latest.seen : err(read.error);
}
