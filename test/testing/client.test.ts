import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  EC2ServiceException,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Ec2Simulator } from "../../src/testing/index.js";
import { INSTANT, setup } from "./fixtures.js";

describe("the simulated EC2Client", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers with outputs shaped like the SDK's deserialized ones", async () => {
    // Prepare
    const { sim, ec2, subnetA } = setup(INSTANT);
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: networkInterfaceId,
        InstanceId: instanceId,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    );

    // Act
    const output = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }));

    // Assess
    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
    expect(output.$metadata.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const [eni] = output.NetworkInterfaces ?? [];
    expect(eni?.Attachment?.AttachTime).toBeInstanceOf(Date);
    expect(eni).toMatchObject({ Status: "in-use", TagSet: [], Ipv6Addresses: [] });
    expect(eni && "Association" in eni).toBe(false);
  });

  it("fails with an EC2ServiceException carrying EC2's code, fault, metadata and message", async () => {
    const { ec2 } = setup();

    const error: unknown = await ec2
      .send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: "eni-0123456789abcdef0" }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EC2ServiceException);
    expect(error).toMatchObject({
      name: "InvalidNetworkInterfaceID.NotFound",
      Code: "InvalidNetworkInterfaceID.NotFound",
      $fault: "client",
      $metadata: { httpStatusCode: 400, attempts: 1 },
      message: "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
    });
  });

  it("lets the SDK retry a throttled call by itself", async () => {
    const { sim, ec2 } = setup();
    sim.faults.throttleNext(1);

    const output = await ec2.send(new DescribeNetworkInterfacesCommand({}));

    expect(output.$metadata.attempts).toBe(2);
    expect(sim.calls.map((c) => c.outcome)).toEqual(["RequestLimitExceeded", "ok"]);
  });

  it("surfaces throttling as a 503 server fault once the SDK gives up", async () => {
    const { sim } = setup();
    const ec2 = sim.client({ maxAttempts: 2 });
    sim.faults.throttleNext(5, "DescribeNetworkInterfaces");

    await expect(ec2.send(new DescribeNetworkInterfacesCommand({}))).rejects.toMatchObject({
      name: "RequestLimitExceeded",
      $fault: "server",
      $metadata: { httpStatusCode: 503, attempts: 2 },
    });
    expect(sim.calls).toHaveLength(2);
  });

  it("retries by itself under fake timers, and computes transitions from the fake clock", async () => {
    vi.useFakeTimers();
    const { sim, ec2, subnetA } = setup({ timings: { createMs: 200, attachMs: 300 } });
    sim.faults.throttleNext(1, "CreateNetworkInterface");

    // The SDK waits its retry backoff on setTimeout: advance the fake clock past it.
    const created = ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }));
    await vi.advanceTimersByTimeAsync(30_000);
    const { NetworkInterface: eni } = await created;
    const id = eni?.NetworkInterfaceId ?? "";
    expect(eni?.Status).toBe("pending");
    expect(sim.calls.map((c) => c.outcome)).toEqual(["RequestLimitExceeded", "ok"]);

    await vi.advanceTimersByTimeAsync(200);
    expect(sim.networkInterface(id)?.Status).toBe("available");

    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    await ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: 1 }),
    );
    expect(sim.networkInterface(id)?.Attachment?.Status).toBe("attaching");
    await vi.advanceTimersByTimeAsync(299);
    expect(sim.networkInterface(id)?.Attachment?.Status).toBe("attaching");
    await vi.advanceTimersByTimeAsync(1);
    expect(sim.networkInterface(id)?.Attachment?.Status).toBe("attached");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("fails an action it does not implement like EC2 fails an unknown one", async () => {
    const { ec2 } = setup();

    await expect(ec2.send(new DescribeVolumesCommand({}))).rejects.toMatchObject({
      name: "InvalidAction",
      $fault: "client",
    });
  });

  it("refuses denied actions, DryRun included, until allowed again", async () => {
    const { sim, ec2, subnetA } = setup(INSTANT);
    sim.denyActions(["CreateNetworkInterface"]);
    const unauthorized = {
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
      message: "You are not authorized to perform this operation.",
    };

    await expect(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }))).rejects.toMatchObject(
      unauthorized,
    );
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, DryRun: true })),
    ).rejects.toMatchObject(unauthorized);

    sim.allowActions(["CreateNetworkInterface"]);
    await expect(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, DryRun: true })),
    ).rejects.toMatchObject({
      name: "DryRunOperation",
      $metadata: { httpStatusCode: 412 },
      message: "Request would have succeeded, but DryRun flag is set.",
    });
  });

  it("logs every request with its input, outcome, time and latency, until cleared", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { sim, ec2, subnetA } = setup(INSTANT);

    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA, Description: "x" }));
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: "eni-0000000000000000f" })).catch(() => {});

    expect(sim.calls).toEqual([
      {
        action: "CreateNetworkInterface",
        input: { SubnetId: subnetA, Description: "x" },
        outcome: "ok",
        time: 1_700_000_000_000,
        latencyMs: 0,
      },
      {
        action: "DeleteNetworkInterface",
        input: { NetworkInterfaceId: "eni-0000000000000000f" },
        outcome: "InvalidNetworkInterfaceID.NotFound",
        time: 1_700_000_000_000,
        latencyMs: 0,
      },
    ]);
    sim.clearCalls();
    expect(sim.calls).toEqual([]);
  });

  it("hands out the same ids for the same seed, and others for another", () => {
    const ids = (seed?: number) => {
      const sim = new Ec2Simulator(seed === undefined ? {} : { seed });
      const { vpcId } = sim.addVpc();
      return [vpcId, sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" }).subnetId];
    };

    expect(ids()).toEqual(ids(1));
    expect(ids(7)).not.toEqual(ids(1));
  });

  it("gives each client its own configuration", async () => {
    const { sim } = setup();

    const ec2 = sim.client({ region: "eu-west-1" });

    expect(await ec2.config.region()).toBe("eu-west-1");
    expect(await sim.client().config.region()).toBe("us-east-1");
  });
});
