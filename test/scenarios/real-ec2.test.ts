/**
 * The failover path under what EC2 really does — throttled and failing mutating calls
 * (after the SDK's own attempts), dead primaries, address limits, refusals, targets that die,
 * reapers in other processes. Each test failed on the library before its fix.
 */
import { StopInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Eni, type MoveEvent } from "../../src/index.js";
import { type Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";
import { floating as floatingOn, wait as baseWait } from "./world.js";
import { settle } from "../model/harness.js";

// Slow instance transitions and deadlines: more time than the other scenarios.
const wait = { ...baseWait, maxWaitTime: 20 } as const;

/**
 * A floating ENI (made by eni-kit, so owned) on a primary, a standby, and a client that makes one
 * attempt per request: a fault injected once is what the caller sees after the SDK's retries.
 */
function floating(simulator: Ec2SimulatorOptions = {}) {
  // Short transitions, unless a preset brings its own.
  const quick = {
    timings: { createMs: 10, attachMs: 40, detachMs: 60 },
    instanceTimings: { terminateMs: 50, stopMs: 50 },
  };
  return floatingOn({
    simulator: simulator.preset === undefined ? { ...quick, ...simulator } : simulator,
    instanceType: "m5.large",
    client: { maxAttempts: 1 },
  });
}

const outcomes = (sim: Ec2Simulator, action: string) =>
  sim.calls.filter((call) => call.action === action).map((call) => call.outcome);

afterEach(() => {
  vi.useRealTimers();
});

describe("mutating calls retry what is transient, within the deadline (A3)", () => {
  it.each(["RequestLimitExceeded", "InternalError", "RequestExpired"])(
    "a move whose attach EC2 answers %s twice still moves",
    async (code) => {
      const { sim, eni, primary, standby } = await floating();
      sim.faults.failNext("AttachNetworkInterface", code, 2);

      const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait });

      const moved = result._unsafeUnwrap();
      expect(moved.attachment?.instanceId).toBe(standby);
      expect(outcomes(sim, "AttachNetworkInterface")).toEqual([code, code, "ok"]);
      expect(moved.moveReport?.retries).toBe(2);
    },
  );

  it("a throttled detach is sent again", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.faults.throttleNext(2, "DetachNetworkInterface");

    const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait });

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(standby);
    expect(outcomes(sim, "DetachNetworkInterface")).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", "ok"]);
  });

  it("a rollback whose attach is throttled still puts the ENI back", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation");
    sim.faults.throttleNext(2, "AttachNetworkInterface");

    const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", rolledBack: true });
    expect(sim.networkInterface(eni.id)?.Attachment).toMatchObject({ InstanceId: primary, Status: "attached" });
  });

  it("attachTo, detach, delete and a setter ride out throttling", async () => {
    const { sim, ec2, eni, standby } = await floating();
    sim.faults.throttleNext(1, "DetachNetworkInterface");
    const detached = await eni.detach(wait);
    sim.faults.throttleNext(1, "AttachNetworkInterface");
    const attached = await Eni.get(ec2, eni.id).attachTo(standby, wait);
    sim.faults.throttleNext(1, "ModifyNetworkInterfaceAttribute");
    const described = await Eni.get(ec2, eni.id).setDescription("floating db", wait);
    sim.faults.throttleNext(1, "DeleteNetworkInterface");
    const deleted = await Eni.get(ec2, eni.id).delete({ detachFirst: true, ...wait });

    expect([detached, attached, described].map((result) => result.isOk())).toEqual([true, true, true]);
    expect(deleted._unsafeUnwrap()).toEqual({ id: eni.id, alreadyGone: false });
    expect(sim.networkInterface(eni.id)).toBeUndefined();
  });

  it("bulk moves ride out throttled attaches", async () => {
    const { sim, ec2, subnetId, primary, standby, eni } = await floating();
    const second = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(primary, wait))._unsafeUnwrap();
    sim.faults.throttleNext(3, "AttachNetworkInterface");

    const report = (
      await Eni.moveAll(ec2, [
        { eniId: eni.id, to: standby, expectedFrom: primary, ...wait },
        { eniId: second.id, to: standby, expectedFrom: primary, ...wait },
      ])
    )._unsafeUnwrap();

    expect(report.failed).toBe(0);
    expect([eni.id, second.id].map((id) => sim.networkInterface(id)?.Attachment?.InstanceId)).toEqual([
      standby,
      standby,
    ]);
  });
});

