import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni } from "../../src/index.js";
import { attachedEni, ec2Error, eni, fast, ids, instance, mockedEc2 } from "../fixtures.js";

describe("detach", () => {
  it("detaches by attachment id and waits until the ENI is available", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] }) // Eni.get
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] }) // detach's own read
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    // Act
    const result = await Eni.get(ec2, ids.eni).detach(fast);

    // Assess
    expect(result._unsafeUnwrap()).toMatchObject({ status: "available", attachment: undefined });
    expect(mock).toHaveReceivedCommandWith(DetachNetworkInterfaceCommand, {
      AttachmentId: ids.attachment,
      Force: false,
    });
    // Attached long ago: the first read that shows it free is believed.
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("forces when asked", async () => {
    const { ec2, mock } = mockedEc2();
    const detaching = { NetworkInterfaces: [attachedEni(ids.instance, "detaching")] };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce(detaching)
      .resolvesOnce(detaching)
      .resolves({ NetworkInterfaces: [eni()] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach({ force: true, ...fast });

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandWith(DetachNetworkInterfaceCommand, {
      AttachmentId: ids.attachment,
      Force: true,
    });
  });

  it("does not send a second detach for one already under way", async () => {
    const { ec2, mock } = mockedEc2();
    const detaching = { NetworkInterfaces: [attachedEni(ids.instance, "detaching")] };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce(detaching)
      .resolvesOnce(detaching)
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap().status).toBe("available");
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("counts an already available ENI as detached, with no call", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap().status).toBe("available");
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("counts an attachment EC2 no longer knows as detached", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DetachNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidAttachmentID.NotFound", `The attachment ID '${ids.attachment}' does not exist`));

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap().status).toBe("available");
  });

  it("counts the attachment as gone when another one has replaced it", async () => {
    const { ec2, mock } = mockedEc2();
    const elsewhere = attachedEni(ids.standby);
    elsewhere.Attachment = { ...elsewhere.Attachment, AttachmentId: ids.otherAttachment };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [elsewhere] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.standby);
  });

  it("returns right after the call with wait: false", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach({ wait: false });

    expect(result._unsafeUnwrap().attachment?.status).toBe("detaching");
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 3);
  });

  it("refuses the primary interface before calling", async () => {
    const { ec2, mock } = mockedEc2();
    const primary = attachedEni();
    primary.Attachment = { ...primary.Attachment, DeviceIndex: 0 };
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [primary] });

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "primary" });
    expect(result._unsafeUnwrapErr().message).toBe(
      `Network interface ${ids.eni} is the primary interface of ${ids.instance}; it cannot be detached.`,
    );
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("detaches an ENI at device index 0 of a second network card: only card 0's is the primary", async () => {
    const { ec2, mock } = mockedEc2();
    const secondCard = attachedEni();
    secondCard.Attachment = { ...secondCard.Attachment, DeviceIndex: 0, NetworkCardIndex: 1 };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [secondCard] })
      .resolvesOnce({ NetworkInterfaces: [secondCard] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap().status).toBe("available");
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 1);
  });

  it("refuses an ENI another service manages before calling", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [attachedEni(ids.instance, "attached", { RequesterManaged: true, RequesterId: "amazon-elb" })],
    });

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "requester-managed" });
    expect(result._unsafeUnwrapErr().message).toContain("amazon-elb");
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("times out with the last state seen when the detach hangs", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach({ minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.1 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError", lastState: "detaching/detaching" });
  });

  it("names the ENI and the detach when the caller aborts", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await Eni.get(ec2, ids.eni).detach({ abortSignal: AbortSignal.abort(), ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AbortedError",
      message: `Aborted while waiting for ${ids.eni} to detach.`,
    });
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("passes other EC2 failures through, typed", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });
    mock
      .on(DetachNetworkInterfaceCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError", code: "UnauthorizedOperation" });
  });

  it.each([
    [{ force: "yes" }, "force"],
    [{ wait: "no" }, "wait"],
    [{ wait: false, minDelay: 1 }, "minDelay"],
    [{ maxDelay: 0.5, minDelay: 1 }, "maxDelay"],
    [{ abortSignal: {} }, "abortSignal"],
    [null, "options"],
  ])("refuses %o before sending anything", async (options, field) => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });
    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    mock.resetHistory();

    const result = await snapshot.detach(options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("detach: a refusal is not a detach in progress", () => {
  it("does not believe one stale read that shows a just-attached ENI free from before its attach", async () => {
    const { ec2, mock } = mockedEc2();
    const justAttached = attachedEni();
    justAttached.Attachment = { ...justAttached.Attachment, AttachTime: new Date() };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [justAttached] })
      .resolvesOnce({ NetworkInterfaces: [justAttached] })
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // an older replica, from before the attach
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock.on(DetachNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap()).toMatchObject({ status: "available" });
    // The lone free read, the detaching one, then free in reads that agree across a poll.
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(6);
  });

  it("returns EC2's refusal at once, with its code and message, when no detach is under way", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    const message = "You are not allowed to manage 'ela-attach' attachments.";
    mock.on(DetachNetworkInterfaceCommand).rejects(ec2Error("OperationNotPermitted", message));

    const result = await Eni.get(ec2, ids.eni).detach({ ...fast, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      code: "OperationNotPermitted",
      message,
    });
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 1);
  });

  it("waits out a detach another controller started, which EC2 refuses to start twice", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock.on(DetachNetworkInterfaceCommand).rejects(ec2Error("IncorrectState", "The attachment is detaching."));

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap()).toMatchObject({ status: "available" });
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 1);
  });

  it.each([
    ["stopping", 64],
    ["shutting-down", 32],
  ] as const)("sends the detach again while its instance is still %s", async (state, code) => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance({ State: { Code: code, Name: state } })] }] });
    mock
      .on(DetachNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("IncorrectInstanceState", "The instance is not in a valid state for this operation."))
      .resolves({});

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap()).toMatchObject({ status: "available" });
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 2);
  });

  it("refuses an attachment another service holds (ela-attach-…) before calling, even when EC2 does not flag the ENI", async () => {
    const { ec2, mock } = mockedEc2();
    const held = attachedEni(ids.instance, "attached", { RequesterManaged: false });
    held.Attachment = {
      AttachmentId: "ela-attach-0123456789abcdef0",
      InstanceOwnerId: "amazon-elb",
      Status: "attached",
    };
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [held] });

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "requester-managed" });
    expect(result._unsafeUnwrapErr().message).toContain("ela-attach-0123456789abcdef0");
    expect(result._unsafeUnwrapErr().message).toContain("owner amazon-elb");
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("says 'owner unknown' for a service attachment whose owner EC2 does not give", async () => {
    const { ec2, mock } = mockedEc2();
    const held = attachedEni(ids.instance, "attached", { RequesterManaged: false });
    held.Attachment = { AttachmentId: "ela-attach-0123456789abcdef0", Status: "attached" };
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [held] });

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrapErr().message).toContain("(ela-attach-0123456789abcdef0, owner unknown)");
  });

  it.each(["RequestLimitExceeded", "InternalError"])("sends a detach EC2 answered %s again", async (code) => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DetachNetworkInterfaceCommand)
      .rejectsOnce(Object.assign(ec2Error(code), { $fault: "server", $metadata: { httpStatusCode: 503 } }))
      .resolves({});

    const result = await Eni.get(ec2, ids.eni).detach(fast);

    expect(result._unsafeUnwrap()).toMatchObject({ status: "available" });
    expect(mock).toHaveReceivedCommandTimes(DetachNetworkInterfaceCommand, 2);
  });
});
