import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { reapOnce } from "../examples/reaper.js";
import { Eni, OWNERSHIP_TAGS } from "../src/index.js";
import { holdEni } from "../src/steps/ownership.js";
import { Ec2Simulator } from "../src/testing/index.js";
import { wait } from "./scenarios/world.js";

const NOW = new Date("2026-11-28T12:00:00Z");
const at = (seconds: number) => vi.setSystemTime(new Date(NOW.getTime() + seconds * 1000));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A floating ENI on its primary, and a leftover nobody attached, both made by eni-kit. */
async function sandbox() {
  const sim = new Ec2Simulator({ timings: { createMs: 0, attachMs: 0, detachMs: 0 } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const primary = sim.addInstance({ subnetId }).instanceId;
  const ec2 = sim.client();
  const floating = (await Eni.create(ec2, { subnetId, name: "floating", ...wait }))._unsafeUnwrap();
  // What an eni-kit attach writes before it attaches.
  (await holdEni(ec2, floating.raw, {}))._unsafeUnwrap();
  (await floating.attachTo(primary, wait))._unsafeUnwrap();
  const leftover = (await Eni.create(ec2, { subnetId, name: "leftover", ...wait }))._unsafeUnwrap().id;
  return { sim, ec2, floating: floating.id, leftover };
}

describe("examples/reaper.ts, on the simulator", () => {
  it("deletes the leftover on the first pass after the grace period, and never the floating ENI", async () => {
    const { sim, ec2, floating, leftover } = await sandbox();

    const first = await reapOnce(ec2, { olderThan: 3600 });
    // Mid-failover: the floating ENI is detached, the attach to the standby has not landed yet.
    (await Eni.get(ec2, floating).detach(wait))._unsafeUnwrap();
    at(3600);
    const second = await reapOnce(ec2, { olderThan: 3600 });

    expect(first).toEqual([]);
    expect(second).toEqual([`deleted ${leftover}`]);
    expect(sim.networkInterface(leftover)).toBeUndefined();
    expect(sim.networkInterface(floating)?.Status).toBe("available");
  });

  it("fails the pass, deleting nothing, when the role may not tag", async () => {
    const { sim, ec2, leftover } = await sandbox();
    sim.denyActions(["CreateTags"]);

    const lines = await reapOnce(ec2, { olderThan: 0 });

    expect(lines).toEqual([expect.stringMatching(/^AccessDeniedError: /)]);
    expect(sim.networkInterface(leftover)?.TagSet).not.toContainEqual(
      expect.objectContaining({ Key: OWNERSHIP_TAGS.freeSince }),
    );
  });

  it("refuses a grace period that is not a number of seconds", async () => {
    const { sim, ec2 } = await sandbox();
    sim.clearCalls();

    const lines = await reapOnce(ec2, { olderThan: Number("an hour") });

    expect(lines).toEqual([expect.stringMatching(/^ValidationError: Expected `olderThan` to be a number of seconds/)]);
    expect(sim.calls).toEqual([]);
  });
});
