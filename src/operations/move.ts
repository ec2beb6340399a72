import {
  AttachNetworkInterfaceCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { describeEni, describeInstance } from "../ec2/describe.js";
import { send, type ApiCall, type CallContext } from "../ec2/send.js";
import { ConflictError, MoveFailedError, ValidationError, type EniError } from "../errors.js";
import { attachmentOf, describeState, liveAttachment, toEniState } from "../model.js";
import { MAX_DEVICE_INDEX, checkBoolean, checkId, checkInteger, checkOptions } from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_KEYS,
  checkWait,
  done,
  notYet,
  pollUntil,
  waitUntilDetached,
  waitUntilInUse,
  type Poll,
  type Wait,
  type WaitOptions,
} from "../waiters.js";
import { MAX_NETWORK_CARD, azOf, findSlot, type Slot } from "./attach.js";
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

const MOVE_KEYS = [
  "expectedFrom",
  "force",
  "forceAfter",
  "deviceIndex",
  "networkCardIndex",
  "deleteOnTermination",
  "rollback",
  "onEvent",
  ...WAIT_KEYS,
];

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

export function parseMove(instanceId: unknown, options: unknown): Result<ParsedMove, ValidationError> {
  return safeTry(function* () {
    const o = yield* checkOptions<MoveOptions>("options", options, MOVE_KEYS);
    const wait = yield* checkWait(o, DEFAULT_MAX_WAIT.move);
    const force = o.force === undefined ? false : yield* checkBoolean("force", o.force);
    if (o.forceAfter !== undefined) {
      if (force)
        yield* err(
          new ValidationError(
            "forceAfter",
            "Give either `force` (force at once) or `forceAfter` (force if still detaching), not both.",
          ),
        );
      if (typeof o.forceAfter !== "number" || !(o.forceAfter > 0) || o.forceAfter >= wait.maxWaitTime) {
        yield* err(
          new ValidationError(
            "forceAfter",
            `Expected \`forceAfter\` to be a number of seconds above 0 and below \`maxWaitTime\` (${wait.maxWaitTime}).`,
          ),
        );
      }
    }
    // The fence names an instance or, more precisely, one attachment.
    const fence = typeof o.expectedFrom === "string" && o.expectedFrom.startsWith("eni-attach-") ? "eni-attach" : "i";
    const expectedFrom =
      o.expectedFrom === undefined ? undefined : yield* checkId("expectedFrom", o.expectedFrom, fence);
    if (o.onEvent !== undefined && typeof o.onEvent !== "function") {
      yield* err(new ValidationError("onEvent", "Expected `onEvent` to be a function."));
    }
    return ok({
      target: yield* checkId("instanceId", instanceId, "i"),
      expectedFrom,
      force,
      forceAfter: o.forceAfter,
      deviceIndex:
        o.deviceIndex === undefined || o.deviceIndex === "same"
          ? o.deviceIndex
          : yield* checkInteger("deviceIndex", o.deviceIndex, 1, MAX_DEVICE_INDEX),
      networkCardIndex:
        o.networkCardIndex === undefined
          ? 0
          : yield* checkInteger("networkCardIndex", o.networkCardIndex, 0, MAX_NETWORK_CARD),
      deleteOnTermination:
        o.deleteOnTermination === undefined
          ? undefined
          : yield* checkBoolean("deleteOnTermination", o.deleteOnTermination),
      rollback: o.rollback === undefined ? true : yield* checkBoolean("rollback", o.rollback),
      onEvent: o.onEvent,
      wait,
    });
  });
}

// The final read after a failure gets its own short budget: the move's may be spent.
const FINAL_READ_SECONDS = 15;

const MUTATING = new Set(["DetachNetworkInterface", "AttachNetworkInterface"]);

/** Keeps the move's books: phases, calls, retries, state changes; and tells `onEvent`. */
class MoveBook {
  readonly #started = Date.now();
  readonly #calls: ApiCall[] = [];
  readonly #phases: { phase: MovePhase; ok: boolean; durationMs: number }[] = [];
  #lastState: string | undefined;
  /** The last description of the ENI read during the move: where it is, if a final read fails. */
  lastSeen: NetworkInterface | undefined;
  retries = 0;
  forced = false;
  /** Whether a detach or attach of ours has gone through: from then on a failure is a MoveFailedError. */
  changed = false;
  from: MoveReport["from"];

  constructor(
    readonly eniId: string,
    readonly to: string,
    private readonly onEvent: ((event: MoveEvent) => void) | undefined,
  ) {}

