import { type EC2Client, type Instance, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, type Result } from "neverthrow";
import { instanceTypeLimits, type InstanceTypeLimits } from "../ec2/describe.js";
import { liveAttachment } from "../model.js";
import {
  AttachmentLimitError,
  AzMismatchError,
  InvalidStateError,
  type AttachmentLimitKind,
  type EniError,
} from "../errors.js";
import { checkBoolean, checkIndex, refuse, type OptionSpec } from "../validation.js";
import { confirmNoOp, readEniWithin, readInstanceWithin, retrying, type OperationContext } from "../waiters.js";

/** The options `attachTo` shares with `moveTo`: where the ENI goes on the target. */
export const PLACEMENT_OPTIONS = {
  networkCardIndex: [checkIndex, 0],
  deleteOnTermination: [checkBoolean],
} as const satisfies OptionSpec;

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
  /** Device indexes not to choose (ones EC2 kept refusing). */
  readonly avoid?: ReadonlySet<number> | undefined;
}

/** How many IPv4 and IPv6 addresses an interface counts against its type's limits: each prefix counts as one. */
function addressCounts(ni: NetworkInterface): Record<"ipv4-addresses" | "ipv6-addresses", number> {
  const ipv4 = ni.PrivateIpAddresses?.length ?? (ni.PrivateIpAddress === undefined ? 0 : 1);
  return {
    "ipv4-addresses": ipv4 + (ni.Ipv4Prefixes?.length ?? 0),
    "ipv6-addresses": (ni.Ipv6Addresses?.length ?? 0) + (ni.Ipv6Prefixes?.length ?? 0),
  };
}

/**
 * The checks EC2 makes of an attach, made first so a refusal costs no mutating call: the instance
 * is running or stopped, in the ENI's AZ, has the network card, room for another ENI on it and in
 * all, takes as many addresses per interface as the ENI has, and has the device index free (the
 * lowest free from 1 when none is asked for).
 */
function checkTarget(
  ni: NetworkInterface,
  instance: Instance,
  limits: InstanceTypeLimits,
  request: TargetRequest,
): Result<Slot, EniError> {
  const { instanceId, networkCardIndex: card } = request;
  const { instanceType } = limits;
  const state = instance.State?.Name ?? "unknown";
  if (state !== "running" && state !== "stopped") {
    return err(
      new InvalidStateError(`Instance ${instanceId} is ${state}; ENIs attach only to running or stopped instances.`, {
        resourceId: instanceId,
        state,
      }),
    );
  }
  const eniAz = ni.AvailabilityZone ?? "unknown";
  const instanceAz = instance.Placement?.AvailabilityZone ?? "unknown";
  if (eniAz !== instanceAz) return err(AzMismatchError.between(eniAz, instanceAz));

  const attached = (instance.NetworkInterfaces ?? [])
    .map((eni) => eni.Attachment)
    .filter((attachment) => attachment !== undefined);
  const onCard = attached.filter((attachment) => (attachment.NetworkCardIndex ?? 0) === card);
  const cardLimit = limits.perCard.size === 0 && card === 0 ? limits.maxInterfaces : limits.perCard.get(card);
  if (cardLimit === undefined) {
    return refuse(
      "networkCardIndex",
      `Instance type ${instanceType} has no network card ${card} (it has ${Math.max(limits.perCard.size, 1)}).`,
    );
  }
  if (attached.length >= limits.maxInterfaces) {
    return err(AttachmentLimitError.full(instanceType, limits.maxInterfaces, attached.length));
  }
  if (onCard.length >= cardLimit) {
    return err(
      new AttachmentLimitError(
        `Network card ${card} of ${instanceType} takes at most ${cardLimit} network interfaces and already has ${onCard.length}.`,
        { instanceType, limit: cardLimit, inUse: onCard.length, kind: "network-card" },
      ),
    );
  }
  const counts = addressCounts(ni);
  for (const [kind, limit] of [
    ["ipv4-addresses", limits.ipv4PerInterface],
    ["ipv6-addresses", limits.ipv6PerInterface],
  ] as const) {
    if (limit !== undefined && counts[kind] > limit)
      return err(addressLimit(ni, instanceType, kind, limit, counts[kind]));
  }
  const taken = new Set(onCard.map((attachment) => attachment.DeviceIndex ?? 0));
  if (request.deviceIndex !== undefined && taken.has(request.deviceIndex)) {
    return refuse(
      "deviceIndex",
      `Instance ${instanceId} already has an interface at device index ${request.deviceIndex} on network card ${card}.`,
    );
  }
  let deviceIndex = request.deviceIndex ?? 1;
  while (taken.has(deviceIndex) || request.avoid?.has(deviceIndex) === true) deviceIndex += 1;
  return ok({ deviceIndex, networkCardIndex: card });
}

