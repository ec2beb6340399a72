import {
  AttachNetworkInterfaceCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type DescribeInstancesCommandInput,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni, type MoveEvent } from "../../src/index.js";
import { attachedEni, ec2Error, eni, fast, ids, instance, mockedEc2, t3medium } from "../fixtures.js";

const standby = instance({ InstanceId: ids.standby });
const onStandby = (overrides: Partial<NetworkInterface["Attachment"]> = {}) => {
  const moved = attachedEni(ids.standby);
  moved.Attachment = { ...moved.Attachment, AttachmentId: ids.otherAttachment, ...overrides };
  return moved;
};

/** Answers DescribeInstances for the ids asked: the standby's answers in turn (the last one from then on), the source's always. */
function instances(mock: ReturnType<typeof mockedEc2>["mock"], standbyAnswers: Instance[], sourceAnswers: Instance[]) {
  let standbyRead = 0;
  mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    const asked = input.Filters?.find((filter) => filter.Name === "instance-id")?.Values ?? input.InstanceIds ?? [];
    const found = asked.flatMap((id) =>
      id === ids.standby
        ? [standbyAnswers[Math.min(standbyRead++, standbyAnswers.length - 1)]]
        : id === ids.instance
          ? sourceAnswers
          : [],
    );
    return { Reservations: [{ Instances: found }] };
  });
}

/** A mock of a floating ENI on `ids.instance`, a free standby, and t3.medium limits. */
function world(sequence: NetworkInterface[]) {
  const { ec2, mock } = mockedEc2();
  const describe = mock.on(DescribeNetworkInterfacesCommand);
  for (const ni of sequence.slice(0, -1)) describe.resolvesOnce({ NetworkInterfaces: [ni] });
  describe.resolves({ NetworkInterfaces: [sequence.at(-1) ?? eni()] });
  instances(mock, [standby], [instance()]);
  mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [t3medium] });
  mock.on(DetachNetworkInterfaceCommand).resolves({});
  mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: ids.otherAttachment });
  return { ec2, mock };
}

describe("moveTo's options: refused before any request, with what to change", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "force with forceAfter",
      { force: true, forceAfter: 1, maxWaitTime: 5 },
      "forceAfter",
      "Give either `force` (force at once) or `forceAfter` (force if still detaching), not both.",
    ],
    [
      "forceAfter equal to maxWaitTime",
      { forceAfter: 5, maxWaitTime: 5 },
      "forceAfter",
      "Expected `forceAfter` (5) to be below `maxWaitTime` (5).",
    ],
    ["onEvent not a function", { onEvent: "console.log" }, "onEvent", "a function"],
  ])("refuses %s", async (_case, options, field, message) => {
    const { ec2, mock } = world([attachedEni()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, options);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(result._unsafeUnwrapErr().message).toContain(message);
    // Only Eni.get's own read went out.
    expect(mock.calls().map((call) => call.args[0].constructor.name)).toEqual(["DescribeNetworkInterfacesCommand"]);
  });

  it("takes a forceAfter just below maxWaitTime", async () => {
    const { ec2 } = world([attachedEni(), attachedEni(), eni(), eni(), onStandby()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { ...fast, forceAfter: 1.9, maxWaitTime: 2 });
    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
  });
});

