/**
 * The calls of one failover, pinned on the simulator's fake clock: what the schedule of
 * src/waiters.ts promises (after our own detach and attach, a quiet start of 4 and 2 `minDelay`s,
 * then a check each `minDelay` after the last answer; the target read at most once per
 * `maxDelay`), and what the preflight leaves out (no instance-type read for a standby with room on
 * any type). Speed is measured by scripts/bench/single-move.ts; this pins the reads.
 */
import { AttachNetworkInterfaceCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Eni, type MoveOptions } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { settleTimers as settle } from "./world.js";

/**
 * A floating ENI attached to its primary a minute ago, and a standby with its primary interface
 * alone (or `standbyInterfaces` in all).
 */
async function failover(timings: { detachMs: number; attachMs: number }, { standbyInterfaces = 1 } = {}) {
  const sim = new Ec2Simulator({ timings: { createMs: 200, ...timings } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const primary = sim.addInstance({ subnetId }).instanceId;
  const standby = sim.addInstance({ subnetId }).instanceId;
  const eniId = sim.addNetworkInterface({ subnetId }).networkInterfaceId;
  const ec2 = sim.client();
  const attach = (NetworkInterfaceId: string, InstanceId: string, DeviceIndex: number) =>
    settle(
      ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId, InstanceId, DeviceIndex, NetworkCardIndex: 0 })),
    );
  await attach(eniId, primary, 1);
  for (let index = 1; index < standbyInterfaces; index += 1)
    await attach(sim.addNetworkInterface({ subnetId }).networkInterfaceId, standby, index);
  await vi.advanceTimersByTimeAsync(60_000);
  const eni = (await settle(Eni.get(ec2, eniId)))._unsafeUnwrap();
  sim.clearCalls();
  return {
    sim,
    /** Moves it to the standby, fenced on the primary; the calls, in ms from the start. */
    move: async (options: MoveOptions = {}) => {
      const started = Date.now();
      const moved = await settle(eni.moveTo(standby, { expectedFrom: primary, ...options }));
      return {
        moved,
        ms: Date.now() - started,
        calls: sim.calls.map((call): [string, number] => [call.action, call.time - started]),
      };
    },
  };
}

/** The preflight's first two reads, which go out together (so in either order), by name. */
const preflight = (calls: readonly [string, number][]) =>
  calls
    .slice(0, 2)
    .filter(([, at]) => at === 0)
    .map(([action]) => action)
    .sort();

/** The reads of one wait: `count` of them, `gap` ms apart from `from` ms on. */
const every = (from: number, gap: number, count: number) => Array.from({ length: count }, (_, i) => from + i * gap);

describe("the calls of a failover, on the simulator's fake clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 30) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("detach 3 s, attach 2 s, default waits: 19 calls, done a tenth of a second after the transitions", async () => {
    // Prepare
    const { move } = await failover({ detachMs: 3000, attachMs: 2000 });

    // Act
    const { moved, ms, calls } = await move();

    // Assess: the preflight's two reads (the ENI; the standby and the primary in one call) and no
    // instance-type read; the detach; its wait from 1.2 s (4 × 0.3 s) until the read at 3 s sees
    // it done; the attach; its wait from 0.6 s after it, the standby read with the first check and
    // again once a second (maxDelay) had passed, until the read at 5.1 s sees it attached.
    expect(moved._unsafeUnwrap().attachment?.status).toBe("attached");
    expect(preflight(calls)).toEqual(["DescribeInstances", "DescribeNetworkInterfaces"]);
    expect(calls.slice(2)).toEqual([
      ["DetachNetworkInterface", 0],
      ...every(1200, 300, 7).map((at) => ["DescribeNetworkInterfaces", at]),
      ["AttachNetworkInterface", 3000],
      ["DescribeNetworkInterfaces", 3600],
      ["DescribeInstances", 3600],
      ...every(3900, 300, 3).map((at) => ["DescribeNetworkInterfaces", at]),
      ["DescribeNetworkInterfaces", 4800],
      ["DescribeInstances", 4800],
      ["DescribeNetworkInterfaces", 5100],
    ]);
    expect(ms).toBe(5100);
  });

  it("scales its quiet start and its checks with minDelay", async () => {
    const { move } = await failover({ detachMs: 3000, attachMs: 2000 });

    const { calls, ms } = await move({ minDelay: 0.5, maxDelay: 2 });

    // Detach reads from 2 s (4 × 0.5 s), attach reads from 1 s after it; the standby read once
    // (a second read of it would be due 2 s after the first).
    expect(calls.filter(([action]) => action === "DescribeNetworkInterfaces").map(([, at]) => at)).toEqual([
      0,
      ...every(2000, 500, 3),
      ...every(4000, 500, 3),
    ]);
    expect(calls.filter(([action]) => action === "DescribeInstances").map(([, at]) => at)).toEqual([0, 4000]);
    expect(ms).toBe(5000);
  });

  it("reads the instance type's limits, before the detach, when the standby already has two interfaces", async () => {
    const { move } = await failover({ detachMs: 3000, attachMs: 2000 }, { standbyInterfaces: 2 });

    const { calls } = await move();

    expect(preflight(calls)).toEqual(["DescribeInstances", "DescribeNetworkInterfaces"]);
    expect(calls.slice(2, 4)).toEqual([
      ["DescribeInstanceTypes", 0],
      ["DetachNetworkInterface", 0],
    ]);
  });
});