/** An ENI with more addresses than the target's type takes on one interface. */
function addressLimit(
  ni: NetworkInterface,
  instanceType: string,
  kind: AttachmentLimitKind,
  limit: number,
  count: number,
): AttachmentLimitError {
  const what = kind === "ipv4-addresses" ? "private IPv4 addresses and IPv4 prefixes" : "IPv6 addresses and prefixes";
  return new AttachmentLimitError(
    `${ni.NetworkInterfaceId} has ${count} ${what}; instance type ${instanceType} takes at most ${limit} on one interface.`,
    { instanceType, limit, inUse: count, kind },
  );
}

/**
 * The smallest limits of any instance type: EC2's table of interfaces and addresses per type has
 * none below two interfaces with two private IPv4 addresses each (t2.nano, t3.nano), on network
 * card 0, which every type has; previous-generation types take no IPv6. Each check is a count
 * against a limit, so what fits these fits every type. (Were EC2 ever to add a smaller type, its
 * own check at the attach would still refuse, and a move would roll back.)
 */
const SMALLEST_TYPE: InstanceTypeLimits = {
  instanceType: "any",
  maxInterfaces: 2,
  perCard: new Map(),
  ipv4PerInterface: 2,
  ipv6PerInterface: 0,
};

/**
 * Where the ENI can go on the instance, as `checkTarget` decides with the instance type's limits.
 * A target with room on any type (a standby with its primary interface alone, say) needs no read
 * of its type's limits: a round trip less before a move's detach.
 */
export function findSlot(
  ec2: EC2Client,
  ni: NetworkInterface,
  instance: Instance,
  request: TargetRequest,
  context: OperationContext,
): ResultAsync<Slot, EniError> {
  const onAnyType = checkTarget(ni, instance, SMALLEST_TYPE, request);
  return onAnyType.isOk()
    ? okAsync(onAnyType.value)
    : retrying(context, () => instanceTypeLimits(ec2, instance.InstanceType ?? "unknown", context)).andThen((limits) =>
        checkTarget(ni, instance, limits, request),
      );
}

/** What a preflight found: the ENI, and where it goes on the target. */
export interface Preflight {
  readonly ni: NetworkInterface;
  /** `undefined` when the ENI is already on the target (or on its way there). */
  readonly slot: Slot | undefined;
}

/**
 * The preflight of `attachTo` and `moveTo`, from reads alone, so a refusal costs no mutating
 * call: the ENI and the target (read at once, in one batch with any other read started in the
 * same turn), and the instance type's limits (cached per client). An ENI already on the target
 * needs nothing more; otherwise `admit` refuses what the operation cannot take and names the
 * device index asked for, and `checkTarget` checks the target.
 */
export function preflight(
  ec2: EC2Client,
  eniId: string,
  target: Omit<TargetRequest, "deviceIndex">,
  context: OperationContext,
  admit: (ni: NetworkInterface) => Result<number | undefined, EniError> | ResultAsync<number | undefined, EniError>,
): ResultAsync<Preflight, EniError> {
  const onTarget = (ni: NetworkInterface) => liveAttachment(ni)?.InstanceId === target.instanceId;
  return ResultAsync.combine([
    readEniWithin(ec2, eniId, context).andThen((ni) => confirmNoOp(ec2, ni, context, onTarget)),
    readInstanceWithin(ec2, target.instanceId, context),
  ]).andThen(([ni, instance]) =>
    onTarget(ni)
      ? okAsync({ ni, slot: undefined })
      : okAsync(ni)
          .andThen(admit)
          .andThen((deviceIndex) => findSlot(ec2, ni, instance, { ...target, deviceIndex }, context))
          .map((slot) => ({ ni, slot })),
  );
}
