import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  DisassociateAddressCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Ec2SimulatorOptions } from "../../src/testing/index.js";
import { INSTANT, setup } from "./fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

const STALE: Ec2SimulatorOptions = {
  ...INSTANT,
  timings: { createMs: 0, attachMs: 1000, detachMs: 1000 },
  instanceTimings: { startMs: 0, stopMs: 0, terminateMs: 1000 },
  staleReads: { windowMs: 2000, probability: 0.5 },
};

/** `count` reads in a row, at the same instant. */
async function reads<T>(count: number, read: () => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  for (let i = 0; i < count; i++) answers.push(await read());
  return answers;
}

/** The attachment status one DescribeNetworkInterfaces read answers for `id` (`"none"`: no attachment). */
async function attachmentStatus(ec2: EC2Client, id: string): Promise<string> {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  return out.NetworkInterfaces?.[0]?.Attachment?.Status ?? "none";
}

/** An ENI attached at device 1 of an instance, both settled long ago. */
async function attachedEni(options: Ec2SimulatorOptions) {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
  const world = setup(options);
  const { instanceId } = world.sim.addInstance({ subnetId: world.subnetA });
  const { networkInterfaceId } = world.sim.addNetworkInterface({ subnetId: world.subnetA });
  vi.advanceTimersByTime(10_000);
  const { AttachmentId } = await world.ec2.send(
    new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: networkInterfaceId,
      InstanceId: instanceId,
      DeviceIndex: 1,
    }),
  );
  return { ...world, instanceId, networkInterfaceId, attachmentId: AttachmentId ?? "" };
}

