import type {
  AllocateAddressCommandInput,
  AllocateAddressCommandOutput,
  AssociateAddressCommandInput,
  AssociateAddressCommandOutput,
  DescribeAddressesCommandInput,
  DescribeAddressesCommandOutput,
  DisassociateAddressCommandInput,
  DisassociateAddressCommandOutput,
  ReleaseAddressCommandInput,
  ReleaseAddressCommandOutput,
} from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue, malformed, missingParameter, notFound } from "../errors.js";
import { isWellFormedId } from "../ids.js";
import { addressOutput } from "../outputs.js";
import { type AddressState, tagsFromSpecs, type World } from "../world.js";
import { describe } from "./describe.js";
import type { Output } from "./types.js";

/** AllocateAddress: a VPC Elastic IP. */
export function allocateAddress(
  world: World,
  input: AllocateAddressCommandInput,
): Output<AllocateAddressCommandOutput> {
  const tags = tagsFromSpecs(input.TagSpecifications, "elastic-ip");
  world.dryRun(input);
  const address = world.allocateAddress(tags);
  return {
    AllocationId: address.allocationId,
    Domain: "vpc",
    NetworkBorderGroup: world.config.region,
    PublicIp: address.publicIp,
    PublicIpv4Pool: "amazon",
  };
}

function addressByIp(world: World, publicIp: string): AddressState {
  const address = [...world.addresses.values()].find((a) => a.publicIp === publicIp);
  if (!address) throw new Ec2Error("InvalidAddress.NotFound", `Address '${publicIp}' not found.`);
  return address;
}

/**
 * AssociateAddress to an ENI (or an instance's primary ENI) and one of its private
 * IPs. An Elastic IP already in use, or a private IP that already has one, needs
 * `AllowReassociation`.
 */
export function associateAddress(
  world: World,
  input: AssociateAddressCommandInput,
): Output<AssociateAddressCommandOutput> {
  const address =
    input.AllocationId === undefined && input.PublicIp !== undefined
      ? addressByIp(world, input.PublicIp)
      : world.address(input.AllocationId);
  const eni =
    input.NetworkInterfaceId === undefined && input.InstanceId !== undefined
      ? world.eni(world.instance(input.InstanceId).primaryEniId)
      : world.eni(input.NetworkInterfaceId);
  const privateIp = input.PrivateIpAddress ?? eni.ips.find((ip) => ip.primary)?.address ?? "";
  if (!eni.ips.some((ip) => ip.address === privateIp)) {
    throw invalidValue(`The private IP address ${privateIp} is not assigned to network interface ${eni.id}.`);
  }
  // A public address needs a route to the internet: an internet gateway on the ENI's VPC.
  if (!world.gatewayOf(eni.vpcId)) {
    throw new Ec2Error("Gateway.NotAttached", `Network ${eni.vpcId} is not attached to any internet gateway`);
  }
  world.dryRun(input);
  const current = address.association;
  if (current?.eniId === eni.id && current.privateIp === privateIp) return { AssociationId: current.id };
  const occupant = [...world.addresses.values()].find(
    (a) => a !== address && a.association?.eniId === eni.id && a.association.privateIp === privateIp,
  );
  if (!input.AllowReassociation && (current || occupant)) {
    const holder = current ? address : (occupant as AddressState);
    throw new Ec2Error(
      "Resource.AlreadyAssociated",
      `resource ${holder.allocationId} is already associated with associate-id ${holder.association?.id ?? ""}`,
    );
  }
  if (occupant) world.associate(occupant, undefined);
  const association = world.newAssociation(eni.id, privateIp);
  world.associate(address, association);
  return { AssociationId: association.id };
}

/** DisassociateAddress. */
export function disassociateAddress(
  world: World,
  input: DisassociateAddressCommandInput,
): Output<DisassociateAddressCommandOutput> {
  const id = input.AssociationId;
  const address =
    id === undefined && input.PublicIp !== undefined ? addressByIp(world, input.PublicIp) : findAssociation(world, id);
  world.dryRun(input);
  world.associate(address, undefined);
  return {};
}

function findAssociation(world: World, id: string | undefined): AddressState {
  if (id === undefined) throw missingParameter("AssociationId");
  if (!isWellFormedId(id, "eipassoc")) throw malformed("eipassoc", id);
  const address = [...world.addresses.values()].find((a) => a.association?.id === id);
  if (!address?.association || !world.isKnown(address.association)) throw notFound("eipassoc", [id]);
  return address;
}

/** ReleaseAddress: only once disassociated. */
export function releaseAddress(world: World, input: ReleaseAddressCommandInput): Output<ReleaseAddressCommandOutput> {
  const address =
    input.AllocationId === undefined && input.PublicIp !== undefined
      ? addressByIp(world, input.PublicIp)
      : world.address(input.AllocationId);
  world.dryRun(input);
  if (address.association) {
    throw new Ec2Error("InvalidIPAddress.InUse", `Address '${address.publicIp}' is in use.`);
  }
  world.addresses.delete(address.allocationId);
  return {};
}

/** DescribeAddresses (EC2 does not page it). */
export function describeAddresses(
  world: World,
  input: DescribeAddressesCommandInput,
): Output<DescribeAddressesCommandOutput> {
  const all = [...world.addresses.values()];
  const byIp = (input.PublicIps ?? []).map((ip) => addressByIp(world, ip));
  const { page } = describe<AddressState>(world, {
    all: () => (input.PublicIps?.length ? byIp : all),
    ids: input.AllocationIds,
    lookup: (ids) => world.many(world.addresses, "eipalloc", ids),
    idsParam: "AllocationIds",
    filters: input.Filters,
    spec: {
      "allocation-id": (a) => a.allocationId,
      "association-id": (a) => a.association?.id,
      "network-interface-id": (a) => a.association?.eniId,
      "private-ip-address": (a) => a.association?.privateIp,
      "public-ip": (a) => a.publicIp,
      "instance-id": (a) => addressOutput(world, a).InstanceId,
      domain: () => "vpc",
    },
    tagsOf: (a) => a.tags,
    input,
  });
  return { Addresses: page.map((a) => addressOutput(world, a)) };
}
