import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, ResultAsync, safeTry, type Result } from "neverthrow";
import type { ApiCall } from "../ec2/send.js";
import { ConflictError, MoveFailedError, type EniError, type ValidationError } from "../errors.js";
import { attachmentOf, toEniState } from "../model.js";
import {
  MAX_DEVICE_INDEX,
  checkBoolean,
  checkId,
  checkInteger,
  checkOptionsWith,
  invalid,
  refuse,
  type OptionCheck,
} from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  waitForEni,
  waitUntilInUse,
  type Wait,
  type WaitOptions,
} from "../waiters.js";
import { PLACEMENT_OPTIONS, attachAt, budget, lostRace, preflight } from "./attach.js";
import { checkDetachable, detachFrom } from "./detach.js";

/** The phases of a move, in order; `rollback` runs only when the attach fails for good. */
export type MovePhase = "preflight" | "detach" | "attach" | "rollback";

/**
 * Something that happened during a move, for logs and metrics.
 *
 * @example
 * ```ts
 * const onEvent = (event: MoveEvent) => {
 *   if (event.type === "call") metrics.count(`ec2.${event.call.action}.${event.call.outcome}`);
 * };
 * ```
 */
export type MoveEvent =
  | { readonly type: "phase-start"; readonly phase: MovePhase }
  | { readonly type: "phase-end"; readonly phase: MovePhase; readonly ok: boolean; readonly durationMs: number }
  | { readonly type: "call"; readonly call: ApiCall }
  | {
      readonly type: "state";
      readonly status: string;
      readonly attachedTo: string | undefined;
      readonly attachmentStatus: string | undefined;
    }
  | { readonly type: "retry"; readonly phase: MovePhase; readonly reason: string }
  | { readonly type: "forced" }
  | { readonly type: "done"; readonly report: MoveReport };

/**
 * What a move did. Every move has one: on the moved snapshot (`eni.moveReport`), on a
 * `MoveFailedError`, and in the final `done` event of `onEvent`.
 *
 * @example
 * ```ts
 * const { outcome, durationMs, apiCalls, retries, forced } = moved.moveReport!;
 * ```
 */
export interface MoveReport {
  /** The ENI moved. */
  readonly eniId: string;
  /** Where it was attached when the move started, if anywhere. */
  readonly from:
    { readonly instanceId: string; readonly attachmentId: string; readonly deviceIndex: number } | undefined;
  /** The target instance. */
  readonly to: string;
  /**
   * `moved`; `already-there` (no mutating call); `refused` (a preflight check or the fence
   * stopped it, nothing changed); `rolled-back` (back on its source); `failed`.
   */
  readonly outcome: "moved" | "already-there" | "refused" | "rolled-back" | "failed";
  /** Each phase run, with its duration. */
  readonly phases: readonly { readonly phase: MovePhase; readonly ok: boolean; readonly durationMs: number }[];
  /** How many EC2 requests the move made (each counted once, SDK retries included). */
  readonly apiCalls: number;
  /** Requests per EC2 action. */
  readonly callsByAction: Readonly<Record<string, number>>;
  /** How many times an attach was retried (ENI reported in use, device index still taken). */
  readonly retries: number;
  /** Whether the detach was forced. */
  readonly forced: boolean;
  /** How long the whole move took, in milliseconds. */
  readonly durationMs: number;
}

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
   * The fence: the instance id (or attachment id) the ENI must be attached to for the move to
   * start. Anything else, including not attached, stops it with a `ConflictError` before any
   * change. Set it whenever two controllers might move the same ENI.
   */
  readonly expectedFrom?: string;
  /**
   * Force the detach at once. A forced detach may leave the source's OS unaware of it, and EC2
   * warns the device index may not be reusable until that instance stops.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Detach gracefully, and force only if that has not finished after this many seconds.
   * Cannot be combined with `force`.
   */
  readonly forceAfter?: number;
  /**
   * The device index on the target; `"same"` keeps the source's.
   * @default the lowest free index from 1
   */
  readonly deviceIndex?: number | "same";
  /**
   * The network card on the target.
   * @default 0
   */
  readonly networkCardIndex?: number;
  /** Set `DeleteOnTermination` on the new attachment. */
  readonly deleteOnTermination?: boolean;
  /**
   * If the attach to the target fails for good, re-attach the ENI to its source.
   * @default true
   */
  readonly rollback?: boolean;
  /** Told of each phase, API call, state change and retry. Its exceptions are ignored. */
  readonly onEvent?: (event: MoveEvent) => void;
}

