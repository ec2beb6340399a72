import {
  AttachNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

const PERMISSIVE = { ...INSTANT, permissive: true };

function attach(NetworkInterfaceId: string, InstanceId: string, DeviceIndex = 1) {
  return new AttachNetworkInterfaceCommand({ NetworkInterfaceId, InstanceId, DeviceIndex });
}

describe("permissive mode (as moto)", () => {
  it("accepts attaches EC2 refuses: another AZ, a taken device index, beyond the interface and address limits", async () => {
    // Prepare
    const { ec2, sim, subnetA, subnetB } = setup(PERMISSIVE);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "t3.micro" }); // 2 ENIs, 2 IPv4, 2 IPv6
    const inB = sim.addNetworkInterface({ subnetId: subnetB }).networkInterfaceId;
    const same = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const crowded = sim.addNetworkInterface({
      subnetId: subnetA,
      secondaryPrivateIpAddressCount: 4,
    }).networkInterfaceId;
    const ipv6 = sim.addNetworkInterface({ subnetId: subnetA, ipv6AddressCount: 3 }).networkInterfaceId;

    // Act
    for (const id of [inB, same, crowded, ipv6]) await ec2.send(attach(id, instanceId));

    // Assess
    const attached = sim
      .instance(instanceId)
      ?.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.Attachment?.DeviceIndex]);
    expect(attached?.slice(1)).toEqual([
      [inB, 1],
      [same, 1],
      [crowded, 1],
      [ipv6, 1],
    ]);
    // EC2 would have refused every one of them.
    const strict = setup(INSTANT);
    const strictInstance = strict.sim.addInstance({ subnetId: strict.subnetA, instanceType: "t3.micro" }).instanceId;
    const strictB = strict.sim.addNetworkInterface({ subnetId: strict.subnetB }).networkInterfaceId;
    await expect(strict.ec2.send(attach(strictB, strictInstance))).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
  });

  it("moves an attached ENI to the instance of a second attach, as moto does", async () => {
    const { ec2, sim, subnetA } = setup(PERMISSIVE);
    const first = sim.addInstance({ subnetId: subnetA }).instanceId;
    const second = sim.addInstance({ subnetId: subnetA }).instanceId;
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const { AttachmentId: firstAttachment } = await ec2.send(attach(networkInterfaceId, first));

    const { AttachmentId: secondAttachment } = await ec2.send(attach(networkInterfaceId, second, 2));

    expect(secondAttachment).not.toBe(firstAttachment);
    expect(sim.networkInterface(networkInterfaceId)?.Attachment).toMatchObject({
      AttachmentId: secondAttachment,
      InstanceId: second,
      DeviceIndex: 2,
    });
    expect(sim.instance(first)?.NetworkInterfaces).toHaveLength(1);
  });

  it("deletes an ENI in use, and leaves a terminated instance's ENIs attached", async () => {
    const { ec2, sim, subnetA } = setup(PERMISSIVE);
    const { instanceId, primaryEniId } = sim.addInstance({ subnetId: subnetA });
    const floating = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const doomed = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    await ec2.send(attach(floating, instanceId, 1));
    await ec2.send(attach(doomed, instanceId, 2));

    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: doomed }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));

    expect(sim.networkInterface(doomed)).toBeUndefined();
    expect(sim.instance(instanceId)?.State?.Name).toBe("terminated");
    expect(sim.networkInterface(floating)).toMatchObject({ Status: "in-use", Attachment: { InstanceId: instanceId } });
    expect(sim.networkInterface(primaryEniId)?.Attachment?.InstanceId).toBe(instanceId);
  });

  it("does not page: MaxResults is ignored, and never a NextToken", async () => {
    const { ec2, sim, subnetA } = setup(PERMISSIVE);
    const ids = Array.from({ length: 7 }, () => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId);
    const instances = Array.from({ length: 6 }, () => sim.addInstance({ subnetId: subnetA }).instanceId);

    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    const named = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instances, MaxResults: 5 }));
    const types = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));

    expect(enis.NetworkInterfaces?.length).toBeGreaterThanOrEqual(ids.length + instances.length);
    expect(enis.NextToken).toBeUndefined();
    expect(named.Reservations).toHaveLength(6);
    expect(named.NextToken).toBeUndefined();
    expect(types.InstanceTypes?.length).toBeGreaterThan(5);
    expect(types.NextToken).toBeUndefined();
  });

  it("still refuses what moto refuses too: unknown ids, and ENIs another service manages", async () => {
    const { ec2, sim, subnetA } = setup(PERMISSIVE);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const managed = sim.addNetworkInterface({ subnetId: subnetA, requesterManaged: true }).networkInterfaceId;

    await expect(ec2.send(attach("eni-0123456789abcdef0", instanceId))).rejects.toMatchObject({
      name: "InvalidNetworkInterfaceID.NotFound",
    });
    await expect(ec2.send(attach(managed, instanceId))).rejects.toMatchObject({ name: "OperationNotPermitted" });
  });
});
