import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni, EniTask } from "../src/index.js";
import { attachedEni, ec2Error, eni, fast, ids, instance, mockedEc2, t3medium } from "./fixtures.js";

describe("EniTask", () => {
  it("chains create → attach → wait on the snapshot each step produced", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni({ Status: "pending" }) });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // create's wait
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // attach's preflight
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] }) // attach's read (wait: false)
      .resolves({ NetworkInterfaces: [attachedEni()] });
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [t3medium] });
    mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: ids.attachment });

    // Act
    const task = Eni.create(ec2, { subnetId: ids.subnet, ...fast })
      .attachTo(ids.instance, { wait: false })
      .waitUntilInUse(fast);
    const result = await task;

    // Assess
    expect(task).toBeInstanceOf(EniTask);
    expect(result._unsafeUnwrap()).toMatchObject({
      status: "in-use",
      attachment: { id: ids.attachment, status: "attached" },
    });
  });

  it("stops the chain at the first failure and sends nothing after it", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("InvalidNetworkInterfaceID.NotFound"));

    const result = await Eni.get(ec2, ids.eni).detach(fast).attachTo(ids.instance).waitUntilAvailable().refresh();
    const deleted = await Eni.get(ec2, ids.eni).delete();

    expect(result._unsafeUnwrapErr().name).toBe("NotFoundError");
    expect(deleted._unsafeUnwrapErr().name).toBe("NotFoundError");
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
    expect(mock).not.toHaveReceivedCommand(DetachNetworkInterfaceCommand);
  });

  it("runs detach, waitUntilAvailable and delete through the chain", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // detach's wait…
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // …with a second read that agrees
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // waitUntilAvailable…
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // …the same
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // delete's read
      .rejects(ec2Error("InvalidNetworkInterfaceID.NotFound"));
    mock.on(DetachNetworkInterfaceCommand).resolves({});
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).detach(fast).waitUntilAvailable(fast).delete(fast);

    expect(result._unsafeUnwrap()).toEqual({ id: ids.eni, alreadyGone: false });
  });

  it("works with neverthrow's own combinators", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    const id = await Eni.get(ec2, ids.eni)
      .map((found) => found.id)
      .unwrapOr("none");
    const matched = await Eni.get(ec2, ids.eni).match(
      (found) => `ok ${found.status}`,
      (error) => `err ${error.name}`,
    );

    expect(id).toBe(ids.eni);
    expect(matched).toBe("ok available");
  });
});

describe("Eni waits", () => {
  it("waits until available and until in use", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] }) // get
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // free, in reads that agree across a poll
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [attachedEni()] });

    const available = await Eni.get(ec2, ids.eni).waitUntilAvailable(fast);
    const inUse = await available._unsafeUnwrap().waitUntilInUse(fast);

    expect(available._unsafeUnwrap().status).toBe("available");
    expect(inUse._unsafeUnwrap().status).toBe("in-use");
  });

  it.each([
    [{ maxWaitTime: -1 }, "maxWaitTime"],
    [{ minDelay: "1" }, "minDelay"],
    [{ wait: false }, "options.wait"],
    [5, "options"],
  ])("refuses wait options %o before any request", async (options, field) => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    mock.resetHistory();

    const available = await snapshot.waitUntilAvailable(options as never);
    const inUse = await snapshot.waitUntilInUse(options as never);

    expect(available._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(inUse._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("stops a wait when its abortSignal fires", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);

    const result = await Eni.get(ec2, ids.eni).waitUntilInUse({
      minDelay: 0.01,
      maxDelay: 0.01,
      maxWaitTime: 5,
      abortSignal: controller.signal,
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AbortedError" });
  });
});

describe("Eni snapshot", () => {
  it("serialises to plain JSON without the raw SDK object or the client", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });

    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    const json = JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown>;

    expect(json).toMatchObject({ id: ids.eni, status: "in-use", attachment: { instanceId: ids.instance } });
    expect(Object.keys(json)).not.toContain("raw");
    expect(JSON.stringify(snapshot)).not.toContain("AKIDEXAMPLE");
    expect(snapshot.raw.NetworkInterfaceId).toBe(ids.eni);
  });
});

describe("reads take an abort signal like every other operation", () => {
  it("Eni.get and refresh stop with AbortedError on an aborted signal, and refuse one that is not a signal", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    mock.resetHistory();
    const aborted = AbortSignal.abort();

    // Act
    const results = await Promise.all([
      Eni.get(ec2, ids.eni, { abortSignal: aborted }),
      snapshot.refresh({ abortSignal: aborted }),
      Eni.get(ec2, ids.eni).refresh({ abortSignal: aborted }),
    ]);
    const refused = await Eni.get(ec2, ids.eni, { abortSignal: {} as AbortSignal });

    // Assess
    for (const result of results) expect(result._unsafeUnwrapErr().name).toBe("AbortedError");
    expect(refused._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "abortSignal" });
    // The chained refresh read once for its Eni.get; the aborted reads sent nothing.
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBe(1);
  });
});
