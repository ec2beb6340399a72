import {
  AttachNetworkInterfaceCommand,
  type AttachNetworkInterfaceCommandInput,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

function attach(input: AttachNetworkInterfaceCommandInput) {
  return new AttachNetworkInterfaceCommand(input);
}

describe("AttachNetworkInterface and DetachNetworkInterface", () => {
  it("move an ENI through attaching, attached, detaching and back to available", async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    const { ec2, sim, subnetA } = setup({ timings: { attachMs: 300, detachMs: 400 } });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });

    const { AttachmentId, NetworkCardIndex } = await ec2.send(
      attach({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: 1, NetworkCardIndex: 0 }),
    );

    expect(AttachmentId).toMatch(/^eni-attach-[0-9a-f]{17}$/);
    expect(NetworkCardIndex).toBe(0);
    expect(sim.networkInterface(id)).toMatchObject({
      Status: "in-use",
      Attachment: {
        AttachmentId,
        AttachTime: new Date(Date.UTC(2025, 0, 1)),
        DeleteOnTermination: false,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
        InstanceId: instanceId,
        InstanceOwnerId: "123456789012",
        Status: "attaching",
      },
    });
    vi.advanceTimersByTime(300);
    expect(sim.networkInterface(id)?.Attachment?.Status).toBe("attached");
    expect(sim.instance(instanceId)?.NetworkInterfaces?.map((n) => n.Attachment?.DeviceIndex)).toEqual([0, 1]);

    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId }));
    expect(sim.networkInterface(id)).toMatchObject({ Status: "in-use", Attachment: { Status: "detaching" } });
    vi.advanceTimersByTime(400);
    const detached = sim.networkInterface(id);
    expect(detached?.Status).toBe("available");
    expect(detached && "Attachment" in detached).toBe(false);
  });

  it("refuses an instance in another AZ", async () => {
    const { ec2, sim, subnetA, subnetB } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetB });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });

    await expect(
      ec2.send(attach({ NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: 1 })),
    ).rejects.toMatchObject({
      name: "InvalidParameterCombination",
      $fault: "client",
      message: "You may not attach a network interface to an instance if they are not in the same availability zone",
    });
  });

  it("refuses more interfaces than the instance type allows", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "t3.medium" });
    const enis = [0, 1, 2].map(() => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId);

    await ec2.send(attach({ NetworkInterfaceId: enis[0], InstanceId: instanceId, DeviceIndex: 1 }));
    await ec2.send(attach({ NetworkInterfaceId: enis[1], InstanceId: instanceId, DeviceIndex: 2 }));

    await expect(
      ec2.send(attach({ NetworkInterfaceId: enis[2], InstanceId: instanceId, DeviceIndex: 3 })),
    ).rejects.toMatchObject({
      name: "AttachmentLimitExceeded",
      message: "Interface count 4 exceeds the limit for t3.medium",
    });
  });

  it("counts interfaces per network card on multi-card types", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "p4d.24xlarge" });
    const eni = () => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;

    for (let device = 1; device < 15; device++) {
      await ec2.send(
        attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex: device, NetworkCardIndex: 0 }),
      );
    }
    await ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex: 1, NetworkCardIndex: 3 }));

    await expect(
      ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex: 15, NetworkCardIndex: 0 })),
    ).rejects.toMatchObject({ name: "AttachmentLimitExceeded" });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex: 1, NetworkCardIndex: 4 })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex: 1, NetworkCardIndex: 3 })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("device index '1'") });
  });

  it("follows EC2's device index rules on a type with 32 network cards (p5.48xlarge)", async () => {
    // Prepare
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "p5.48xlarge" });
    const eni = () => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const onCard = (NetworkCardIndex: number, DeviceIndex: number) =>
      ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex, NetworkCardIndex }));

    // Act: device index 0 is valid on cards other than 0; AWS recommends 1
    const [first] = [await onCard(5, 0), await onCard(31, 1), await onCard(5, 1), await onCard(0, 1)];

    // Assess
    expect(first?.NetworkCardIndex).toBe(5);
    const pairs = sim
      .instance(instanceId)
      ?.NetworkInterfaces?.map((n) => [n.Attachment?.NetworkCardIndex, n.Attachment?.DeviceIndex]);
    expect(pairs).toEqual([
      [0, 0],
      [5, 0],
      [31, 1],
      [5, 1],
      [0, 1],
    ]);
    await expect(onCard(5, 0)).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: `Instance '${instanceId}' already has an interface attached at device index '0'.`,
    });
    await expect(onCard(0, 0)).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(onCard(5, 2)).rejects.toMatchObject({
      name: "AttachmentLimitExceeded",
      message: "Interface count 3 exceeds the limit for network card 5 of p5.48xlarge",
    });
    await expect(onCard(32, 1)).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "Network card index '32' is not valid for instance type p5.48xlarge.",
    });
    const { InstanceTypes } = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["p5.48xlarge"] }));
    expect(InstanceTypes?.[0]?.NetworkInfo).toMatchObject({
      MaximumNetworkInterfaces: 64,
      MaximumNetworkCards: 32,
      Ipv4AddressesPerInterface: 50,
      EfaSupported: true,
    });
    expect(InstanceTypes?.[0]?.NetworkInfo?.NetworkCards?.[31]).toEqual({
      NetworkCardIndex: 31,
      MaximumNetworkInterfaces: 2,
    });
  });

  it("refuses a taken device index, an ENI in use, and a bad device index", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const other = sim.addInstance({ subnetId: subnetA });
    const first = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const second = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    await ec2.send(attach({ NetworkInterfaceId: first, InstanceId: instanceId, DeviceIndex: 1 }));

    await expect(
      ec2.send(attach({ NetworkInterfaceId: second, InstanceId: instanceId, DeviceIndex: 1 })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: `Instance '${instanceId}' already has an interface attached at device index '1'.`,
    });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: second, InstanceId: instanceId, DeviceIndex: 0 })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: first, InstanceId: other.instanceId, DeviceIndex: 1 })),
    ).rejects.toMatchObject({ name: "InvalidNetworkInterface.InUse", message: `Interface: [${first}] in use.` });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: second, InstanceId: instanceId, DeviceIndex: -1 })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: second, InstanceId: instanceId } as AttachNetworkInterfaceCommandInput)),
    ).rejects.toMatchObject({ name: "MissingParameter" });
  });

  it("refuses an ENI with more IPv4 addresses than the instance type allows per interface", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "t3.micro" });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA, secondaryPrivateIpAddressCount: 2 });

    await expect(
      ec2.send(attach({ NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: 1 })),
    ).rejects.toMatchObject({
      name: "InvalidInterface.IpAddressLimitExceeded",
      message: `Address count 3 on interface ${networkInterfaceId} exceeds the limit for t3.micro`,
    });
    expect(sim.networkInterface(networkInterfaceId)?.Status).toBe("available");
  });

  it("refuses an ENI with more IPv6 addresses than the instance type allows per interface", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const micro = sim.addInstance({ subnetId: subnetA, instanceType: "t3.micro" }).instanceId;
    const noIpv6 = sim.addInstance({ subnetId: subnetA, instanceType: "m1.small" }).instanceId;
    const three = sim.addNetworkInterface({ subnetId: subnetA, ipv6AddressCount: 3 }).networkInterfaceId;
    const two = sim.addNetworkInterface({ subnetId: subnetA, ipv6AddressCount: 2 }).networkInterfaceId;
    const one = sim.addNetworkInterface({ subnetId: subnetA, ipv6AddressCount: 1 }).networkInterfaceId;

    await expect(
      ec2.send(attach({ NetworkInterfaceId: three, InstanceId: micro, DeviceIndex: 1 })),
    ).rejects.toMatchObject({
      name: "InvalidInterface.IpAddressLimitExceeded",
      message: `Address count 3 on interface ${three} exceeds the limit for t3.micro`,
    });
    await expect(
      ec2.send(attach({ NetworkInterfaceId: one, InstanceId: noIpv6, DeviceIndex: 1 })),
    ).rejects.toMatchObject({
      name: "InvalidInterface.IpAddressLimitExceeded",
      message: `Address count 1 on interface ${one} exceeds the limit for m1.small`,
    });
    await ec2.send(attach({ NetworkInterfaceId: two, InstanceId: micro, DeviceIndex: 1 }));
    expect(sim.networkInterface(two)?.Attachment?.InstanceId).toBe(micro);
  });

  it("refuses an ENI that is still pending", async () => {
    const { ec2, sim, subnetA } = setup();
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const created = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }));

    await expect(
      ec2.send(
        attach({
          NetworkInterfaceId: created.NetworkInterface?.NetworkInterfaceId,
          InstanceId: instanceId,
          DeviceIndex: 1,
        }),
      ),
    ).rejects.toMatchObject({ name: "IncorrectState" });
    await ec2.send(attach({ NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: 1 }));
  });

  it("fails NotFound and Malformed with EC2's casing", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });

    const cases: [AttachNetworkInterfaceCommandInput, string, string][] = [
      [
        { NetworkInterfaceId: "eni-0123456789abcdef0", InstanceId: instanceId, DeviceIndex: 1 },
        "InvalidNetworkInterfaceID.NotFound",
        "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
      ],
      [
        { NetworkInterfaceId: "x", InstanceId: instanceId, DeviceIndex: 1 },
        "InvalidNetworkInterfaceId.Malformed",
        'Invalid id: "x" (expecting "eni-...")',
      ],
      [
        { NetworkInterfaceId: networkInterfaceId, InstanceId: "i-0123456789abcdef0", DeviceIndex: 1 },
        "InvalidInstanceID.NotFound",
        "The instance ID 'i-0123456789abcdef0' does not exist",
      ],
      [
        { NetworkInterfaceId: networkInterfaceId, InstanceId: "i-123", DeviceIndex: 1 },
        "InvalidInstanceID.Malformed",
        'Invalid id: "i-123" (expecting "i-...")',
      ],
    ];
    for (const [input, name, message] of cases) {
      await expect(ec2.send(attach(input))).rejects.toMatchObject({ name, message });
    }
    await expect(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: "eni-attach-0123456789abcdef0" })),
    ).rejects.toMatchObject({
      name: "InvalidAttachmentID.NotFound",
    });
    await expect(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: networkInterfaceId })),
    ).rejects.toMatchObject({
      name: "InvalidNetworkInterfaceAttachmentId.Malformed",
      message: `Invalid id: "${networkInterfaceId}" (expecting "eni-attach-...")`,
    });
    await expect(ec2.send(new DetachNetworkInterfaceCommand({} as never))).rejects.toMatchObject({
      name: "MissingParameter",
    });
  });

  it("never detaches the primary ENI", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const attachmentId = sim.instance(instanceId)?.NetworkInterfaces?.[0]?.Attachment?.AttachmentId;

    await expect(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }))).rejects.toMatchObject({
      name: "OperationNotPermitted",
      message: "The network interface at device index 0 and networkCard index 0 cannot be detached.",
    });
  });

  it("refuses ENIs managed by another service", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId } = sim.addNetworkInterface({
      subnetId: subnetA,
      requesterManaged: true,
      requesterId: "amazon-rds",
    });

    await expect(
      ec2.send(attach({ NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: 1 })),
    ).rejects.toMatchObject({ name: "OperationNotPermitted" });
  });

  it("refuses to detach or delete an ENI a service attached (ela-attach)", async () => {
    // Prepare
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA, serviceAttached: true });
    const eni = sim.networkInterface(networkInterfaceId);
    const attachmentId = eni?.Attachment?.AttachmentId ?? "";
    const refusal = {
      name: "OperationNotPermitted",
      message: "You are not allowed to manage 'ela-attach' attachments.",
    };

    // Act, Assess
    expect(eni).toMatchObject({
      Status: "in-use",
      RequesterManaged: true,
      RequesterId: "amazon-elb",
      Attachment: { DeviceIndex: 1, InstanceOwnerId: "amazon-elb", Status: "attached", DeleteOnTermination: false },
    });
    expect(attachmentId).toMatch(/^ela-attach-[0-9a-f]{17}$/);
    expect(eni?.Attachment && "InstanceId" in eni.Attachment).toBe(false);
    await expect(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }))).rejects.toMatchObject(
      refusal,
    );
    await expect(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: true })),
    ).rejects.toMatchObject(refusal);
    await expect(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId })),
    ).rejects.toMatchObject({ name: "OperationNotPermitted" });
    await expect(
      ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: "ela-attach-0123456789abcdef0" })),
    ).rejects.toMatchObject({ name: "InvalidAttachmentID.NotFound" });
    await expect(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: "ela-attach-x" }))).rejects.toMatchObject({
      name: "InvalidNetworkInterfaceAttachmentId.Malformed",
    });
    const byOwner = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "attachment.instance-owner-id", Values: ["amazon-elb"] }],
      }),
    );
    expect(byOwner.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([networkInterfaceId]);
    expect(sim.networkInterface(networkInterfaceId)?.Attachment?.Status).toBe("attached");
  });

  it("attaches to running and stopped instances only", async () => {
    vi.useFakeTimers();
    const { ec2, sim, subnetA } = setup({ instanceTimings: { startMs: 5000, stopMs: 5000, terminateMs: 1000 } });
    const eni = () => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const stopped = sim.addInstance({ subnetId: subnetA, state: "stopped" }).instanceId;
    const pending = sim.addInstance({ subnetId: subnetA, state: "pending" }).instanceId;
    const stopping = sim.addInstance({ subnetId: subnetA }).instanceId;
    const dying = sim.addInstance({ subnetId: subnetA }).instanceId;
    const dead = sim.addInstance({ subnetId: subnetA }).instanceId;
    await ec2.send(new StopInstancesCommand({ InstanceIds: [stopping] }));
    sim.terminateInstance(dead);
    vi.advanceTimersByTime(1000);
    sim.terminateInstance(dead);
    sim.terminateInstance(dying);
    sim.terminateInstance(dying);
    expect(sim.instance(dead)?.State?.Name).toBe("terminated");
    expect(sim.instance(dying)?.State?.Name).toBe("shutting-down");

    await ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: stopped, DeviceIndex: 1 }));
    for (const instanceId of [pending, stopping, dying, dead]) {
      await expect(
        ec2.send(attach({ NetworkInterfaceId: eni(), InstanceId: instanceId, DeviceIndex: 1 })),
      ).rejects.toMatchObject({
        name: "IncorrectInstanceState",
      });
    }
  });

  it("keeps a hung detach in detaching until a forced detach", async () => {
    vi.useFakeTimers();
    const { ec2, sim, subnetA } = setup({ timings: { attachMs: 0, detachMs: 400 } });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA });
    const { AttachmentId } = await ec2.send(attach({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: 1 }));
    sim.faults.hangDetach(id);

    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId }));
    vi.advanceTimersByTime(60_000);
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId }));
    vi.advanceTimersByTime(60_000);
    expect(sim.networkInterface(id)?.Attachment?.Status).toBe("detaching");

    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId, Force: true }));
    vi.advanceTimersByTime(400);
    expect(sim.networkInterface(id)?.Status).toBe("available");
  });

  it("hangs every ENI's detach when no id is given, until the faults are cleared", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const ids = [1, 2].map(() => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId);
    const attachments = [];
    for (const [i, id] of ids.entries()) {
      attachments.push(
        (await ec2.send(attach({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: i + 1 }))).AttachmentId,
      );
    }
    sim.faults.hangDetach();

    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachments[0] }));
    sim.faults.clear();
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachments[1] }));

    expect(sim.networkInterface(ids[0] ?? "")?.Attachment?.Status).toBe("detaching");
    expect(sim.networkInterface(ids[1] ?? "")?.Status).toBe("available");
  });

  it("fails attaches on request, and answers DryRun", async () => {
    const { sim, subnetA } = setup(INSTANT);
    const ec2 = sim.client({ maxAttempts: 1 });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const input = { NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: 1 };
    sim.faults.failAttach();
    sim.faults.failAttach("InvalidParameterValue", 1);
    sim.faults.failNext("AttachNetworkInterface", "IncorrectState", 1, "Try later.");

    await expect(ec2.send(attach(input))).rejects.toMatchObject({ name: "InternalError", $fault: "server" });
    await expect(ec2.send(attach(input))).rejects.toMatchObject({ name: "InvalidParameterValue", $fault: "client" });
    await expect(ec2.send(attach(input))).rejects.toMatchObject({ name: "IncorrectState", message: "Try later." });
    await expect(ec2.send(attach({ ...input, DryRun: true }))).rejects.toMatchObject({ name: "DryRunOperation" });
    await ec2.send(attach(input));
    sim.faults.failNext("AttachNetworkInterface", "InternalError", 0);
    expect(sim.networkInterface(networkInterfaceId)?.Attachment?.Status).toBe("attached");
  });
});
