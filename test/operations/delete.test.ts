import {
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it, vi } from "vitest";
import { Eni, type EniEvent } from "../../src/index.js";
import { attachedEni, ec2Error, eni, fast, ids, mockedEc2 } from "../fixtures.js";

const notFound = () =>
  ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`);

describe("delete", () => {
  it("deletes an available ENI and waits until EC2 no longer lists it", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(notFound());
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    // Act
    const result = await Eni.get(ec2, ids.eni).delete(fast);

    // Assess
    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: false });
    expect(mock).toHaveReceivedCommandWith(DeleteNetworkInterfaceCommand, { NetworkInterfaceId: ids.eni });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 3);
  });

  it("refuses an attached ENI unless detachFirst is given", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await Eni.get(ec2, ids.eni).delete(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "in-use" });
    expect(result._unsafeUnwrapErr().message).toContain("detachFirst");
    expect(mock).not.toHaveReceivedCommand(DeleteNetworkInterfaceCommand);
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("does not refuse on a lagging read that still shows an attachment just ended", async () => {
    // Prepare: the snapshot's read is lagging (attached); the next reads show the ENI free.
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] }) // Eni.get
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] }) // the delete's preflight, still lagging
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(notFound());
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    // Act
    const result = await Eni.get(ec2, ids.eni).delete(fast);

    // Assess
    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: false });
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("detaches first when asked, and retries EC2's brief 'in use' after the detach", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // the detach's wait: free…
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // …in two reads that agree
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // the first 'in use' is looked into: free
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // and the second
      .rejects(notFound());
    mock.on(DetachNetworkInterfaceCommand).resolves({});
    mock
      .on(DeleteNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("InvalidParameterValue", `Network interface '${ids.eni}' is currently in use.`))
      .rejectsOnce(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`))
      .resolves({});

    const events: EniEvent[] = [];
    const onEvent = (event: EniEvent) => events.push(event);

    const result = await Eni.get(ec2, ids.eni).delete({ detachFirst: true, force: true, onEvent, ...fast });

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: false });
    expect(mock).toHaveReceivedCommandWith(DetachNetworkInterfaceCommand, {
      AttachmentId: ids.attachment,
      Force: true,
    });
    expect(mock).toHaveReceivedCommandTimes(DeleteNetworkInterfaceCommand, 3);
    expect(events.filter((event) => event.type === "retry")).toEqual([
      { type: "retry", eniId: ids.eni, phase: "delete", reason: "network interface still in use" },
      { type: "retry", eniId: ids.eni, phase: "delete", reason: "network interface still in use" },
    ]);
  });

  it("detaches gracefully first unless force is given", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(notFound());
    mock.on(DetachNetworkInterfaceCommand).resolves({});
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).delete({ detachFirst: true, ...fast });

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: false });
    expect(mock).toHaveReceivedCommandWith(DetachNetworkInterfaceCommand, {
      AttachmentId: ids.attachment,
      Force: false,
    });
  });

  it("sends again only EC2's 'in use': another refusal of the ENI's state ends the delete at once", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DeleteNetworkInterfaceCommand)
      .rejects(ec2Error("IncorrectState", "The interface is not in a valid state."));

    const result = await Eni.get(ec2, ids.eni).delete(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", code: "IncorrectState" });
    expect(mock).toHaveReceivedCommandTimes(DeleteNetworkInterfaceCommand, 1);
  });

  it("takes only the ENI's own NotFound as 'already gone', not another resource's", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DeleteNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidAttachmentID.NotFound", `The attachment ID '${ids.attachment}' does not exist`));

    const result = await Eni.get(ec2, ids.eni).delete(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "NotFoundError", resourceType: "attachment" });
  });

  it("gives up on 'in use' after at most 8 refusals, with EC2's refusal", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DeleteNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidParameterValue", `Network interface '${ids.eni}' is currently in use.`));

    const result = await Eni.get(ec2, ids.eni).delete({ minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "in-use" });
    expect(mock).toHaveReceivedCommandTimes(DeleteNetworkInterfaceCommand, 9);
  });

  it("gives up on 'in use' at its deadline, with EC2's refusal", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock
      .on(DeleteNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidParameterValue", `Network interface '${ids.eni}' is currently in use.`));
    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    vi.useFakeTimers();
    const started = Date.now();
    let endedAt: number | undefined;

    const pending = (async () => {
      const deleted = await snapshot.delete({ minDelay: 0.5, maxDelay: 1, maxWaitTime: 5 });
      endedAt = Date.now();
      return deleted;
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    const result = await pending;
    vi.useRealTimers();

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "in-use" });
    // Within its 5 s and one poll (1 s).
    expect((endedAt ?? Infinity) - started).toBeLessThanOrEqual(6_000);
  });

  it("refuses at once, with no retry, when someone attached the ENI between the read and the delete", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [attachedEni()] });
    mock
      .on(DeleteNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidParameterValue", `Network interface '${ids.eni}' is currently in use.`));

    const result = await Eni.get(ec2, ids.eni).delete(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "in-use" });
    expect(mock).toHaveReceivedCommandTimes(DeleteNetworkInterfaceCommand, 1);
  });

  it("counts an ENI that is already gone as deleted", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(notFound());

    const result = await Eni.get(ec2, ids.eni).delete(fast);

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: true });
    expect(mock).not.toHaveReceivedCommand(DeleteNetworkInterfaceCommand);
  });

  it("counts NotFound from the delete call itself as deleted", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock.on(DeleteNetworkInterfaceCommand).rejects(notFound());

    const result = await Eni.get(ec2, ids.eni).delete({ wait: false });

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: true });
  });

  it("returns after the call with wait: false", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).delete({ wait: false });

    expect(result._unsafeUnwrap().alreadyGone).toBe(false);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
  });

  it("refuses requester-managed ENIs and bad options before deleting", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni({ RequesterManaged: true })] });
    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();

    const managed = await snapshot.delete();
    const bad = await snapshot.delete({ detachFirst: 1 } as never);

    expect(managed._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "requester-managed" });
    expect(bad._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "detachFirst" });
    expect(mock).not.toHaveReceivedCommand(DeleteNetworkInterfaceCommand);
  });

  it("passes other failures through", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    mock.on(DeleteNetworkInterfaceCommand).rejects(ec2Error("UnauthorizedOperation"));

    const result = await Eni.get(ec2, ids.eni).delete(fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError" });
  });
});

describe("Eni.delete(ec2, id): by id, without a snapshot", () => {
  it("deletes the ENI and waits until EC2 no longer lists it", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(notFound());
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    const result = await Eni.delete(ec2, ids.eni, fast);

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: false });
    expect(mock).toHaveReceivedCommandWith(DeleteNetworkInterfaceCommand, { NetworkInterfaceId: ids.eni });
  });

  it("takes an id EC2 no longer knows as already deleted, as a retried cleanup needs", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(notFound());

    const result = await Eni.delete(ec2, ids.eni, fast);

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: true });
    expect(mock).not.toHaveReceivedCommand(DeleteNetworkInterfaceCommand);
  });

  it.each([
    ["a malformed id", ids.instance, "id"],
    ["a client that is not an EC2Client", ids.eni, "ec2"],
  ])("refuses %s before sending anything", async (_case, id, field) => {
    const { ec2, mock } = mockedEc2();
    const client = field === "ec2" ? ({} as typeof ec2) : ec2;

    const result = await Eni.delete(client, id, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});
