import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type ModifyNetworkInterfaceAttributeCommandInput,
  UnassignPrivateIpAddressesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("CreateNetworkInterface", () => {
  it("creates a pending ENI that becomes available after createMs", async () => {
    vi.useFakeTimers();
    const { sim, ec2, subnetA, vpcId } = setup({ timings: { createMs: 250 } });

    const { NetworkInterface: eni } = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Description: "floating" }),
    );

    expect(eni).toMatchObject({
      Status: "pending",
      SubnetId: subnetA,
      VpcId: vpcId,
      AvailabilityZone: "us-east-1a",
      Description: "floating",
      InterfaceType: "interface",
      RequesterManaged: false,
      SourceDestCheck: true,
      OwnerId: "123456789012",
      PrivateIpAddress: "10.0.1.4",
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: "10.0.1.4" }],
      Groups: [{ GroupName: "default" }],
    });
    expect(eni?.NetworkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(eni?.MacAddress).toMatch(/^0[26ae](:[0-9a-f]{2}){5}$/);
    vi.advanceTimersByTime(250);
    expect(sim.networkInterface(eni?.NetworkInterfaceId ?? "")?.Status).toBe("available");
  });

  it("allocates private IPs inside the subnet, skipping the addresses AWS reserves", async () => {
    const { ec2, sim, vpcId } = setup(INSTANT);
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1c", cidr: "10.0.9.0/28" });

    const ips: string[] = [];
    for (let i = 0; i < 11; i++) {
      const { NetworkInterface: eni } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }));
      ips.push(eni?.PrivateIpAddress ?? "");
    }

    expect(ips[0]).toBe("10.0.9.4");
    expect(ips.at(-1)).toBe("10.0.9.14");
    await expect(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).rejects.toMatchObject({
      name: "InsufficientFreeAddressesInSubnet",
    });
  });

  it("honours an explicit private IP, and refuses one in use or outside the subnet", async () => {
    const { ec2, subnetA } = setup(INSTANT);

    const { NetworkInterface: eni } = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetA, PrivateIpAddress: "10.0.1.50" }),
    );

    expect(eni?.PrivateIpAddress).toBe("10.0.1.50");
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, PrivateIpAddress: "10.0.1.50" })),
    ).rejects.toMatchObject({ name: "InvalidIPAddress.InUse" });
    for (const ip of ["10.0.2.9", "10.0.1.255", "10.0.1.2"]) {
      await expect(
        ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, PrivateIpAddress: ip })),
      ).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("address range") });
    }
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, PrivateIpAddress: "10.0.1" })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("takes a primary and secondary IPs from a list or a count", async () => {
    const { ec2, subnetA } = setup(INSTANT);

    const listed = await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetA,
        PrivateIpAddresses: [{ PrivateIpAddress: "10.0.1.21" }, { PrivateIpAddress: "10.0.1.20", Primary: true }],
      }),
    );
    const counted = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetA, SecondaryPrivateIpAddressCount: 2 }),
    );

    expect(listed.NetworkInterface?.PrivateIpAddresses).toEqual([
      expect.objectContaining({ PrivateIpAddress: "10.0.1.20", Primary: true }),
      expect.objectContaining({ PrivateIpAddress: "10.0.1.21", Primary: false }),
    ]);
    expect(counted.NetworkInterface?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).toEqual([
      "10.0.1.4",
      "10.0.1.5",
      "10.0.1.6",
    ]);
  });

  it("gives IPv6 addresses from the subnet's /64 by count, shown and filtered like EC2's", async () => {
    // Prepare
    const { ec2, sim, subnetA, subnetB } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });

    // Act
    const { NetworkInterface: created } = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Ipv6AddressCount: 2 }),
    );
    const added = sim.addNetworkInterface({ subnetId: subnetA, ipv6AddressCount: 1 }).networkInterfaceId;
    const elsewhere = sim.addNetworkInterface({ subnetId: subnetB, ipv6AddressCount: 1 }).networkInterfaceId;
    await ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: added, InstanceId: instanceId, DeviceIndex: 1 }),
    );

    // Assess
    expect(created?.Ipv6Addresses).toEqual([
      { Ipv6Address: "2001:db8:0:1::1", IsPrimaryIpv6: false },
      { Ipv6Address: "2001:db8:0:1::2", IsPrimaryIpv6: false },
    ]);
    expect(sim.networkInterface(added)?.Ipv6Addresses).toEqual([
      { Ipv6Address: "2001:db8:0:1::3", IsPrimaryIpv6: false },
    ]);
    expect(sim.networkInterface(elsewhere)?.Ipv6Addresses?.[0]?.Ipv6Address).toBe("2001:db8:0:2::1");
    expect(sim.instance(instanceId)?.NetworkInterfaces?.[1]?.Ipv6Addresses).toEqual([
      { Ipv6Address: "2001:db8:0:1::3", IsPrimaryIpv6: false },
    ]);
    const filtered = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "ipv6-addresses.ipv6-address", Values: ["2001:db8:0:1::3"] }],
      }),
    );
    expect(filtered.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([added]);
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Ipv6AddressCount: -1 })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue", message: "Invalid value '-1' for ipv6AddressCount." });
  });

  it("applies TagSpecifications, security groups and the interface type", async () => {
    const { ec2, sim, subnetA, vpcId } = setup(INSTANT);
    const { groupId } = sim.addSecurityGroup({ vpcId, name: "db" });

    const { NetworkInterface: eni } = await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetA,
        Groups: [groupId],
        InterfaceType: "efa",
        TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "Name", Value: "db-eni" }] }],
      }),
    );

    expect(eni).toMatchObject({
      Groups: [{ GroupId: groupId, GroupName: "db" }],
      InterfaceType: "efa",
      TagSet: [{ Key: "Name", Value: "db-eni" }],
    });
  });

  it("refuses bad parameters with EC2's errors", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const other = sim.addVpc({ cidr: "10.1.0.0/16" });
    const { groupId: foreignGroup } = sim.addSecurityGroup({ vpcId: other.vpcId });

    const cases: [CreateNetworkInterfaceCommand, string][] = [
      [new CreateNetworkInterfaceCommand({ SubnetId: "subnet-x" }), "InvalidSubnetID.Malformed"],
      [new CreateNetworkInterfaceCommand({ SubnetId: "subnet-0123456789abcdef0" }), "InvalidSubnetID.NotFound"],
      [new CreateNetworkInterfaceCommand({} as never), "MissingParameter"],
      [new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Groups: ["sg-1"] }), "InvalidGroupId.Malformed"],
      [
        new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Groups: ["sg-0123456789abcdef0"] }),
        "InvalidGroup.NotFound",
      ],
      [new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Groups: [foreignGroup] }), "InvalidParameter"],
      [
        new CreateNetworkInterfaceCommand({ SubnetId: subnetA, InterfaceType: "lambda" as never }),
        "InvalidParameterValue",
      ],
      [
        new CreateNetworkInterfaceCommand({
          SubnetId: subnetA,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "a", Value: "b" }] }],
        }),
        "InvalidParameterValue",
      ],
      [
        new CreateNetworkInterfaceCommand({
          SubnetId: subnetA,
          TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "aws:x", Value: "b" }] }],
        }),
        "InvalidTagKey.Malformed",
      ],
      [
        new CreateNetworkInterfaceCommand({ SubnetId: subnetA, SecondaryPrivateIpAddressCount: 50 }),
        "PrivateIpAddressLimitExceeded",
      ],
    ];
    for (const [command, code] of cases) {
      await expect(ec2.send(command), code).rejects.toMatchObject({ name: code, $fault: "client" });
    }
    expect(sim.calls.every((c) => c.outcome !== "ok")).toBe(true);
  });

  it("is idempotent per ClientToken, and refuses a reused token with other parameters", async () => {
    const { ec2, sim, subnetA, subnetB } = setup(INSTANT);

    const first = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, ClientToken: "t-1" }));
    const again = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, ClientToken: "t-1" }));

    expect(again.NetworkInterface?.NetworkInterfaceId).toBe(first.NetworkInterface?.NetworkInterfaceId);
    expect(again.ClientToken).toBe("t-1");
    expect(sim.networkInterface(first.NetworkInterface?.NetworkInterfaceId ?? "")).toBeDefined();
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetB, ClientToken: "t-1" })),
    ).rejects.toMatchObject({ name: "IdempotentParameterMismatch" });
    const all = await ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(all.NetworkInterfaces).toHaveLength(1);
  });

  it("answers DryRun after checking the parameters, creating nothing", async () => {
    const { ec2, subnetA } = setup(INSTANT);

    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: "subnet-0123456789abcdef0", DryRun: true })),
    ).rejects.toMatchObject({ name: "InvalidSubnetID.NotFound" });
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, DryRun: true })),
    ).rejects.toMatchObject({ name: "DryRunOperation" });
    expect((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces).toEqual([]);
  });
});