describe("a dead primary is the common case (A4)", () => {
  it("moves an ENI its terminated primary let go, fenced on that primary, and says so in the report", async () => {
    const { sim, ec2, eni, primary, standby } = await floating();
    sim.terminateInstance(primary);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sim.networkInterface(eni.id)?.Status).toBe("available");

    const result = await Eni.get(ec2, eni.id).moveTo(standby, { expectedFrom: primary, ...wait });

    const moved = result._unsafeUnwrap();
    expect(moved.attachment?.instanceId).toBe(standby);
    expect(moved.moveReport).toMatchObject({
      outcome: "moved",
      from: { kind: "released", instanceId: primary, instanceState: "terminated" },
    });
    expect(outcomes(sim, "DetachNetworkInterface")).toEqual([]);
  });

  it("moves an ENI detached from a stopped primary", async () => {
    const { sim, ec2, eni, primary, standby } = await floating();
    (await eni.detach(wait))._unsafeUnwrap();
    await sim.client().send(new StopInstancesCommand({ InstanceIds: [primary] }));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const result = await Eni.get(ec2, eni.id).moveTo(standby, { expectedFrom: primary, ...wait });

    expect(result._unsafeUnwrap().moveReport?.from).toEqual({
      kind: "released",
      instanceId: primary,
      instanceState: "stopped",
    });
  });

  it("refuses an ENI that is free while its primary still runs: someone else freed it", async () => {
    const { sim, ec2, eni, primary, standby } = await floating();
    (await eni.detach(wait))._unsafeUnwrap();
    sim.clearCalls();

    const result = await Eni.get(ec2, eni.id).moveTo(standby, { expectedFrom: primary, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", expected: primary, actual: "detached" });
    expect(result._unsafeUnwrapErr().message).toContain(`${primary} is running`);
    expect(outcomes(sim, "AttachNetworkInterface")).toEqual([]);
  });

  it("lets EC2's attach decide between two controllers racing from a dead primary: the loser gets ConflictError", async () => {
    const { sim, subnetId, eni, primary, standby } = await floating();
    const other = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
    sim.terminateInstance(primary);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const [first, second] = await Promise.all([
      Eni.get(sim.client(), eni.id).moveTo(standby, { expectedFrom: primary, ...wait }),
      Eni.get(sim.client(), eni.id).moveTo(other, { expectedFrom: primary, ...wait }),
    ]);

    const winners = [first, second].filter((result) => result.isOk());
    const losers = [first, second].filter((result) => result.isErr());
    expect(winners).toHaveLength(1);
    expect(losers.map((result) => result._unsafeUnwrapErr().name)).toEqual(["ConflictError"]);
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(
      winners[0]?._unsafeUnwrap().attachment?.instanceId,
    );
  });
});

describe("the preflight knows every limit EC2 checks at attach (A5)", () => {
  it("refuses, before any change, a move of an ENI with more private IPv4s than the target's type takes", async () => {
    const { sim, ec2, subnetId, eni } = await floating();
    (await eni.assignPrivateIps(8, wait))._unsafeUnwrap(); // 9 in all: m5.large takes 10, t3.medium 6
    const small = sim.addInstance({ subnetId, instanceType: "t3.medium" }).instanceId;
    sim.clearCalls();

    const result = await Eni.get(ec2, eni.id).moveTo(small, wait);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AttachmentLimitError",
      kind: "ipv4-addresses",
      instanceType: "t3.medium",
      limit: 6,
      inUse: 9,
    });
    expect(outcomes(sim, "DetachNetworkInterface")).toEqual([]);
    expect(sim.networkInterface(eni.id)?.Attachment?.Status).toBe("attached");
  });
});

describe("fail fast when the target dies (A7)", () => {
  it("ends the attach wait within a few polls when the target terminates mid-attach, and rolls back", async () => {
    const { sim, eni, primary, standby } = await floating({
      timings: { createMs: 10, attachMs: 2_000, detachMs: 60 },
      instanceTimings: { terminateMs: 100 },
    });
    const onEvent = (event: MoveEvent) => {
      if (event.type === "call" && event.call.action === "AttachNetworkInterface" && event.call.outcome === "ok") {
        sim.terminateInstance(standby);
      }
    };
    vi.useFakeTimers();

    const result = await settle(eni.moveTo(standby, { expectedFrom: primary, onEvent, ...wait, maxWaitTime: 60 }));

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      rolledBack: true,
      reason: { name: "InvalidStateError", resourceId: standby },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(primary);
    // Not the attach's 2 s, let alone the move's 60 s: a few polls (of 20 to 50 ms) after the
    // termination (100 ms), in virtual time.
    const attachPhase = error.report.phases.find((phase) => phase.phase === "attach");
    expect(attachPhase?.durationMs).toBeLessThan(500);
  });
});

