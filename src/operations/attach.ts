import {
  AttachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { instanceTypeLimits, type InstanceTypeLimits } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { attachmentOf, liveAttachment } from "../model.js";
import {
  AttachmentLimitError,
  AzMismatchError,
  ConflictError,
  InvalidStateError,
  type AttachmentLimitKind,
  type EniError,
} from "../errors.js";
import {
  checkBoolean,
  checkId,
  checkIndex,
  checkOptionsWith,
  checkPlacement,
  refuse,
  type Check,
  type OptionSpec,
} from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  MAX_REFUSALS,
  WAIT_OPTIONS,
  checkWait,
  confirmNoOp,
  readEniWithin,
  readInstanceWithin,
  retrying,
  timed,
  waitUntilInUse,
  type RetryDecision,
  type Wait,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";
import { EVENT_OPTIONS, openEventLog, type EniEvent, type EventOptions } from "./events.js";
import { holdEni } from "./ownership.js";

/**
 * How `attachTo` attaches.
 *
 * @example
 * ```ts
 * const options: AttachOptions = { deviceIndex: 1, deleteOnTermination: false, maxWaitTime: 120 };
 * ```
 */
export interface AttachOptions extends WaitOptions, EventOptions {
  /**
   * The device index on the instance's network card (the OS sees it as eth1, eth2…). Device index
   * 0 on network card 0 is the primary interface's; on other cards 0 is valid.
   * @default the lowest free index from 1 on the chosen network card
   */
  readonly deviceIndex?: number | undefined;
  /**
   * The network card, for instance types with several (a p5.48xlarge has 32).
   * @default 0
   */
  readonly networkCardIndex?: number | undefined;
  /**
   * Whether EC2 deletes the ENI when the instance terminates. Set with one extra call.
   * @default false (EC2's default for an ENI you attach)
   */
  readonly deleteOnTermination?: boolean | undefined;
  /**
   * Wait until the attachment is `attached`; `false` returns right after EC2 accepts the attach.
   * @default true
   */
  readonly wait?: boolean | undefined;
}

interface ParsedAttach {
  readonly instanceId: string;
  readonly deviceIndex: number | undefined;
  /** Whether the caller chose the device index. */
  readonly pinned: boolean;
  readonly networkCardIndex: number;
  readonly deleteOnTermination: boolean | undefined;
  readonly plan: WaitPlan;
  /** `false` when the caller asked not to wait for `attached`. */
  readonly waitForAttached: boolean;
  readonly onEvent: ((event: EniEvent) => void) | undefined;
}

/** The options `attachTo` shares with `moveTo`: where the ENI goes on the target. */
export const PLACEMENT_OPTIONS = {
  networkCardIndex: [checkIndex, 0],
  deleteOnTermination: [checkBoolean],
} as const satisfies OptionSpec;

/** Checks `attachTo`'s instance id and options. */
export function parseAttach(instanceId: unknown, options: unknown): Check<ParsedAttach> {
  return safeTry(function* () {
    const o = yield* checkOptionsWith("options", options, {
      deviceIndex: [checkIndex],
      ...PLACEMENT_OPTIONS,
      wait: [checkBoolean, true],
      ...EVENT_OPTIONS,
      ...WAIT_OPTIONS,
    });
    yield* checkPlacement(o.deviceIndex, o.networkCardIndex);
    return ok({
      ...o,
      instanceId: yield* checkId("instanceId", instanceId, "i"),
      pinned: o.deviceIndex !== undefined,
      plan: yield* checkWait(o, DEFAULT_MAX_WAIT.attach),
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
      new InvalidStateError(
        `Instance ${instanceId} is ${state}; ENIs attach only to running or stopped instances.`,
        instanceId,
        state,
      ),
    );
  }
  const eniAz = ni.AvailabilityZone ?? "unknown";
  const instanceAz = instance.Placement?.AvailabilityZone ?? "unknown";
  if (eniAz !== instanceAz) return err(new AzMismatchError(eniAz, instanceAz));

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
    return err(new AttachmentLimitError(instanceType, limits.maxInterfaces, attached.length));
  }
  if (onCard.length >= cardLimit) {
    return err(
      new AttachmentLimitError(
        instanceType,
        cardLimit,
        onCard.length,
        `Network card ${card} of ${instanceType} takes at most ${cardLimit} network interfaces and already has ${onCard.length}.`,
        { kind: "network-card" },
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
    instanceType,
    limit,
    count,
    `${ni.NetworkInterfaceId} has ${count} ${what}; instance type ${instanceType} takes at most ${limit} on one interface.`,
    { kind },
  );
}

/** Where the ENI can go on the instance, as `checkTarget` decides with the instance type's limits. */
function findSlot(
  ec2: EC2Client,
  ni: NetworkInterface,
  instance: Instance,
  request: TargetRequest,
  wait: Wait,
): ResultAsync<Slot, EniError> {
  return retrying(wait, () => instanceTypeLimits(ec2, instance.InstanceType ?? "unknown", wait)).andThen((limits) =>
    checkTarget(ni, instance, limits, request),
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
  wait: Wait,
  admit: (ni: NetworkInterface) => Result<number | undefined, EniError> | ResultAsync<number | undefined, EniError>,
): ResultAsync<Preflight, EniError> {
  const onTarget = (ni: NetworkInterface) => liveAttachment(ni)?.InstanceId === target.instanceId;
  return ResultAsync.combine([
    readEniWithin(ec2, eniId, wait).andThen((ni) => confirmNoOp(ec2, ni, wait, onTarget)),
    readInstanceWithin(ec2, target.instanceId, wait),
  ]).andThen(([ni, instance]) =>
    onTarget(ni)
      ? okAsync({ ni, slot: undefined })
      : okAsync(ni)
          .andThen(admit)
          .andThen((deviceIndex) => findSlot(ec2, ni, instance, { ...target, deviceIndex }, wait))
          .map((slot) => ({ ni, slot })),
  );
}

/**
 * Attaches an available ENI to an instance after checking, from reads alone, everything EC2
 * would refuse. Attaching to the instance it is already on succeeds without a call. An ENI eni-kit
 * created is marked as attached once (see `OWNERSHIP_TAGS.attached`), in parallel with the attach.
 */
export function attachEni(
  ec2: EC2Client,
  eniId: string,
  instanceId: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return parseAttach(instanceId, options).asyncAndThen((request) => {
    const log = openEventLog<"preflight" | "attach">(eniId, request.onEvent, "preflight");
    const attach = ({ ni, slot }: Preflight, wait: Wait): ResultAsync<NetworkInterface, EniError> => {
      if (slot !== undefined) {
        // The marker is information for reapers: its failure must not fail the attach.
        const marked = holdEni(ec2, ni, wait).orElse(() => ok(false));
        return ResultAsync.combine([attachAt(ec2, ni, slot, request, wait), marked]).map(([attached]) => attached);
      }
      // Already there (or on its way): nothing to send, at most something to wait for.
      const current = attachmentOf(ni);
      return !request.waitForAttached || current?.Status === "attached"
        ? okAsync(ni)
        : waitUntilInUse(
            ec2,
            eniId,
            wait,
            current && { attachmentId: current.AttachmentId ?? "", instanceId: request.instanceId },
          );
    };
    return timed(
      request.plan,
      `${eniId} to attach to ${request.instanceId}`,
      (wait) =>
        log
          .step("preflight", () =>
            preflight(ec2, eniId, request, wait, (ni) => checkAvailable(ni).map(() => request.deviceIndex)),
          )
          .andThen((found) => log.step("attach", () => attach(found, wait))),
      log.context,
    );
  });
}

/** What `attachAt` needs besides the ENI and where it goes. */
export interface AttachRequest {
  readonly instanceId: string;
  /**
   * Whether the caller chose the device index: a taken one is then tried again, not swapped for another.
   * @default false
   */
  readonly pinned?: boolean | undefined;
  /** Set `DeleteOnTermination` on the new attachment; left as EC2 makes it when `undefined`. */
  readonly deleteOnTermination?: boolean | undefined;
  /**
   * `false` returns once EC2 accepts the attach, with one read, instead of waiting for `attached`.
   * @default true
   */
  readonly waitForAttached?: boolean | undefined;
}

/**
 * After this many refusals of one device index, an index eni-kit chose is swapped for another free
 * one: after a forced detach, EC2 can keep the old index taken until the instance stops.
 */
const REFUSALS_PER_INDEX = 2;

/** EC2's refusal of a device index that another interface holds. */
function isIndexTaken(error: EniError): boolean {
  return error.name === "ValidationError" && /already has an interface attached at device index/i.test(error.message);
}

/**
 * The mutating part of every attach, once a preflight has chosen `firstSlot`: `attachTo`'s, and
 * `moveTo`'s attach and rollback. Sends the attach again, with backoff and within the deadline,
 * while EC2's answer is transient (throttling, 5xx) or a brief refusal: right after a detach EC2
 * can call the ENI in use for a moment, and a device index can stay taken. Refusals are capped
 * ({@link MAX_REFUSALS}); a taken index eni-kit chose (not `pinned`) is chosen again from a fresh
 * read, another one once it has been refused twice. An ENI found attached elsewhere means someone
 * else won: `ConflictError`. Then sets `DeleteOnTermination` if asked (retrying while EC2 does not
 * yet know the new attachment id), and waits until the ENI is in use on the new attachment.
 *
 * @param ni - the ENI as the preflight read it.
 */
export function attachAt(
  ec2: EC2Client,
  ni: NetworkInterface,
  firstSlot: Slot,
  request: AttachRequest,
  wait: Wait,
): ResultAsync<NetworkInterface, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const az = ni.AvailabilityZone ?? "unknown";
  const { instanceId } = request;
  // The attachment the preflight saw was just detached (by moveTo, or by the caller): it can linger.
  const previous = attachmentOf(ni)?.AttachmentId;
  let slot = firstSlot;
  let refusals = 0;
  const refusedIndexes = new Map<number, number>();

  const attempt = () =>
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
      .map((output) => output.AttachmentId ?? "")
      .orElse((error) => {
        // EC2's AZ refusal does not name the zones; the preflight found the instance in the ENI's
        // (and a rollback's source held the ENI).
        if (error.name === "AzMismatchError") return err(new AzMismatchError(az, az, error.message, error));
        if (error.name !== "InvalidStateError" || error.state !== "in-use") return err(error);
        return readEniWithin(ec2, eniId, wait).andThen((now) => {
          const attachment = attachmentOf(now);
          // Ours after all (an earlier try whose answer was lost), or someone else's on the same target.
          if (attachment?.InstanceId === instanceId) return ok(attachment.AttachmentId ?? "");
          if (attachment !== undefined && attachment.AttachmentId !== previous)
            return err(lostRace(eniId, instanceId, attachment.InstanceId));
          return err(error);
        });
      });

  const retryable = async (error: EniError): Promise<RetryDecision> => {
    if (refusals >= MAX_REFUSALS) return { retry: false };
    if (error.name === "InvalidStateError" && error.state === "in-use") {
      refusals += 1;
      return { retry: true, reason: "network interface still in use" };
    }
    if (!isIndexTaken(error)) return { retry: false };
    refusals += 1;
    const refused = slot.deviceIndex;
    refusedIndexes.set(refused, (refusedIndexes.get(refused) ?? 0) + 1);
    if (request.pinned === true) return { retry: true, reason: `device index ${refused} still taken` };
    const avoid = new Set(
      [...refusedIndexes].filter(([, count]) => count >= REFUSALS_PER_INDEX).map(([index]) => index),
    );
    const target = { instanceId, deviceIndex: undefined, networkCardIndex: slot.networkCardIndex, avoid };
    const fresh = await readInstanceWithin(ec2, instanceId, wait).andThen((instance) =>
      findSlot(ec2, ni, instance, target, wait),
    );
    if (fresh.isErr()) return { retry: false };
    slot = fresh.value;
    return { retry: true, reason: `device index ${refused} still taken; trying ${slot.deviceIndex}` };
  };

  return retrying(wait, attempt, retryable)
    .andThrough((attachmentId) =>
      // EC2 always names the new attachment; were it missing, EC2 would refuse this call rather
      // than the setting being skipped unnoticed. Right after the attach, EC2 may not know the
      // new attachment id yet: that NotFound passes.
      request.deleteOnTermination === undefined
        ? okAsync(undefined)
        : retrying(
            wait,
            () =>
              send(
                ec2,
                new ModifyNetworkInterfaceAttributeCommand({
                  NetworkInterfaceId: eniId,
                  Attachment: { AttachmentId: attachmentId, DeleteOnTermination: request.deleteOnTermination },
                }),
                wait,
              ),
            (error) =>
              error.name === "NotFoundError" && error.resourceType === "attachment"
                ? { retry: true, reason: `attachment ${attachmentId} not visible yet` }
                : { retry: false },
          ),
    )
    .andThen((attachmentId) =>
      request.waitForAttached === false
        ? readEniWithin(ec2, eniId, wait)
        : // EC2 names the new attachment; should it not, the wait follows the first one it sees.
          waitUntilInUse(ec2, eniId, wait, attachmentId === "" ? undefined : { attachmentId, instanceId, previous }),
    );
}

/** Someone else attached the ENI to another instance while we were attaching or moving it: they won. */
export function lostRace(eniId: string, target: string, winner: string | undefined): ConflictError {
  return new ConflictError(`${eniId} was attached to ${winner} by someone else meanwhile.`, target, winner);
}
