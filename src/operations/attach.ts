import {
  AttachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { describeEni, describeInstance, instanceTypeLimits, type InstanceTypeLimits } from "../ec2/describe.js";
import { send, type CallContext } from "../ec2/send.js";
import { attachmentOf, liveAttachment } from "../model.js";
import { AttachmentLimitError, AzMismatchError, ConflictError, InvalidStateError, type EniError } from "../errors.js";
import {
  MAX_DEVICE_INDEX,
  checkBoolean,
  checkId,
  checkOptionsWith,
  integerFrom,
  refuse,
  type Check,
  type OptionSpec,
} from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  done,
  notYet,
  pollUntil,
  waitUntilInUse,
  type Wait,
  type WaitOptions,
} from "../waiters.js";

/**
 * How `attachTo` attaches.
 *
 * @example
 * ```ts
 * const options: AttachOptions = { deviceIndex: 1, deleteOnTermination: false, maxWaitTime: 120 };
 * ```
 */
export interface AttachOptions extends WaitOptions {
  /**
   * The device index on the instance (the OS sees it as eth1, eth2…).
   * @default the lowest free index from 1 on the chosen network card
   */
  readonly deviceIndex?: number;
  /**
   * The network card, for instance types with several.
   * @default 0
   */
  readonly networkCardIndex?: number;
  /**
   * Whether EC2 deletes the ENI when the instance terminates. Set with one extra call.
   * @default false (EC2's default for an ENI you attach)
   */
  readonly deleteOnTermination?: boolean;
  /**
   * Wait until the attachment is `attached`; `false` returns right after EC2 accepts the attach.
   * @default true
   */
  readonly wait?: boolean;
}

// The most network cards any instance type has today is 16; this only bounds obviously wrong input.
const MAX_NETWORK_CARD = 15;

interface ParsedAttach {
  readonly instanceId: string;
  readonly deviceIndex: number | undefined;
  /** Whether the caller chose the device index. */
  readonly pinned: boolean;
  readonly networkCardIndex: number;
  readonly deleteOnTermination: boolean | undefined;
  readonly wait: Wait;
  /** `false` when the caller asked not to wait for `attached`. */
  readonly waitForAttached: boolean;
}

/** The options `attachTo` shares with `moveTo`: where the ENI goes on the target. */
export const PLACEMENT_OPTIONS = {
  networkCardIndex: [integerFrom(0, MAX_NETWORK_CARD), 0],
  deleteOnTermination: [checkBoolean],
} as const satisfies OptionSpec;

/** Checks `attachTo`'s instance id and options. */
export function parseAttach(
  instanceId: unknown,
  options: unknown,
  defaultMaxWait: number = DEFAULT_MAX_WAIT.attach,
): Check<ParsedAttach> {
  return safeTry(function* () {
    const o = yield* checkOptionsWith("options", options, {
      deviceIndex: [integerFrom(1, MAX_DEVICE_INDEX)],
      ...PLACEMENT_OPTIONS,
      wait: [checkBoolean, true],
      ...WAIT_OPTIONS,
    });
    return ok({
      ...o,
      instanceId: yield* checkId("instanceId", instanceId, "i"),
      pinned: o.deviceIndex !== undefined,
      wait: yield* checkWait(o, defaultMaxWait),
      waitForAttached: o.wait,
    });
  });
}

/** Where on the instance the ENI will go. */
export interface Slot {
  readonly deviceIndex: number;
  readonly networkCardIndex: number;
}

/** What an attach asks of its target instance. */
export interface TargetRequest {
  readonly instanceId: string;
  readonly deviceIndex: number | undefined;
  readonly networkCardIndex: number;
}

/**
 * The checks EC2 would make of the target, made first so a refusal costs no mutating call:
 * the instance is running or stopped, in the ENI's AZ, with room for another ENI on the chosen
 * card and a free device index (the lowest from 1 when none is asked for).
 */
