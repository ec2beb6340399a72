import {
  AttachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { describeEni, describeInstance, instanceTypeLimits, type InstanceTypeLimits } from "../ec2/describe.js";
import { send, type CallContext } from "../ec2/send.js";
import { liveAttachment } from "../model.js";
import {
  AttachmentLimitError,
  AwsError,
  AzMismatchError,
  InvalidStateError,
  ValidationError,
  type EniError,
} from "../errors.js";
import {
  MAX_DEVICE_INDEX,
  checkBoolean,
  checkId,
  checkOptionsWith,
  integerFrom,
  type Check,
  type OptionSpec,
} from "../validation.js";
import { DEFAULT_MAX_WAIT, WAIT_OPTIONS, checkWait, waitUntilInUse, type Wait, type WaitOptions } from "../waiters.js";

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
export const MAX_NETWORK_CARD = 15;
const ATTACHABLE_INSTANCE_STATES = ["running", "stopped"];

interface ParsedAttach {
  readonly instanceId: string;
  readonly deviceIndex: number | undefined;
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
      instanceId: yield* checkId("instanceId", instanceId, "i"),
      deviceIndex: o.deviceIndex,
      networkCardIndex: o.networkCardIndex,
      deleteOnTermination: o.deleteOnTermination,
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
export function checkTarget(
  eniAz: string,
  instance: Instance,
  limits: InstanceTypeLimits,
  request: TargetRequest,
): Result<Slot, EniError> {
  const instanceId = request.instanceId;
  const state = instance.State?.Name ?? "unknown";
  if (!ATTACHABLE_INSTANCE_STATES.includes(state)) {
    return err(
      new InvalidStateError(
        `Instance ${instanceId} is ${state}; ENIs attach only to running or stopped instances.`,
        instanceId,
        state,
      ),
    );
  }
  const instanceAz = azOf(instance);
  if (eniAz !== instanceAz) return err(new AzMismatchError(eniAz, instanceAz));

  const card = request.networkCardIndex;
  const attached = (instance.NetworkInterfaces ?? []).flatMap((eni) =>
    eni.Attachment === undefined ? [] : [eni.Attachment],
  );
  const onCard = attached.filter((attachment) => (attachment.NetworkCardIndex ?? 0) === card);
  const cardLimit = limits.perCard.size === 0 && card === 0 ? limits.maxInterfaces : limits.perCard.get(card);
  if (cardLimit === undefined) {
    return err(
      new ValidationError("networkCardIndex", `Instance type ${limits.instanceType} has no network card ${card}.`),
    );
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
    return err(
      new ValidationError(
        "deviceIndex",
        `Instance ${instanceId} already has an interface at device index ${request.deviceIndex} on network card ${card}.`,
      ),
    );
  }
  let deviceIndex = request.deviceIndex ?? 1;
  while (taken.has(deviceIndex)) deviceIndex += 1;
  return ok({ deviceIndex, networkCardIndex: card });
}

/** `attachTo` takes only an available ENI; moving one that is attached is `moveTo`'s job. */
/** The instance's Availability Zone. */
export function azOf(instance: Instance): string {
  return instance.Placement?.AvailabilityZone ?? "unknown";
}

/** Where the ENI can go on the instance, as `checkTarget` decides with the instance type's limits. */
export function findSlot(
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
 * Attaches an available ENI to an instance after checking, from reads alone, everything EC2
 * would refuse. Attaching to the instance it is already on succeeds without a call.
 */
export function attachEni(
  ec2: EC2Client,
  eniId: string,
  instanceId: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return parseAttach(instanceId, options).asyncAndThen((request) => {
    const context = request.wait;
    return ResultAsync.combine([
      describeEni(ec2, eniId, context),
      describeInstance(ec2, request.instanceId, context),
    ]).andThen(([ni, instance]) => {
      const current = liveAttachment(ni);
      if (current?.InstanceId === request.instanceId) {
        // Already there (or on its way): nothing to send, at most something to wait for.
        return !request.waitForAttached || current.Status === "attached"
          ? okAsync(ni)
          : waitUntilInUse(ec2, eniId, request.wait, current.AttachmentId);
      }
      return checkAvailable(ni)
        .asyncAndThen(() => findSlot(ec2, ni.AvailabilityZone ?? "unknown", instance, request, context))
        .andThen((slot) => attachAt(ec2, ni, instance, slot, request));
    });
  });
}

/** The mutating part of an attach, once the preflight has passed. Also used by `moveTo`. */
export function attachAt(
  ec2: EC2Client,
  ni: NetworkInterface,
  instance: Instance,
  slot: Slot,
  request: ParsedAttach,
): ResultAsync<NetworkInterface, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const context = request.wait;
  const command = new AttachNetworkInterfaceCommand({
    NetworkInterfaceId: eniId,
    InstanceId: request.instanceId,
    DeviceIndex: slot.deviceIndex,
    NetworkCardIndex: slot.networkCardIndex,
  });
  return send(ec2, command, context)
    .mapErr((error) =>
      // EC2's AZ refusal does not name the zones; we know them.
      error.name === "AzMismatchError"
        ? new AzMismatchError(ni.AvailabilityZone ?? "unknown", azOf(instance), error.message, error)
        : error,
    )
    .andThen((output) =>
      output.AttachmentId === undefined
        ? errAsync(new AwsError("EC2 returned no attachment id from AttachNetworkInterface."))
        : okAsync(output.AttachmentId),
    )
    .andThrough((attachmentId) =>
      request.deleteOnTermination === undefined
        ? okAsync(undefined)
        : send(
            ec2,
            new ModifyNetworkInterfaceAttributeCommand({
              NetworkInterfaceId: eniId,
              Attachment: { AttachmentId: attachmentId, DeleteOnTermination: request.deleteOnTermination },
            }),
            context,
          ),
    )
    .andThen((attachmentId) =>
      !request.waitForAttached
        ? describeEni(ec2, eniId, context)
        : waitUntilInUse(ec2, eniId, request.wait, attachmentId),
    );
}
