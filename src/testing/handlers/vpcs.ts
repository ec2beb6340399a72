import type {
  AttachInternetGatewayCommandInput,
  AttachInternetGatewayCommandOutput,
  CreateInternetGatewayCommandInput,
  CreateInternetGatewayCommandOutput,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupCommandOutput,
  CreateSubnetCommandInput,
  CreateSubnetCommandOutput,
  CreateVpcCommandInput,
  CreateVpcCommandOutput,
  DescribeAvailabilityZonesCommandInput,
  DescribeAvailabilityZonesCommandOutput,
  DescribeInternetGatewaysCommandInput,
  DescribeInternetGatewaysCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
} from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue, missingParameter } from "../errors.js";
import { applyFilters } from "../filters.js";
import { internetGatewayOutput, securityGroupOutput, subnetOutput, vpcOutput, zoneOutput } from "../outputs.js";
import {
  type GatewayState,
  type GroupState,
  type SubnetState,
  tagsFromSpecs,
  type VpcState,
  type World,
} from "../world.js";
import { describe, STANDARD_PAGING } from "./describe.js";
import type { Output } from "./types.js";

/** CreateVpc: a VPC (and its default security group), without an internet gateway. */
export function createVpc(world: World, input: CreateVpcCommandInput): Output<CreateVpcCommandOutput> {
  if (input.CidrBlock === undefined) throw missingParameter("CidrBlock");
  const tags = tagsFromSpecs(input.TagSpecifications, "vpc");
  world.dryRun(input);
  const vpc = world.createVpc(input.CidrBlock, tags);
  // EC2 answers a create with the VPC still `pending`; it is usable at once.
  return { Vpc: { ...vpcOutput(vpc), State: "pending" } };
}

/** DescribeVpcs. */
export function describeVpcs(world: World, input: DescribeVpcsCommandInput): Output<DescribeVpcsCommandOutput> {
  const { page, nextToken } = describe<VpcState>(world, {
    all: () => [...world.vpcs.values()],
    ids: input.VpcIds,
    lookup: (ids) => world.many(world.vpcs, "vpc", ids),
    idsParam: "vpcIds",
    filters: input.Filters,
    spec: {
      "vpc-id": (v) => v.id,
      "cidr-block": (v) => v.cidr.text,
      cidr: (v) => v.cidr.text,
      "cidr-block-association.cidr-block": (v) => v.cidr.text,
      state: () => "available",
      "is-default": () => false,
      "owner-id": () => "123456789012",
    },
    tagsOf: (resource) => resource.tags,
    input,
    paging: STANDARD_PAGING,
  });
  return { Vpcs: page.map(vpcOutput), NextToken: nextToken };
}

/** CreateInternetGateway: a detached internet gateway. */
export function createInternetGateway(
  world: World,
  input: CreateInternetGatewayCommandInput,
): Output<CreateInternetGatewayCommandOutput> {
  const tags = tagsFromSpecs(input.TagSpecifications, "internet-gateway");
  world.dryRun(input);
  return { InternetGateway: internetGatewayOutput(world.createGateway(tags)) };
}

/** AttachInternetGateway: one gateway per VPC, one VPC per gateway. */
export function attachInternetGateway(
  world: World,
  input: AttachInternetGatewayCommandInput,
): Output<AttachInternetGatewayCommandOutput> {
  const gateway = world.gateway(input.InternetGatewayId);
  const vpc = world.vpc(input.VpcId);
  world.dryRun(input);
  world.attachGateway(gateway, vpc);
  return {};
}

/** DescribeInternetGateways. */
export function describeInternetGateways(
  world: World,
  input: DescribeInternetGatewaysCommandInput,
): Output<DescribeInternetGatewaysCommandOutput> {
  const { page, nextToken } = describe<GatewayState>(world, {
    all: () => [...world.gateways.values()],
    ids: input.InternetGatewayIds,
    lookup: (ids) => world.many(world.gateways, "igw", ids),
    idsParam: "internetGatewayIds",
    filters: input.Filters,
    spec: {
      "internet-gateway-id": (g) => g.id,
      "attachment.vpc-id": (g) => g.vpcId,
      "attachment.state": (g) => g.vpcId && "available",
      "owner-id": () => "123456789012",
    },
    tagsOf: (g) => g.tags,
    input,
    paging: STANDARD_PAGING,
  });
  return { InternetGateways: page.map(internetGatewayOutput), NextToken: nextToken };
}