describe("stale reads", () => {
  it("answer earlier versions of a changed ENI for windowMs, so reads in a row can go backwards", async () => {
    // Prepare: attaching from t, attached from t + 1 s
    const { ec2, networkInterfaceId } = await attachedEni(STALE);
    vi.advanceTimersByTime(1000);

    // Act
    const within = await reads(40, () => attachmentStatus(ec2, networkInterfaceId));
    vi.advanceTimersByTime(2000); // the last change is now windowMs old
    const after = await reads(20, () => attachmentStatus(ec2, networkInterfaceId));

    // Assess
    expect(new Set(within)).toEqual(new Set(["attached", "attaching", "none"]));
    expect(within.some((status, i) => status === "attached" && within[i + 1] === "attaching")).toBe(true);
    expect(new Set(after)).toEqual(new Set(["attached"]));
  });

  it("count an ENI turning available by itself as a change", async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    const { ec2, subnetA } = setup({ ...STALE, timings: { createMs: 500 } });
    const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }));
    const id = NetworkInterface?.NetworkInterfaceId ?? "";
    vi.advanceTimersByTime(600); // available from +500 ms
    const status = async () =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces?.[0]
        ?.Status ?? "";

    const answers = await reads(30, status);
    vi.advanceTimersByTime(2000);
    const later = await reads(10, status);

    expect(new Set(answers)).toEqual(new Set(["available", "pending"]));
    expect(new Set(later)).toEqual(new Set(["available"]));
  });

  it("follow every kind of change: attributes, tags, IP assignments, Elastic IP associations", async () => {
    // Prepare: four changes, 100 ms apart
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    const { ec2, sim, subnetA } = setup(STALE);
    const { networkInterfaceId: id } = sim.addNetworkInterface({ subnetId: subnetA, description: "before" });
    const { allocationId } = sim.addAddress();
    vi.advanceTimersByTime(10_000);
    const changes = [
      () =>
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Description: { Value: "after" } }),
        ),
      () => ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: "db" }] })),
      () =>
        ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 1 })),
      () => ec2.send(new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: id })),
    ];
    for (const change of changes) {
      await change();
      vi.advanceTimersByTime(100);
    }

    // Act
    const versions = await reads(80, async () => {
      const [eni] = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })))
        .NetworkInterfaces ?? [{}];
      return [
        eni?.Description,
        eni?.TagSet?.length,
        eni?.PrivateIpAddresses?.length,
        eni?.Association?.PublicIp ?? "-",
      ].join(" ");
    });

    // Assess: the current version and each one before
    expect(new Set(versions)).toEqual(
      new Set(["before 0 1 -", "after 0 1 -", "after 1 1 -", "after 1 2 -", "after 1 2 198.51.100.1"]),
    );
  });

  it("keep only the versions within the window", async () => {
    const { ec2, networkInterfaceId } = await attachedEni(STALE);
    vi.advanceTimersByTime(1500); // attached at +1 s: the version before the attach ended 1.5 s ago

    vi.advanceTimersByTime(1000); // now it ended 2.5 s ago, the attaching one 1.5 s ago
    const answers = await reads(40, () => attachmentStatus(ec2, networkInterfaceId));

    expect(new Set(answers)).toEqual(new Set(["attached", "attaching"]));
  });

  it("are off by default and with probability 0", async () => {
    const { staleReads: _, ...consistent } = STALE;
    for (const options of [consistent, { ...consistent, staleReads: { windowMs: 2000, probability: 0 } }]) {
      const { ec2, networkInterfaceId } = await attachedEni(options);
      vi.advanceTimersByTime(1000);

      const answers = await reads(30, () => attachmentStatus(ec2, networkInterfaceId));

      expect(new Set(answers)).toEqual(new Set(["attached"]));
      vi.useRealTimers();
    }
  });

  it("pick per resource: one list can show one ENI current and another stale", async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    const { ec2, sim, subnetA } = setup(STALE);
    const { instanceId } = sim.addInstance({ subnetId: subnetA, instanceType: "m5.large" });
    const ids = [1, 2].map(() => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId);
    vi.advanceTimersByTime(10_000);
    for (const [i, id] of ids.entries()) {
      await ec2.send(
        new AttachNetworkInterfaceCommand({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: i + 1 }),
      );
    }
    vi.advanceTimersByTime(1000);

    const lists = await reads(30, async () => {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }));
      return (out.NetworkInterfaces ?? []).map((eni) => eni.Attachment?.Status ?? "none");
    });

    expect(lists.some(([a, b]) => a !== b)).toBe(true);
    expect(lists.some(([a, b]) => a === "attached" && b === "attached")).toBe(true);
  });

  it("apply filters to the version they answer", async () => {
    // Prepare: detached (gone) at +1 s
    const { ec2, networkInterfaceId, attachmentId } = await attachedEni(STALE);
    vi.advanceTimersByTime(5000);
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    vi.advanceTimersByTime(1000);
    const byStatus = (status: string) => async () => {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: "network-interface-id", Values: [networkInterfaceId] },
            { Name: "attachment.status", Values: [status] },
          ],
        }),
      );
      return (out.NetworkInterfaces ?? []).map((eni) => eni.Attachment?.Status);
    };

    // Act
    const attached = await reads(30, byStatus("attached"));
    const detaching = await reads(30, byStatus("detaching"));

    // Assess: a match is always the version it matched; sometimes there is one, sometimes none
    for (const answers of [attached, detaching]) {
      expect(answers.some((list) => list.length === 0)).toBe(true);
      expect(answers.some((list) => list.length === 1)).toBe(true);
    }
    expect(new Set(attached.flat())).toEqual(new Set(["attached"]));
    expect(new Set(detaching.flat())).toEqual(new Set(["detaching"]));
  });

  it("may still list a deleted ENI, with its last state, for the window", async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    const { ec2, sim, subnetA } = setup(STALE);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA, description: "doomed" });
    vi.advanceTimersByTime(10_000);
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId }));
    const listed = async () => {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({}));
      return (out.NetworkInterfaces ?? []).map((eni) => `${eni.NetworkInterfaceId} ${eni.Description}`);
    };
    const named = () =>
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] })).then(
        (out) => out.NetworkInterfaces?.[0]?.Status ?? "",
        (error: Error) => error.name,
      );

    const lists = await reads(30, listed);
    const answers = await reads(30, named);
    vi.advanceTimersByTime(2000);
    const later = await reads(10, listed);
    const laterNamed = await reads(10, named);

    expect(new Set(lists.flat())).toEqual(new Set([`${networkInterfaceId} doomed`]));
    expect(lists.some((list) => list.length === 0)).toBe(true);
    expect(new Set(answers)).toEqual(new Set(["available", "InvalidNetworkInterfaceID.NotFound"]));
    expect(later.flat()).toEqual([]);
    expect(new Set(laterNamed)).toEqual(new Set(["InvalidNetworkInterfaceID.NotFound"]));
    expect(sim.networkInterface(networkInterfaceId)).toBeUndefined();
  });

  it("answer stale instance states and network interface lists, filters included", async () => {
    // Prepare: shutting-down from t, terminated from t + 1 s (its floating ENI then detached)
    const { ec2, instanceId } = await attachedEni(STALE);
    vi.advanceTimersByTime(5000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    vi.advanceTimersByTime(1000);
    const describe = (Filters?: { Name: string; Values: string[] }[]) => async () => {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId], Filters }));
      return (out.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => `${i.State?.Name} ${i.NetworkInterfaces?.length}`);
    };

    // Act
    const answers = (await reads(40, describe())).flat();
    const running = (await reads(20, describe([{ Name: "instance-state-name", Values: ["running"] }]))).flat();
    vi.advanceTimersByTime(2000);
    const later = (await reads(10, describe())).flat();

    // Assess
    expect(new Set(answers)).toEqual(new Set(["running 2", "shutting-down 2", "terminated 0"]));
    expect(new Set(running)).toEqual(new Set(["running 2"]));
    expect(new Set(later)).toEqual(new Set(["terminated 0"]));
  });

  it("are seeded: equal seeds give equal answers, run after run", async () => {
    const run = async (seed: number) => {
      const { ec2, networkInterfaceId } = await attachedEni({ ...STALE, seed });
      vi.advanceTimersByTime(1000);
      const answers = await reads(30, () => attachmentStatus(ec2, networkInterfaceId));
      vi.useRealTimers();
      return answers;
    };

    const first = await run(7);
    const again = await run(7);
    const other = await run(8);

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });
});