interface ParsedMove {
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
  readonly wait: Wait;
}

// The fence names an instance or, more precisely, one attachment.
const checkFenceId: OptionCheck<string> = (field, value) =>
  checkId(field, value, typeof value === "string" && value.startsWith("eni-attach-") ? "eni-attach" : "i");

const checkDeviceIndex: OptionCheck<number | "same"> = (field, value) =>
  value === "same" ? ok(value) : checkInteger(field, value, 1, MAX_DEVICE_INDEX);

const checkCallback: OptionCheck<(event: MoveEvent) => void> = (field, value) =>
  typeof value === "function" ? ok(value as (event: MoveEvent) => void) : invalid(field, "a function", value);

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
      onEvent: [checkCallback],
      ...WAIT_OPTIONS,
    });
    const wait = yield* checkWait(o, DEFAULT_MAX_WAIT.move);
    const { forceAfter } = o;
    if (forceAfter !== undefined) {
      if (o.force)
        yield* refuse(
          "forceAfter",
          "Give either `force` (force at once) or `forceAfter` (force if still detaching), not both.",
        );
      if (forceAfter >= wait.maxWaitTime) {
        yield* refuse(
          "forceAfter",
          `Expected \`forceAfter\` (${forceAfter}) to be below \`maxWaitTime\` (${wait.maxWaitTime}).`,
        );
      }
    }
    return ok({
      ...o,
      instanceId: yield* checkId("instanceId", instanceId, "i"),
      pinned: o.deviceIndex !== undefined,
      wait,
    });
  });
}

