import type {
  AssignPrivateIpAddressesCommandInput,
  AssignPrivateIpAddressesCommandOutput,
  CreateNetworkInterfaceCommandInput,
  CreateNetworkInterfaceCommandOutput,
  DeleteNetworkInterfaceCommandInput,
  DeleteNetworkInterfaceCommandOutput,
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  Filter,
  ModifyNetworkInterfaceAttributeCommandInput,
  NetworkInterface,
  ModifyNetworkInterfaceAttributeCommandOutput,
  UnassignPrivateIpAddressesCommandInput,
  UnassignPrivateIpAddressesCommandOutput,
} from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue, missingParameter, notFound } from "../errors.js";
import type { FilterSpec } from "../filters.js";
import { networkInterfaceOutput } from "../outputs.js";
import { type EniState, type SubnetState, tagsFromSpecs, type World } from "../world.js";
import { describe, exactIds, exactValues, STANDARD_PAGING, tagMap } from "./describe.js";
import type { Output } from "./types.js";

const CREATABLE_TYPES: readonly string[] = ["interface", "efa", "efa-only", "trunk", "branch"];

/** Refuses changes to an ENI another AWS service manages (a load balancer's, say). */
export function ensureManageable(eni: EniState): void {
  if (eni.requesterId !== undefined) {
    throw new Ec2Error(
      "OperationNotPermitted",
      `You do not have permission to access the specified resource. The network interface '${eni.id}' is managed by another service.`,
    );
  }
}

/** CreateNetworkInterface: `pending` for `createMs`, then `available`. */
export function createNetworkInterface(
  world: World,
  input: CreateNetworkInterfaceCommandInput,
): Output<CreateNetworkInterfaceCommandOutput> {
  return world.idempotent("CreateNetworkInterface", input, () => {
    const subnet = world.subnet(input.SubnetId);
    const tags = tagsFromSpecs(input.TagSpecifications, "network-interface");
    if (input.InterfaceType !== undefined && !CREATABLE_TYPES.includes(input.InterfaceType)) {
      throw invalidValue(`Invalid value '${input.InterfaceType}' for InterfaceType.`);
    }
    const ipv6Count = input.Ipv6AddressCount;
    if (ipv6Count !== undefined && !(Number.isInteger(ipv6Count) && ipv6Count >= 0)) {
      throw invalidValue(`Invalid value '${ipv6Count}' for ipv6AddressCount.`);
    }
    const listed = input.PrivateIpAddresses ?? [];
    // The list's primary entry (or the plain PrivateIpAddress) comes first: it becomes the primary IP.
    const ordered = [
      ...(input.PrivateIpAddress === undefined ? [] : [input.PrivateIpAddress]),
      ...listed.filter((p) => p.Primary).map((p) => p.PrivateIpAddress ?? ""),
      ...listed.filter((p) => !p.Primary).map((p) => p.PrivateIpAddress ?? ""),
    ];
    world.dryRun(input);
    const eni = world.createEni({
      subnet,
      groupIds: input.Groups,
      description: input.Description,
      privateIps: [...new Set(ordered)],
      secondaryCount: input.SecondaryPrivateIpAddressCount,
      ipv6Count,
      interfaceType: input.InterfaceType,
      tags,
    });
    return { NetworkInterface: networkInterfaceOutput(world, eni), ClientToken: input.ClientToken };
  });
}

/** DeleteNetworkInterface: only when nothing is attached (permissive mode, as moto, deletes it anyway). */
export function deleteNetworkInterface(
  world: World,
  input: DeleteNetworkInterfaceCommandInput,
): Output<DeleteNetworkInterfaceCommandOutput> {
  const eni = world.eni(input.NetworkInterfaceId);
  world.dryRun(input);
  ensureManageable(eni);
  if (eni.attachment && !world.config.permissive) {
    throw invalidValue(`Network interface '${eni.id}' is currently in use.`);
  }
  world.deleteEni(eni);
  return {};
}

// EC2's filters, read from the answer itself, so that they match the version a stale read answers.
const FILTERS: FilterSpec<NetworkInterface> = {
  "network-interface-id": (n) => n.NetworkInterfaceId,
  "subnet-id": (n) => n.SubnetId,
  "vpc-id": (n) => n.VpcId,
  "availability-zone": (n) => n.AvailabilityZone,
  status: (n) => n.Status,
  description: (n) => n.Description,
  "requester-managed": (n) => n.RequesterManaged,
  "requester-id": (n) => n.RequesterId,
  "attachment.instance-id": (n) => n.Attachment?.InstanceId,
  "attachment.instance-owner-id": (n) => n.Attachment?.InstanceOwnerId,
  "attachment.attachment-id": (n) => n.Attachment?.AttachmentId,
  "attachment.status": (n) => n.Attachment?.Status,
  "attachment.device-index": (n) => n.Attachment?.DeviceIndex,
  "attachment.network-card-index": (n) => n.Attachment?.NetworkCardIndex,
  "attachment.delete-on-termination": (n) => n.Attachment?.DeleteOnTermination,
  "group-id": (n) => n.Groups?.map((g) => g.GroupId),
  "group-name": (n) => n.Groups?.map((g) => g.GroupName),
  "private-ip-address": (n) => n.PrivateIpAddresses?.map((p) => p.PrivateIpAddress),
  "addresses.private-ip-address": (n) => n.PrivateIpAddresses?.map((p) => p.PrivateIpAddress),
  "ipv6-addresses.ipv6-address": (n) => n.Ipv6Addresses?.map((a) => a.Ipv6Address),
  "mac-address": (n) => n.MacAddress,
  "interface-type": (n) => n.InterfaceType,
  "source-dest-check": (n) => n.SourceDestCheck,
  "owner-id": (n) => n.OwnerId,
  "association.public-ip": (n) => n.PrivateIpAddresses?.map((p) => p.Association?.PublicIp),
};