function checkTarget(
  eniAz: string,
  instance: Instance,
  limits: InstanceTypeLimits,
  request: TargetRequest,
): Result<Slot, EniError> {
  const { instanceId, networkCardIndex: card } = request;
  const state = instance.State?.Name ?? "unknown";
  if (state !== "running" && state !== "stopped") {
    return err(
      new InvalidStateError(
        `Instance ${instanceId} is ${state}; ENIs attach only to running or stopped instances.`,
        instanceId,
        state,
      ),
    );
  }
  const instanceAz = instance.Placement?.AvailabilityZone ?? "unknown";
  if (eniAz !== instanceAz) return err(new AzMismatchError(eniAz, instanceAz));

  const attached = (instance.NetworkInterfaces ?? [])
    .map((eni) => eni.Attachment)
    .filter((attachment) => attachment !== undefined);
  const onCard = attached.filter((attachment) => (attachment.NetworkCardIndex ?? 0) === card);
  const cardLimit = limits.perCard.size === 0 && card === 0 ? limits.maxInterfaces : limits.perCard.get(card);
  if (cardLimit === undefined) {
    return refuse("networkCardIndex", `Instance type ${limits.instanceType} has no network card ${card}.`);
  }
  if (attached.length >= limits.maxInterfaces) {
    return err(new AttachmentLimitError(limits.instanceType, limits.maxInterfaces, attached.length));
  }
  if (onCard.length >= cardLimit) {
    return err(
      new AttachmentLimitError(
        limits.instanceType,
        cardLimit,
        onCard.length,
        `Network card ${card} of ${limits.instanceType} takes at most ${cardLimit} network interfaces and already has ${onCard.length}.`,
      ),
    );
  }
  const taken = new Set(onCard.map((attachment) => attachment.DeviceIndex ?? 0));
  if (request.deviceIndex !== undefined && taken.has(request.deviceIndex)) {
    return refuse(
      "deviceIndex",
      `Instance ${instanceId} already has an interface at device index ${request.deviceIndex} on network card ${card}.`,
    );
  }
  let deviceIndex = request.deviceIndex ?? 1;
  while (taken.has(deviceIndex)) deviceIndex += 1;
  return ok({ deviceIndex, networkCardIndex: card });
}

/** Where the ENI can go on the instance, as `checkTarget` decides with the instance type's limits. */
function findSlot(
  ec2: EC2Client,
  eniAz: string,
  instance: Instance,
  request: TargetRequest,
  context: CallContext,
): ResultAsync<Slot, EniError> {
  return instanceTypeLimits(ec2, instance.InstanceType ?? "unknown", context).andThen((limits) =>
    checkTarget(eniAz, instance, limits, request),
  );
}

/** `attachTo` takes only an available ENI; moving one that is attached is `moveTo`'s job. */
function checkAvailable(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  if (ni.Status === "available") return ok(ni);
  const where =
    ni.Attachment?.InstanceId === undefined ? "" : ` (attached to ${ni.Attachment.InstanceId}; use moveTo to move it)`;
  return err(
    new InvalidStateError(
      `Network interface ${ni.NetworkInterfaceId} is ${ni.Status}${where}.`,
      ni.NetworkInterfaceId,
      ni.Status,
    ),
  );
}

/**
 * What is left of a budget of `seconds` from now on, each time it is asked; a spent budget still
 * allows one last look, so a step that starts late can see a change that has just happened.
 */
export function budget(wait: Wait, seconds = wait.maxWaitTime): () => Wait {
  const deadline = Date.now() + seconds * 1000;
  return () => ({ ...wait, maxWaitTime: Math.max((deadline - Date.now()) / 1000, wait.minDelay * 1.01) });
}

/** What a preflight found: the ENI, and where it goes on the target. */
export interface Preflight {
  readonly ni: NetworkInterface;
  /** `undefined` when the ENI is already on the target (or on its way there). */
  readonly slot: Slot | undefined;
}

/**
 * The preflight of `attachTo` and `moveTo`, from reads alone, so a refusal costs no mutating
 * call: two reads, and the instance type's limits (cached per client). An ENI already on the
 * target needs nothing more; otherwise `admit` refuses what the operation cannot take and
 * names the device index asked for, and `checkTarget` checks the target.
 */
export function preflight(
  ec2: EC2Client,
  eniId: string,
  target: Omit<TargetRequest, "deviceIndex">,
  context: CallContext,
  admit: (ni: NetworkInterface) => Result<number | undefined, EniError>,
): ResultAsync<Preflight, EniError> {
  return ResultAsync.combine([
    describeEni(ec2, eniId, context),
    describeInstance(ec2, target.instanceId, context),
  ]).andThen(([ni, instance]) =>
    liveAttachment(ni)?.InstanceId === target.instanceId
      ? okAsync({ ni, slot: undefined })
      : admit(ni)
          .asyncAndThen((deviceIndex) =>
            findSlot(ec2, ni.AvailabilityZone ?? "unknown", instance, { ...target, deviceIndex }, context),
          )
          .map((slot) => ({ ni, slot })),
  );
}

/**
 * Attaches an available ENI to an instance after checking, from reads alone, everything EC2
 * would refuse. Attaching to the instance it is already on succeeds without a call. EC2's
 * brief refusals right after a detach are retried (see `attachAt`).
 */
export function attachEni(
  ec2: EC2Client,
  eniId: string,
  instanceId: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return parseAttach(instanceId, options).asyncAndThen((request) =>
    preflight(ec2, eniId, request, request.wait, (ni) => checkAvailable(ni).map(() => request.deviceIndex)).andThen(
      ({ ni, slot }) => {
        if (slot !== undefined) return attachAt(ec2, ni, slot, request, budget(request.wait));
        // Already there (or on its way): nothing to send, at most something to wait for.
        const current = ni.Attachment;
        return !request.waitForAttached || current?.Status === "attached"
          ? okAsync(ni)
          : waitUntilInUse(ec2, eniId, request.wait, current?.AttachmentId);
      },
    ),
  );
}