/** Opens the move's books: phases, calls, retries, state changes; each told to `onEvent` too. */
function openBook(eniId: string, request: ParsedMove) {
  const { instanceId: to, onEvent } = request;
  const started = Date.now();
  const phases: { phase: MovePhase; ok: boolean; durationMs: number }[] = [];
  const callsByAction: Record<string, number> = {};
  let apiCalls = 0;
  let lastState = "";
  // The phase running now: retries are told as part of it.
  let running: MovePhase = "preflight";
  const emit = (event: MoveEvent): void => {
    try {
      onEvent?.(event);
    } catch {
      // A logging hook must never break a failover.
    }
  };
  const book = {
    emit,
    /** The last description of the ENI read during the move: where it is, if a final read fails. */
    lastSeen: undefined as NetworkInterface | undefined,
    retries: 0,
    forced: false,
    /** Whether a detach or attach of ours has gone through: from then on a failure is a MoveFailedError. */
    changed: false,
    from: undefined as MoveReport["from"],

    /** The request context for this move: the caller's wait options and signal, and our bookkeeping. */
    context: {
      ...request.wait,
      onCall: (call: ApiCall) => {
        apiCalls += 1;
        callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
        // Every call of a move but its reads is a detach, an attach, or the attach's DeleteOnTermination.
        if (call.outcome === "ok" && !call.action.startsWith("Describe")) book.changed = true;
        emit({ type: "call", call });
      },
      onState: (ni: NetworkInterface) => {
        book.lastSeen = ni;
        const event: MoveEvent = {
          type: "state",
          status: ni.Status ?? "unknown",
          attachedTo: ni.Attachment?.InstanceId,
          attachmentStatus: ni.Attachment?.Status,
        };
        // Waits read the same state over and over: tell only the changes.
        const state = JSON.stringify(event);
        if (state === lastState) return;
        lastState = state;
        emit(event);
      },
    } satisfies Wait,

    /** Runs one phase, timing it and reporting its start and end. */
    async phase<T>(phase: MovePhase, run: () => PromiseLike<Result<T, EniError>>): Promise<Result<T, EniError>> {
      running = phase;
      emit({ type: "phase-start", phase });
      const phaseStarted = Date.now();
      const result = await run();
      const entry = { phase, ok: result.isOk(), durationMs: Date.now() - phaseStarted };
      phases.push(entry);
      emit({ type: "phase-end", ...entry });
      return result;
    },

    /** Counts a retry of the running phase's attach, with why. */
    retry: (reason: string): void => {
      book.retries += 1;
      emit({ type: "retry", phase: running, reason });
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
        durationMs: Date.now() - started,
      };
      emit({ type: "done", report });
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

/**
 * Moves an ENI to another instance: preflight from reads, fence, detach (graceful, forced, or
 * forced after a delay), attach with retries, and rollback to the source if the attach fails
 * for good. Refusals before any change are their own typed errors; a failure after a change is
 * a `MoveFailedError` that says where the ENI ended up.
 */
export function moveEni(
  ec2: EC2Client,
  eniId: string,
  instanceId: unknown,
  options: unknown,
): ResultAsync<Moved, EniError> {
  return parseMove(instanceId, options).asyncAndThen((request) => new ResultAsync(runMove(ec2, eniId, request)));
}

async function runMove(ec2: EC2Client, eniId: string, request: ParsedMove): Promise<Result<Moved, EniError>> {
  const book = openBook(eniId, request);
  const context = book.context;
  // Each step gets what is left of the move's budget.
  const remaining = budget(context);

  // Preflight: three reads at most (the instance type's limits are cached per client), no change.
  const checked = await book.phase("preflight", () =>
    preflight(ec2, eniId, request, context, (ni) => admitMove(ni, request)),
  );
  if (checked.isErr()) return refused(checked.error, book);
  const { ni, slot } = checked.value;
  const source = attachmentOf(ni);
  book.from = source && {
    instanceId: source.InstanceId ?? "",
    attachmentId: source.AttachmentId ?? "",
    deviceIndex: source.DeviceIndex ?? 0,
  };
  if (slot === undefined) {
    // Already on the target: nothing to change, at most an attach under way to wait for.
    const settled =
      source?.Status === "attached" ? ok(ni) : await waitUntilInUse(ec2, eniId, remaining(), source?.AttachmentId);
    return settled.isErr()
      ? refused(settled.error, book)
      : ok({ ni: settled.value, report: book.close("already-there") });
  }

  // Detach from the source.
  if (source?.AttachmentId !== undefined) {
    const detached = await book.phase("detach", () => detachForMove(ec2, ni, request, book, remaining));
    if (detached.isErr())
      return book.changed
        ? failed(ec2, eniId, "detach", detached.error, false, book, request.wait)
        : refused(detached.error, book);
    const after = detached.value;
    const holder = attachmentOf(after);
    if (holder !== undefined) {
      // Someone attached it between our detach and our attach: they won the race.
      if (holder.InstanceId === request.instanceId) return ok({ ni: after, report: book.close("already-there") });
      return refused(lostRace(eniId, request.instanceId, holder.InstanceId), book);
    }
  }

  // Attach to the target, then roll back if that fails for good.
  // The target, the device index choice and DeleteOnTermination, as the caller gave them.
  const attach = { ...request, onRetry: book.retry };
  const attached = await book.phase("attach", () => attachAt(ec2, ni, slot, attach, remaining));
  if (attached.isOk()) return ok({ ni: attached.value, report: book.close("moved") });
  // Nothing of ours went through (the ENI was free and stays free), or another controller won.
  if (!book.changed || attached.error.name === "ConflictError") return refused(attached.error, book);
  let rolledBack = false;
  if (request.rollback && source?.InstanceId !== undefined && attached.error.name !== "AbortedError") {
    // Its old index, where the source's OS expects it; if that was taken meanwhile, the retry picks another.
    const home = { deviceIndex: source.DeviceIndex ?? 1, networkCardIndex: source.NetworkCardIndex ?? 0 };
    const rollbackBudget = budget(context, Math.min(request.wait.maxWaitTime, DEFAULT_MAX_WAIT.attach));
    const back = { instanceId: source.InstanceId, onRetry: book.retry };
    const rollback = await book.phase("rollback", () => attachAt(ec2, ni, home, back, rollbackBudget));
    rolledBack = rollback.isOk();
  }
  return failed(ec2, eniId, "attach", attached.error, rolledBack, book, request.wait);
}

/**
 * The move's own preflight checks, for an ENI not already on the target (which is success
 * whatever the fence says: the world is as the caller wants it). Returns the device index asked for.
 */
function admitMove(ni: NetworkInterface, request: ParsedMove): Result<number | undefined, EniError> {
  return checkDetachable(ni).andThen(() => {
    // The fence: with `expectedFrom`, the ENI must be attached exactly there (instance or attachment).
    const current = attachmentOf(ni);
    const eniId = ni.NetworkInterfaceId;
    const expected = request.expectedFrom;
    const actual = expected?.startsWith("eni-attach-") ? current?.AttachmentId : current?.InstanceId;
    if (expected !== undefined && actual !== expected) {
      const where = actual === undefined ? "not attached" : `attached to ${actual}`;
      const message = `Expected ${eniId} to be attached to ${expected}, but it is ${where}; nothing was changed.`;
      return err(new ConflictError(message, expected, actual ?? "detached"));
    }
    if (request.deviceIndex !== "same") return ok(request.deviceIndex);
    return current === undefined
      ? refuse("deviceIndex", `\`deviceIndex: "same"\` needs an attached ENI; ${eniId} is not attached.`)
      : ok(current.DeviceIndex);
  });
}

/** Detaches from the source; forces at once, after `forceAfter`, or never. Returns the ENI once detached. */
async function detachForMove(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: ParsedMove,
  book: MoveBook,
  remaining: () => Wait,
): Promise<Result<NetworkInterface, EniError>> {
  const detach = (force: boolean, wait: Wait) => detachFrom(ec2, ni, { force, wait, waitForDetached: true });
  const { force, forceAfter } = request;
  book.forced = force;
  if (forceAfter === undefined) return detach(force, remaining());
  const graceful = await detach(false, { ...remaining(), maxWaitTime: forceAfter });
  if (graceful.isOk() || graceful.error.name !== "WaitTimeoutError") return graceful;
  book.forced = true;
  book.emit({ type: "forced" });
  return detach(true, remaining());
}

/** A move that changed nothing of its own: the plain typed error. */
function refused(error: EniError, book: MoveBook): Result<Moved, EniError> {
  book.close("refused");
  return err(error);
}

/**
 * Builds the `MoveFailedError`, reading where the ENI really is: without the caller's signal
 * (it may have fired), retrying a throttled or failed read briefly, and falling back to the
 * last state the move saw, so the caller is always told where the ENI is (or that it is gone).
 */
async function failed(
  ec2: EC2Client,
  eniId: string,
  phase: "detach" | "attach",
  reason: EniError,
  rolledBack: boolean,
  book: MoveBook,
  wait: Wait,
): Promise<Result<Moved, EniError>> {
  // Its own short budget (the move's may be spent), and no signal (the caller's may have fired).
  const lastLook = { ...wait, abortSignal: undefined, maxWaitTime: Math.min(15, wait.maxWaitTime) };
  const final = await waitForEni(ec2, eniId, "read", lastLook, () => ok(true));
  const gone = final.isErr() && final.error.name === "NotFoundError";
  // Without a fresh read, the last state the move saw: there is one, since the preflight read the ENI.
  const seen = final.isOk() ? final.value : gone ? undefined : book.lastSeen;
  const stale = final.isErr() && seen !== undefined;
  const state = seen && toEniState(seen);
  const report = book.close(rolledBack ? "rolled-back" : "failed");
  const where =
    state === undefined
      ? "it no longer exists"
      : `${stale ? "as last seen, " : ""}it is ${state.status}${state.attachment === undefined ? ", not attached" : ` on ${state.attachment.instanceId} (${state.attachment.status})`}`;
  const message = `Moving ${eniId} to ${report.to} failed in the ${phase} phase (${reason.name}: ${reason.message})${rolledBack ? "; it was rolled back to its source" : ""}; ${where}.`;
  return err(new MoveFailedError(message, { phase, rolledBack, eni: state, eniIsStale: stale, reason, report }));
}
