import {
  AssociateAddressCommand,
  CreateTagsCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Filter,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

const FILTERS: Record<string, readonly string[]> = {
  DescribeNetworkInterfaces: [
    "network-interface-id",
    "subnet-id",
    "vpc-id",
    "availability-zone",
    "status",
    "description",
    "requester-managed",
    "requester-id",
    "attachment.instance-id",
    "attachment.instance-owner-id",
    "attachment.attachment-id",
    "attachment.status",
    "attachment.device-index",
    "attachment.network-card-index",
    "attachment.delete-on-termination",
    "group-id",
    "group-name",
    "private-ip-address",
    "addresses.private-ip-address",
    "ipv6-addresses.ipv6-address",
    "mac-address",
    "interface-type",
    "source-dest-check",
    "owner-id",
    "association.public-ip",
    "tag:Name",
    "tag-key",
    "tag-value",
  ],
  DescribeInstances: [
    "instance-id",
    "instance-state-name",
    "instance-state-code",
    "instance-type",
    "subnet-id",
    "vpc-id",
    "availability-zone",
    "image-id",
    "reservation-id",
    "private-ip-address",
    "network-interface.network-interface-id",
    "network-interface.attachment.attachment-id",
    "tag:Name",
  ],
  DescribeVpcs: [
    "vpc-id",
    "cidr-block",
    "cidr",
    "cidr-block-association.cidr-block",
    "state",
    "is-default",
    "owner-id",
    "tag:Name",
  ],
  DescribeSubnets: [
    "subnet-id",
    "vpc-id",
    "availability-zone",
    "availability-zone-id",
    "cidr-block",
    "state",
    "default-for-az",
    "tag-key",
  ],
  DescribeSecurityGroups: ["group-id", "group-name", "vpc-id", "description", "tag-value"],
  DescribeAddresses: [
    "allocation-id",
    "association-id",
    "network-interface-id",
    "private-ip-address",
    "public-ip",
    "instance-id",
    "domain",
  ],
  DescribeAvailabilityZones: ["zone-name", "zone-id", "state", "region-name", "zone-type"],
  DescribeInternetGateways: ["internet-gateway-id", "attachment.vpc-id", "attachment.state", "owner-id", "tag-key"],
  DescribeInstanceTypes: [
    "instance-type",
    "network-info.maximum-network-interfaces",
    "network-info.maximum-network-cards",
    "network-info.efa-supported",
  ],
};

const COMMANDS = {
  DescribeNetworkInterfaces: (Filters: Filter[]) => new DescribeNetworkInterfacesCommand({ Filters }),
  DescribeInstances: (Filters: Filter[]) => new DescribeInstancesCommand({ Filters }),
  DescribeVpcs: (Filters: Filter[]) => new DescribeVpcsCommand({ Filters }),
  DescribeSubnets: (Filters: Filter[]) => new DescribeSubnetsCommand({ Filters }),
  DescribeSecurityGroups: (Filters: Filter[]) => new DescribeSecurityGroupsCommand({ Filters }),
  DescribeAddresses: (Filters: Filter[]) => new DescribeAddressesCommand({ Filters }),
  DescribeAvailabilityZones: (Filters: Filter[]) => new DescribeAvailabilityZonesCommand({ Filters }),
  DescribeInternetGateways: (Filters: Filter[]) => new DescribeInternetGatewaysCommand({ Filters }),
  DescribeInstanceTypes: (Filters: Filter[]) => new DescribeInstanceTypesCommand({ Filters }),
};

describe("Describe filters", () => {
  it.each(Object.entries(FILTERS))("%s accepts its filters, matching with wildcards", async (action, names) => {
    const { ec2, sim, subnetA, vpcId, internetGatewayId } = setup(INSTANT);
    const { instanceId, primaryEniId } = sim.addInstance({ subnetId: subnetA });
    sim.addNetworkInterface({ subnetId: subnetA, requesterManaged: true, ipv6AddressCount: 1 });
    const { allocationId } = sim.addAddress();
    await ec2.send(new AssociateAddressCommand({ AllocationId: allocationId, InstanceId: instanceId }));
    const groupId = sim.instance(instanceId)?.SecurityGroups?.[0]?.GroupId ?? "";
    const tagged = [vpcId, internetGatewayId, subnetA, groupId, instanceId, primaryEniId];
    await ec2.send(new CreateTagsCommand({ Resources: tagged, Tags: [{ Key: "Name", Value: "n" }] }));
    const command = COMMANDS[action as keyof typeof COMMANDS];

    for (const name of names) {
      const output: object = await ec2.send(command([{ Name: name, Values: ["*"] }]) as never);
      const list = Object.values(output).find(Array.isArray) as unknown[];
      expect(list.length, `${action} ${name}`).toBeGreaterThan(0);
    }
  });

  it("treats a filter without values as matching nothing", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    sim.addNetworkInterface({ subnetId: subnetA });

    const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id" }] }));

    expect(out.NetworkInterfaces).toEqual([]);
  });
});