describe("DeleteNetworkInterface", () => {
  it("deletes an available ENI, and refuses one in use", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const { primaryEniId } = sim.addInstance({ subnetId: subnetA });

    await expect(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: primaryEniId })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: `Network interface '${primaryEniId}' is currently in use.`,
    });
    await expect(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId, DryRun: true })),
    ).rejects.toMatchObject({ name: "DryRunOperation" });
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId }));

    expect(sim.networkInterface(networkInterfaceId)).toBeUndefined();
    await expect(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId })),
    ).rejects.toMatchObject({ name: "InvalidNetworkInterfaceID.NotFound" });
  });

  it("refuses to touch an ENI managed by another service", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA, requesterManaged: true });

    await expect(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId })),
    ).rejects.toMatchObject({ name: "OperationNotPermitted" });
    expect(sim.networkInterface(networkInterfaceId)).toMatchObject({
      RequesterManaged: true,
      RequesterId: "amazon-elb",
    });
  });
});

describe("DescribeNetworkInterfaces", () => {
  it("fails on an unknown or malformed id, naming every unknown one", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const unknown = ["eni-0000000000000000a", "eni-0000000b"];

    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId, ...unknown] })),
    ).rejects.toMatchObject({
      name: "InvalidNetworkInterfaceID.NotFound",
      message: `The networkInterface IDs '${unknown.join(", ")}' do not exist`,
    });
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-XYZ"] })),
    ).rejects.toMatchObject({
      name: "InvalidNetworkInterfaceId.Malformed",
      message: 'Invalid id: "eni-XYZ" (expecting "eni-...")',
    });
  });

  it("hides a new ENI for consistencyDelayMs, as EC2's eventual consistency may", async () => {
    vi.useFakeTimers();
    const { ec2, subnetA } = setup({ consistencyDelayMs: 1000 });
    const { NetworkInterface: eni } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }));
    const ids = [eni?.NetworkInterfaceId ?? ""];

    await expect(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }))).rejects.toMatchObject({
      name: "InvalidNetworkInterfaceID.NotFound",
    });
    expect((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces).toEqual([]);
    vi.advanceTimersByTime(1000);
    const found = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }));
    expect(found.NetworkInterfaces).toHaveLength(1);
  });

  it("applies EC2's filters: values OR'ed, filters AND'ed, with * and ? wildcards", async () => {
    const { ec2, sim, subnetA, subnetB, vpcId } = setup(INSTANT);
    const { groupId } = sim.addSecurityGroup({ vpcId, name: "web" });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const a = sim.addNetworkInterface({
      subnetId: subnetA,
      description: "db primary",
      tags: { Name: "db-1", team: "db" },
    });
    const b = sim.addNetworkInterface({ subnetId: subnetA, description: "db standby", securityGroupIds: [groupId] });
    const c = sim.addNetworkInterface({ subnetId: subnetB, requesterManaged: true, interfaceType: "efa" });
    const { AttachmentId } = await ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: a.networkInterfaceId,
        InstanceId: instanceId,
        DeviceIndex: 1,
      }),
    );
    const primary = sim.instance(instanceId)?.NetworkInterfaces?.[0]?.NetworkInterfaceId;
    const eniA = sim.networkInterface(a.networkInterfaceId);

    const query = async (...filters: [string, ...string[]][]) => {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: filters.map(([Name, ...Values]) => ({ Name, Values })) }),
      );
      return (out.NetworkInterfaces ?? []).map((e) => e.NetworkInterfaceId).sort();
    };
    const sorted = (...ids: (string | undefined)[]) => ids.sort();

    expect(await query(["description", "db*"])).toEqual(sorted(a.networkInterfaceId, b.networkInterfaceId));
    expect(await query(["description", "db ?tandby", "nothing"])).toEqual([b.networkInterfaceId]);
    expect(await query(["subnet-id", subnetA], ["description", "db*"], ["status", "in-use"])).toEqual([
      a.networkInterfaceId,
    ]);
    expect(await query(["availability-zone", "us-east-1b"])).toEqual([c.networkInterfaceId]);
    expect(await query(["vpc-id", vpcId], ["requester-managed", "true"])).toEqual([c.networkInterfaceId]);
    expect(await query(["interface-type", "efa"])).toEqual([c.networkInterfaceId]);
    expect(await query(["network-interface-id", a.networkInterfaceId])).toEqual([a.networkInterfaceId]);
    expect(await query(["attachment.instance-id", instanceId])).toEqual(sorted(a.networkInterfaceId, primary));
    expect(await query(["attachment.attachment-id", AttachmentId ?? ""])).toEqual([a.networkInterfaceId]);
    expect(await query(["attachment.status", "attached"], ["attachment.device-index", "1"])).toEqual([
      a.networkInterfaceId,
    ]);
    expect(await query(["group-id", groupId])).toEqual([b.networkInterfaceId]);
    expect(await query(["group-name", "web"])).toEqual([b.networkInterfaceId]);
    expect(await query(["private-ip-address", eniA?.PrivateIpAddress ?? ""])).toEqual([a.networkInterfaceId]);
    expect(await query(["mac-address", eniA?.MacAddress ?? ""])).toEqual([a.networkInterfaceId]);
    expect(await query(["tag:Name", "db-*"])).toEqual([a.networkInterfaceId]);
    expect(await query(["tag-key", "team"])).toEqual([a.networkInterfaceId]);
    expect(await query(["tag-value", "d?"])).toEqual([a.networkInterfaceId]);
    expect(await query(["description", "db\\*"])).toEqual([]);
    await expect(query(["colour", "blue"])).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "The filter 'colour' is invalid",
    });
  });

  it("pages with MaxResults and NextToken within EC2's bounds", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const ids = Array.from({ length: 12 }, () => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5, NextToken: token }));
      seen.push(...(out.NetworkInterfaces ?? []).map((e) => e.NetworkInterfaceId ?? ""));
      token = out.NextToken;
      pages++;
    } while (token);

    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    for (const MaxResults of [4, 1001]) {
      await expect(ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults }))).rejects.toMatchObject({
        name: "InvalidParameterValue",
      });
    }
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5, NetworkInterfaceIds: [ids[0] ?? ""] })),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await expect(ec2.send(new DescribeNetworkInterfacesCommand({ NextToken: "garbage" }))).rejects.toMatchObject({
      name: "InvalidNextToken",
    });
  });
});

