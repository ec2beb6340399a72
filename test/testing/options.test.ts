import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  type CreateNetworkInterfaceCommandOutput,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandOutput,
  DetachNetworkInterfaceCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";
import { INSTANT, setup, timed } from "./fixtures.js";

const START = Date.UTC(2025, 0, 1);

afterEach(() => {
  vi.useRealTimers();
});

/** A settled world under a fake clock: an instance and a free ENI in us-east-1a. */
function world(options: Ec2SimulatorOptions) {
  vi.useFakeTimers({ now: START });
  const base = setup(options);
  const { instanceId } = base.sim.addInstance({ subnetId: base.subnetA, instanceType: "m5.4xlarge" });
  const { networkInterfaceId } = base.sim.addNetworkInterface({ subnetId: base.subnetA });
  vi.advanceTimersByTime(120_000);
  return { ...base, instanceId, networkInterfaceId };
}

function attach(NetworkInterfaceId: string, InstanceId: string, DeviceIndex = 1) {
  return new AttachNetworkInterfaceCommand({ NetworkInterfaceId, InstanceId, DeviceIndex });
}

/** Milliseconds from now until `done` holds, stepping the fake clock `step` ms at a time. */
function msUntil(done: () => boolean, step = 10): number {
  const start = Date.now();
  while (!done()) vi.advanceTimersByTime(step);
  return Date.now() - start;
}

/** The outcomes of `count` unfiltered DescribeNetworkInterfaces sent at once without SDK retries. */
async function burst(ec2: EC2Client, count: number): Promise<string[]> {
  const sends = Array.from({ length: count }, () =>
    ec2.send(new DescribeNetworkInterfacesCommand({})).then(
      () => "ok",
      (error: Error) => error.name,
    ),
  );
  const { outcome } = await timed(Promise.all(sends));
  return outcome as string[];
}

describe("the realistic preset", () => {
  it("takes 60-200 ms per call, 1-4 s per attach, and hides a new ENI for 1 s", async () => {
    // Prepare
    const { sim, ec2, subnetA, instanceId, networkInterfaceId } = world({ preset: "realistic" });

    // Act
    const call = await timed(ec2.send(attach(networkInterfaceId, instanceId)));
    const attachMs = msUntil(() => sim.networkInterface(networkInterfaceId)?.Attachment?.Status === "attached");
    const created = await timed(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA })));
    const newId = (created.outcome as CreateNetworkInterfaceCommandOutput).NetworkInterface?.NetworkInterfaceId;
    const tooSoon = await timed(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [newId ?? ""] })));

    // Assess
    expect(call.ms).toBeGreaterThanOrEqual(60);
    expect(call.ms).toBeLessThanOrEqual(200);
    expect(attachMs + call.ms / 2).toBeGreaterThanOrEqual(1000);
    expect(attachMs).toBeLessThanOrEqual(4000);
    expect(tooSoon.outcome).toMatchObject({ name: "InvalidNetworkInterfaceID.NotFound" });
  });

  it("throttles with EC2's buckets", async () => {
    const { sim } = world({ preset: "realistic" });

    const outcomes = await burst(sim.client({ maxAttempts: 1 }), 70);

    // Unfiltered DescribeNetworkInterfaces: a bucket of 50, refilled at 10 per second.
    expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThanOrEqual(50);
    expect(outcomes.filter((o) => o === "RequestLimitExceeded").length).toBeGreaterThanOrEqual(15);
  });

  it("answers stale reads for 2 s after a change", async () => {
    const { sim, ec2, instanceId, networkInterfaceId } = world({ preset: "realistic" });
    await timed(ec2.send(attach(networkInterfaceId, instanceId)));
    msUntil(() => sim.networkInterface(networkInterfaceId)?.Attachment?.Status === "attached", 1);

    const statuses: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { outcome } = await timed(
        ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] })),
      );
      const [eni] = (outcome as DescribeNetworkInterfacesCommandOutput).NetworkInterfaces ?? [];
      statuses.push(eni?.Attachment?.Status ?? "none");
    }

    expect(statuses).toContain("attached");
    expect(statuses.filter((status) => status !== "attached").length).toBeGreaterThan(0);
  });

  it("gives way to every option given explicitly, field by field", async () => {
    // Prepare
    const { sim, ec2, subnetA, instanceId, networkInterfaceId } = world({
      preset: "realistic",
      latencyMs: 0,
      throttling: false,
      staleReads: false,
      consistencyDelayMs: 0,
      timings: { attachMs: 10 },
    });

    // Act: no latency, so no timer needs to run for an answer
    const created = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }));
    const found = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        NetworkInterfaceIds: [created.NetworkInterface?.NetworkInterfaceId ?? ""],
      }),
    );
    const { AttachmentId } = await ec2.send(attach(networkInterfaceId, instanceId));
    const attachMs = msUntil(() => sim.networkInterface(networkInterfaceId)?.Attachment?.Status === "attached", 1);
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId }));
    vi.advanceTimersByTime(1999);
    const detachingAfter2s = sim.networkInterface(networkInterfaceId)?.Attachment?.Status;
    const outcomes = await burst(sim.client({ maxAttempts: 1 }), 70);

    // Assess
    expect(found.NetworkInterfaces).toHaveLength(1);
    expect(attachMs).toBe(10);
    expect(detachingAfter2s).toBe("detaching"); // the preset's detach, 2-8 s, still applies
    expect(new Set(outcomes)).toEqual(new Set(["ok"]));
  });

  it("runs faster by timeScale", async () => {
    const { sim, ec2, instanceId, networkInterfaceId } = world({ preset: "realistic", timeScale: 0.02 });

    const call = await timed(ec2.send(attach(networkInterfaceId, instanceId)));
    const attachMs = msUntil(() => sim.networkInterface(networkInterfaceId)?.Attachment?.Status === "attached", 1);

    expect(call.ms).toBeGreaterThanOrEqual(1); // 60-200 ms, scaled
    expect(call.ms).toBeLessThanOrEqual(4);
    expect(attachMs + call.ms / 2).toBeGreaterThanOrEqual(20); // 1-4 s, scaled
    expect(attachMs).toBeLessThanOrEqual(80);
  });
});