  emit(event: MoveEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // A logging hook must never break a failover.
    }
  }

  /** The request context for this move: the caller's signal, and our bookkeeping. */
  context(wait: Wait): Wait & CallContext {
    return {
      ...wait,
      onCall: (call) => {
        this.#calls.push(call);
        if (call.outcome === "ok" && MUTATING.has(call.action)) this.changed = true;
        this.emit({ type: "call", call });
      },
      onState: (ni) => {
        this.lastSeen = ni;
        const state = `${describeState(ni)}@${ni.Attachment?.InstanceId ?? "-"}`;
        if (state === this.#lastState) return;
        this.#lastState = state;
        this.emit({
          type: "state",
          status: ni.Status ?? "unknown",
          attachedTo: ni.Attachment?.InstanceId,
          attachmentStatus: ni.Attachment?.Status,
        });
      },
    };
  }

  /** Runs one phase, timing it and reporting its start and end. */
  async phase<T>(phase: MovePhase, run: () => PromiseLike<Result<T, EniError>>): Promise<Result<T, EniError>> {
    this.emit({ type: "phase-start", phase });
    const started = Date.now();
    const result = await run();
    const durationMs = Date.now() - started;
    this.#phases.push({ phase, ok: result.isOk(), durationMs });
    this.emit({ type: "phase-end", phase, ok: result.isOk(), durationMs });
    return result;
  }

  retry(phase: MovePhase, reason: string): void {
    this.retries += 1;
    this.emit({ type: "retry", phase, reason });
  }

  /** The finished report; also told to `onEvent` as the last event. */
  close(outcome: MoveReport["outcome"]): MoveReport {
    const callsByAction: Record<string, number> = {};
    for (const call of this.#calls) callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
    const report: MoveReport = {
      eniId: this.eniId,
      from: this.from,
      to: this.to,
      outcome,
      phases: [...this.#phases],
      apiCalls: this.#calls.length,
      callsByAction,
      retries: this.retries,
      forced: this.forced,
      durationMs: Date.now() - this.#started,
    };
    this.emit({ type: "done", report });
    return report;
  }
}

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
    const book = new MoveBook(eniId, request.target, request.onEvent);
    return new ResultAsync(runMove(ec2, eniId, request, book));
  });
}

async function runMove(
  ec2: EC2Client,
  eniId: string,
  request: ParsedMove,
  book: MoveBook,
): Promise<Result<Moved, EniError>> {
  const deadline = Date.now() + request.wait.maxWaitTime * 1000;
  const context = book.context(request.wait);
  const remaining = (): Wait & CallContext => ({
    ...context,
    maxWaitTime: Math.max((deadline - Date.now()) / 1000, context.minDelay * 1.01),
  });

  // Preflight: three reads at most (the instance type's limits are cached per client), no change.
  const preflight = await book.phase("preflight", () => preflightMove(ec2, eniId, request, context));
  if (preflight.isErr()) return refused(preflight.error, book);
  const { ni, instance, slot } = preflight.value;
  const source = attachmentOf(ni)?.AttachmentId === undefined ? undefined : ni.Attachment;
  book.from = source && {
    instanceId: source.InstanceId ?? "",
    attachmentId: source.AttachmentId ?? "",
    deviceIndex: source.DeviceIndex ?? 0,
  };
  if (slot === undefined) {
    // Already on the target: nothing to change, at most an attach under way to wait for.
    const settled =
      source?.Status === "attached" ? ok(ni) : await waitUntilInUse(ec2, eniId, remaining(), source?.AttachmentId);
    return settled.map((final) => ({ ni: final, report: book.close("already-there") }));
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
    attachForMove(ec2, eniId, instance, slot, request, source?.AttachmentId, book, remaining),
  );
  if (attached.isOk()) return ok({ ni: attached.value, report: book.close("moved") });
  // Nothing of ours went through (the ENI was free and stays free), or another controller won.
  if (!book.changed || attached.error.name === "ConflictError") return refused(attached.error, book);
  let rolledBack = false;
  if (request.rollback && source?.InstanceId !== undefined && attached.error.name !== "AbortedError") {
    const back = {
      instanceId: source.InstanceId,
      deviceIndex: source.DeviceIndex ?? 1,
      networkCardIndex: source.NetworkCardIndex ?? 0,
    };
    const rollbackWait = { ...context, maxWaitTime: Math.min(request.wait.maxWaitTime, DEFAULT_MAX_WAIT.attach) };
    const rollback = await book.phase("rollback", () => rollbackTo(ec2, eniId, back, rollbackWait, book));
    rolledBack = rollback.isOk();
  }
  return failed(ec2, eniId, "attach", attached.error, rolledBack, book, request.wait);
}

interface Preflight {
  readonly ni: NetworkInterface;
  readonly instance: Instance;
  /** Where the ENI goes on the target; `undefined` when it is already there. */
  readonly slot: Slot | undefined;
}