/** What `attachAt` needs besides the ENI and where it goes. */
export interface AttachRequest {
  readonly instanceId: string;
  /**
   * Whether the caller chose the device index: a taken one is then tried again, not swapped for another.
   * @default false
   */
  readonly pinned?: boolean;
  /** Set `DeleteOnTermination` on the new attachment; left as EC2 makes it when `undefined`. */
  readonly deleteOnTermination?: boolean | undefined;
  /**
   * `false` returns once EC2 accepts the attach, with one read, instead of waiting for `attached`.
   * @default true
   */
  readonly waitForAttached?: boolean;
  /** Told of each retry, with why (for `moveTo`'s report and events). */
  readonly onRetry?: (reason: string) => void;
}

/**
 * The mutating part of every attach, once a preflight has chosen `firstSlot`: `attachTo`'s, and
 * `moveTo`'s attach and rollback. Right after a detach EC2 can call the ENI in use for a moment,
 * and a device index can stay taken for a moment: both are retried until the deadline, a taken
 * index we chose (not `pinned`) by choosing again from a fresh read. An ENI found attached
 * elsewhere means someone else won: `ConflictError`. Then sets `DeleteOnTermination` if asked,
 * and waits until the ENI is in use.
 *
 * @param ni - the ENI as the preflight read it.
 * @param remaining - what is left of the wait budget, asked once per step.
 */
export function attachAt(
  ec2: EC2Client,
  ni: NetworkInterface,
  firstSlot: Slot,
  request: AttachRequest,
  remaining: () => Wait,
): ResultAsync<NetworkInterface, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const az = ni.AvailabilityZone ?? "unknown";
  const instanceId = request.instanceId;
  // The attachment the preflight saw was just detached (by moveTo, or by the caller): it can linger.
  const detached = attachmentOf(ni)?.AttachmentId;
  let slot = firstSlot;
  const wait = remaining();
  // Tells the caller why we try again, and at which slot (`next`, once any fresh read is done).
  const retry = (reason: string, next: ResultAsync<Slot, EniError>) => {
    request.onRetry?.(reason);
    return next.map((chosen) => {
      slot = chosen;
      return notYet<string | undefined>(reason);
    });
  };
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
        // EC2's AZ refusal does not name the zones; the preflight found the instance in the ENI's
        // (and a rollback's source held the ENI).
        if (error.name === "AzMismatchError") return err(new AzMismatchError(az, az, error.message, error));
        if (error.name === "ValidationError" && error.field === "deviceIndex") {
          const target = { instanceId, deviceIndex: undefined, networkCardIndex: slot.networkCardIndex };
          return retry(
            `device index ${slot.deviceIndex} still taken`,
            request.pinned === true
              ? okAsync(slot)
              : describeInstance(ec2, instanceId, wait).andThen((fresh) => findSlot(ec2, az, fresh, target, wait)),
          );
        }
        if (error.name !== "InvalidStateError" || error.state !== "in-use") return err(error);
        return describeEni(ec2, eniId, wait).andThen((now) => {
          const attachment = attachmentOf(now);
          // Ours after all (an earlier try whose answer was lost), or someone else's on the same target.
          if (attachment?.InstanceId === instanceId) return ok(done(attachment.AttachmentId));
          if (attachment !== undefined && attachment.AttachmentId !== detached)
            return err(lostRace(eniId, instanceId, attachment.InstanceId));
          return retry("network interface still in use", okAsync(slot));
        });
      });
  return pollUntil(`${eniId} to attach to ${instanceId}`, wait, tryAttach)
    .andThrough((attachmentId) =>
      // EC2 always names the new attachment; were it missing, EC2 would refuse this call rather
      // than the setting being skipped unnoticed.
      request.deleteOnTermination === undefined
        ? okAsync(undefined)
        : send(
            ec2,
            new ModifyNetworkInterfaceAttributeCommand({
              NetworkInterfaceId: eniId,
              Attachment: { AttachmentId: attachmentId, DeleteOnTermination: request.deleteOnTermination },
            }),
            wait,
          ),
    )
    .andThen((attachmentId) =>
      request.waitForAttached === false
        ? describeEni(ec2, eniId, wait)
        : waitUntilInUse(ec2, eniId, remaining(), attachmentId),
    );
}

/** Someone else attached the ENI to another instance while we were attaching or moving it: they won. */
export function lostRace(eniId: string, target: string, winner: string | undefined): ConflictError {
  return new ConflictError(`${eniId} was attached to ${winner} by someone else meanwhile.`, target, winner);
}