describe("durations", () => {
  it("scale by timeScale when given explicitly too", async () => {
    const { sim, ec2, instanceId, networkInterfaceId } = world({
      ...INSTANT,
      timings: { attachMs: 1000 },
      timeScale: 0.02,
    });

    await ec2.send(attach(networkInterfaceId, instanceId));
    const attachMs = msUntil(() => sim.networkInterface(networkInterfaceId)?.Attachment?.Status === "attached", 1);

    expect(attachMs).toBe(20);
  });

  it("draw each transition from a [min, max] range, the same for equal seeds", async () => {
    const attachTimes = async (seed: number) => {
      const { sim, ec2, subnetA, instanceId } = world({ ...INSTANT, timings: { attachMs: [100, 900] }, seed });
      const ids = [1, 2, 3, 4, 5, 6].map(() => sim.addNetworkInterface({ subnetId: subnetA }).networkInterfaceId);
      for (const [i, id] of ids.entries()) await ec2.send(attach(id, instanceId, i + 1));
      const took = new Map<string, number>();
      const start = Date.now();
      msUntil(() => {
        for (const id of ids) {
          if (!took.has(id) && sim.networkInterface(id)?.Attachment?.Status === "attached") {
            took.set(id, Date.now() - start);
          }
        }
        return took.size === ids.length;
      });
      vi.useRealTimers();
      return ids.map((id) => took.get(id));
    };

    const first = await attachTimes(3);
    const again = await attachTimes(3);
    const other = await attachTimes(4);

    expect(first.every((ms = 0) => ms >= 100 && ms <= 900)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(2);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it("refuse values out of range", () => {
    const bad: Ec2SimulatorOptions[] = [
      { timeScale: 0 },
      { timings: { attachMs: -1 } },
      { instanceTimings: { stopMs: [900, 100] } },
      { latencyMs: [-5, 10] },
      { consistencyDelayMs: Number.NaN },
      { staleReads: { windowMs: 1000, probability: 1.5 } },
      { staleReads: { windowMs: -1, probability: 0.5 } },
    ];

    for (const options of bad) expect(() => new Ec2Simulator(options), JSON.stringify(options)).toThrow(RangeError);
    expect(() => new Ec2Simulator({ timings: { attachMs: -1 } })).toThrow(
      "Expected `timings.attachMs` to be milliseconds from 0, or a [min, max] pair with min <= max, got -1.",
    );
  });
});