describe("ModifyNetworkInterfaceAttribute", () => {
  it("changes one attribute per call", async () => {
    const { ec2, sim, subnetA, vpcId } = setup(INSTANT);
    const { groupId } = sim.addSecurityGroup({ vpcId });
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { AttachmentId } = await ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: 1 }),
    );

    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Description: { Value: "new" } }),
    );
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, SourceDestCheck: { Value: false } }),
    );
    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: [groupId] }));
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: id,
        Attachment: { AttachmentId, DeleteOnTermination: true },
      }),
    );

    expect(sim.networkInterface(id)).toMatchObject({
      Description: "new",
      SourceDestCheck: false,
      Groups: [{ GroupId: groupId }],
      Attachment: { DeleteOnTermination: true },
    });
  });

  it("refuses no attribute, several attributes, a foreign attachment, DryRun and managed ENIs", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });
    const managed = sim.addNetworkInterface({ subnetId: subnetA, requesterManaged: true });
    const send = (input: Omit<ModifyNetworkInterfaceAttributeCommandInput, "NetworkInterfaceId">, eni = id) =>
      ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, ...input }));

    await expect(send({})).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await expect(send({ Description: { Value: "a" }, SourceDestCheck: { Value: true } })).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
    await expect(
      send({ Attachment: { AttachmentId: "eni-attach-0123456789abcdef0", DeleteOnTermination: true } }),
    ).rejects.toMatchObject({ name: "InvalidAttachmentID.NotFound" });
    await expect(send({ Description: { Value: "a" }, DryRun: true })).rejects.toMatchObject({
      name: "DryRunOperation",
    });
    await expect(send({ Description: { Value: "a" } }, managed.networkInterfaceId)).rejects.toMatchObject({
      name: "OperationNotPermitted",
    });
    expect(sim.networkInterface(id)?.Description).toBe("");
  });
});

