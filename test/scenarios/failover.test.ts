import { describe, expect, it } from "vitest";
import { Eni, type MoveEvent } from "../../src/index.js";
import { floating, mutatingCalls, wait } from "./world.js";

describe("moveTo on the simulator", () => {
  it("moves a floating ENI from the primary to the standby and reports what it did", async () => {
    // Prepare
    const { sim, eni, primary, standby } = await floating();
    const events: MoveEvent[] = [];

    // Act
    const result = await eni.moveTo(standby, {
      expectedFrom: primary,
      onEvent: (event) => events.push(event),
      ...wait,
    });

    // Assess
    const moved = result._unsafeUnwrap();
    expect(moved.attachment).toMatchObject({ instanceId: standby, status: "attached" });
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(standby);
    const report = moved.moveReport;
    expect(report).toMatchObject({
      eniId: eni.id,
      to: standby,
      outcome: "moved",
      forced: false,
      retries: 0,
      from: { instanceId: primary, deviceIndex: 1 },
    });
    expect(report?.phases.map((phase) => phase.phase)).toEqual(["preflight", "detach", "attach"]);
    // The report's figures are the simulator's own log.
    expect(report?.apiCalls).toBe(sim.calls.length);
    const byAction: Record<string, number> = {};
    for (const call of sim.calls) byAction[call.action] = (byAction[call.action] ?? 0) + 1;
    expect(report?.callsByAction).toEqual(byAction);
    expect(byAction).toMatchObject({ DetachNetworkInterface: 1, AttachNetworkInterface: 1 });
    expect(events.filter((event) => event.type === "call")).toHaveLength(sim.calls.length);
    expect(events.at(-1)).toEqual({ type: "done", eniId: eni.id, report });
    const states = events.flatMap((event) =>
      event.type === "state" ? [`${event.status}/${event.attachmentStatus ?? "-"}@${event.attachedTo ?? "-"}`] : [],
    );
    expect(states[0]).toBe(`in-use/attached@${primary}`);
    expect(states.at(-1)).toBe(`in-use/attached@${standby}`);
    expect(states).toContain("available/-@-");
    // Waits read the same state again and again; only the changes are told.
    expect(states.filter((state, index) => index > 0 && state === states[index - 1])).toEqual([]);
    // Each phase's time is part of the move's, which took well under a minute.
    const phaseTimes = report?.phases.map((phase) => phase.durationMs) ?? [];
    expect(Math.min(...phaseTimes)).toBeGreaterThanOrEqual(0);
    expect(phaseTimes.reduce((sum, time) => sum + time, 0)).toBeLessThanOrEqual(report?.durationMs ?? 0);
    expect(report?.durationMs).toBeLessThan(60_000);
  });

  it("changes nothing when the ENI is already on the target", async () => {
    const { sim, eni, primary } = await floating();
    const result = await eni.moveTo(primary, { expectedFrom: "i-0ffffffffffffffff", ...wait });
    expect(result._unsafeUnwrap().moveReport?.outcome).toBe("already-there");
    expect(mutatingCalls(sim)).toEqual([]);
  });

  it("refuses each preflight failure with its typed error and no mutating call", async () => {
    const { sim, ec2, eni, standby, elsewhere, subnetId, primary } = await floating();
    const full = sim.addInstance({ subnetId, instanceType: "t3.micro" }); // takes 2 ENIs
    const spare = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(full.instanceId, wait))._unsafeUnwrap();
    const pending = sim.addInstance({ subnetId, state: "pending" });
    sim.clearCalls();

    const cases = await Promise.all([
      eni.moveTo(elsewhere, wait),
      eni.moveTo(full.instanceId, wait),
      eni.moveTo(pending.instanceId, wait),
      eni.moveTo("i-0123456789abcdef0", wait),
      Eni.get(
        ec2,
        sim.instance(primary)?.NetworkInterfaces?.find((ni) => ni.Attachment?.DeviceIndex === 0)?.NetworkInterfaceId ??
          "",
      ).moveTo(standby, wait),
      eni.moveTo(standby, { deviceIndex: 0, ...wait }),
      eni.moveTo(standby, { force: true, forceAfter: 3, ...wait }),
    ]);

    expect(cases.map((result) => result._unsafeUnwrapErr().name)).toEqual([
      "AzMismatchError",
      "AttachmentLimitError",
      "InvalidStateError",
      "NotFoundError",
      "InvalidStateError",
      "ValidationError",
      "ValidationError",
    ]);
    expect(mutatingCalls(sim)).toEqual([]);
    expect(spare.attachment?.instanceId).toBe(full.instanceId);
  });

  it("refuses a requester-managed ENI", async () => {
    const { sim, ec2, subnetId, standby } = await floating();
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId, requesterManaged: true });
    const result = await Eni.get(ec2, networkInterfaceId).moveTo(standby, wait);
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "requester-managed" });
    expect(mutatingCalls(sim)).toEqual([]);
  });

  it("stops at the fence when the ENI is not where the caller expected, changing nothing", async () => {
    const { sim, ec2, eni, primary, standby, subnetId } = await floating();
    const third = sim.addInstance({ subnetId, instanceType: "m5.large" });

    const wrongSource = await eni.moveTo(third.instanceId, { expectedFrom: standby, ...wait });
    const wrongAttachment = await eni.moveTo(third.instanceId, {
      expectedFrom: "eni-attach-0123456789abcdef0",
      ...wait,
    });
    const rightAttachment = eni.attachment?.id ?? "";
    const detached = (await eni.detach(wait))._unsafeUnwrap();
    sim.clearCalls();
    const notAttached = await detached.moveTo(third.instanceId, { expectedFrom: primary, ...wait });

    expect(wrongSource._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", expected: standby, actual: primary });
    expect(wrongAttachment._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: "eni-attach-0123456789abcdef0",
      actual: rightAttachment,
    });
    expect(notAttached._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: primary,
      actual: "detached",
    });
    expect(mutatingCalls(sim)).toEqual([]);
    expect((await Eni.get(ec2, eni.id))._unsafeUnwrap().status).toBe("available");
  });

  it("lets exactly one of two racing controllers win; the other gets ConflictError", async () => {
    const { sim, ec2, eni, primary, standby, subnetId } = await floating();
    const third = sim.addInstance({ subnetId, instanceType: "t3.medium" });

    const [a, b] = await Promise.all([
      Eni.get(ec2, eni.id).moveTo(standby, { expectedFrom: primary, ...wait }),
      Eni.get(sim.client(), eni.id).moveTo(third.instanceId, { expectedFrom: primary, ...wait }),
    ]);

    const outcomes = [a, b].map((result) => (result.isOk() ? "ok" : result.error.name)).sort();
    expect(outcomes).toEqual(["ConflictError", "ok"]);
    const winner = a.isOk() ? standby : third.instanceId;
    const attachedTo = [standby, third.instanceId].filter((id) =>
      sim.instance(id)?.NetworkInterfaces?.some((ni) => ni.NetworkInterfaceId === eni.id),
    );
    expect(attachedTo).toEqual([winner]);
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(winner);
  });

  it("forces a hanging detach after forceAfter, and reports it", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.faults.hangDetach(eni.id);

    const result = await eni.moveTo(standby, { expectedFrom: primary, forceAfter: 0.3, ...wait });

    const moved = result._unsafeUnwrap();
    expect(moved.attachment?.instanceId).toBe(standby);
    expect(moved.moveReport?.forced).toBe(true);
    expect(
      sim.calls.filter((call) => call.action === "DetachNetworkInterface").map((call) => call.input["Force"]),
    ).toEqual([false, true]);
  });

  it("forces nothing when the graceful detach finishes within forceAfter", async () => {
    const { sim, eni, primary, standby } = await floating();

    const result = await eni.moveTo(standby, { expectedFrom: primary, forceAfter: 3, ...wait });

    expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved", forced: false });
    expect(
      sim.calls.filter((call) => call.action === "DetachNetworkInterface").map((call) => call.input["Force"]),
    ).toEqual([false]);
  });

  it("returns a refused graceful detach as it is, without forcing, under forceAfter", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.denyActions(["DetachNetworkInterface"]);

    const result = await eni.moveTo(standby, { expectedFrom: primary, forceAfter: 3, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError" });
    expect(sim.calls.filter((call) => call.action === "DetachNetworkInterface")).toHaveLength(1);
  });

  it("times out a hanging detach without forceAfter, saying where the ENI is", async () => {
    const { sim, eni, standby } = await floating();
    sim.faults.hangDetach(eni.id);

    const result = await eni.moveTo(standby, { minDelay: 0.02, maxDelay: 0.05, maxWaitTime: 0.4 });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "detach",
      rolledBack: false,
      reason: { name: "WaitTimeoutError" },
    });
    expect(error.name === "MoveFailedError" && error.eni?.attachment?.status).toBe("detaching");
  });

  it("forces at once with force: true", async () => {
    const { sim, eni, standby } = await floating();
    sim.faults.hangDetach(eni.id);
    const result = await eni.moveTo(standby, { force: true, ...wait });
    expect(result._unsafeUnwrap().moveReport?.forced).toBe(true);
    expect(
      sim.calls.filter((call) => call.action === "DetachNetworkInterface").map((call) => call.input["Force"]),
    ).toEqual([true]);
  });

  it("retries EC2's brief 'in use' on the attach after the detach", async () => {
    const { sim, eni, standby } = await floating();
    sim.faults.failNext("AttachNetworkInterface", "InvalidNetworkInterface.InUse", 2, `Interface: [${eni.id}] in use.`);

    const result = await eni.moveTo(standby, wait);

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(standby);
    expect(result._unsafeUnwrap().moveReport?.retries).toBe(2);
    expect(sim.calls.filter((call) => call.action === "AttachNetworkInterface").map((call) => call.outcome)).toEqual([
      "InvalidNetworkInterface.InUse",
      "InvalidNetworkInterface.InUse",
      "ok",
    ]);
  });

  it("rolls back to the source when the attach to the target fails for good", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.faults.failNext(
      "AttachNetworkInterface",
      "UnauthorizedOperation",
      1,
      "You are not authorized to perform this operation.",
    );

    const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: true,
      reason: { name: "AccessDeniedError" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(error.eni?.attachment).toMatchObject({ instanceId: primary, status: "attached", deviceIndex: 1 });
    expect(error.report.outcome).toBe("rolled-back");
    expect(error.report.phases.map((phase) => phase.phase)).toEqual(["preflight", "detach", "attach", "rollback"]);
    expect(error.message).toContain("rolled back");
    expect(sim.networkInterface(eni.id)?.Attachment).toMatchObject({ InstanceId: primary, DeleteOnTermination: false });
  });

  it("rolls back with the source attachment's DeleteOnTermination", async () => {
    const { sim, ec2, subnetId, primary, standby } = await floating();
    const eni = (
      await Eni.create(ec2, { subnetId, ...wait }).attachTo(primary, { deleteOnTermination: true, ...wait })
    )._unsafeUnwrap();
    sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation");

    const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", rolledBack: true });
    expect(sim.networkInterface(eni.id)?.Attachment).toMatchObject({ InstanceId: primary, DeleteOnTermination: true });
  });

  it("leaves the ENI detached, and says so, with rollback: false", async () => {
    const { sim, eni, standby } = await floating();
    sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation");

    const result = await eni.moveTo(standby, { rollback: false, ...wait });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      rolledBack: false,
      eni: { status: "available", attachment: undefined },
    });
    expect(error.message).toContain("not attached");
    expect(sim.networkInterface(eni.id)?.Status).toBe("available");
  });

  it("rolls back when the target is terminated mid-move", async () => {
    const { sim, eni, primary, standby } = await floating();
    const events: MoveEvent[] = [];
    const onEvent = (event: MoveEvent) => {
      events.push(event);
      if (event.type === "phase-start" && event.phase === "attach") sim.terminateInstance(standby);
    };

    const result = await eni.moveTo(standby, { onEvent, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "MoveFailedError",
      rolledBack: true,
      reason: { name: "InvalidStateError" },
    });
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(primary);
  });

  it("says where a free ENI was left when the target dies after the attach went through", async () => {
    const { sim, eni, standby } = await floating();
    const free = (await eni.detach(wait))._unsafeUnwrap();
    const onEvent = (event: MoveEvent) => {
      if (event.type === "call" && event.call.action === "AttachNetworkInterface") sim.terminateInstance(standby);
    };

    const result = await free.moveTo(standby, { onEvent, ...wait });

    // The attach changed something: not a refusal, but a failed move that says where the ENI is.
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", phase: "attach", rolledBack: false });
  });

  it("keeps the source's device index with deviceIndex: 'same'", async () => {
    const { sim, ec2, subnetId, standby } = await floating();
    const source = sim.addInstance({ subnetId, instanceType: "m5.large" });
    const eni = (
      await Eni.create(ec2, { subnetId, ...wait }).attachTo(source.instanceId, { deviceIndex: 2, ...wait })
    )._unsafeUnwrap();

    const result = await eni.moveTo(standby, { deviceIndex: "same", expectedFrom: eni.attachment?.id ?? "", ...wait });

    expect(result._unsafeUnwrap().attachment).toMatchObject({ instanceId: standby, deviceIndex: 2 });
  });

  it("stops between steps when aborted, leaving a reported state", async () => {
    const { sim, eni, standby } = await floating();
    const controller = new AbortController();
    const onEvent = (event: MoveEvent) => {
      if (event.type === "phase-end" && event.phase === "detach") controller.abort();
    };

    const result = await eni.moveTo(standby, { onEvent, abortSignal: controller.signal, ...wait });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: false,
      reason: { name: "AbortedError" },
      eni: { status: "available" },
    });
    expect(sim.calls.map((call) => call.action)).not.toContain("AttachNetworkInterface");
  });
});