function preflightMove(
  ec2: EC2Client,
  eniId: string,
  request: ParsedMove,
  context: CallContext,
): ResultAsync<Preflight, EniError> {
  return ResultAsync.combine([
    describeEni(ec2, eniId, context),
    describeInstance(ec2, request.target, context),
  ]).andThen(([ni, instance]) =>
    checkDetachable(ni)
      .andThen(() => checkFence(ni, request))
      .asyncAndThen(() => {
        if (liveAttachment(ni)?.InstanceId === request.target)
          return okAsync<Preflight, EniError>({ ni, instance, slot: undefined });
        const current = attachmentOf(ni);
        const sameIndex = request.deviceIndex === "same";
        if (sameIndex && current === undefined) {
          return errAsync(
            new ValidationError(
              "deviceIndex",
              `\`deviceIndex: "same"\` needs an attached ENI; ${eniId} is not attached.`,
            ),
          );
        }
        const deviceIndex = sameIndex ? current?.DeviceIndex : request.deviceIndex;
        return findSlot(
          ec2,
          ni.AvailabilityZone ?? "unknown",
          instance,
          { instanceId: request.target, deviceIndex, networkCardIndex: request.networkCardIndex },
          context,
        ).map((slot): Preflight => ({ ni, instance, slot }));
      }),
  );
}

/** The fence: with `expectedFrom`, the ENI must be attached exactly there. */
function checkFence(ni: NetworkInterface, request: ParsedMove): Result<void, EniError> {
  const expected = request.expectedFrom;
  if (expected === undefined) return ok(undefined);
  // Already on the target is success whatever the fence says: the world is as the caller wants it.
  if (liveAttachment(ni)?.InstanceId === request.target) return ok(undefined);
  const attachment = attachmentOf(ni);
  const actual =
    attachment === undefined
      ? "detached"
      : expected.startsWith("eni-attach-")
        ? attachment.AttachmentId
        : attachment.InstanceId;
  if (actual === expected) return ok(undefined);
  return err(
    new ConflictError(
      `Expected ${ni.NetworkInterfaceId} to be attached to ${expected}, but it is ${actual === "detached" ? "not attached" : `attached to ${actual}`}; nothing was changed.`,
      expected,
      actual,
    ),
  );
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
  const detach = (force: boolean) =>
    send(ec2, new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: force }), remaining())
      .map(() => undefined)
      // Gone or already detaching (another controller, or our own earlier call): the wait decides.
      .orElse((error) =>
        error.name === "NotFoundError" || error.name === "InvalidStateError" ? ok(undefined) : err(error),
      );
  if (request.force) book.forced = true;
  const sent = await detach(request.force);
  if (sent.isErr()) return err(sent.error);
  if (request.forceAfter === undefined) return waitUntilDetached(ec2, eniId, remaining(), attachmentId);
  const graceful = await waitUntilDetached(
    ec2,
    eniId,
    { ...remaining(), maxWaitTime: request.forceAfter },
    attachmentId,
  );
  if (graceful.isOk() || graceful.error.name !== "WaitTimeoutError") return graceful;
  book.forced = true;
  book.emit({ type: "forced" });
  return detach(true).andThen(() => waitUntilDetached(ec2, eniId, remaining(), attachmentId));
}

/**
 * Attaches to the target until the deadline. EC2 can call the ENI in use for a moment after its
 * detach completes, and a device index can stay taken for a moment: both are retried. An ENI
 * found attached elsewhere means another controller won: `ConflictError`.
 */