/**
 * DescribeNetworkInterfaces, with EC2's filters and paging. New ENIs hide during
 * `consistencyDelayMs`; with stale reads, each ENI may be answered as it was a moment ago, and
 * one deleted a moment ago may still be listed.
 */
export function describeNetworkInterfaces(
  world: World,
  input: DescribeNetworkInterfacesCommandInput,
): Output<DescribeNetworkInterfacesCommandOutput> {
  const read = (id: string): NetworkInterface | undefined => {
    const eni = world.enis.get(id);
    if (eni && eni.visibleAt > world.now) return undefined;
    return world.readEni(id, eni && networkInterfaceOutput(world, eni));
  };
  const { page, nextToken } = describe<NetworkInterface>(world, {
    all: () => {
      const ids = exactIds(input.Filters, "network-interface-id") ??
        indexedIds(world, input.Filters) ?? [...world.enis.keys(), ...world.recentlyDeletedEnis()];
      return ids.map(read).filter((answer) => answer !== undefined);
    },
    ids: input.NetworkInterfaceIds,
    lookup: (ids) => world.many(read, "eni", ids),
    idsParam: "NetworkInterfaceIds",
    filters: input.Filters,
    spec: FILTERS,
    tagsOf: (n) => tagMap(n.TagSet),
    input,
    paging: STANDARD_PAGING,
  });
  return { NetworkInterfaces: page, NextToken: nextToken };
}

/**
 * The ids of the ENIs to read for `filters`, from the world's indexes, when a filter with exact
 * values is one they cover (the narrowest such one); `undefined` when none is, and every ENI is read.
 * A superset: the filters still apply to each answer, and `World.eniIdsToRead` adds the ENIs a
 * stale read may answer differently, so an index never makes a read fresher than it was.
 */
function indexedIds(world: World, filters: readonly Filter[] | undefined): string[] | undefined {
  let narrowest: Set<EniState> | undefined;
  for (const filter of filters ?? []) {
    const values = exactValues(filter);
    const found = values && indexed(world, filter.Name ?? "", values);
    if (found && (narrowest === undefined || found.size < narrowest.size)) narrowest = found;
  }
  return narrowest && world.eniIdsToRead(narrowest);
}

/** The ENIs whose filter `name` has one of `values` now, for the filters the world indexes. */
function indexed(world: World, name: string, values: readonly string[]): Set<EniState> | undefined {
  const subnets = (match: (subnet: SubnetState) => boolean) =>
    [...world.subnets.values()].filter(match).flatMap((subnet) => [...world.enisIn(subnet.id)]);
  const found = (enis: Iterable<EniState | undefined>) =>
    new Set([...enis].filter((eni): eni is EniState => eni !== undefined));
  if (name.startsWith("tag:")) return values.length === 0 ? new Set() : new Set(world.enisTagged(name.slice(4)));
  switch (name) {
    case "subnet-id":
      return found(values.flatMap((id) => [...world.enisIn(id)]));
    case "vpc-id":
      return found(subnets((subnet) => values.includes(subnet.vpcId)));
    case "availability-zone":
      return found(subnets((subnet) => values.includes(subnet.az)));
    case "attachment.instance-id":
      return found(values.flatMap((id) => world.attachedTo(id)));
    case "attachment.attachment-id":
      return found(values.map((id) => world.attachmentHolder(id)));
    case "private-ip-address":
    case "addresses.private-ip-address":
      return found(values.flatMap((ip) => [...world.subnets.keys()].map((subnetId) => world.ipOwner(subnetId, ip))));
    case "tag-key":
      return found(values.flatMap((key) => [...world.enisTagged(key)]));
    default:
      return undefined;
  }
}

