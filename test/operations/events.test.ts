import { describe, expect, it } from "vitest";
import { Eni, type EniEvent, type MoveEvent } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { wait } from "../scenarios/world.js";

/** Two instances in one subnet, and a free ENI; the SDK's own retries off, so eni-kit's show. */
function world() {
  const sim = new Ec2Simulator({ timings: { createMs: 20, attachMs: 60, detachMs: 80 } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const primary = sim.addInstance({ subnetId }).instanceId;
  const standby = sim.addInstance({ subnetId }).instanceId;
  const eniId = sim.addNetworkInterface({ subnetId }).networkInterfaceId;
  const ec2 = sim.client({ maxAttempts: 1 });
  return { sim, ec2, subnetId, primary, standby, eniId };
}

/** A hook that keeps what it is told. */
function recorder<E = EniEvent>() {
  const events: E[] = [];
  return { events, onEvent: (event: E) => events.push(event) };
}

const phasesOf = (events: readonly (EniEvent | MoveEvent)[]) =>
  events.flatMap((event) =>
    event.type === "phase-start" || event.type === "phase-end" ? [`${event.type} ${event.phase}`] : [],
  );

describe("onEvent beyond the move", () => {
  it("tells attachTo's phases, each API call, and the states it reads, all naming the ENI", async () => {
    // Prepare
    const { sim, ec2, primary, eniId } = world();
    const { events, onEvent } = recorder();

    // Act
    const result = await Eni.get(ec2, eniId).attachTo(primary, { ...wait, onEvent });

    // Assess
    expect(result.isOk()).toBe(true);
    expect(phasesOf(events)).toEqual([
      "phase-start preflight",
      "phase-end preflight",
      "phase-start attach",
      "phase-end attach",
    ]);
    expect(events.every((event) => event.eniId === eniId)).toBe(true);
    // Every request of the operation (the Eni.get before it aside) is told once.
    const told = events.flatMap((event) => (event.type === "call" ? [event.call.action] : []));
    expect(told).toEqual(sim.calls.slice(1).map((call) => call.action));
    expect(told).toContain("AttachNetworkInterface");
    expect(events).toContainEqual(expect.objectContaining({ type: "state", status: "in-use", attachedTo: primary }));
    expect(events.at(-1)).toMatchObject({ type: "phase-end", phase: "attach", ok: true });
  });

  it("tells detach's phase and the states it sees on the way to free", async () => {
    const { ec2, primary, eniId } = world();
    (await Eni.get(ec2, eniId).attachTo(primary, wait))._unsafeUnwrap();
    const { events, onEvent } = recorder();

    const result = await Eni.get(ec2, eniId).detach({ ...wait, onEvent });

    expect(result.isOk()).toBe(true);
    expect(phasesOf(events)).toEqual(["phase-start detach", "phase-end detach"]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "call",
        call: expect.objectContaining({ action: "DetachNetworkInterface", outcome: "ok" }),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: "state", status: "available", attachedTo: undefined }),
    );
  });

  it("tells delete's phases: the detach only when there is one to make", async () => {
    const attached = world();
    (await Eni.get(attached.ec2, attached.eniId).attachTo(attached.primary, wait))._unsafeUnwrap();
    const free = world();
    const detaching = recorder();
    const plain = recorder();

    const [first, second] = await Promise.all([
      Eni.delete(attached.ec2, attached.eniId, { ...wait, detachFirst: true, onEvent: detaching.onEvent }),
      Eni.delete(free.ec2, free.eniId, { ...wait, onEvent: plain.onEvent }),
    ]);

    expect(first._unsafeUnwrap()).toEqual({ id: attached.eniId, alreadyGone: false });
    expect(second._unsafeUnwrap()).toEqual({ id: free.eniId, alreadyGone: false });
    expect(phasesOf(detaching.events)).toEqual([
      "phase-start preflight",
      "phase-end preflight",
      "phase-start detach",
      "phase-end detach",
      "phase-start delete",
      "phase-end delete",
    ]);
    expect(phasesOf(plain.events)).toEqual([
      "phase-start preflight",
      "phase-end preflight",
      "phase-start delete",
      "phase-end delete",
    ]);
  });

  it("tells a setter's change phase, and each retry of its throttled request with why", async () => {
    const { sim, ec2, eniId } = world();
    const eni = (await Eni.get(ec2, eniId))._unsafeUnwrap();
    sim.faults.throttleNext(2, "ModifyNetworkInterfaceAttribute");
    const { events, onEvent } = recorder();

    const result = await eni.setDescription("db floating", { ...wait, onEvent });

    expect(result._unsafeUnwrap().description).toBe("db floating");
    expect(phasesOf(events)).toEqual(["phase-start change", "phase-end change"]);
    const retries = events.filter((event) => event.type === "retry");
    expect(retries).toEqual([
      { type: "retry", eniId, phase: "change", reason: "RequestLimitExceeded" },
      { type: "retry", eniId, phase: "change", reason: "RequestLimitExceeded" },
    ]);
    const modifies = events.filter(
      (event) => event.type === "call" && event.call.action === "ModifyNetworkInterfaceAttribute",
    );
    expect(modifies.map((event) => (event.type === "call" ? event.call.outcome : ""))).toEqual([
      "RequestLimitExceeded",
      "RequestLimitExceeded",
      "ok",
    ]);
  });

  it("tells a bulk operation's hook every item's events, each naming its ENI, beside an item's own hook", async () => {
    const { sim, ec2, subnetId, primary, standby, eniId } = world();
    const second = sim.addNetworkInterface({ subnetId }).networkInterfaceId;
    const batch = recorder<EniEvent | MoveEvent>();
    const own = recorder();

    const report = await Eni.attachAll(
      ec2,
      [
        { eniId, instanceId: primary, ...wait, onEvent: own.onEvent },
        { eniId: second, instanceId: standby, ...wait },
      ],
      { onEvent: batch.onEvent },
    );

    expect(report._unsafeUnwrap().succeeded).toBe(2);
    const byEni = (id: string) => batch.events.filter((event) => event.eniId === id);
    expect(phasesOf(byEni(eniId))).toEqual(phasesOf(byEni(second)));
    expect(phasesOf(byEni(eniId))).toHaveLength(4);
    expect(own.events).toEqual(byEni(eniId));
  });

  it("tells moveAll's hook each move's report last", async () => {
    const { ec2, primary, standby, eniId } = world();
    (await Eni.get(ec2, eniId).attachTo(primary, wait))._unsafeUnwrap();
    const { events, onEvent } = recorder<EniEvent | MoveEvent>();

    const report = await Eni.moveAll(ec2, [{ eniId, to: standby, expectedFrom: primary, ...wait }], { onEvent });

    expect(report._unsafeUnwrap().succeeded).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: "done", eniId, report: { outcome: "moved" } });
  });

  it("goes on when the hook throws", async () => {
    const { ec2, primary, eniId } = world();

    const result = await Eni.get(ec2, eniId).attachTo(primary, {
      ...wait,
      onEvent: () => {
        throw new Error("the logger is down");
      },
    });

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(primary);
  });

  it("refuses an onEvent that is not a function before any request", async () => {
    const { sim, ec2, eniId } = world();
    const eni = (await Eni.get(ec2, eniId))._unsafeUnwrap();
    sim.clearCalls();

    const results = await Promise.all([
      eni.detach({ onEvent: "log" as never }),
      eni.setDescription("x", { onEvent: 1 as never }),
      Eni.delete(ec2, eniId, { onEvent: {} as never }),
      Eni.detachAll(ec2, [{ eniId }], { onEvent: true as never }),
    ]);

    for (const result of results) {
      expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError" });
      expect(result._unsafeUnwrapErr().message).toMatch(/onEvent/);
    }
    expect(sim.calls).toHaveLength(0);
  });
});
