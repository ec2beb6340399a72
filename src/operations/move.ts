import {
  AttachNetworkInterfaceCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { describeEni, describeInstance } from "../ec2/describe.js";
import { send, type ApiCall, type CallContext } from "../ec2/send.js";
import { ConflictError, MoveFailedError, ValidationError, type EniError } from "../errors.js";
import { attachmentOf, liveAttachment, toEniState } from "../model.js";
import {
  MAX_DEVICE_INDEX,
  anyValue,
  checkBoolean,
  checkId,
  checkInteger,
  checkOptionsWith,
  type OptionCheck,
} from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  done,
  notYet,
  pollUntil,
  waitUntilDetached,
  waitForEni,
  waitUntilInUse,
  type Wait,
  type WaitOptions,
} from "../waiters.js";
import { PLACEMENT_OPTIONS, azOf, findSlot, type Slot } from "./attach.js";
import { checkDetachable } from "./detach.js";

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
  readonly target: string;
  readonly expectedFrom: string | undefined;
  readonly force: boolean;
  readonly forceAfter: number | undefined;
  readonly deviceIndex: number | "same" | undefined;
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
  typeof value === "function"
    ? ok(value as (event: MoveEvent) => void)
    : err(new ValidationError(field, `Expected \`${field}\` to be a function.`));

