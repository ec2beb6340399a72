import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Ec2Simulator } from "../../src/testing/index.js";

describe("setting up a world through the API", () => {
  it("creates a VPC, subnets, a security group and an instance as a program would on AWS", async () => {
    const sim = new Ec2Simulator();
    const ec2 = sim.client();

    const { Vpc } = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.20.0.0/16",
        TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "lab" }] }],
      }),
    );
    const vpcId = Vpc?.VpcId ?? "";
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.1.0/24", AvailabilityZone: "us-east-1c" }),
    );
    const byZoneId = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.2.0/24", AvailabilityZoneId: "use1-az2" }),
    );
    const anyZone = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.3.0/24" }));
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "web", Description: "web tier" }),
    );
    const { Instances } = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-0abcdef1234567890",
        SubnetId: Subnet?.SubnetId,
        SecurityGroupIds: [GroupId ?? ""],
        MinCount: 1,
        MaxCount: 1,
      }),
    );

    expect(Vpc).toMatchObject({
      CidrBlock: "10.20.0.0/16",
      State: "pending",
      IsDefault: false,
      Tags: [{ Key: "Name", Value: "lab" }],
    });
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(Subnet).toMatchObject({
      AvailabilityZone: "us-east-1c",
      AvailabilityZoneId: "use1-az3",
      AvailableIpAddressCount: 251,
      State: "available",
    });
    expect(Subnet?.SubnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
    expect(byZoneId.Subnet?.AvailabilityZone).toBe("us-east-1b");
    expect(anyZone.Subnet?.AvailabilityZone).toBe("us-east-1a");
    expect(GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(Instances?.[0]?.SecurityGroups).toEqual([{ GroupId, GroupName: "web" }]);
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [Subnet?.SubnetId ?? ""] }));
    expect(subnets.Subnets?.[0]?.AvailableIpAddressCount).toBe(250);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
    );
    expect(groups.SecurityGroups?.map((g) => g.GroupName).sort()).toEqual(["default", "web"]);
  });

  it("refuses bad CIDRs, overlaps, unknown AZs and duplicate groups", async () => {
    const sim = new Ec2Simulator();
    const ec2 = sim.client();
    const { vpcId } = sim.addVpc();
    sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/24" });

    const cases: [Promise<unknown>, string][] = [
      [ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/8" })), "InvalidVpc.Range"],
      [ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.1/16" })), "InvalidParameterValue"],
      [ec2.send(new CreateVpcCommand({ CidrBlock: "banana" })), "InvalidParameterValue"],
      [ec2.send(new CreateVpcCommand({})), "MissingParameter"],
      [ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", DryRun: true })), "DryRunOperation"],
      [ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.128/25" })), "InvalidSubnet.Conflict"],
      [ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.1.0.0/24" })), "InvalidSubnet.Range"],
      [ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/30" })), "InvalidSubnet.Range"],
      [ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/33" })), "InvalidParameterValue"],
      [
        ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1z" })),
        "InvalidParameterValue",
      ],
      [
        ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", AvailabilityZoneId: "use1-az9" })),
        "InvalidParameterValue",
      ],
      [
        ec2.send(new CreateSubnetCommand({ VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.0.2.0/24" })),
        "InvalidVpcID.NotFound",
      ],
      [ec2.send(new CreateSubnetCommand({ VpcId: "vpc-1", CidrBlock: "10.0.2.0/24" })), "InvalidVpcID.Malformed"],
      [ec2.send(new CreateSubnetCommand({ VpcId: vpcId })), "MissingParameter"],
      [ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", DryRun: true })), "DryRunOperation"],
      [
        ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "default", Description: "x" })),
        "InvalidGroup.Reserved",
      ],
      [ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "x" } as never)), "MissingParameter"],
      [ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, Description: "x" } as never)), "MissingParameter"],
      [
        ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "x", Description: "x", DryRun: true })),
        "DryRunOperation",
      ],
    ];
    for (const [sent, name] of cases) await expect(sent, name).rejects.toMatchObject({ name });
    await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "app", Description: "x" }));
    await expect(
      ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "app", Description: "x" })),
    ).rejects.toMatchObject({ name: "InvalidGroup.Duplicate" });
  });

  it("describes VPCs, subnets and groups with filters and paging", async () => {
    const sim = new Ec2Simulator();
    const ec2 = sim.client();
    const { vpcId } = sim.addVpc({ tags: { Name: "main" } });
    sim.addVpc({ cidr: "172.16.0.0/16" });
    const subnets = ["a", "b", "c", "d", "e", "f"].map(
      (z) => sim.addSubnet({ vpcId, availabilityZone: `us-east-1${z}` }).subnetId,
    );
    const { groupId } = sim.addSecurityGroup({ vpcId, name: "db", description: "database" });

    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr-block", Values: ["172.16.*"] }] }));
    const named = await ec2.send(
      new DescribeVpcsCommand({ VpcIds: [vpcId], Filters: [{ Name: "tag:Name", Values: ["main"] }] }),
    );
    const page = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    const rest = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: page.NextToken }));
    const inZone = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "availability-zone", Values: ["us-east-1d"] }] }),
    );
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["db"] }));
    const byId = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));

    expect(vpcs.Vpcs?.map((v) => v.CidrBlock)).toEqual(["172.16.0.0/16"]);
    expect(named.Vpcs?.map((v) => v.VpcId)).toEqual([vpcId]);
    expect(page.Subnets).toHaveLength(5);
    expect(rest.Subnets?.map((s) => s.SubnetId)).toEqual([subnets[5]]);
    expect(inZone.Subnets?.map((s) => s.CidrBlock)).toEqual(["10.0.4.0/24"]);
    expect(byName.SecurityGroups?.[0]).toMatchObject({ GroupId: groupId, Description: "database", VpcId: vpcId });
    expect(byId.SecurityGroups?.[0]?.GroupName).toBe("db");
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["nope"] }))).rejects.toMatchObject({
      name: "InvalidGroup.NotFound",
    });
    await expect(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })),
    ).rejects.toMatchObject({
      name: "InvalidGroup.NotFound",
      message: "The security group 'sg-0123456789abcdef0' does not exist",
    });
    await expect(ec2.send(new DescribeVpcsCommand({ DryRun: true }))).rejects.toMatchObject({
      name: "DryRunOperation",
    });
  });

  it("hands out the next free /24 to subnets added without a CIDR", () => {
    const sim = new Ec2Simulator();
    const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/23" });

    sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });

    expect(() => sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" })).toThrow(
      /No free \/24 left in vpc-\w+: pass a `cidr`/,
    );
  });
});

describe("DescribeAvailabilityZones", () => {
  it("lists us-east-1's six zones, and three in other regions", async () => {
    const east = new Ec2Simulator().client();
    const west = new Ec2Simulator({ region: "eu-west-2" }).client();

    const { AvailabilityZones } = await east.send(new DescribeAvailabilityZonesCommand({}));
    const filtered = await east.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "zone-name", Values: ["us-east-1a", "us-east-1f"] }] }),
    );
    const named = await west.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["eu-west-2b"] }));

    expect(AvailabilityZones?.map((z) => z.ZoneName)).toEqual(
      ["a", "b", "c", "d", "e", "f"].map((l) => `us-east-1${l}`),
    );
    expect(AvailabilityZones?.[0]).toMatchObject({ ZoneId: "use1-az1", State: "available", RegionName: "us-east-1" });
    expect(filtered.AvailabilityZones).toHaveLength(2);
    expect(named.AvailabilityZones).toEqual([expect.objectContaining({ ZoneName: "eu-west-2b", ZoneId: "euw2-az2" })]);
    await expect(west.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1a"] }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });
});
