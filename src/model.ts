import type { NetworkInterface, NetworkInterfacePrivateIpAddress } from "@aws-sdk/client-ec2";

/** An ENI's status as EC2 reports it (`pending` briefly after a create, which the SDK's enum omits). */
export type EniStatus = "pending" | "available" | "attaching" | "in-use" | "detaching" | "associated";

/** An attachment's status as EC2 reports it. */
export type AttachmentStatus = "attaching" | "attached" | "detaching" | "detached";

/** Where an ENI is attached: present only while EC2 reports an attachment. */
export interface EniAttachment {
  /** The attachment id (`eni-attach-…`), the handle for detaching. */
  readonly id: string;
  /** The instance it is attached to. */
  readonly instanceId: string;
  /** The device index on the instance (0 is the primary interface). */
  readonly deviceIndex: number;
  /** The network card index (0 unless the instance type has several cards). */
  readonly networkCardIndex: number;
  /** `attaching`, `attached`, `detaching` or `detached`. */
  readonly status: AttachmentStatus;
  /** Whether EC2 deletes the ENI when the instance terminates. */
  readonly deleteOnTermination: boolean;
  /** When the attachment was made. */
  readonly attachedAt: Date | undefined;
}

/** A security group on an ENI. */
export interface EniSecurityGroup {
  /** The group id (`sg-…`). */
  readonly id: string;
  /** The group name. */
  readonly name: string | undefined;
}

/** One private IPv4 address of an ENI, with the Elastic IP (or public IP) mapped to it, if any. */
export interface EniPrivateIp {
  /** The private IPv4 address. */
  readonly privateIp: string;
  /** Whether it is the ENI's primary private IP (fixed for the ENI's life). */
  readonly primary: boolean;
  /** The public IPv4 mapped to it: an Elastic IP, or an auto-assigned public IP on the primary. */
  readonly publicIp: string | undefined;
  /** The Elastic IP's allocation id (`eipalloc-…`); `undefined` when no Elastic IP is associated. */
  readonly allocationId: string | undefined;
  /** The association id (`eipassoc-…`), the handle for disassociating; `undefined` when none. */
  readonly associationId: string | undefined;
}

/** The data of an ENI snapshot: what EC2 reported at one moment, never mutated. */
export interface EniState {
  /** The ENI id (`eni-…`). */
  readonly id: string;
  /** The value of its `Name` tag. */
  readonly name: string | undefined;
  /** `pending`, `available`, `attaching`, `in-use`, `detaching` or `associated`. */
  readonly status: EniStatus;
  /** Its subnet. */
  readonly subnetId: string;
  /** Its VPC. */
  readonly vpcId: string;
  /** Its Availability Zone (the subnet's). */
  readonly availabilityZone: string;
  /** Its MAC address. */
  readonly macAddress: string;
  /** Its primary private IPv4 address. */
  readonly privateIp: string;
  /** Its secondary private IPv4 addresses. */
  readonly secondaryPrivateIps: readonly string[];
  /** Every private IPv4 address, primary first as EC2 lists it, each with its Elastic IP. */
  readonly privateIpAddresses: readonly EniPrivateIp[];
  /** Its IPv6 addresses. */
  readonly ipv6Addresses: readonly string[];
  /** The public IPv4 (Elastic IP or auto-assigned) on its primary private IP. */
  readonly publicIp: string | undefined;
  /** Its security groups. */
  readonly securityGroups: readonly EniSecurityGroup[];
  /** Its description (empty when none). */
  readonly description: string;
  /** Its tags, `Name` included. */
  readonly tags: Readonly<Record<string, string>>;
  /** `interface`, `efa`, `efa-only`, `trunk`, or a type EC2 manages for a service. */
  readonly interfaceType: string;
  /** Whether EC2 checks source/destination addresses (off for NAT and appliances). */
  readonly sourceDestCheck: boolean;
  /** Whether another AWS service manages the ENI (then eni-kit will not detach or delete it). */
  readonly requesterManaged: boolean;
  /** Its attachment, when attached (or attaching/detaching). */
  readonly attachment: EniAttachment | undefined;
  /** The SDK's own description, for fields eni-kit does not surface. */
  readonly raw: NetworkInterface;
}

/** Reads EC2's description of an ENI into the snapshot shape. */
/**
 * The ENI's private IPv4 addresses, each with its Elastic IP. EC2 reports the primary address's
 * association twice, on the address and on the ENI; LocalStack and moto fill only the ENI's, which
 * then stands in for the primary address's.
 */