export function parseMove(instanceId: unknown, options: unknown): Result<ParsedMove, ValidationError> {
  return safeTry(function* () {
    const o = yield* checkOptionsWith("options", options, {
      expectedFrom: [checkFenceId],
      force: [checkBoolean, false],
      forceAfter: [anyValue],
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
        yield* err(
          new ValidationError(
            "forceAfter",
            "Give either `force` (force at once) or `forceAfter` (force if still detaching), not both.",
          ),
        );
      if (typeof forceAfter !== "number" || !(forceAfter > 0) || forceAfter >= wait.maxWaitTime) {
        yield* err(
          new ValidationError(
            "forceAfter",
            `Expected \`forceAfter\` to be a number of seconds above 0 and below \`maxWaitTime\` (${wait.maxWaitTime}).`,
          ),
        );
      }
    }
    return ok({
      ...o,
      target: yield* checkId("instanceId", instanceId, "i"),
      forceAfter: forceAfter as number | undefined,
      wait,
    });
  });
}

// The calls that change where the ENI is (see `changed`).
const MUTATING = new Set(["DetachNetworkInterface", "AttachNetworkInterface"]);

/** Opens the move's books: phases, calls, retries, state changes; each told to `onEvent` too. */
function openBook(eniId: string, to: string, onEvent: ((event: MoveEvent) => void) | undefined) {
  const started = Date.now();
  const phases: { phase: MovePhase; ok: boolean; durationMs: number }[] = [];
  const callsByAction: Record<string, number> = {};
  let apiCalls = 0;
  let lastState = "";
  const emit = (event: MoveEvent): void => {
    try {
      onEvent?.(event);
    } catch {
      // A logging hook must never break a failover.
    }
  };
  const book = {
    to,
    emit,
    /** The last description of the ENI read during the move: where it is, if a final read fails. */
    lastSeen: undefined as NetworkInterface | undefined,
    retries: 0,
    forced: false,
    /** Whether a detach or attach of ours has gone through: from then on a failure is a MoveFailedError. */
    changed: false,
    from: undefined as MoveReport["from"],

    /** The request context for this move: the caller's signal, and our bookkeeping. */
    context: (wait: Wait): Wait & CallContext => ({
      ...wait,
      onCall: (call) => {
        apiCalls += 1;
        callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
        if (call.outcome === "ok" && MUTATING.has(call.action)) book.changed = true;
        emit({ type: "call", call });
      },
      onState: (ni) => {
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
    }),

    /** Runs one phase, timing it and reporting its start and end. */
    async phase<T>(phase: MovePhase, run: () => PromiseLike<Result<T, EniError>>): Promise<Result<T, EniError>> {
      emit({ type: "phase-start", phase });
      const phaseStarted = Date.now();
      const result = await run();
      const entry = { phase, ok: result.isOk(), durationMs: Date.now() - phaseStarted };
      phases.push(entry);
      emit({ type: "phase-end", ...entry });
      return result;
    },

    retry(phase: MovePhase, reason: string): void {
      book.retries += 1;
      emit({ type: "retry", phase, reason });
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
  return parseMove(instanceId, options).asyncAndThen((request) => {
    const book = openBook(eniId, request.target, request.onEvent);
    return new ResultAsync(runMove(ec2, eniId, request, book));
  });
}

async function runMove(
  ec2: EC2Client,
  eniId: string,
  request: ParsedMove,
  book: MoveBook,
): Promise<Result<Moved, EniError>> {
  const context = book.context(request.wait);
  // Each step gets what is left of a budget; a spent one still allows one last look.
  const budget = (seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    return (): Wait & CallContext => ({
      ...context,
      maxWaitTime: Math.max((deadline - Date.now()) / 1000, context.minDelay * 1.01),
    });
  };
  const remaining = budget(request.wait.maxWaitTime);

  // Preflight: three reads at most (the instance type's limits are cached per client), no change.
  const preflight = await book.phase("preflight", () => preflightMove(ec2, eniId, request, context));
  if (preflight.isErr()) return refused(preflight.error, book);
  const { ni, slot } = preflight.value;
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
    if (settled.isErr()) return refused(settled.error, book);
    return ok({ ni: settled.value, report: book.close("already-there") });
  }

  // Detach from the source.
  if (source?.AttachmentId !== undefined) {
    const sourceAttachment = source.AttachmentId;
    const detached = await book.phase("detach", () =>
      detachForMove(ec2, eniId, sourceAttachment, request, book, remaining),
    );
    if (detached.isErr())
      return book.changed
        ? failed(ec2, eniId, "detach", detached.error, false, book, request.wait)
        : refused(detached.error, book);
    const after = detached.value;
    const holder = attachmentOf(after);
    if (holder !== undefined) {
      // Someone attached it between our detach and our attach: they won the race.
      if (holder.InstanceId === request.target) return ok({ ni: after, report: book.close("already-there") });
      return refused(lostRace(eniId, request.target, holder.InstanceId), book);
    }
  }

  // Attach to the target, then roll back if that fails for good.
  const attached = await book.phase("attach", () =>
    attachUntilInUse(
      ec2,
      eniId,
      "attach",
      request.target,
      slot,
      request.deviceIndex !== undefined,
      book,
      remaining,
      request.deleteOnTermination,
    ),
  );
  if (attached.isOk()) return ok({ ni: attached.value, report: book.close("moved") });
  // Nothing of ours went through (the ENI was free and stays free), or another controller won.
  if (!book.changed || attached.error.name === "ConflictError") return refused(attached.error, book);
  let rolledBack = false;
  if (request.rollback && source?.InstanceId !== undefined && attached.error.name !== "AbortedError") {
    // Its old index, where the source's OS expects it; if that was taken meanwhile, the retry picks another.
    const home = { deviceIndex: source.DeviceIndex ?? 1, networkCardIndex: source.NetworkCardIndex ?? 0 };
    const rollbackBudget = budget(Math.min(request.wait.maxWaitTime, DEFAULT_MAX_WAIT.attach));
    const back = source.InstanceId;
    const rollback = await book.phase("rollback", () =>
      attachUntilInUse(ec2, eniId, "rollback", back, home, false, book, rollbackBudget),
    );
    rolledBack = rollback.isOk();
  }
  return failed(ec2, eniId, "attach", attached.error, rolledBack, book, request.wait);
}

interface Preflight {
  readonly ni: NetworkInterface;
  /** Where the ENI goes on the target; `undefined` when it is already there. */
  readonly slot: Slot | undefined;
}

/** Preflight: three reads at most (the instance type's limits are cached per client), no change. */
function preflightMove(
  ec2: EC2Client,
  eniId: string,
  request: ParsedMove,
  context: CallContext,
): ResultAsync<Preflight, EniError> {
  return safeTry(async function* () {
    const [ni, instance] = yield* ResultAsync.combine([
      describeEni(ec2, eniId, context),
      describeInstance(ec2, request.target, context),
    ]);
    yield* checkDetachable(ni);
    // Already on the target is success whatever the fence says: the world is as the caller wants it.
    if (liveAttachment(ni)?.InstanceId === request.target) return ok({ ni, slot: undefined });
    // The fence: with `expectedFrom`, the ENI must be attached exactly there (instance or attachment).
    const current = attachmentOf(ni);
    const expected = request.expectedFrom;
    const actual = expected?.startsWith("eni-attach-") ? current?.AttachmentId : current?.InstanceId;
    if (expected !== undefined && actual !== expected) {
      const where = actual === undefined ? "not attached" : `attached to ${actual}`;
      const message = `Expected ${eniId} to be attached to ${expected}, but it is ${where}; nothing was changed.`;
      return err(new ConflictError(message, expected, actual ?? "detached"));
    }
    const sameIndex = request.deviceIndex === "same";
    if (sameIndex && current === undefined) {
      const message = `\`deviceIndex: "same"\` needs an attached ENI; ${eniId} is not attached.`;
      return err(new ValidationError("deviceIndex", message));
    }
    const deviceIndex = sameIndex ? current?.DeviceIndex : request.deviceIndex;
    const target = { instanceId: request.target, deviceIndex, networkCardIndex: request.networkCardIndex };
    const slot = yield* findSlot(ec2, ni.AvailabilityZone ?? "unknown", instance, target, context);
    return ok({ ni, slot });
  });
}

/** Detaches from the source; forces at once, after `forceAfter`, or never. Returns the ENI once detached. */
async function detachForMove(
  ec2: EC2Client,
  eniId: string,
  attachmentId: string,
  request: ParsedMove,
  book: MoveBook,
  remaining: () => Wait & CallContext,
): Promise<Result<NetworkInterface, EniError>> {
  const detach = (force: boolean, wait: Wait) =>
    send(ec2, new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: force }), wait)
      // Gone or already detaching (another controller, or our own earlier call): the wait decides.
      .orElse((error) =>
        error.name === "NotFoundError" || error.name === "InvalidStateError" ? ok(undefined) : err(error),
      )
      .andThen(() => waitUntilDetached(ec2, eniId, wait, attachmentId));
  const { force, forceAfter } = request;
  book.forced = force;
  if (forceAfter === undefined) return detach(force, remaining());
  const graceful = await detach(false, { ...remaining(), maxWaitTime: forceAfter });
  if (graceful.isOk() || graceful.error.name !== "WaitTimeoutError") return graceful;
  book.forced = true;
  book.emit({ type: "forced" });
  return detach(true, remaining());
}

/**
 * Attaches at `slot` until the deadline, then waits until the ENI is in use: the target's attach
 * and the rollback's. EC2 can call the ENI in use for a moment after its detach completes, and a
 * device index can stay taken for a moment: both are retried, a taken index we chose (not
 * `pinned` by the caller) by choosing again from a fresh read. An ENI found attached elsewhere
 * means another controller won: `ConflictError`.
 */
function attachUntilInUse(
  ec2: EC2Client,
  eniId: string,
  phase: "attach" | "rollback",
  instanceId: string,
  firstSlot: Slot,
  pinned: boolean,
  book: MoveBook,
  remaining: () => Wait & CallContext,
  deleteOnTermination?: boolean,
): ResultAsync<NetworkInterface, EniError> {
  let slot = firstSlot;
  const wait = remaining();
  const tryAttach = () =>
    send(
      ec2,
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: instanceId,
        DeviceIndex: slot.deviceIndex,
        NetworkCardIndex: slot.networkCardIndex,
      }),
      wait,
    )
      .map((output) => done(output.AttachmentId))
      .orElse((error) => {
        if (error.name === "ValidationError" && error.field === "deviceIndex") {
          book.retry(phase, `device index ${slot.deviceIndex} still taken`);
          const next = pinned
            ? okAsync<Slot, EniError>(slot)
            : describeInstance(ec2, instanceId, wait).andThen((fresh) =>
                findSlot(
                  ec2,
                  azOf(fresh),
                  fresh,
                  { instanceId, deviceIndex: undefined, networkCardIndex: slot.networkCardIndex },
                  wait,
                ),
              );
          return next.map((chosen) => {
            slot = chosen;
            return notYet<string | undefined>("device index taken");
          });
        }
        if (error.name !== "InvalidStateError" || error.state !== "in-use") return err(error);
        return describeEni(ec2, eniId, wait).andThen((ni) => {
          const attachment = attachmentOf(ni);
          if (attachment?.InstanceId === instanceId) return ok(done(attachment.AttachmentId));
          // The source's own attachment may linger for a moment after the detach.
          if (attachment !== undefined && attachment.AttachmentId !== book.from?.attachmentId)
            return err(lostRace(eniId, instanceId, attachment.InstanceId));
          book.retry(phase, "network interface still in use");
          return ok(notYet<string | undefined>("in-use"));
        });
      });
  return pollUntil(`${eniId} to attach to ${instanceId}`, wait, tryAttach).andThen((attachmentId) =>
    (deleteOnTermination === undefined || attachmentId === undefined
      ? okAsync<unknown, EniError>(undefined)
      : send(
          ec2,
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: eniId,
            Attachment: { AttachmentId: attachmentId, DeleteOnTermination: deleteOnTermination },
          }),
          wait,
        )
    ).andThen(() => waitUntilInUse(ec2, eniId, remaining(), attachmentId)),
  );
}

