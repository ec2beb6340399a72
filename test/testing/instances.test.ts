import {
  AttachNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("RunInstances", () => {
  it("launches pending instances that run after startMs, each with a primary ENI", async () => {
    vi.useFakeTimers();
    const { ec2, sim, subnetA, vpcId } = setup({ instanceTimings: { startMs: 500 } });

    const reservation = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        InstanceType: "m5.large",
        SubnetId: subnetA,
        MinCount: 2,
        MaxCount: 2,
        TagSpecifications: [
          { ResourceType: "instance", Tags: [{ Key: "Name", Value: "web" }] },
          { ResourceType: "network-interface", Tags: [{ Key: "role", Value: "primary" }] },
        ],
      }),
    );

    expect(reservation.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(reservation.Instances).toHaveLength(2);
    const [first] = reservation.Instances ?? [];
    expect(first).toMatchObject({
      ImageId: "ami-12345678",
      InstanceType: "m5.large",
      State: { Code: 0, Name: "pending" },
      SubnetId: subnetA,
      VpcId: vpcId,
      Placement: { AvailabilityZone: "us-east-1a" },
      Tags: [{ Key: "Name", Value: "web" }],
      NetworkInterfaces: [
        {
          Attachment: { DeviceIndex: 0, NetworkCardIndex: 0, DeleteOnTermination: true, Status: "attached" },
          Status: "in-use",
        },
      ],
    });
    expect(first?.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(first?.LaunchTime).toBeInstanceOf(Date);
    const primaryId = first?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? "";
    expect(sim.networkInterface(primaryId)?.TagSet).toEqual([{ Key: "role", Value: "primary" }]);
    vi.advanceTimersByTime(500);
    expect(sim.instance(first?.InstanceId ?? "")?.State).toEqual({ Code: 16, Name: "running" });
  });

  it("is idempotent per ClientToken", async () => {
    const { ec2, subnetA } = setup(INSTANT);
    const input = {
      ImageId: "ami-0123456789abcdef0",
      SubnetId: subnetA,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: "launch-1",
    };

    const first = await ec2.send(new RunInstancesCommand(input));
    const again = await ec2.send(new RunInstancesCommand(input));

    expect(again.Instances?.[0]?.InstanceId).toBe(first.Instances?.[0]?.InstanceId);
    await expect(ec2.send(new RunInstancesCommand({ ...input, MaxCount: 2 }))).rejects.toMatchObject({
      name: "IdempotentParameterMismatch",
    });
  });

  it("refuses bad launches with EC2's errors", async () => {
    const { ec2, subnetA } = setup(INSTANT);
    const base: RunInstancesCommandInput = {
      ImageId: "ami-0123456789abcdef0",
      SubnetId: subnetA,
      MinCount: 1,
      MaxCount: 1,
    };

    const cases: [RunInstancesCommandInput, string][] = [
      [{ ...base, ImageId: "ami-xyz" }, "InvalidAMIID.Malformed"],
      [{ ...base, ImageId: undefined }, "MissingParameter"],
      [{ ...base, MinCount: undefined }, "MissingParameter"],
      [{ ...base, MaxCount: undefined }, "MissingParameter"],
      [{ ...base, MinCount: 2, MaxCount: 1 }, "InvalidParameterValue"],
      [{ ...base, SubnetId: undefined }, "VPCIdNotSpecified"],
      [{ ...base, InstanceType: "x9.huge" as never }, "InvalidParameterValue"],
      [{ ...base, MaxCount: 2, PrivateIpAddress: "10.0.1.40" }, "InvalidParameterCombination"],
      [{ ...base, TagSpecifications: [{ ResourceType: "vpc", Tags: [] }] }, "InvalidParameterValue"],
      [{ ...base, DryRun: true }, "DryRunOperation"],
    ];
    for (const [input, name] of cases) {
      await expect(ec2.send(new RunInstancesCommand(input)), name).rejects.toMatchObject({ name });
    }
    const described = await ec2.send(new DescribeInstancesCommand({}));
    expect(described.Reservations).toEqual([]);
  });

  it("uses the given private IP", async () => {
    const { ec2, subnetA } = setup(INSTANT);

    const { Instances } = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        SubnetId: subnetA,
        MinCount: 1,
        MaxCount: 1,
        PrivateIpAddress: "10.0.1.40",
      }),
    );

    expect(Instances?.[0]?.PrivateIpAddress).toBe("10.0.1.40");
  });
});

