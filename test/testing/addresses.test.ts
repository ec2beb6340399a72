import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssignPrivateIpAddressesCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
  UnassignPrivateIpAddressesCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

describe("Elastic IPs", () => {
  it("allocate, associate with an ENI's primary IP, show on the ENI, and release", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });

    const allocated = await ec2.send(
      new AllocateAddressCommand({
        Domain: "vpc",
        TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "k", Value: "v" }] }],
      }),
    );
    const { AssociationId } = await ec2.send(
      new AssociateAddressCommand({ AllocationId: allocated.AllocationId, NetworkInterfaceId: networkInterfaceId }),
    );

    expect(allocated).toMatchObject({ Domain: "vpc", PublicIp: "198.51.100.1" });
    expect(allocated.AllocationId).toMatch(/^eipalloc-[0-9a-f]{17}$/);
    expect(AssociationId).toMatch(/^eipassoc-[0-9a-f]{17}$/);
    const eni = sim.networkInterface(networkInterfaceId);
    expect(eni?.Association).toMatchObject({
      PublicIp: "198.51.100.1",
      AllocationId: allocated.AllocationId,
      AssociationId,
    });
    expect(eni?.PrivateIpAddresses?.[0]?.Association?.PublicIp).toBe("198.51.100.1");
    const filtered = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "association.public-ip", Values: ["198.51.100.1"] }] }),
    );
    expect(filtered.NetworkInterfaces).toHaveLength(1);
    const { Addresses } = await ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [allocated.AllocationId ?? ""] }),
    );
    expect(Addresses).toEqual([
      expect.objectContaining({
        AssociationId,
        NetworkInterfaceId: networkInterfaceId,
        PrivateIpAddress: eni?.PrivateIpAddress,
        Tags: [{ Key: "k", Value: "v" }],
      }),
    ]);

    await expect(ec2.send(new ReleaseAddressCommand({ AllocationId: allocated.AllocationId }))).rejects.toMatchObject({
      name: "InvalidIPAddress.InUse",
    });
    await ec2.send(new DisassociateAddressCommand({ AssociationId }));
    await ec2.send(new ReleaseAddressCommand({ AllocationId: allocated.AllocationId }));
    expect(sim.address(allocated.AllocationId ?? "")).toBeUndefined();
    await expect(
      ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocated.AllocationId ?? ""] })),
    ).rejects.toMatchObject({ name: "InvalidAllocationID.NotFound" });
  });

  it("move only with AllowReassociation, one per private IP", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const first = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const second = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const eip = sim.addAddress();
    const other = sim.addAddress();
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip.allocationId, NetworkInterfaceId: first }));

    const again = await ec2.send(
      new AssociateAddressCommand({ AllocationId: eip.allocationId, NetworkInterfaceId: first }),
    );
    await expect(
      ec2.send(new AssociateAddressCommand({ AllocationId: eip.allocationId, NetworkInterfaceId: second })),
    ).rejects.toMatchObject({ name: "Resource.AlreadyAssociated" });
    await expect(
      ec2.send(new AssociateAddressCommand({ AllocationId: other.allocationId, NetworkInterfaceId: first })),
    ).rejects.toMatchObject({ name: "Resource.AlreadyAssociated" });

    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: eip.allocationId,
        NetworkInterfaceId: second,
        AllowReassociation: true,
      }),
    );
    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: other.allocationId,
        NetworkInterfaceId: second,
        AllowReassociation: true,
      }),
    );
    await ec2.send(new AssociateAddressCommand({ PublicIp: eip.publicIp, InstanceId: instanceId }));

    expect(again.AssociationId).toBeDefined();
    expect(sim.address(eip.allocationId)?.InstanceId).toBe(instanceId);
    expect(sim.instance(instanceId)?.PublicIpAddress).toBe(eip.publicIp);
    expect(sim.address(other.allocationId)?.NetworkInterfaceId).toBe(second);
    expect(sim.networkInterface(first)?.Association).toBeUndefined();
  });

  it("associate with secondary IPs, and go when the IP or the ENI goes", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });
    const { AssignedPrivateIpAddresses } = await ec2.send(
      new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 1 }),
    );
    const secondary = AssignedPrivateIpAddresses?.[0]?.PrivateIpAddress ?? "";
    const a = sim.addAddress();
    const b = sim.addAddress();

    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: a.allocationId,
        NetworkInterfaceId: id,
        PrivateIpAddress: secondary,
      }),
    );
    await ec2.send(new AssociateAddressCommand({ AllocationId: b.allocationId, NetworkInterfaceId: id }));
    await expect(
      ec2.send(
        new AssociateAddressCommand({
          AllocationId: a.allocationId,
          NetworkInterfaceId: id,
          PrivateIpAddress: "10.9.9.9",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: [secondary] }));
    expect(sim.address(a.allocationId)?.AssociationId).toBeUndefined();

    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));
    expect(sim.address(b.allocationId)?.AssociationId).toBeUndefined();
  });

  it("fail like EC2 for unknown, malformed and missing ids, and answer DryRun", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const { allocationId } = sim.addAddress({ tags: { env: "test" } });

    const cases: [Promise<unknown>, string][] = [
      [
        ec2.send(
          new AssociateAddressCommand({
            AllocationId: "eipalloc-0123456789abcdef0",
            NetworkInterfaceId: networkInterfaceId,
          }),
        ),
        "InvalidAllocationID.NotFound",
      ],
      [
        ec2.send(new AssociateAddressCommand({ AllocationId: "eipalloc-x", NetworkInterfaceId: networkInterfaceId })),
        "InvalidAllocationID.Malformed",
      ],
      [
        ec2.send(new AssociateAddressCommand({ PublicIp: "203.0.113.200", NetworkInterfaceId: networkInterfaceId })),
        "InvalidAddress.NotFound",
      ],
      [
        ec2.send(
          new AssociateAddressCommand({
            AllocationId: allocationId,
            NetworkInterfaceId: networkInterfaceId,
            DryRun: true,
          }),
        ),
        "DryRunOperation",
      ],
      [
        ec2.send(new DisassociateAddressCommand({ AssociationId: "eipassoc-0123456789abcdef0" })),
        "InvalidAssociationID.NotFound",
      ],
      [ec2.send(new DisassociateAddressCommand({ AssociationId: "assoc-1" })), "InvalidAssociationID.Malformed"],
      [ec2.send(new DisassociateAddressCommand({})), "MissingParameter"],
      [
        ec2.send(new ReleaseAddressCommand({ AllocationId: "eipalloc-0123456789abcdef0" })),
        "InvalidAllocationID.NotFound",
      ],
      [ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId, DryRun: true })), "DryRunOperation"],
      [ec2.send(new AllocateAddressCommand({ DryRun: true })), "DryRunOperation"],
      [ec2.send(new DescribeAddressesCommand({ PublicIps: ["192.0.2.200"] })), "InvalidAddress.NotFound"],
    ];
    for (const [sent, name] of cases) await expect(sent, name).rejects.toMatchObject({ name });
  });

  it("are found by public IP and by filter, and disassociated by public IP", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const a = sim.addAddress();
    sim.addAddress({ tags: { env: "test" } });
    await ec2.send(new AssociateAddressCommand({ PublicIp: a.publicIp, NetworkInterfaceId: networkInterfaceId }));

    const byIp = await ec2.send(new DescribeAddressesCommand({ PublicIps: [a.publicIp] }));
    const byEni = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: "network-interface-id", Values: [networkInterfaceId] }] }),
    );
    const byTag = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "tag:env", Values: ["test"] }] }));
    await ec2.send(new DisassociateAddressCommand({ PublicIp: a.publicIp }));
    await ec2.send(new ReleaseAddressCommand({ PublicIp: a.publicIp }));

    expect(byIp.Addresses?.[0]?.AllocationId).toBe(a.allocationId);
    expect(byEni.Addresses?.map((x) => x.PublicIp)).toEqual([a.publicIp]);
    expect(byTag.Addresses).toHaveLength(1);
    expect((await ec2.send(new DescribeAddressesCommand({}))).Addresses).toHaveLength(1);
  });

  it("run out after the documentation ranges", () => {
    const { sim } = setup();

    for (let i = 0; i < 762; i++) sim.addAddress();

    expect(() => sim.addAddress()).toThrow(expect.objectContaining({ code: "AddressLimitExceeded" }));
  });
});