describe("moveTo: what the report and the errors say at the edges", () => {
  it("rolls nothing back onto a source that is going away, and says why", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation");
    const onEvent = (event: MoveEvent) => {
      if (event.type === "phase-start" && event.phase === "attach") sim.terminateInstance(primary);
    };

    const result = await eni.moveTo(standby, { onEvent, ...wait });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", phase: "attach", rolledBack: false });
    expect(error.message).toMatch(new RegExp(`; no rollback: its source ${primary} is (shutting-down|terminated); `));
    expect(sim.networkInterface(eni.id)?.Attachment).toBeUndefined();
  });

  it("refuses a move fenced on an attachment when the ENI is free, saying so", async () => {
    const { ec2, eni, standby } = await floating();
    const attachmentId = eni.attachment?.id ?? "";
    const free = (await eni.detach(wait))._unsafeUnwrap();

    const result = await free.moveTo(standby, { expectedFrom: attachmentId, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: attachmentId,
      actual: "detached",
    });
    expect(result._unsafeUnwrapErr().message).toContain("not attached");
    expect((await Eni.get(ec2, eni.id)).map((now) => now.status)._unsafeUnwrap()).toBe("available");
  });

  it("refuses a move from a free ENI while its fenced instance is still pending", async () => {
    const { sim, eni, subnetId, standby } = await floating();
    const starting = sim.addInstance({ subnetId, state: "pending" });
    const free = (await eni.detach(wait))._unsafeUnwrap();

    const result = await free.moveTo(standby, { expectedFrom: starting.instanceId, ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError" });
    expect(mutatingCalls(sim).filter((call) => call.action === "AttachNetworkInterface")).toEqual([]);
  });

  it("takes a free ENI whose fenced instance EC2 no longer knows: the primary is gone", async () => {
    const { eni, standby } = await floating();
    const free = (await eni.detach(wait))._unsafeUnwrap();
    const gone = "i-0ffffffffffffffff";

    const result = await free.moveTo(standby, { expectedFrom: gone, ...wait });

    expect(result._unsafeUnwrap().moveReport?.from).toEqual({
      kind: "released",
      instanceId: gone,
      instanceState: "gone",
    });
  });

  it("reads no instance for a fence on an attachment id", async () => {
    const { sim, eni, standby } = await floating();
    const attachmentId = eni.attachment?.id ?? "";

    const result = await eni.moveTo(standby, { expectedFrom: attachmentId, ...wait });

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(standby);
    const asked = sim.calls
      .filter((call) => call.action === "DescribeInstances")
      .map((call) => JSON.stringify(call.input));
    expect(asked.filter((input) => input.includes(attachmentId))).toEqual([]);
  });

  it("writes no lease, nor anything else, when the ENI is already on the target", async () => {
    const { sim, eni, primary } = await floating();

    const result = await eni.moveTo(primary, wait);

    expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "already-there", leased: false });
    expect(sim.calls.filter((call) => call.action === "CreateTags")).toEqual([]);
  });

  it("leases the ENI until five minutes past the move's deadline", async () => {
    const { sim, eni, primary, standby } = await floating();
    const started = Date.now();

    const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait });

    expect(result._unsafeUnwrap().moveReport?.leased).toBe(true);
    const heldUntil = sim.networkInterface(eni.id)?.TagSet?.find((tag) => tag.Key === "eni-kit:held-until")?.Value;
    const until = Date.parse(heldUntil ?? "");
    expect(until).toBeGreaterThanOrEqual(started + wait.maxWaitTime * 1000 + 5 * 60_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + wait.maxWaitTime * 1000 + 5 * 60_000 + 1000);
  });

  it("goes on unleased after a tenth of maxWaitTime when tagging stays throttled", async () => {
    const { sim, eni, primary, standby } = await floating();
    sim.faults.throttleNext(10_000, "CreateTags");

    const result = await eni.moveTo(standby, { expectedFrom: primary, ...wait, maxWaitTime: 30 });

    const report = result._unsafeUnwrap().moveReport;
    expect(report).toMatchObject({ outcome: "moved", leased: false });
    // 3 s for the lease (a tenth of 30 s; at most 10 s), plus the SDK attempt then in flight.
    expect(report?.phases.find((phase) => phase.phase === "preflight")?.durationMs).toBeLessThan(8_000);
  }, 20_000);

  it("tells onEvent of each retry of a throttled lease, then leases", async () => {
    const { sim, eni, primary, standby } = await floating();
    // More than the SDK's own three attempts; a 60 s move gives its lease 6 s.
    sim.faults.throttleNext(4, "CreateTags");
    const events: MoveEvent[] = [];

    const result = await eni.moveTo(standby, {
      expectedFrom: primary,
      onEvent: (event) => events.push(event),
      ...wait,
      maxWaitTime: 60,
    });

    expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved", leased: true });
    expect(events.filter((event) => event.type === "retry" && event.phase === "preflight").length).toBeGreaterThan(0);
  }, 20_000);

  it("reports nothing forced and nothing leased for a move refused before any change", async () => {
    const { eni, standby } = await floating();
    const events: MoveEvent[] = [];

    const result = await eni.moveTo(standby, {
      expectedFrom: "i-0ffffffffffffffff",
      onEvent: (event) => events.push(event),
      ...wait,
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError" });
    expect(events.at(-1)).toMatchObject({ type: "done", report: { outcome: "refused", forced: false, leased: false } });
  });

  it("names the ENI and the target when the caller aborts", async () => {
    const { eni, standby } = await floating();

    const result = await eni.moveTo(standby, { abortSignal: AbortSignal.abort(), ...wait });

    expect(result._unsafeUnwrapErr().message).toBe(`Aborted while waiting for ${eni.id} to move to ${standby}.`);
  });
});
