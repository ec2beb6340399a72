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