/** Another controller attached the ENI elsewhere while we moved it: it won. */
function lostRace(eniId: string, target: string, winner: string | undefined): ConflictError {
  return new ConflictError(`${eniId} was attached to ${winner} by someone else during the move.`, target, winner);
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
  const budget = { ...wait, abortSignal: undefined, maxWaitTime: Math.min(15, wait.maxWaitTime) };
  const final = await waitForEni(ec2, eniId, "read", budget, () => ok(true));
  const gone = final.isErr() && final.error.name === "NotFoundError";
  const seen = final.isOk() ? final.value : gone ? undefined : book.lastSeen;
  const stale = final.isErr() && seen !== undefined;
  const state = seen && toEniState(seen);
  const report = book.close(rolledBack ? "rolled-back" : "failed");
  const where =
    state === undefined
      ? gone
        ? "it no longer exists"
        : "its state could not be read"
      : `${stale ? "as last seen, " : ""}it is ${state.status}${state.attachment === undefined ? ", not attached" : ` on ${state.attachment.instanceId} (${state.attachment.status})`}`;
  const message = `Moving ${eniId} to ${book.to} failed in the ${phase} phase (${reason.name}: ${reason.message})${rolledBack ? "; it was rolled back to its source" : ""}; ${where}.`;
  return err(new MoveFailedError(message, { phase, rolledBack, eni: state, eniIsStale: stale, reason, report }));
}