describe("instance lifecycle", () => {
  it("stops, starts and terminates through EC2's states", async () => {
    vi.useFakeTimers();
    const { ec2, sim, subnetA } = setup({ instanceTimings: { startMs: 100, stopMs: 200, terminateMs: 300 } });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const state = () => sim.instance(instanceId)?.State?.Name;

    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    expect(stop.StoppingInstances).toEqual([
      {
        InstanceId: instanceId,
        PreviousState: { Code: 16, Name: "running" },
        CurrentState: { Code: 64, Name: "stopping" },
      },
    ]);
    await expect(ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }))).rejects.toMatchObject({
      name: "IncorrectInstanceState",
    });
    vi.advanceTimersByTime(200);
    expect(state()).toBe("stopped");
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    expect(state()).toBe("stopped");

    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
    expect(start.StartingInstances?.[0]?.CurrentState?.Name).toBe("pending");
    vi.advanceTimersByTime(100);
    expect(state()).toBe("running");
    await ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));

    const terminate = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    expect(terminate.TerminatingInstances?.[0]?.CurrentState).toEqual({ Code: 32, Name: "shutting-down" });
    vi.advanceTimersByTime(300);
    expect(state()).toBe("terminated");
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    for (const command of [
      new StopInstancesCommand({ InstanceIds: [instanceId] }),
      new StartInstancesCommand({ InstanceIds: [instanceId] }),
    ]) {
      await expect(ec2.send(command)).rejects.toMatchObject({ name: "IncorrectInstanceState" });
    }
  });

  it("deletes DeleteOnTermination ENIs on termination and frees the others", async () => {
    vi.useFakeTimers();
    const { ec2, sim, subnetA } = setup({ timings: { attachMs: 0 }, instanceTimings: { terminateMs: 500 } });
    const { instanceId, primaryEniId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: networkInterfaceId,
        InstanceId: instanceId,
        DeviceIndex: 1,
      }),
    );

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    expect(sim.networkInterface(primaryEniId)?.Status).toBe("in-use");
    vi.advanceTimersByTime(500);

    expect(sim.networkInterface(primaryEniId)).toBeUndefined();
    expect(sim.networkInterface(networkInterfaceId)?.Status).toBe("available");
    const instance = sim.instance(instanceId);
    expect(instance).toMatchObject({ State: { Name: "terminated" }, NetworkInterfaces: [], SecurityGroups: [] });
    expect(instance && "PrivateIpAddress" in instance).toBe(false);
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [primaryEniId] })),
    ).rejects.toMatchObject({ name: "InvalidNetworkInterfaceID.NotFound" });
  });

  it("names every unknown instance, and answers DryRun", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });

    await expect(
      ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId, "i-0000000000000000a", "i-0000000b"] })),
    ).rejects.toMatchObject({
      name: "InvalidInstanceID.NotFound",
      message: "The instance IDs 'i-0000000000000000a, i-0000000b' do not exist",
    });
    await expect(ec2.send(new TerminateInstancesCommand({ InstanceIds: [] }))).rejects.toMatchObject({
      name: "MissingParameter",
    });
    for (const command of [
      new TerminateInstancesCommand({ InstanceIds: [instanceId], DryRun: true }),
      new StopInstancesCommand({ InstanceIds: [instanceId], DryRun: true }),
      new StartInstancesCommand({ InstanceIds: [instanceId], DryRun: true }),
    ]) {
      await expect(ec2.send(command)).rejects.toMatchObject({ name: "DryRunOperation" });
    }
    expect(sim.instance(instanceId)?.State?.Name).toBe("running");
    expect(sim.instance("i-0000000000000000a")).toBeUndefined();
  });
});