/** ModifyNetworkInterfaceAttribute: one attribute per call, as EC2 requires. */
export function modifyNetworkInterfaceAttribute(
  world: World,
  input: ModifyNetworkInterfaceAttributeCommandInput,
): Output<ModifyNetworkInterfaceAttributeCommandOutput> {
  const eni = world.eni(input.NetworkInterfaceId);
  const given = (["Description", "SourceDestCheck", "Groups", "Attachment"] as const).filter(
    (name) => input[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      given.length === 0
        ? "No attributes specified."
        : `Fields for multiple attribute types specified: ${given.join(", ")}`,
    );
  }
  const groupIds = input.Groups && world.resolveGroups(world.subnet(eni.subnetId), input.Groups);
  const attachment = input.Attachment;
  const knownAttachment = eni.attachment && world.isKnown(eni.attachment) ? eni.attachment.id : undefined;
  if (attachment && knownAttachment !== attachment.AttachmentId) {
    throw notFound("eni-attach", [attachment.AttachmentId ?? ""]);
  }
  world.dryRun(input);
  ensureManageable(eni);
  world.touch(eni.id);
  if (input.Description) eni.description = input.Description.Value ?? "";
  if (input.SourceDestCheck) eni.sourceDestCheck = input.SourceDestCheck.Value ?? true;
  if (groupIds) eni.groupIds = groupIds;
  if (attachment && eni.attachment && attachment.DeleteOnTermination !== undefined) {
    eni.attachment.deleteOnTermination = attachment.DeleteOnTermination;
  }
  return {};
}

/** AssignPrivateIpAddresses: given addresses or a count, unique in the subnet, within the type's limit. */
export function assignPrivateIpAddresses(
  world: World,
  input: AssignPrivateIpAddressesCommandInput,
): Output<AssignPrivateIpAddressesCommandOutput> {
  const eni = world.eni(input.NetworkInterfaceId);
  const requested = input.PrivateIpAddresses ?? [];
  const count = input.SecondaryPrivateIpAddressCount;
  if (requested.length > 0 && count !== undefined) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "PrivateIpAddresses and SecondaryPrivateIpAddressCount cannot both be specified.",
    );
  }
  if (requested.length === 0 && count === undefined) throw missingParameter("SecondaryPrivateIpAddressCount");
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    throw invalidValue(`Invalid value '${count}' for secondaryPrivateIpAddressCount.`);
  }
  // EC2 has no DryRun for the IP assignment calls.
  ensureManageable(eni);
  world.touch(eni.id);
  const fresh = requested.filter((ip) => !eni.ips.some((p) => p.address === ip));
  if (eni.ips.length + fresh.length + (count ?? 0) > world.ipLimit(eni)) {
    throw new Ec2Error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.");
  }
  // Addresses held by other ENIs move only with AllowReassignment, and never a primary.
  const moved = fresh.flatMap((ip) => {
    const owner = world.ipOwner(eni.subnetId, ip);
    if (!owner) return [];
    if (!input.AllowReassignment || owner.ips.some((p) => p.address === ip && p.primary)) {
      throw new Ec2Error(
        "Resource.AlreadyAssigned",
        `Address ${ip} is already assigned to network interface ${owner.id}. Unassign it first, or allow reassignment.`,
      );
    }
    return [{ owner, ip }];
  });
  const subnet = world.subnet(eni.subnetId);
  const free = fresh.filter((ip) => !moved.some((m) => m.ip === ip));
  const added = world.takeIps(subnet, free, count ?? 0);
  // As on EC2, an Elastic IP on a reassigned address moves with it.
  for (const { owner, ip } of moved) removeIp(world, owner, ip, eni);
  const all = [...added.slice(0, free.length), ...moved.map((m) => m.ip), ...added.slice(free.length)];
  world.addIps(eni, all);
  return {
    NetworkInterfaceId: eni.id,
    AssignedPrivateIpAddresses: all.map((PrivateIpAddress) => ({ PrivateIpAddress })),
    AssignedIpv4Prefixes: [],
  };
}

/** UnassignPrivateIpAddresses: secondary addresses only; their Elastic IPs are disassociated. */
export function unassignPrivateIpAddresses(
  world: World,
  input: UnassignPrivateIpAddressesCommandInput,
): Output<UnassignPrivateIpAddressesCommandOutput> {
  const eni = world.eni(input.NetworkInterfaceId);
  const addresses = input.PrivateIpAddresses ?? [];
  if (addresses.length === 0) throw missingParameter("PrivateIpAddress");
  for (const ip of addresses) {
    const held = eni.ips.find((p) => p.address === ip);
    if (!held) throw invalidValue(`Some of the specified addresses are not assigned to interface ${eni.id}`);
    if (held.primary) throw invalidValue(`The primary private IP address ${ip} cannot be unassigned.`);
  }
  ensureManageable(eni);
  world.touch(eni.id);
  for (const ip of addresses) removeIp(world, eni, ip);
  return {};
}

/** Takes an address off an ENI; its Elastic IP goes with it to `movedTo`, or is disassociated. */
function removeIp(world: World, eni: EniState, ip: string, movedTo?: EniState): void {
  world.removeIp(eni, ip);
  for (const address of world.addresses.values()) {
    if (address.association?.eniId === eni.id && address.association.privateIp === ip) {
      world.associate(address, movedTo && { ...address.association, eniId: movedTo.id });
    }
  }
}