describe("Internet gateways", () => {
  it("are needed on the ENI's VPC to associate an Elastic IP; CreateVpc makes a VPC without one", async () => {
    // Prepare
    const { ec2, sim } = setup(INSTANT);
    const { vpcId, internetGatewayId } = sim.addVpc({ cidr: "10.1.0.0/16", internetGateway: false });
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId });
    const { allocationId } = sim.addAddress();
    const associate = () =>
      ec2.send(new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: networkInterfaceId }));
    const created = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.2.0.0/16" }));
    const gatewaysOf = async (id: string) =>
      (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [id] }] })))
        .InternetGateways;

    // Act, Assess: no gateway
    expect(internetGatewayId).toBeUndefined();
    expect(await gatewaysOf(created.Vpc?.VpcId ?? "")).toEqual([]);
    await expect(associate()).rejects.toMatchObject({
      name: "Gateway.NotAttached",
      message: `Network ${vpcId} is not attached to any internet gateway`,
    });
    expect(sim.address(allocationId)?.AssociationId).toBeUndefined();

    // Act, Assess: one created and attached
    const { InternetGateway: gateway } = await ec2.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: [{ ResourceType: "internet-gateway", Tags: [{ Key: "Name", Value: "edge" }] }],
      }),
    );
    const gatewayId = gateway?.InternetGatewayId ?? "";
    expect(gatewayId).toMatch(/^igw-[0-9a-f]{17}$/);
    expect(gateway).toMatchObject({ Attachments: [], OwnerId: "123456789012", Tags: [{ Key: "Name", Value: "edge" }] });
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }));
    await associate();
    expect(sim.address(allocationId)?.NetworkInterfaceId).toBe(networkInterfaceId);
    expect(await gatewaysOf(vpcId)).toEqual([
      expect.objectContaining({ InternetGatewayId: gatewayId, Attachments: [{ State: "available", VpcId: vpcId }] }),
    ]);
  });

  it("attach one per VPC, one VPC each, and fail like EC2 for unknown and malformed ids", async () => {
    const { ec2, sim, vpcId, internetGatewayId } = setup(INSTANT);
    const other = sim.addVpc({ cidr: "10.1.0.0/16", internetGateway: false }).vpcId;
    const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
    const fresh = InternetGateway?.InternetGatewayId ?? "";
    const attach = (InternetGatewayId: string, VpcId: string, DryRun?: boolean) =>
      ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId, VpcId, DryRun }));

    await expect(attach(internetGatewayId, other)).rejects.toMatchObject({
      name: "Resource.AlreadyAssociated",
      message: `resource ${internetGatewayId} is already attached to network ${vpcId}`,
    });
    await expect(attach(fresh, vpcId)).rejects.toMatchObject({
      name: "Resource.AlreadyAssociated",
      message: `Network ${vpcId} already has an internet gateway attached`,
    });
    await expect(attach("igw-0123456789abcdef0", other)).rejects.toMatchObject({
      name: "InvalidInternetGatewayID.NotFound",
      message: "The internetGateway ID 'igw-0123456789abcdef0' does not exist",
    });
    await expect(attach("igw-x", other)).rejects.toMatchObject({ name: "InvalidInternetGatewayID.Malformed" });
    await expect(attach(fresh, other, true)).rejects.toMatchObject({ name: "DryRunOperation" });
    const { InternetGateways } = await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [fresh] }));
    expect(InternetGateways?.[0]?.Attachments).toEqual([]);
    expect((await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways).toHaveLength(2);
  });
});