describe("DescribeInstances", () => {
  it("groups instances by reservation and applies EC2's filters", async () => {
    const { ec2, sim, subnetA, subnetB, vpcId } = setup(INSTANT);
    const a = sim.addInstance({ subnetId: subnetA, instanceType: "t3.micro", tags: { Name: "a" } });
    const b = sim.addInstance({ subnetId: subnetB, state: "stopped" });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: networkInterfaceId,
        InstanceId: a.instanceId,
        DeviceIndex: 1,
      }),
    );
    const query = async (Name: string, ...Values: string[]) => {
      const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name, Values }] }));
      return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
    };

    expect(await query("instance-id", a.instanceId)).toEqual([a.instanceId]);
    expect(await query("instance-state-name", "stopped")).toEqual([b.instanceId]);
    expect(await query("instance-state-code", "16")).toEqual([a.instanceId]);
    expect(await query("instance-type", "t3.*")).toEqual([a.instanceId, b.instanceId]);
    expect(await query("subnet-id", subnetB)).toEqual([b.instanceId]);
    expect(await query("vpc-id", vpcId)).toHaveLength(2);
    expect(await query("availability-zone", "us-east-1a")).toEqual([a.instanceId]);
    expect(await query("tag:Name", "a")).toEqual([a.instanceId]);
    expect(await query("network-interface.network-interface-id", networkInterfaceId)).toEqual([a.instanceId]);
    expect(await query("private-ip-address", sim.instance(b.instanceId)?.PrivateIpAddress ?? "")).toEqual([
      b.instanceId,
    ]);
    expect(await query("image-id", "ami-0123456789abcdef0")).toHaveLength(2);
    expect(await query("reservation-id", "r-*")).toHaveLength(2);
    const attachmentId = sim.networkInterface(networkInterfaceId)?.Attachment?.AttachmentId ?? "";
    expect(await query("network-interface.attachment.attachment-id", attachmentId)).toEqual([a.instanceId]);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [a.instanceId] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces).toHaveLength(2);
  });

  it("pages, and refuses MaxResults with explicit ids", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const ids = Array.from({ length: 6 }, () => sim.addInstance({ subnetId: subnetA }).instanceId);

    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const second = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }));

    expect(first.Reservations).toHaveLength(5);
    expect(second.Reservations?.map((r) => r.Instances?.[0]?.InstanceId)).toEqual([ids[5]]);
    expect(second.NextToken).toBeUndefined();
    await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: ids }))).rejects.toMatchObject({
      name: "InvalidParameterCombination",
      message: "The parameter instancesSet cannot be used with the parameter maxResults",
    });
    await expect(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000000c"] })),
    ).rejects.toMatchObject({
      name: "InvalidInstanceID.NotFound",
    });
  });
});

describe("DescribeInstanceTypes", () => {
  it("reports real ENI and IP limits, network cards included", async () => {
    const { ec2 } = setup();

    const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["t3.medium", "p4d.24xlarge"] }));

    expect(out.InstanceTypes?.[0]?.NetworkInfo).toMatchObject({
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 6,
      Ipv6AddressesPerInterface: 6,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 3 }],
    });
    expect(out.InstanceTypes?.[1]?.NetworkInfo).toMatchObject({
      MaximumNetworkInterfaces: 60,
      MaximumNetworkCards: 4,
      NetworkCards: [0, 1, 2, 3].map((i) => ({ NetworkCardIndex: i, MaximumNetworkInterfaces: 15 })),
      EfaSupported: true,
    });
  });

  it("knows at least a dozen types, pages them, and filters them", async () => {
    const { ec2 } = setup();

    const all = [];
    let token: string | undefined;
    do {
      const out = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5, NextToken: token }));
      all.push(...(out.InstanceTypes ?? []));
      token = out.NextToken;
    } while (token);
    const filtered = await ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [{ Name: "network-info.maximum-network-interfaces", Values: ["2"] }],
      }),
    );

    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(filtered.InstanceTypes?.map((t) => t.InstanceType)).toEqual(["m1.small", "t3.nano", "t3.micro"]);
    await expect(
      ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["t3.medium", "z9.tiny" as never] })),
    ).rejects.toMatchObject({
      name: "InvalidInstanceType",
      message: "The following supplied instance types do not exist: [z9.tiny]",
    });
    await expect(ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 101 }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(ec2.send(new DescribeInstanceTypesCommand({ DryRun: true }))).rejects.toMatchObject({
      name: "DryRunOperation",
    });
  });
});