describe("maxWaitTime is a hard deadline (A13)", () => {
  it("a 4 s move whose reads keep failing once it has detached ends within its deadline and one poll", async () => {
    const { sim, eni, primary, standby } = await floating();
    vi.useFakeTimers();
    // From the accepted detach on, every read fails (as in a regional API brown-out).
    const onEvent = (event: MoveEvent) => {
      if (event.type === "call" && event.call.action === "DetachNetworkInterface" && event.call.outcome === "ok") {
        sim.faults.failNext("DescribeNetworkInterfaces", "InternalError", 100_000);
      }
    };
    const started = Date.now();
    let endedAt = 0;

    const pending = (async () => {
      const result = await eni.moveTo(standby, {
        expectedFrom: primary,
        onEvent,
        minDelay: 0.25,
        maxDelay: 1,
        maxWaitTime: 4,
      });
      endedAt = Date.now() - started;
      return result;
    })();
    await vi.advanceTimersByTimeAsync(30_000);
    const result = await pending;

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", phase: "detach", eniIsStale: true });
    expect(endedAt).toBeLessThanOrEqual(5_000);
    // No attach was sent while the state was unknown.
    expect(outcomes(sim, "AttachNetworkInterface")).toEqual([]);
  });
});

describe("the reaper never deletes a floating ENI (A2)", () => {
  /** Eager reapers (no grace period, with and without `includeOnceAttached`) on another client, until `stopped` settles. */
  function reapUntil(sim: Ec2Simulator, stopped: { then(onSettled: () => void): unknown }) {
    const reaper = sim.client();
    const reaped: string[] = [];
    let moving = true;
    void stopped.then(() => (moving = false));
    const reaping = (async () => {
      while (moving) {
        for (const includeOnceAttached of [false, true]) {
          const found = await Eni.findOrphans(reaper, { olderThan: 0, includeOnceAttached });
          const report = await Eni.reapOrphans(reaper, found.unwrapOr([]), { olderThan: 0, includeOnceAttached });
          reaped.push(...report._unsafeUnwrap().deleted);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return reaped;
    })();
    return reaping;
  }

  it.each([
    ["its attach", 0],
    ["its attach and its lease's first CreateTags", 1],
  ])(
    "a reaper on another client deletes nothing during a move with %s throttled: the lease lands before the detach",
    async (_case, throttledLeases) => {
      const { sim, eni, primary, standby } = await floating();
      sim.faults.throttleNext(throttledLeases, "CreateTags");
      sim.faults.throttleNext(6, "AttachNetworkInterface");

      const move = eni.moveTo(standby, { expectedFrom: primary, ...wait });
      const reaped = await reapUntil(sim, move);
      const result = await move;

      expect(reaped).toEqual([]);
      expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved", leased: true });
      expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(standby);
      expect(outcomes(sim, "DeleteNetworkInterface")).toEqual([]);
      const leased = sim.calls.findIndex(
        (call) =>
          call.action === "CreateTags" && call.outcome === "ok" && JSON.stringify(call.input).includes("held-until"),
      );
      const detached = sim.calls.findIndex((call) => call.action === "DetachNetworkInterface");
      expect(leased).toBeGreaterThanOrEqual(0);
      expect(leased).toBeLessThan(detached);
    },
  );
});

describe("every guard holds against a permissive backend, as moto and LocalStack are (A10)", () => {
  async function permissive() {
    const world = await floating({ permissive: true });
    const { sim, subnetId } = world;
    const { vpcId } = { vpcId: sim.networkInterface(world.eni.id)?.VpcId ?? "" };
    const elsewhere = sim.addInstance({
      subnetId: sim.addSubnet({ vpcId, availabilityZone: "us-east-1b" }).subnetId,
    }).instanceId;
    const full = sim.addInstance({ subnetId, instanceType: "t3.micro" }).instanceId; // takes 2 ENIs
    return { ...world, elsewhere, full };
  }
  const mutating = (sim: Ec2Simulator) =>
    sim.calls.filter((call) => /^(Attach|Detach|Delete)/.test(call.action) && call.outcome === "ok").length;

  it("refuses, with no request that changes anything, what EC2 would refuse and moto accepts", async () => {
    const { sim, ec2, subnetId, eni, standby, elsewhere, full } = await permissive();
    const free = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    const onFull = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(full, wait))._unsafeUnwrap();
    const taken = onFull.attachment?.deviceIndex ?? 1;
    sim.clearCalls();

    const results = await Promise.all([
      free.attachTo(elsewhere, wait), // another AZ
      Eni.get(ec2, eni.id).attachTo(standby, wait), // attached elsewhere: that is moveTo's job
      free.attachTo(full, wait), // the type takes no more ENIs
      free.attachTo(full, { deviceIndex: taken, ...wait }), // a taken device index
      Eni.get(ec2, eni.id).delete(wait), // attached, without detachFirst
      Eni.get(ec2, eni.id).moveTo(elsewhere, wait),
    ]);

    expect(results.map((result) => result._unsafeUnwrapErr().name)).toEqual([
      "AzMismatchError",
      "InvalidStateError",
      "AttachmentLimitError",
      "AttachmentLimitError",
      "InvalidStateError",
      "AzMismatchError",
    ]);
    expect(mutating(sim)).toBe(0);
  });

  it("lets exactly one of two controllers racing to different standbys win, and the loser takes nothing back", async () => {
    const { sim, subnetId, eni, primary, standby } = await permissive();
    const other = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;

    const [first, second] = await Promise.all([
      Eni.get(sim.client(), eni.id).moveTo(standby, { expectedFrom: primary, ...wait }),
      Eni.get(sim.client(), eni.id).moveTo(other, { expectedFrom: primary, ...wait }),
    ]);

    const winners = [first, second].filter((result) => result.isOk());
    const losers = [first, second].flatMap((result) => (result.isErr() ? [result.error] : []));
    expect(winners).toHaveLength(1);
    expect(losers.map((error) => error.name)).toEqual(["ConflictError"]);
    const where = sim.networkInterface(eni.id)?.Attachment?.InstanceId;
    expect(where).toBe(winners[0]?._unsafeUnwrap().attachment?.instanceId);
    // The loser sent no rollback attach to the primary.
    expect(
      sim.calls.filter((call) => call.action === "AttachNetworkInterface" && call.input["InstanceId"] === primary),
    ).toEqual([]);
  });
});

describe("the simulator's EC2 behaviours, through the library", () => {
  it("leaves a service's ENI (an ela-attach attachment) alone, with no request", async () => {
    const { sim, ec2, subnetId, standby } = await floating();
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId, serviceAttached: true });
    sim.clearCalls();

    const results = await Promise.all([
      Eni.get(ec2, networkInterfaceId).detach(wait),
      Eni.get(ec2, networkInterfaceId).moveTo(standby, wait),
      Eni.get(ec2, networkInterfaceId).delete({ detachFirst: true, ...wait }),
    ]);

    expect(results.map((result) => result._unsafeUnwrapErr())).toEqual([
      expect.objectContaining({ name: "InvalidStateError", state: "requester-managed" }),
      expect.objectContaining({ name: "InvalidStateError", state: "requester-managed" }),
      expect.objectContaining({ name: "InvalidStateError", state: "requester-managed" }),
    ]);
    expect(sim.calls.every((call) => call.action.startsWith("Describe"))).toBe(true);
  });

  it("attaches on network card 31 of a p5.48xlarge, at device index 0", async () => {
    const { sim, ec2, subnetId } = await floating();
    const big = sim.addInstance({ subnetId, instanceType: "p5.48xlarge" }).instanceId;
    const free = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();

    const result = await free.attachTo(big, { networkCardIndex: 31, deviceIndex: 0, ...wait });

    expect(result._unsafeUnwrap().attachment).toMatchObject({
      instanceId: big,
      networkCardIndex: 31,
      deviceIndex: 0,
      status: "attached",
    });
  });

  it("moves back and forth on the realistic preset (stale reads, latency, throttling), 50 times faster", async () => {
    const { sim, ec2, eni, primary, standby } = await floating({ preset: "realistic", timeScale: 0.02, seed: 11 });
    const ends: string[] = [];

    for (const [to, from] of [
      [standby, primary],
      [primary, standby],
      [standby, primary],
      [primary, standby],
    ] as const) {
      const moved = await Eni.get(ec2, eni.id).moveTo(to, { expectedFrom: from, ...wait });
      ends.push(
        `${moved.isOk() ? moved.value.moveReport?.outcome : moved.error.name}@${to === standby ? "standby" : "primary"}`,
      );
      // What the move said is where EC2 has it.
      expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(moved.isOk() ? to : undefined);
    }

    expect(ends).toEqual(["moved@standby", "moved@primary", "moved@standby", "moved@primary"]);
  });
});