/** CreateSubnet: a subnet in the VPC's CIDR, in a named AZ (or the region's first). */
export function createSubnet(world: World, input: CreateSubnetCommandInput): Output<CreateSubnetCommandOutput> {
  if (input.CidrBlock === undefined) throw missingParameter("CidrBlock");
  const vpc = world.vpc(input.VpcId);
  const tags = tagsFromSpecs(input.TagSpecifications, "subnet");
  const zone = input.AvailabilityZone ?? zoneFromId(world, input.AvailabilityZoneId);
  world.dryRun(input);
  return { Subnet: subnetOutput(world, world.createSubnet(vpc, zone, input.CidrBlock, tags)) };
}

function zoneFromId(world: World, zoneId: string | undefined): string | undefined {
  if (zoneId === undefined) return undefined;
  const zone = world.config.zones.find((z) => zoneOutput(world.config.region, z).ZoneId === zoneId);
  if (!zone) throw invalidValue(`Value (${zoneId}) for parameter availabilityZoneId is invalid.`);
  return zone;
}

/** DescribeSubnets. */
export function describeSubnets(
  world: World,
  input: DescribeSubnetsCommandInput,
): Output<DescribeSubnetsCommandOutput> {
  const { page, nextToken } = describe<SubnetState>(world, {
    all: () => [...world.subnets.values()],
    ids: input.SubnetIds,
    lookup: (ids) => world.many(world.subnets, "subnet", ids),
    idsParam: "subnetIds",
    filters: input.Filters,
    spec: {
      "subnet-id": (s) => s.id,
      "vpc-id": (s) => s.vpcId,
      "availability-zone": (s) => s.az,
      "availability-zone-id": (s) => zoneOutput(world.config.region, s.az).ZoneId,
      "cidr-block": (s) => s.cidr.text,
      state: () => "available",
      "default-for-az": () => false,
    },
    tagsOf: (resource) => resource.tags,
    input,
    paging: STANDARD_PAGING,
  });
  return { Subnets: page.map((s) => subnetOutput(world, s)), NextToken: nextToken };
}

/** CreateSecurityGroup (rules are not modelled: every group allows all egress). */
export function createSecurityGroup(
  world: World,
  input: CreateSecurityGroupCommandInput,
): Output<CreateSecurityGroupCommandOutput> {
  if (input.GroupName === undefined) throw missingParameter("GroupName");
  if (input.Description === undefined) throw missingParameter("GroupDescription");
  const vpc = world.vpc(input.VpcId);
  const tags = tagsFromSpecs(input.TagSpecifications, "security-group");
  if (input.GroupName === "default") {
    throw new Ec2Error("InvalidGroup.Reserved", "The security group 'default' is reserved");
  }
  world.dryRun(input);
  const group = world.createGroup(vpc, input.GroupName, input.Description, tags);
  return { GroupId: group.id, Tags: securityGroupOutput(group).Tags };
}

/** DescribeSecurityGroups. */
export function describeSecurityGroups(
  world: World,
  input: DescribeSecurityGroupsCommandInput,
): Output<DescribeSecurityGroupsCommandOutput> {
  const byName = (input.GroupNames ?? []).map((name) => {
    const group = [...world.groups.values()].find((g) => g.name === name);
    if (!group) throw new Ec2Error("InvalidGroup.NotFound", `The security group '${name}' does not exist`);
    return group;
  });
  const { page, nextToken } = describe<GroupState>(world, {
    all: () => (input.GroupNames?.length ? byName : [...world.groups.values()]),
    ids: input.GroupIds,
    lookup: (ids) => world.many(world.groups, "sg", ids),
    idsParam: "groupIds",
    filters: input.Filters,
    spec: {
      "group-id": (g) => g.id,
      "group-name": (g) => g.name,
      "vpc-id": (g) => g.vpcId,
      description: (g) => g.description,
    },
    tagsOf: (resource) => resource.tags,
    input,
    paging: STANDARD_PAGING,
  });
  return { SecurityGroups: page.map(securityGroupOutput), NextToken: nextToken };
}

/** DescribeAvailabilityZones: the region's zones, all `available`. */
export function describeAvailabilityZones(
  world: World,
  input: DescribeAvailabilityZonesCommandInput,
): Output<DescribeAvailabilityZonesCommandOutput> {
  const { region, zones } = world.config;
  for (const name of input.ZoneNames ?? []) {
    if (!zones.includes(name)) throw invalidValue(`The zone '${name}' does not exist.`);
  }
  const named = input.ZoneNames?.length ? input.ZoneNames : zones;
  const all = named.map((zone) => zoneOutput(region, zone));
  const matching = applyFilters(all, input.Filters, {
    "zone-name": (z) => z.ZoneName,
    "zone-id": (z) => z.ZoneId,
    state: (z) => z.State,
    "region-name": (z) => z.RegionName,
    "zone-type": (z) => z.ZoneType,
  });
  world.dryRun(input);
  return { AvailabilityZones: matching };
}