describe("Assign/UnassignPrivateIpAddresses", () => {
  it("assigns by count or list, keeping addresses unique in the subnet", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });
    const other = sim.addNetworkInterface({
      subnetId: subnetA,
      privateIpAddress: "10.0.1.90",
      secondaryPrivateIpAddressCount: 1,
    });
    const otherSecondary =
      sim.networkInterface(other.networkInterfaceId)?.PrivateIpAddresses?.[1]?.PrivateIpAddress ?? "";

    const counted = await ec2.send(
      new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 2 }),
    );
    const listed = await ec2.send(
      new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.1.77"] }),
    );

    expect(counted.AssignedPrivateIpAddresses?.map((a) => a.PrivateIpAddress)).toHaveLength(2);
    expect(listed.AssignedPrivateIpAddresses).toEqual([{ PrivateIpAddress: "10.0.1.77" }]);
    expect(sim.networkInterface(id)?.PrivateIpAddresses).toHaveLength(4);
    await expect(
      ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: [otherSecondary] })),
    ).rejects.toMatchObject({ name: "Resource.AlreadyAssigned" });
    await expect(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: id,
          PrivateIpAddresses: ["10.0.1.90"],
          AllowReassignment: true,
        }),
      ),
    ).rejects.toMatchObject({ name: "Resource.AlreadyAssigned" });

    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: id,
        PrivateIpAddresses: [otherSecondary],
        AllowReassignment: true,
      }),
    );
    expect(sim.networkInterface(other.networkInterfaceId)?.PrivateIpAddresses).toHaveLength(1);
    expect(sim.networkInterface(id)?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).toContain(otherSecondary);
  });

  it("moves an address's Elastic IP with it when the address is reassigned", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const from = sim.addNetworkInterface({ subnetId: subnetA, secondaryPrivateIpAddressCount: 1 }).networkInterfaceId;
    const to = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const secondary = sim.networkInterface(from)?.PrivateIpAddresses?.[1]?.PrivateIpAddress ?? "";
    const { allocationId, publicIp } = sim.addAddress();
    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: allocationId,
        NetworkInterfaceId: from,
        PrivateIpAddress: secondary,
      }),
    );

    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: to,
        PrivateIpAddresses: [secondary],
        AllowReassignment: true,
      }),
    );

    expect(sim.address(allocationId)).toMatchObject({
      NetworkInterfaceId: to,
      PrivateIpAddress: secondary,
      PublicIp: publicIp,
    });
    const moved = sim.networkInterface(to)?.PrivateIpAddresses?.find((p) => p.PrivateIpAddress === secondary);
    expect(moved?.Association?.PublicIp).toBe(publicIp);
  });

  it("refuses to go past the instance type's addresses per interface", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "t3.micro" });
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });
    await ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: 1 }),
    );

    await ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 1 }));

    await expect(
      ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 1 })),
    ).rejects.toMatchObject({
      name: "PrivateIpAddressLimitExceeded",
      message: "Number of private addresses will exceed limit.",
    });
  });

  it("refuses bad combinations", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });

    await expect(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: id,
          PrivateIpAddresses: ["10.0.1.9"],
          SecondaryPrivateIpAddressCount: 1,
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await expect(ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id }))).rejects.toMatchObject({
      name: "MissingParameter",
    });
    await expect(
      ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 0 })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("unassigns secondary addresses only", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId: id } = sim.addNetworkInterface({
      subnetId: subnetA,
      privateIpAddress: "10.0.1.10",
      secondaryPrivateIpAddressCount: 1,
    });
    const secondary = sim.networkInterface(id)?.PrivateIpAddresses?.[1]?.PrivateIpAddress ?? "";

    await expect(
      ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.1.10"] })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(
      ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.1.200"] })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id }))).rejects.toMatchObject({
      name: "MissingParameter",
    });
    await ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: [secondary] }));

    expect(sim.networkInterface(id)?.PrivateIpAddresses).toEqual([
      expect.objectContaining({ PrivateIpAddress: "10.0.1.10" }),
    ]);
  });
});