describe("moveTo (scripted EC2 answers)", () => {
  it("detaches by attachment id, attaches with the card sent, sets deleteOnTermination and waits", async () => {
    // Prepare
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), onStandby()]);
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    // Act
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { deleteOnTermination: true, ...fast });

    // Assess
    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
    expect(mock).toHaveReceivedCommandWith(DetachNetworkInterfaceCommand, {
      AttachmentId: ids.attachment,
      Force: false,
    });
    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, {
      NetworkInterfaceId: ids.eni,
      InstanceId: ids.standby,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    });
    expect(mock).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      Attachment: { AttachmentId: ids.otherAttachment, DeleteOnTermination: true },
    });
  });

  it("moves an unattached ENI without a detach", async () => {
    const { ec2, mock } = world([eni(), eni(), onStandby()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);
    expect(result._unsafeUnwrap().moveReport?.phases.map((phase) => phase.phase)).toEqual(["preflight", "attach"]);
    expect(result._unsafeUnwrap().moveReport).toMatchObject({ from: undefined, forced: false });
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("fails with MoveFailedError, not a bare timeout, when an unattached ENI's accepted attach never completes", async () => {
    const { ec2 } = world([eni(), eni(), onStandby({ Status: "attaching" })]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { ...fast, maxDelay: 0.25, maxWaitTime: 0.5 });

    // The attach went through: where the ENI is has changed, so the error says where it is now, read
    // after the deadline (the attach's wait used all of it) and before the hard stop one poll later.
    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: false,
      reason: { name: "WaitTimeoutError" },
      eniIsStale: false,
      eni: { attachment: { instanceId: ids.standby, status: "attaching" } },
    });
  });

  it("refuses deviceIndex 'same' for an unattached ENI before any change", async () => {
    const { ec2, mock } = world([eni()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { deviceIndex: "same", ...fast });
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "deviceIndex" });
    expect(result._unsafeUnwrapErr().message).toContain(
      `\`deviceIndex: "same"\` needs an attached ENI; ${ids.eni} is not attached.`,
    );
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("returns with no mutating call, once reads agree, when the ENI is already attached to the target", async () => {
    const { ec2, mock } = world([onStandby()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);
    expect(result._unsafeUnwrap().moveReport).toMatchObject({
      outcome: "already-there",
      forced: false,
      leased: false,
      retries: 0,
    });
    // Eni.get's read, the preflight's, and three that agree there is nothing to do, across maxDelay.
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 5);
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("waits for an attach to the target already under way, with no mutating call", async () => {
    const { ec2, mock } = world([onStandby({ Status: "attaching" }), onStandby({ Status: "attaching" }), onStandby()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);
    expect(result._unsafeUnwrap().moveReport?.outcome).toBe("already-there");
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("treats a detach already under way (or already gone) as its own", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), onStandby()]);
    mock.on(DetachNetworkInterfaceCommand).rejects(ec2Error("IncorrectState", "The attachment is already detaching."));
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);
    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 1);
  });

  it("sends the detach again while the source is still stopping, and tells onEvent why", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), attachedEni(), eni(), eni(), onStandby()]);
    instances(mock, [standby], [instance({ State: { Code: 64, Name: "stopping" } })]);
    mock
      .on(DetachNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("IncorrectInstanceState", "The instance is not in a valid state for this operation."))
      .resolves({});
    const events: MoveEvent[] = [];

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { onEvent: (event) => events.push(event), ...fast });

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
    expect(events).toContainEqual({
      type: "retry",
      eniId: ids.eni,
      phase: "detach",
      reason: `instance ${ids.instance} is stopping`,
    });
  });

  it("returns the plain error, changing nothing, when the detach itself is refused", async () => {
    const { ec2, mock } = world([attachedEni()]);
    mock
      .on(DetachNetworkInterfaceCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const events: MoveEvent[] = [];

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { onEvent: (event) => events.push(event), ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError" });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
    expect(events.at(-1)).toMatchObject({ type: "done", report: { outcome: "refused" } });
  });

  it("reports ConflictError when another controller attached the ENI elsewhere during the detach", async () => {
    const third = onStandby();
    third.Attachment = {
      ...third.Attachment,
      InstanceId: "i-0ccccccccccccccc3",
      AttachmentId: "eni-attach-0cccccccccccccccc",
    };
    const { ec2, mock } = world([attachedEni(), attachedEni(), third]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: ids.standby,
      actual: "i-0ccccccccccccccc3",
    });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("succeeds when another controller already put it on the same target", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), onStandby()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);
    expect(result._unsafeUnwrap().moveReport?.outcome).toBe("already-there");
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 1);
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("turns 'in use' with the ENI attached elsewhere into ConflictError, and on the target into success", async () => {
    const elsewhere = onStandby();
    elsewhere.Attachment = {
      ...elsewhere.Attachment,
      InstanceId: "i-0ccccccccccccccc3",
      AttachmentId: "eni-attach-0cccccccccccccccc",
    };
    const lost = world([eni(), eni(), elsewhere]);
    lost.mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`));
    const won = world([eni(), eni(), onStandby(), onStandby()]);
    won.mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`));

    const lostResult = await Eni.get(lost.ec2, ids.eni).moveTo(ids.standby, fast);
    const wonResult = await Eni.get(won.ec2, ids.eni).moveTo(ids.standby, fast);

    expect(lostResult._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", actual: "i-0ccccccccccccccc3" });
    expect(wonResult._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
  });

  it("sends an attach refused with a brief 'in use' again, telling onEvent why", async () => {
    const { ec2, mock } = world([eni(), eni(), eni(), onStandby()]);
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`))
      .resolves({ AttachmentId: ids.otherAttachment });
    const events: MoveEvent[] = [];

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { onEvent: (event) => events.push(event), ...fast });

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
    expect(events).toContainEqual({
      type: "retry",
      eniId: ids.eni,
      phase: "attach",
      reason: "network interface still in use",
    });
  });

  it("re-picks a device index it chose when EC2 still reports it taken", async () => {
    const { ec2, mock } = world([eni(), eni(), onStandby()]);
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejectsOnce(
        ec2Error(
          "InvalidParameterValue",
          `Instance '${ids.standby}' already has an interface attached at device index '1'.`,
        ),
      )
      .resolves({ AttachmentId: ids.otherAttachment });
    instances(
      mock,
      [
        standby,
        instance({
          InstanceId: ids.standby,
          NetworkInterfaces: [{ Attachment: { DeviceIndex: 0 } }, { Attachment: { DeviceIndex: 1 } }],
        }),
      ],
      [instance()],
    );

    const events: MoveEvent[] = [];

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { onEvent: (event) => events.push(event), ...fast });

    expect(result._unsafeUnwrap().moveReport?.retries).toBe(1);
    expect(mock.commandCalls(AttachNetworkInterfaceCommand).map((call) => call.args[0].input.DeviceIndex)).toEqual([
      1, 2,
    ]);
    expect(events).toContainEqual({
      type: "retry",
      eniId: ids.eni,
      phase: "attach",
      reason: "device index 1 still taken; trying 2",
    });
  });

  it("retries an index the caller asked for until EC2 frees it", async () => {
    const { ec2, mock } = world([eni(), eni(), onStandby()]);
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejectsOnce(
        ec2Error(
          "InvalidParameterValue",
          `Instance '${ids.standby}' already has an interface attached at device index '2'.`,
        ),
      )
      .resolves({ AttachmentId: ids.otherAttachment });

    const events: MoveEvent[] = [];

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, {
      deviceIndex: 2,
      onEvent: (event) => events.push(event),
      ...fast,
    });

    expect(result.isOk()).toBe(true);
    expect(events).toContainEqual({
      type: "retry",
      eniId: ids.eni,
      phase: "attach",
      reason: "device index 2 still taken",
    });
    expect(mock.commandCalls(AttachNetworkInterfaceCommand).map((call) => call.args[0].input.DeviceIndex)).toEqual([
      2, 2,
    ]);
  });

  it("returns the plain error when a free ENI cannot be attached: nothing of ours changed", async () => {
    const { ec2, mock } = world([eni()]);
    mock.on(AttachNetworkInterfaceCommand).rejects(ec2Error("UnauthorizedOperation"));
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError" });
  });

  it("reports a failed rollback too, with where the ENI ended up", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni()]);
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: false,
      eni: { status: "available" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(error.report.phases.map((phase) => `${phase.phase}:${String(phase.ok)}`)).toEqual([
      "preflight:true",
      "detach:true",
      "attach:false",
      "rollback:false",
    ]);
    expect(error.report.outcome).toBe("failed");
    expect(error.code).toBe("UnauthorizedOperation");
  });

  /** The final read gets one maxDelay: enough for two reads to agree, even on a busy machine. */
  const finalWindow = { ...fast, maxDelay: 0.25 };

  /** A floating ENI whose detach succeeds and whose attach is refused; after the attach, reads answer `finalReads` in turn, the last one from then on. */
  function failingAttach(finalReads: (NetworkInterface | Error)[]) {
    const { ec2, mock } = world([attachedEni()]);
    let phase: "attached" | "free" | "final" = "attached";
    mock.on(DetachNetworkInterfaceCommand).callsFake(() => {
      phase = "free";
      return {};
    });
    mock.on(AttachNetworkInterfaceCommand).callsFake(() => {
      phase = "final";
      throw ec2Error("UnauthorizedOperation");
    });
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => {
      // The last scripted answer stands from then on.
      const next = () => (finalReads.length > 1 ? finalReads.shift() : finalReads[0]);
      const answer = phase === "attached" ? attachedEni() : phase === "free" ? eni() : next();
      if (answer instanceof Error) throw answer;
      return { NetworkInterfaces: [answer] };
    });
    return { ec2, mock };
  }

  it.each(["running", "stopped"] as const)(
    "takes an attach whose refusal was wrong (reads agree the ENI is on the %s target) as a move",
    async (state) => {
      const { ec2, mock } = failingAttach([onStandby()]);
      instances(mock, [instance({ InstanceId: ids.standby, State: { Name: state } })], [instance()]);

      const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

      expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved" });
      // No rollback attach to the source.
      expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
    },
  );

  /**
   * A floating ENI on `ids.instance` whose attach to the standby is refused; reads then answer
   * `settling` in turn, then agree it is free, and a rollback's attach to the source goes through.
   * After the refusal the standby reads as `standbyAfter` (an instance, a read error, or gone); the
   * source reads as `source` throughout.
   */
  function refusedThenBack(
    options: { standbyAfter?: Instance | Error | "gone"; source?: Instance; settling?: NetworkInterface[] } = {},
  ) {
    const { standbyAfter = standby, source = instance(), settling = [] } = options;
    const { ec2, mock } = world([attachedEni()]);
    const back = { ...attachedEni(), Attachment: { ...attachedEni().Attachment, AttachmentId: ids.otherAttachment } };
    let phase: "attached" | "free" | "refused" | "back" = "attached";
    mock.on(DetachNetworkInterfaceCommand).callsFake(() => {
      phase = "free";
      return {};
    });
    mock.on(AttachNetworkInterfaceCommand).callsFake((input: { InstanceId?: string }) => {
      if (input.InstanceId === ids.standby) {
        phase = "refused";
        throw ec2Error("UnauthorizedOperation");
      }
      phase = "back";
      return { AttachmentId: ids.otherAttachment };
    });
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => ({
      NetworkInterfaces: [
        phase === "attached"
          ? attachedEni()
          : phase === "back"
            ? back
            : phase === "refused"
              ? (settling.shift() ?? eni())
              : eni(),
      ],
    }));
    mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
      const asked = input.Filters?.find((filter) => filter.Name === "instance-id")?.Values ?? input.InstanceIds ?? [];
      const found = asked.flatMap((id) => {
        if (id === ids.instance) return [source];
        if (id !== ids.standby || phase !== "refused") return id === ids.standby ? [standby] : [];
        if (standbyAfter instanceof Error) throw standbyAfter;
        return standbyAfter === "gone" ? [] : [standbyAfter];
      });
      return { Reservations: [{ Instances: found }] };
    });
    return { ec2, mock };
  }

  it.each<[string, NetworkInterface]>([
    ["a stale read still shows the source attachment", attachedEni()],
    ["the refused attach still shows as attaching", onStandby({ Status: "attaching" })],
  ])("rolls back only once reads agree the ENI is free, when %s", async (_case, firstRead) => {
    const { ec2, mock } = refusedThenBack({ settling: [firstRead] });

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", rolledBack: true });
    expect(mock).toHaveReceivedNthCommandWith(AttachNetworkInterfaceCommand, 2, { InstanceId: ids.instance });
  });

  it("skips the rollback, saying why, when the ENI never settles after a refused attach", async () => {
    const { ec2 } = failingAttach([onStandby({ Status: "attaching" })]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", rolledBack: false });
    expect(error.message).toContain(
      `no rollback: its state could not be read (WaitTimeoutError: Timed out after 2 s waiting for ${ids.eni} to settle before a rollback; last state seen: in-use/attaching`,
    );
  });

  it("keeps a quarter of maxWaitTime for the rollback when the target's attach stays throttled", async () => {
    const { ec2, mock } = world([attachedEni()]);
    const back = { ...attachedEni(), Attachment: { ...attachedEni().Attachment, AttachmentId: ids.otherAttachment } };
    let phase: "attached" | "free" | "back" = "attached";
    mock.on(DetachNetworkInterfaceCommand).callsFake(() => {
      phase = "free";
      return {};
    });
    mock.on(AttachNetworkInterfaceCommand).callsFake((input: { InstanceId?: string }) => {
      if (input.InstanceId === ids.standby) throw ec2Error("RequestLimitExceeded", "Request limit exceeded.");
      phase = "back";
      return { AttachmentId: ids.otherAttachment };
    });
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => ({
      NetworkInterfaces: [phase === "attached" ? attachedEni() : phase === "back" ? back : eni()],
    }));
    const started = Date.now();

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { ...fast, maxWaitTime: 4 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", rolledBack: true });
    const error = result._unsafeUnwrapErr();
    if (error.name !== "MoveFailedError") throw error;
    const attachPhase = error.report.phases.find((phase) => phase.phase === "attach")?.durationMs ?? 0;
    // The attach gave up at about three quarters of the 4 s, leaving the rest to the rollback.
    expect(attachPhase).toBeGreaterThan(2_000);
    expect(attachPhase).toBeLessThan(3_500);
    expect(Date.now() - started).toBeLessThan(4_500);
  }, 10_000);

  it("still reads where the ENI is when the attach used the whole deadline, within one poll of it", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni()]);
    mock.on(AttachNetworkInterfaceCommand).rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded."));
    const started = Date.now();

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, {
      rollback: false,
      minDelay: 0.01,
      maxDelay: 0.2,
      maxWaitTime: 1,
    });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", eniIsStale: false, eni: { status: "available" } });
    expect(Date.now() - started).toBeLessThan(1_000 + 200 + 300);
  });

  it("sends no rollback once the move's hard stop has passed: an attach that hangs past it ends the move", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni()]);
    mock.on(AttachNetworkInterfaceCommand).callsFake(() => new Promise(() => {}));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { ...fast, maxWaitTime: 0.5 });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", phase: "attach", rolledBack: false });
    expect(error.message).toContain(
      `failed in the attach phase (WaitTimeoutError: Timed out after 0.5 s waiting for ${ids.eni} to move to ${ids.standby}`,
    );
    expect(error.message).toContain("; its state is unknown");
    expect(error.message).not.toContain("rollback");
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("believes the final read only once two reads agree", async () => {
    // A stale read still shows our refused attach under way; the two after it agree that the ENI is free.
    const { ec2 } = failingAttach([onStandby({ Status: "attaching" }), eni(), eni()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { rollback: false, ...finalWindow });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", eniIsStale: false, eni: { status: "available" } });
    expect(error.message).toMatch(
      /failed in the attach phase \(AccessDeniedError: UnauthorizedOperation\); it is available, not attached\.$/,
    );
  });

  it("says the ENI no longer exists when the final reads agree it is gone", async () => {
    const gone = () =>
      ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`);
    const { ec2 } = failingAttach([gone(), gone(), gone()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { rollback: false, ...finalWindow });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", eniIsStale: false, eni: undefined });
    expect(error.message).toMatch(/; it no longer exists\.$/);
  });

  it("says so when even the final read fails", async () => {
    const { ec2, mock } = world([attachedEni(), eni()]);
    mock.on(AttachNetworkInterfaceCommand).rejects(ec2Error("UnauthorizedOperation"));
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(ec2Error("InternalError"));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { rollback: false, ...fast });

    // The last state the move saw stands in for the failed final read, and the error says it is stale.
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      eniIsStale: true,
      eni: { status: "available", attachment: undefined },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(error.eniSeenAt).toBeInstanceOf(Date);
    expect(error.message).toMatch(
      /; its state is unknown: the final read failed \(WaitTimeoutError: .*\); it was last seen available, not attached at \d{4}-\d\d-\d\dT[\d:.]+Z, [\d.]+ s before\.$/,
    );
    // Seen within this 2 s move: how long ago, in seconds.
    const ago = Number(/, ([\d.]+) s before\.$/.exec(error.message)?.[1]);
    expect(ago).toBeGreaterThanOrEqual(0);
    expect(ago).toBeLessThan(5);
  });

  it("takes the read that two agree on, not the first of a changing run, and counts the final reads in the report", async () => {
    const { ec2, mock } = failingAttach([onStandby({ Status: "attaching" }), eni(), onStandby(), onStandby()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { rollback: false, ...finalWindow });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      eniIsStale: false,
      eni: { attachment: { instanceId: ids.standby, status: "attached" } },
    });
    if (error.name !== "MoveFailedError") throw error;
    // Every read of the move, the final ones too; Eni.get's own read is not the move's.
    const reads = mock.commandCalls(DescribeNetworkInterfacesCommand).length - 1;
    expect(error.report.callsByAction.DescribeNetworkInterfaces).toBe(reads);
  });

  it("lets the latest read stand when the final reads never agree within their window", async () => {
    const flapping = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? onStandby({ Status: "attaching" }) : eni()));
    const { ec2 } = failingAttach(flapping);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { rollback: false, ...finalWindow });

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", eniIsStale: false });
    expect(error.message).toMatch(/; it is (available, not attached|in-use on i-\w+ \(attaching\))\.$/);
  });

  it.each(["shutting-down", "terminated"] as const)(
    "does not take a refused attach as a move when reads show the ENI on a %s target: its end frees the ENI",
    async (state) => {
      const { ec2, mock } = failingAttach([onStandby()]);
      instances(mock, [standby, instance({ InstanceId: ids.standby, State: { Name: state } })], [instance()]);

      const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

      const error = result._unsafeUnwrapErr();
      expect(error).toMatchObject({ name: "MoveFailedError", rolledBack: false });
      expect(error.message).toContain(`to settle before a rollback; last state seen: in-use/attached`);
      expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
    },
  );

  it("rolls back once the target EC2 no longer knows has let the ENI go", async () => {
    // Reads still show it attached to the vanished target for a while: that is no late success.
    const { ec2, mock } = refusedThenBack({ standbyAfter: "gone", settling: [onStandby(), onStandby(), onStandby()] });

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", rolledBack: true });
    expect(mock).toHaveReceivedNthCommandWith(AttachNetworkInterfaceCommand, 2, { InstanceId: ids.instance });
  });

  it("skips the rollback, saying why, when the target cannot be read", async () => {
    const { ec2, mock } = refusedThenBack({ standbyAfter: ec2Error("UnauthorizedOperation") });

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", rolledBack: false });
    expect(error.message).toContain("; no rollback: its state could not be read (AccessDeniedError: ");
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("rolls back onto a stopped source", async () => {
    const { ec2, mock } = refusedThenBack({ source: instance({ State: { Name: "stopped" } }) });

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "MoveFailedError", rolledBack: true });
    expect(mock).toHaveReceivedNthCommandWith(AttachNetworkInterfaceCommand, 2, { InstanceId: ids.instance });
  });

  it("says where the fence found the ENI when it is attached elsewhere", async () => {
    const { ec2, mock } = world([attachedEni()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { expectedFrom: ids.standby, ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: ids.standby,
      actual: ids.instance,
    });
    expect(result._unsafeUnwrapErr().message).toBe(
      `Expected ${ids.eni} to come from ${ids.standby}, but it is attached to ${ids.instance}; nothing was changed.`,
    );
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("holds a fence that names the target itself: a free ENI does not come from a target that runs", async () => {
    const { ec2, mock } = world([eni()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, { expectedFrom: ids.standby, ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: ids.standby,
      actual: "detached",
    });
    expect(result._unsafeUnwrapErr().message).toContain(`but it is not attached, and ${ids.standby} is running`);
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("ignores an onEvent hook that throws", async () => {
    const { ec2 } = world([attachedEni(), attachedEni(), eni(), eni(), onStandby()]);
    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, {
      onEvent: () => {
        throw new Error("logger down");
      },
      ...fast,
    });
    expect(result.isOk()).toBe(true);
  });

  it.each([
    [{ force: true, forceAfter: 1 }, "forceAfter"],
    [{ forceAfter: 0 }, "forceAfter"],
    [{ forceAfter: 700 }, "forceAfter"],
    [{ expectedFrom: "eni-attach-xyz" }, "expectedFrom"],
    [{ expectedFrom: "sg-0123456789abcdef0" }, "expectedFrom"],
    [{ deviceIndex: "next" }, "deviceIndex"],
    [{ networkCardIndex: -1 }, "networkCardIndex"],
    [{ rollback: "no" }, "rollback"],
    [{ onEvent: "log" }, "onEvent"],
    [{ deleteOnTermination: 1 }, "deleteOnTermination"],
    [{ fence: ids.instance }, "options.fence"],
  ])("refuses %o before sending anything", async (options, field) => {
    const { ec2, mock } = world([attachedEni()]);
    const eniSnapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    mock.resetHistory();

    const result = await eniSnapshot.moveTo(ids.standby, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("refuses a malformed target id before sending anything", async () => {
    const { ec2, mock } = world([attachedEni()]);
    const result = await Eni.get(ec2, ids.eni).moveTo("i-nope");
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "instanceId" });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
  });
});

describe("moveTo under what EC2 really does (scripted answers)", () => {
  const third = (status: "attaching" | "attached" = "attached") => {
    const taken = attachedEni("i-0ccccccccccccccc3", status);
    taken.Attachment = { ...taken.Attachment, AttachmentId: "eni-attach-0ccccccccccccccc3" };
    return taken;
  };

  it("is not fooled by one stale read that still shows the source attachment after its attach (A8)", async () => {
    // preflight, detach's read, detached, then one read from an older replica, then the truth.
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), attachedEni(), onStandby()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved" });
    expect(result._unsafeUnwrap().moveReport?.phases.map((phase) => phase.phase)).toEqual([
      "preflight",
      "detach",
      "attach",
    ]);
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("sends an attach refused as 'in use' again while a stale read still shows the source attachment it detached", async () => {
    const { ec2, mock } = world([attachedEni()]);
    let phase: "attached" | "free" | "refused" | "moved" = "attached";
    mock.on(DetachNetworkInterfaceCommand).callsFake(() => {
      phase = "free";
      return {};
    });
    mock.on(AttachNetworkInterfaceCommand).callsFake(() => {
      if (phase === "free") {
        phase = "refused";
        throw ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`);
      }
      phase = "moved";
      return { AttachmentId: ids.otherAttachment };
    });
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => ({
      NetworkInterfaces: [
        phase === "attached"
          ? attachedEni()
          : phase === "free"
            ? eni()
            : phase === "refused"
              ? attachedEni(ids.instance, "detaching")
              : onStandby(),
      ],
    }));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved" });
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 2);
  });

  it("is not fooled by several stale reads in a row that still show the source attachment after its attach", async () => {
    const stale = attachedEni();
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), stale, stale, stale, stale, onStandby()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrap().moveReport).toMatchObject({ outcome: "moved" });
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("retries the DeleteOnTermination change while EC2 does not know the new attachment yet (A9)", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), onStandby()]);
    mock
      .on(ModifyNetworkInterfaceAttributeCommand)
      .rejectsOnce(
        ec2Error("InvalidAttachmentID.NotFound", `The attachment ID '${ids.otherAttachment}' does not exist`),
      )
      .resolves({});

    const events: MoveEvent[] = [];

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, {
      deleteOnTermination: true,
      onEvent: (event) => events.push(event),
      ...fast,
    });

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
    expect(mock).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 2);
    expect(events).toContainEqual({
      type: "retry",
      eniId: ids.eni,
      phase: "attach",
      reason: `attachment ${ids.otherAttachment} not visible yet`,
    });
  });

  it("carries the source attachment's DeleteOnTermination over to the new one (A9)", async () => {
    const source = attachedEni();
    source.Attachment = { ...source.Attachment, DeleteOnTermination: true };
    const { ec2, mock } = world([source, source, eni(), eni(), onStandby({ DeleteOnTermination: true })]);
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ids.eni,
      Attachment: { AttachmentId: ids.otherAttachment, DeleteOnTermination: true },
    });
  });

  it("sends no DeleteOnTermination change when the source's was false, as EC2 makes a new attachment", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), onStandby()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result.isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it("does not roll back an ENI a racing controller's attach took, as a permissive backend allows (A10)", async () => {
    // Our attach is accepted, then another controller's replaces it (moto accepts a double attach).
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), third()]);

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", actual: "i-0ccccccccccccccc3" });
    // Our one attach, and no rollback attach taking it back from the winner.
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("rolls back only an ENI that reads agree is free: never one someone else holds (A10)", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni(), eni(), third()]);
    mock.on(AttachNetworkInterfaceCommand).rejects(ec2Error("UnauthorizedOperation"));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "MoveFailedError", rolledBack: false });
    expect(error.message).toContain("no rollback: it is attached to i-0ccccccccccccccc3 by someone else");
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("sends no rollback attach while the ENI's state is unknown, and says the state is unknown (A13, A14)", async () => {
    const { ec2, mock } = world([attachedEni()]);
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [onStandby({ Status: "attaching" })] })
      .rejects(ec2Error("InternalError"));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      rolledBack: false,
      eniIsStale: true,
      eni: { attachment: { instanceId: ids.standby, status: "attaching" } },
    });
    expect(error.message).toContain("no rollback: its state could not be read");
    expect(error.message).toContain(
      `its state is unknown: the final read failed (WaitTimeoutError: Timed out after 0.02 s waiting for a final read of ${ids.eni}`,
    );
    expect(error.message).toContain(`it was last seen in-use on ${ids.standby} (attaching) at `);
    expect(error.message).not.toContain("available, not attached");
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("keeps the rollback's own error", async () => {
    const { ec2, mock } = world([attachedEni(), attachedEni(), eni()]);
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("UnauthorizedOperation", "not to the standby"))
      .rejects(ec2Error("IncorrectInstanceState", "The instance is not in a valid state for this operation."));

    const result = await Eni.get(ec2, ids.eni).moveTo(ids.standby, fast);

    const error = result._unsafeUnwrapErr();
    if (error.name !== "MoveFailedError") throw error;
    expect(error.reason).toMatchObject({ name: "AccessDeniedError" });
    expect(error.rollbackError).toMatchObject({ name: "InvalidStateError", code: "IncorrectInstanceState" });
    expect(error.message).toContain("the rollback failed too (InvalidStateError");
  });
});