export function privateIpsOf(ni: NetworkInterface): NetworkInterfacePrivateIpAddress[] {
  return (ni.PrivateIpAddresses ?? []).map((entry) =>
    entry.Primary === true && entry.Association === undefined ? { ...entry, Association: ni.Association } : entry,
  );
}

export function toEniState(raw: NetworkInterface): EniState {
  const tags = Object.fromEntries((raw.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
  const attachment = raw.Attachment;
  const privateIpAddresses = privateIpsOf(raw).flatMap((address) =>
    address.PrivateIpAddress === undefined
      ? []
      : [
          {
            privateIp: address.PrivateIpAddress,
            primary: address.Primary ?? false,
            publicIp: address.Association?.PublicIp,
            allocationId: address.Association?.AllocationId,
            associationId: address.Association?.AssociationId,
          },
        ],
  );
  return {
    id: raw.NetworkInterfaceId ?? "",
    name: tags["Name"],
    status: raw.Status ?? "available",
    subnetId: raw.SubnetId ?? "",
    vpcId: raw.VpcId ?? "",
    availabilityZone: raw.AvailabilityZone ?? "",
    macAddress: raw.MacAddress ?? "",
    privateIp: raw.PrivateIpAddress ?? "",
    secondaryPrivateIps: privateIpAddresses.filter((address) => !address.primary).map((address) => address.privateIp),
    privateIpAddresses,
    ipv6Addresses: (raw.Ipv6Addresses ?? []).flatMap((address) => address.Ipv6Address ?? []),
    publicIp: raw.Association?.PublicIp,
    securityGroups: (raw.Groups ?? []).map((group) => ({ id: group.GroupId ?? "", name: group.GroupName })),
    description: raw.Description ?? "",
    tags,
    interfaceType: raw.InterfaceType ?? "interface",
    sourceDestCheck: raw.SourceDestCheck ?? true,
    requesterManaged: raw.RequesterManaged ?? false,
    attachment:
      attachment?.AttachmentId === undefined
        ? undefined
        : {
            id: attachment.AttachmentId,
            instanceId: attachment.InstanceId ?? "",
            deviceIndex: attachment.DeviceIndex ?? 0,
            networkCardIndex: attachment.NetworkCardIndex ?? 0,
            status: attachment.Status ?? "attached",
            deleteOnTermination: attachment.DeleteOnTermination ?? false,
            attachedAt: attachment.AttachTime,
          },
    raw,
  };
}

/**
 * The attachment that holds the ENI, if any: one that is attaching or attached. A detaching or
 * detached attachment is on its way out, and the ENI is about to be free.
 */
export function liveAttachment(raw: NetworkInterface): NonNullable<NetworkInterface["Attachment"]> | undefined {
  const attachment = attachmentOf(raw);
  return attachment?.Status === "attaching" || attachment?.Status === "attached" ? attachment : undefined;
}

/** The ENI's attachment, unless its status says it is free: EC2 can still show a finished one. */
export function attachmentOf(raw: NetworkInterface): NetworkInterface["Attachment"] {
  return raw.Status === "available" ? undefined : raw.Attachment;
}

/** A short description of where an ENI stands, for logs and timeout messages: `in-use/attaching`. */
export function describeState(raw: NetworkInterface): string {
  const status = raw.Status ?? "unknown";
  const attachment = raw.Attachment?.Status;
  return attachment === undefined ? status : `${status}/${attachment}`;
}

/** One EC2 request as eni-kit made it, for reports and metrics. */
export interface ApiCall {
  /** The EC2 action, e.g. `AttachNetworkInterface`. */
  readonly action: string;
  /** `ok`, or the EC2 error code. */
  readonly outcome: string;
  /** How long the request took, SDK retries included, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The phases of an operation: a move's `preflight`, `detach`, `attach` and `rollback`, which
 * `attachTo` and `detach` share, a delete's `delete`, and a setter's `change` (its request and
 * the read-back that sees it done).
 *
 * @example
 * ```ts
 * const slow = (phase: Phase, durationMs: number) => durationMs > 30_000 && console.warn(`${phase} took ${durationMs} ms`);
 * ```
 */
export type Phase = "preflight" | "detach" | "attach" | "rollback" | "delete" | "change";

/**
 * Something that happened during an operation, for logs, metrics and traces. Every operation that
 * changes an ENI (`attachTo`, `detach`, `moveTo`, `delete`, the setters, the bulk operations)
 * takes an `onEvent` hook and tells it these; each event names the ENI it is about.
 *
 * @typeParam P - the phases the operation runs.
 *
 * @example
 * ```ts
 * const onEvent = (event: EniEvent) => {
 *   if (event.type === "call") console.log(event.eniId, event.call.action, event.call.outcome);
 * };
 * ```
 */
export type EniEvent<P extends Phase = Phase> =
  | { readonly type: "phase-start"; readonly eniId: string; readonly phase: P }
  | {
      readonly type: "phase-end";
      readonly eniId: string;
      readonly phase: P;
      readonly ok: boolean;
      readonly durationMs: number;
    }
  | { readonly type: "call"; readonly eniId: string; readonly call: ApiCall }
  | {
      readonly type: "state";
      readonly eniId: string;
      readonly status: string;
      readonly attachedTo: string | undefined;
      readonly attachmentStatus: string | undefined;
    }
  | { readonly type: "retry"; readonly eniId: string; readonly phase: P; readonly reason: string };

/** The phases of a move, in order; `rollback` runs only when the attach fails for good. */
export type MovePhase = "preflight" | "detach" | "attach" | "rollback";

/**
 * Something that happened during a move, for logs, metrics and traces: the events every operation
 * tells (see {@link EniEvent}), a detach forced after `forceAfter`, and the move's report last.
 *
 * @example
 * ```ts
 * const onEvent = (event: MoveEvent) => {
 *   if (event.type === "call") metrics.count(`ec2.${event.call.action}.${event.call.outcome}`);
 * };
 * ```
 */
export type MoveEvent =
  | EniEvent<MovePhase>
  | { readonly type: "forced"; readonly eniId: string }
  | { readonly type: "done"; readonly eniId: string; readonly report: MoveReport };

/**
 * Where a move took the ENI from: the attachment it detached, or, when the ENI was already free,
 * the fence's instance that no longer runs (the failover from a dead primary).
 *
 * @example
 * ```ts
 * const from: MoveSource = { kind: "released", instanceId: "i-0aaaaaaaaaaaaaaa1", instanceState: "terminated" };
 * ```
 */
export type MoveSource =
  | {
      /** The ENI was attached to `instanceId`; the move detached it. */
      readonly kind: "attached";
      /** The instance it was attached to. */
      readonly instanceId: string;
      /** The attachment the move detached. */
      readonly attachmentId: string;
      /** Its device index there. */
      readonly deviceIndex: number;
      /** Its network card there. */
      readonly networkCardIndex: number;
      /** The source attachment's `DeleteOnTermination`, carried over to the new attachment. */
      readonly deleteOnTermination: boolean;
    }
  | {
      /** The ENI was already `available`, and `expectedFrom` (its last holder) no longer runs. */
      readonly kind: "released";
      /** The fence's instance. */
      readonly instanceId: string;
      /** `stopping`, `stopped`, `shutting-down`, `terminated`, or `gone` (EC2 no longer knows it). */
      readonly instanceState: string;
    };

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
  /** Where it came from: detached from an attachment, or free after its instance stopped; `undefined` when it was free and unfenced. */
  readonly from: MoveSource | undefined;
  /** The target instance. */
  readonly to: string;
  /**
   * `moved`; `already-there` (no mutating call); `refused` (a preflight check or the fence
   * stopped it, nothing changed, or another controller won); `rolled-back` (back on its source); `failed`.
   */
  readonly outcome: "moved" | "already-there" | "refused" | "rolled-back" | "failed";
  /** Each phase run, with its duration. */
  readonly phases: readonly { readonly phase: MovePhase; readonly ok: boolean; readonly durationMs: number }[];
  /** How many EC2 requests the move made (each counted once, SDK retries included). */
  readonly apiCalls: number;
  /** Requests per EC2 action. */
  readonly callsByAction: Readonly<Record<string, number>>;
  /** How many times a request was sent again (throttled, a 5xx, the ENI reported in use, a device index still taken…). */
  readonly retries: number;
  /** Whether the detach was forced. */
  readonly forced: boolean;
  /**
   * Whether the move marked the ENI as held (the `eni-kit:held-until` lease) so no reaper deletes it
   * while it is free. The lease is written in the preflight phase, before any change. Only ENIs
   * eni-kit created are marked; a mark refused (no `ec2:CreateTags`) or throttled for longer than
   * 10 s (or a tenth of `maxWaitTime`) does not stop the move: it goes on unleased.
   */
  readonly leased: boolean;
  /** How long the whole move took, in milliseconds. */
  readonly durationMs: number;
}