function attachForMove(
  ec2: EC2Client,
  eniId: string,
  instance: Instance,
  firstSlot: Slot,
  request: ParsedMove,
  sourceAttachmentId: string | undefined,
  book: MoveBook,
  remaining: () => Wait & CallContext,
): ResultAsync<NetworkInterface, EniError> {
  let slot = firstSlot;
  const wait = remaining();
  const tryAttach = () =>
    send(
      ec2,
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: request.target,
        DeviceIndex: slot.deviceIndex,
        NetworkCardIndex: slot.networkCardIndex,
      }),
      wait,
    )
      .map((output) => done(output.AttachmentId))
      .orElse((error) => {
        if (error.name === "ValidationError" && error.field === "deviceIndex") {
          book.retry("attach", `device index ${slot.deviceIndex} still taken`);
          if (request.deviceIndex !== undefined) return ok(notYet<string | undefined>("device index taken"));
          // We chose the index: choose again from a fresh read of the target.
          return describeInstance(ec2, request.target, wait)
            .andThen((fresh) =>
              findSlot(
                ec2,
                azOf(instance),
                fresh,
                { instanceId: request.target, deviceIndex: undefined, networkCardIndex: slot.networkCardIndex },
                wait,
              ),
            )
            .map((next) => {
              slot = next;
              return notYet<string | undefined>("device index taken");
            });
        }
        if (error.name !== "InvalidStateError" || error.state !== "in-use") return err(error);
        return describeEni(ec2, eniId, wait).andThen((ni) => {
          const attachment = attachmentOf(ni);
          if (attachment?.InstanceId === request.target) return ok(done(attachment.AttachmentId));
          if (attachment !== undefined && attachment.AttachmentId !== sourceAttachmentId)
            return err(lostRace(eniId, request.target, attachment.InstanceId));
          book.retry("attach", "network interface still in use");
          return ok(notYet<string | undefined>("in-use"));
        });
      });
  return pollUntil(`${eniId} to attach to ${request.target}`, wait, tryAttach).andThen((attachmentId) =>
    (request.deleteOnTermination === undefined || attachmentId === undefined
      ? okAsync<unknown, EniError>(undefined)
      : send(
          ec2,
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: eniId,
            Attachment: { AttachmentId: attachmentId, DeleteOnTermination: request.deleteOnTermination },
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

/** Puts the ENI back where it was, if the source can still take it. */
function rollbackTo(
  ec2: EC2Client,
  eniId: string,
  back: { instanceId: string; deviceIndex: number; networkCardIndex: number },
  wait: Wait & CallContext,
  book: MoveBook,
): ResultAsync<NetworkInterface, EniError> {
  return describeInstance(ec2, back.instanceId, wait)
    .andThen((instance) =>
      findSlot(
        ec2,
        azOf(instance),
        instance,
        { instanceId: back.instanceId, deviceIndex: undefined, networkCardIndex: back.networkCardIndex },
        wait,
      ).map((free) =>
        // Its old index if still free (the OS expects it there), else the next free one.
        (instance.NetworkInterfaces ?? []).some(
          (n) =>
            n.Attachment?.DeviceIndex === back.deviceIndex &&
            (n.Attachment.NetworkCardIndex ?? 0) === back.networkCardIndex,
        )
          ? free
          : { ...free, deviceIndex: back.deviceIndex },
      ),
    )
    .andThen((slot) =>
      pollUntil(`${eniId} to re-attach to ${back.instanceId}`, wait, () =>
        send(
          ec2,
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: eniId,
            InstanceId: back.instanceId,
            DeviceIndex: slot.deviceIndex,
            NetworkCardIndex: slot.networkCardIndex,
          }),
          wait,
        )
          .map((output) => done(output.AttachmentId))
          .orElse((error) => {
            if (error.name !== "InvalidStateError" || error.state !== "in-use") return err(error);
            book.retry("rollback", "network interface still in use");
            return ok(notYet<string | undefined>("in-use"));
          }),
      ),
    )
    .andThen((attachmentId) => waitUntilInUse(ec2, eniId, wait, attachmentId));
}

/** A move that changed nothing of its own: the plain typed error. */
function refused(error: EniError, book: MoveBook): Result<Moved, EniError> {
  book.close("refused");
  return err(error);
}

/**
 * Builds the `MoveFailedError`, reading where the ENI really is: without the caller's signal
 * (it may have fired), retrying a throttled or failed read briefly, and falling back to the
 * last state the move saw, so the caller is always told where the ENI is.
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
  const budget: Wait = { ...wait, abortSignal: undefined, maxWaitTime: Math.min(FINAL_READ_SECONDS, wait.maxWaitTime) };
  const final = await pollUntil<NetworkInterface | undefined>(`a final read of ${eniId}`, budget, () =>
    describeEni(ec2, eniId)
      .map((ni): Poll<NetworkInterface | undefined> => done(ni))
      .orElse((error) =>
        ok<Poll<NetworkInterface | undefined>>(error.name === "NotFoundError" ? done(undefined) : notYet(error.name)),
      ),
  );
  const fromLastSeen = final.isErr() && book.lastSeen !== undefined;
  const seen = final.isOk() ? final.value : book.lastSeen;
  const state = seen === undefined ? undefined : toEniState(seen);
  const report = book.close(rolledBack ? "rolled-back" : "failed");
  const where =
    state === undefined
      ? final.isOk()
        ? "it no longer exists"
        : "its state could not be read"
      : `${fromLastSeen ? "as last seen, " : ""}${state.attachment === undefined ? `it is ${state.status}, not attached` : `it is ${state.status} on ${state.attachment.instanceId} (${state.attachment.status})`}`;
  const message = `Moving ${eniId} to ${book.to} failed in the ${phase} phase (${reason.name}: ${reason.message})${rolledBack ? "; it was rolled back to its source" : ""}; ${where}.`;
  return err(new MoveFailedError(message, { phase, rolledBack, eni: state, eniIsStale: fromLastSeen, reason, report }));
}
