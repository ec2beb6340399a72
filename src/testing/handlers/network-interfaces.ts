import type {
  AssignPrivateIpAddressesCommandInput,
  AssignPrivateIpAddressesCommandOutput,
  CreateNetworkInterfaceCommandInput,
  CreateNetworkInterfaceCommandOutput,
  DeleteNetworkInterfaceCommandInput,
  DeleteNetworkInterfaceCommandOutput,
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  ModifyNetworkInterfaceAttributeCommandInput,
  ModifyNetworkInterfaceAttributeCommandOutput,
  UnassignPrivateIpAddressesCommandInput,
  UnassignPrivateIpAddressesCommandOutput,
} from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue, missingParameter, notFound } from "../errors.js";
import { networkInterfaceOutput } from "../outputs.js";
import { type EniState, tagsFromSpecs, type World } from "../world.js";
import { describe, STANDARD_PAGING } from "./describe.js";
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
      interfaceType: input.InterfaceType,
      tags,
    });
    return { NetworkInterface: networkInterfaceOutput(world, eni), ClientToken: input.ClientToken };
  });
}

/** DeleteNetworkInterface: only when nothing is attached. */
export function deleteNetworkInterface(
  world: World,
  input: DeleteNetworkInterfaceCommandInput,
): Output<DeleteNetworkInterfaceCommandOutput> {
  const eni = world.eni(input.NetworkInterfaceId);
  world.dryRun(input);
  ensureManageable(eni);
  if (eni.attachment) {
    throw invalidValue(`Network interface '${eni.id}' is currently in use.`);
  }
  world.deleteEni(eni);
  return {};
}

/** DescribeNetworkInterfaces, with EC2's filters and paging; new ENIs hide during `consistencyDelayMs`. */
export function describeNetworkInterfaces(
  world: World,
  input: DescribeNetworkInterfacesCommandInput,
): Output<DescribeNetworkInterfacesCommandOutput> {
  const visible = [...world.enis.values()].filter((eni) => eni.visibleAt <= world.now);
  const visibleIds = new Map(visible.map((eni) => [eni.id, eni]));
  const { page, nextToken } = describe<EniState>(world, {
    all: visible,
    ids: input.NetworkInterfaceIds,
    lookup: (ids) => world.many(visibleIds, "eni", ids),
    idsParam: "NetworkInterfaceIds",
    filters: input.Filters,
    spec: {
      "network-interface-id": (e) => e.id,
      "subnet-id": (e) => e.subnetId,
      "vpc-id": (e) => e.vpcId,
      "availability-zone": (e) => e.az,
      status: (e) => world.eniStatus(e),
      description: (e) => e.description,
      "requester-managed": (e) => e.requesterId !== undefined,
      "requester-id": (e) => e.requesterId,
      "attachment.instance-id": (e) => e.attachment?.instanceId,
      "attachment.attachment-id": (e) => e.attachment?.id,
      "attachment.status": (e) => e.attachment?.status,
      "attachment.device-index": (e) => e.attachment?.deviceIndex,
      "attachment.network-card-index": (e) => e.attachment?.cardIndex,
      "attachment.delete-on-termination": (e) => e.attachment?.deleteOnTermination,
      "group-id": (e) => e.groupIds,
      "group-name": (e) => e.groupIds.map((id) => world.groups.get(id)?.name),
      "private-ip-address": (e) => e.ips.map((ip) => ip.address),
      "addresses.private-ip-address": (e) => e.ips.map((ip) => ip.address),
      "mac-address": (e) => e.mac,
      "interface-type": (e) => e.interfaceType,
      "source-dest-check": (e) => e.sourceDestCheck,
      "owner-id": () => "123456789012",
      "association.public-ip": (e) => publicIps(world, e),
    },
    input,
    paging: STANDARD_PAGING,
  });
  return { NetworkInterfaces: page.map((eni) => networkInterfaceOutput(world, eni)), NextToken: nextToken };
}

function publicIps(world: World, eni: EniState): string[] {
  return [...world.addresses.values()].filter((a) => a.association?.eniId === eni.id).map((a) => a.publicIp);
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
  if (attachment && eni.attachment?.id !== attachment.AttachmentId) {
    throw notFound("eni-attach", [attachment.AttachmentId ?? ""]);
  }
  world.dryRun(input);
  ensureManageable(eni);
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
  eni.ips.push(...all.map((address) => ({ address, primary: false })));
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
  for (const ip of addresses) removeIp(world, eni, ip);
  return {};
}

/** Takes an address off an ENI; its Elastic IP goes with it to `movedTo`, or is disassociated. */
function removeIp(world: World, eni: EniState, ip: string, movedTo?: EniState): void {
  eni.ips = eni.ips.filter((p) => p.address !== ip);
  for (const address of world.addresses.values()) {
    if (address.association?.eniId === eni.id && address.association.privateIp === ip) {
      address.association = movedTo === undefined ? undefined : { ...address.association, eniId: movedTo.id };
    }
  }
}
