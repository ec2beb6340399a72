import {
  CreateNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandInput,
  DescribeSubnetsCommand,
  DetachNetworkInterfaceCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

const outcomes = (calls: readonly { outcome: string }[]) =>
  calls.reduce<Record<string, number>>(
    (count, { outcome }) => ({ ...count, [outcome]: (count[outcome] ?? 0) + 1 }),
    {},
  );

describe("throttling", () => {
  it("is off by default", async () => {
    const { sim } = setup();
    const ec2 = sim.client({ maxAttempts: 1 });

    await Promise.all(Array.from({ length: 300 }, () => ec2.send(new DescribeSubnetsCommand({}))));

    expect(outcomes(sim.calls)).toEqual({ ok: 300 });
  });

  it("applies EC2's Describe* bucket when on: 100 tokens, refilled at 20 per second", async () => {
    vi.useFakeTimers();
    const { sim } = setup({ throttling: true });
    const ec2 = sim.client({ maxAttempts: 1 });
    const burst = (n: number) =>
      Promise.allSettled(Array.from({ length: n }, () => ec2.send(new DescribeSubnetsCommand({}))));

    await burst(101);
    expect(outcomes(sim.calls)).toEqual({ ok: 100, RequestLimitExceeded: 1 });

    sim.clearCalls();
    vi.advanceTimersByTime(1000);
    await burst(21);
    expect(outcomes(sim.calls)).toEqual({ ok: 20, RequestLimitExceeded: 1 });
  });

  it("gives unfiltered, unpaginated DescribeNetworkInterfaces the smaller bucket of 50", async () => {
    vi.useFakeTimers();
    const { sim, vpcId } = setup({ throttling: true });
    const ec2 = sim.client({ maxAttempts: 1 });
    const send = (input: DescribeNetworkInterfacesCommandInput) =>
      Promise.allSettled(Array.from({ length: 60 }, () => ec2.send(new DescribeNetworkInterfacesCommand(input))));

    await send({});
    expect(outcomes(sim.calls)).toEqual({ ok: 50, RequestLimitExceeded: 10 });
    sim.clearCalls();
    await send({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] });
    expect(outcomes(sim.calls)).toEqual({ ok: 60 });
  });

  it("uses EC2's own buckets for mutating calls and its resource buckets for instances", async () => {
    vi.useFakeTimers();
    const { sim, subnetA } = setup({ ...INSTANT, throttling: true });
    const ec2 = sim.client({ maxAttempts: 1 });

    await Promise.allSettled(
      Array.from({ length: 101 }, () => ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }))),
    );
    expect(outcomes(sim.calls)).toEqual({ ok: 100, RequestLimitExceeded: 1 });

    sim.clearCalls();
    const run = (count: number) =>
      ec2.send(new RunInstancesCommand({ ImageId: "ami-12345678", SubnetId: subnetA, MinCount: 1, MaxCount: count }));
    // One token per instance: 1001 instances overdraw the resource bucket of 1000.
    await expect(run(1001)).rejects.toMatchObject({ name: "RequestLimitExceeded" });
    await run(2);
    expect(sim.calls.map((c) => c.outcome)).toEqual(["RequestLimitExceeded", "ok"]);
  });

  it("gives other mutating calls EC2's mutating bucket of 50 tokens", async () => {
    const { sim } = setup({ throttling: true });
    const ec2 = sim.client({ maxAttempts: 1 });

    await Promise.allSettled(
      Array.from({ length: 51 }, () =>
        ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: "eni-attach-0123456789abcdef0" })),
      ),
    );

    expect(outcomes(sim.calls)).toEqual({ "InvalidAttachmentID.NotFound": 50, RequestLimitExceeded: 1 });
  });

  it("takes per-action buckets from the options", async () => {
    vi.useFakeTimers();
    const { sim } = setup({ throttling: { DescribeSubnets: { capacity: 2, refillPerSecond: 1 } } });
    const ec2 = sim.client({ maxAttempts: 1 });

    await Promise.allSettled([1, 2, 3].map(() => ec2.send(new DescribeSubnetsCommand({}))));
    vi.advanceTimersByTime(1000);
    await ec2.send(new DescribeSubnetsCommand({}));

    expect(sim.calls.map((c) => c.outcome)).toEqual(["ok", "ok", "RequestLimitExceeded", "ok"]);
  });

  it("throttles the next calls on request, of one action or any", async () => {
    const { sim } = setup();
    const ec2 = sim.client({ maxAttempts: 1 });
    sim.faults.throttleNext(1, "DescribeSubnets");
    sim.faults.throttleNext(1);
    sim.faults.throttleNext(0);

    await expect(ec2.send(new DescribeNetworkInterfacesCommand({}))).rejects.toMatchObject({
      name: "RequestLimitExceeded",
    });
    await expect(ec2.send(new DescribeSubnetsCommand({}))).rejects.toMatchObject({ name: "RequestLimitExceeded" });
    await ec2.send(new DescribeSubnetsCommand({}));
  });
});