describe("new ids", () => {
  it("are unknown to Detach and Modify (attachments) and Disassociate (associations) for consistencyDelayMs", async () => {
    // Prepare
    const { ec2, sim, subnetA, networkInterfaceId, attachmentId } = await attachedEni({
      ...INSTANT,
      consistencyDelayMs: 500,
    });
    const { allocationId } = sim.addAddress();
    const other = sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId;
    const { AssociationId } = await ec2.send(
      new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: other }),
    );
    const modify = () =>
      ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: networkInterfaceId,
          Attachment: { AttachmentId: attachmentId, DeleteOnTermination: true },
        }),
      );
    const detach = () => ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    const disassociate = () => ec2.send(new DisassociateAddressCommand({ AssociationId }));

    // Act, Assess: too soon
    await expect(detach()).rejects.toMatchObject({
      name: "InvalidAttachmentID.NotFound",
      message: `The attachment ID '${attachmentId}' does not exist`,
    });
    await expect(modify()).rejects.toMatchObject({ name: "InvalidAttachmentID.NotFound" });
    await expect(disassociate()).rejects.toMatchObject({
      name: "InvalidAssociationID.NotFound",
      message: `The association ID '${AssociationId}' does not exist`,
    });
    expect(sim.networkInterface(networkInterfaceId)?.Attachment).toMatchObject({ DeleteOnTermination: false });

    // Act, Assess: known once the delay is over
    vi.advanceTimersByTime(500);
    await modify();
    await detach();
    await disassociate();
    expect(sim.networkInterface(networkInterfaceId)?.Status).toBe("available");
    expect(sim.address(allocationId)?.AssociationId).toBeUndefined();
  });
});
