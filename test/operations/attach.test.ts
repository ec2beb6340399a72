import {
  AttachNetworkInterfaceCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type Instance,
  type InstanceTypeInfo,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni, type AttachmentLimitKind } from "../../src/index.js";
import { MAX_REFUSALS } from "../../src/waiters.js";
import { attachedEni, ec2Error, eni, fast, ids, instance, mockedEc2, t3medium } from "../fixtures.js";

/** A mock where the ENI, the instance and t3.medium's limits read as given. */
function world(options: { eni?: NetworkInterface; instance?: Instance } = {}) {
  const { ec2, mock } = mockedEc2();
  mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [options.eni ?? eni()] });
  mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [options.instance ?? instance()] }] });
  mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [t3medium] });
  mock.on(AttachNetworkInterfaceCommand).resolves({ AttachmentId: ids.attachment, NetworkCardIndex: 0 });
  return { ec2, mock };
}

/** Reads of a free ENI (Eni.get's and the preflight's), then of an attach that never completes. */
function stuckAttaching(mock: ReturnType<typeof world>["mock"]): void {
  mock
    .on(DescribeNetworkInterfacesCommand)
    .resolvesOnce({ NetworkInterfaces: [eni()] })
    .resolvesOnce({ NetworkInterfaces: [eni()] })
    .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] });
}

function withInterfaces(count: number, card = 0): Instance {
  return instance({
    NetworkInterfaces: Array.from({ length: count }, (_, index) => ({
      Attachment: {
        AttachmentId: `eni-attach-0000000000000000${index}`,
        DeviceIndex: index,
        NetworkCardIndex: card,
        Status: "attached",
      },
    })),
  });
}

describe("attachTo", () => {
  it("checks, attaches at the lowest free index on card 0 and waits until attached", async () => {
    // Prepare
    const { ec2, mock } = world();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // Eni.get
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // attachTo's preflight
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "attached")] });

    // Act
    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    // Assess
    expect(result._unsafeUnwrap()).toMatchObject({
      status: "in-use",
      attachment: { id: ids.attachment, instanceId: ids.instance, status: "attached", deviceIndex: 1 },
    });
    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, {
      NetworkInterfaceId: ids.eni,
      InstanceId: ids.instance,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    });
    // An instance with its primary interface alone takes one more ENI of one address whatever its type.
    expect(mock).not.toHaveReceivedCommand(DescribeInstanceTypesCommand);
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it.each<[string, { eni?: NetworkInterface; instance?: Instance; networkCardIndex?: number }]>([
    ["already has two interfaces", { instance: withInterfaces(2) }],
    ["gets an ENI with three private IPv4 addresses", { eni: eni({ PrivateIpAddresses: [{}, {}, {}] }) }],
    ["gets an ENI with an IPv6 address", { eni: eni({ Ipv6Addresses: [{ Ipv6Address: "2001:db8::1" }] }) }],
    ["gets it on network card 1", { networkCardIndex: 1 }],
  ])(
    "reads the instance type's limits when the target %s: what only some types take",
    async (_case, { networkCardIndex, ...given }) => {
      const { ec2, mock } = world(given);

      await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false, networkCardIndex });

      expect(mock).toHaveReceivedCommandWith(DescribeInstanceTypesCommand, { InstanceTypes: ["t3.medium"] });
    },
  );

  it("reads each instance type's limits once per client", async () => {
    const { ec2, mock } = world({ instance: withInterfaces(2) });
    const eniOnce = await Eni.get(ec2, ids.eni);
    await eniOnce._unsafeUnwrap().attachTo(ids.instance, { wait: false });
    await eniOnce._unsafeUnwrap().attachTo(ids.instance, { wait: false });
    expect(mock).toHaveReceivedCommandTimes(DescribeInstanceTypesCommand, 1);
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 2);
  });

  it("skips taken device indexes and sends the chosen card", async () => {
    const { ec2, mock } = world({
      instance: instance({
        NetworkInterfaces: [
          { Attachment: { DeviceIndex: 0, NetworkCardIndex: 0 } },
          { Attachment: { DeviceIndex: 1, NetworkCardIndex: 0 } },
        ],
        InstanceType: "m5.xlarge",
      }),
    });
    mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [
        {
          InstanceType: "m5.xlarge",
          NetworkInfo: {
            MaximumNetworkInterfaces: 4,
            NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 4 }],
          },
        },
      ],
    });

    await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });

    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, { DeviceIndex: 2, NetworkCardIndex: 0 });
  });

  it("uses the requested device index and sets deleteOnTermination on the new attachment", async () => {
    const { ec2, mock } = world();
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    await Eni.get(ec2, ids.eni).attachTo(ids.instance, { deviceIndex: 2, deleteOnTermination: true, wait: false });

    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, { DeviceIndex: 2 });
    expect(mock).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ids.eni,
      Attachment: { AttachmentId: ids.attachment, DeleteOnTermination: true },
    });
  });

  it("succeeds without any mutating call when already attached to that instance", async () => {
    const { ec2, mock } = world({ eni: attachedEni(ids.instance) });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrap().attachment?.instanceId).toBe(ids.instance);
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
    // Eni.get's read, the preflight's, and reads until they agree across one maxDelay that there is
    // nothing to do: three, `minDelay` (0.01 s) apart over `maxDelay` (0.02 s).
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 5);
  });

  it("returns an attach already under way, without waiting for it, with wait: false", async () => {
    const { ec2, mock } = world({ eni: attachedEni(ids.instance, "attaching") });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });

    expect(result._unsafeUnwrap().attachment?.status).toBe("attaching");
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
    // Eni.get's read, the preflight's, and five that agree, 0.3 s apart over the default 1 s maxDelay.
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 7);
  });

  it("waits for an attach to that instance that is already under way", async () => {
    const { ec2, mock } = world();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance)] });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrap().attachment?.status).toBe("attached");
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("refuses an ENI in use elsewhere, pointing at moveTo", async () => {
    const { ec2, mock } = world({ eni: attachedEni(ids.standby) });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "in-use" });
    expect(result._unsafeUnwrapErr().message).toContain("moveTo");
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("refuses an ENI a service holds (in use, no instance) without pointing at moveTo, which cannot move it", async () => {
    const held = attachedEni(ids.standby);
    held.Attachment = {
      AttachmentId: "ela-attach-0123456789abcdef0",
      InstanceOwnerId: "amazon-elb",
      Status: "attached",
    };
    const { ec2, mock } = world({ eni: held });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "in-use",
      message: `Network interface ${ids.eni} is in-use.`,
    });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("ends at once on a refusal of another state (the instance stopping): no second try, no read after it", async () => {
    const { ec2, mock } = world();
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(ec2Error("IncorrectInstanceState", `The instance '${ids.instance}' is not in a valid state.`));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { ...fast, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", code: "IncorrectInstanceState" });
    const sent = mock.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(sent.filter((name) => name === "AttachNetworkInterfaceCommand")).toHaveLength(1);
    expect(sent.at(-1)).toBe("AttachNetworkInterfaceCommand"); // the "in use" path would read the ENI
  });

  it("refuses an instance in another AZ with both AZs and no attach call", async () => {
    const { ec2, mock } = world({ instance: instance({ Placement: { AvailabilityZone: "us-east-1b" } }) });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AzMismatchError",
      eniAz: "us-east-1a",
      instanceAz: "us-east-1b",
    });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it.each(["pending", "stopping", "shutting-down", "terminated"] as const)("refuses a %s instance", async (state) => {
    const { ec2, mock } = world({ instance: instance({ State: { Name: state } }) });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", resourceId: ids.instance, state });
    expect(result._unsafeUnwrapErr().message).toBe(
      `Instance ${ids.instance} is ${state}; ENIs attach only to running or stopped instances.`,
    );
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("attaches to a stopped instance", async () => {
    const { ec2, mock } = world({ instance: instance({ State: { Name: "stopped" } }) });
    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });
    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("refuses an unknown instance with NotFoundError", async () => {
    const { ec2, mock } = world();
    mock
      .on(DescribeInstancesCommand)
      .rejects(ec2Error("InvalidInstanceID.NotFound", `The instance ID '${ids.instance}' does not exist`));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "NotFoundError",
      resourceType: "instance",
      resourceId: ids.instance,
    });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("treats an empty DescribeInstances answer as not found", async () => {
    const { ec2, mock } = world();
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "NotFoundError",
      resourceType: "instance",
      resourceId: ids.instance,
    });
  });

  it("refuses a full instance with AttachmentLimitError", async () => {
    const { ec2, mock } = world({ instance: withInterfaces(3) });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AttachmentLimitError",
      instanceType: "t3.medium",
      limit: 3,
      inUse: 3,
    });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("checks the chosen network card's own limit and that the card exists", async () => {
    const p4d = {
      InstanceType: "p4d.24xlarge" as const,
      NetworkInfo: {
        MaximumNetworkInterfaces: 60,
        NetworkCards: [0, 1, 2, 3].map((NetworkCardIndex) => ({ NetworkCardIndex, MaximumNetworkInterfaces: 15 })),
      },
    };
    const { ec2, mock } = world({ instance: { ...withInterfaces(15, 1), InstanceType: "p4d.24xlarge" } });
    mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [p4d] });

    const full = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { networkCardIndex: 1, ...fast });
    const missing = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { networkCardIndex: 4, ...fast });
    const free = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { networkCardIndex: 2, wait: false });

    expect(full._unsafeUnwrapErr()).toMatchObject({ name: "AttachmentLimitError", limit: 15, inUse: 15 });
    expect(full._unsafeUnwrapErr().message).toContain("Network card 1");
    expect(missing._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "networkCardIndex" });
    expect(free.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, { NetworkCardIndex: 2, DeviceIndex: 1 });
  });

  it("refuses a device index that is taken", async () => {
    const { ec2, mock } = world({ instance: withInterfaces(2) });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { deviceIndex: 1, ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "deviceIndex" });
    expect(result._unsafeUnwrapErr().message).toContain(
      `Instance ${ids.instance} already has an interface at device index 1 on network card 0.`,
    );
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  /** Answers DescribeInstanceTypes with a type of the given total and per-card limits (none: EC2 gave no cards). */
  function typed(instance: Instance, maxInterfaces: number, perCard: number[]) {
    // Made-up limits, to isolate one check: no real type has them, so no real type's name.
    const InstanceType = "x9.test" as InstanceTypeInfo["InstanceType"];
    const { ec2, mock } = world({ instance: { ...instance, InstanceType } });
    const NetworkCards = perCard.map((max, NetworkCardIndex) => ({ NetworkCardIndex, MaximumNetworkInterfaces: max }));
    mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [
        {
          InstanceType,
          NetworkInfo: { MaximumNetworkInterfaces: maxInterfaces, ...(perCard.length > 0 ? { NetworkCards } : {}) },
        },
      ],
    });
    return { ec2, mock };
  }

  it("holds card 0 to its own limit when it is below the instance's", async () => {
    const { ec2, mock } = typed(withInterfaces(2), 4, [2, 2]);

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AttachmentLimitError",
      kind: "network-card",
      limit: 2,
      inUse: 2,
    });
    expect(result._unsafeUnwrapErr().message).toBe(
      "Network card 0 of x9.test takes at most 2 network interfaces and already has 2.",
    );
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("holds the instance to its total limit even when the card has room", async () => {
    const oneOnEachCard = instance({
      NetworkInterfaces: [0, 1].map((card) => ({
        Attachment: { AttachmentId: `eni-attach-0000000000000000${card}`, DeviceIndex: 0, NetworkCardIndex: card },
      })),
    });
    const { ec2, mock } = typed(oneOnEachCard, 2, [2, 2]);

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AttachmentLimitError",
      kind: "network-interfaces",
      limit: 2,
      inUse: 2,
    });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it("takes a type EC2 gives no network cards for as one card holding the instance's limit", async () => {
    const { ec2, mock } = typed(withInterfaces(1), 2, []);

    const onCard0 = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });
    const onCard1 = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { networkCardIndex: 1, wait: false });

    expect(onCard0.isOk()).toBe(true);
    expect(onCard1._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "networkCardIndex" });
    expect(onCard1._unsafeUnwrapErr().message).toContain("Instance type x9.test has no network card 1 (it has 1).");
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("reports an instance type EC2 gives no limits for", async () => {
    const { ec2, mock } = world({ instance: withInterfaces(2) });
    mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [] });
    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AwsError" });
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it.each([
    ["a malformed instance id", "i-123", {}, "instanceId"],
    ["device index 0", ids.instance, { deviceIndex: 0 }, "deviceIndex"],
    ["device index -1", ids.instance, { deviceIndex: -1 }, "deviceIndex"],
    ["a fractional device index", ids.instance, { deviceIndex: 1.5 }, "deviceIndex"],
    ["a negative network card", ids.instance, { networkCardIndex: -1 }, "networkCardIndex"],
    ["device index 0 on network card 0 (the primary's)", ids.instance, { deviceIndex: 0 }, "deviceIndex"],
    ["a string deleteOnTermination", ids.instance, { deleteOnTermination: "yes" }, "deleteOnTermination"],
    ["wait: false with a time limit", ids.instance, { wait: false, maxWaitTime: 10 }, "maxWaitTime"],
    ["a zero maxWaitTime", ids.instance, { maxWaitTime: 0 }, "maxWaitTime"],
    ["an unknown option", ids.instance, { device: 1 }, "options.device"],
  ])("refuses %s before sending anything", async (_case, instanceId, options, field) => {
    const { ec2, mock } = world();
    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    mock.resetHistory();

    const result = await snapshot.attachTo(instanceId, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("names both AZs when EC2 itself refuses the AZ (a race after the preflight)", async () => {
    const { ec2, mock } = world();
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(
        ec2Error(
          "InvalidParameterCombination",
          "You may not attach a network interface to an instance if they are not in the same availability zone",
        ),
      );

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AzMismatchError",
      eniAz: "us-east-1a",
      instanceAz: "us-east-1a",
      code: "InvalidParameterCombination",
    });
  });

  // EC2's "in use" and "device index taken" are retried: see the tests below.
  it.each([
    ["AttachmentLimitExceeded", "Interface count 4 exceeds the limit for t3.medium", "AttachmentLimitError"],
    ["UnauthorizedOperation", "You are not authorized to perform this operation.", "AccessDeniedError"],
    ["RequestLimitExceeded", "Request limit exceeded.", "ThrottledError"],
  ])("maps EC2's %s on the attach call", async (code, message, name) => {
    const { ec2, mock } = world();
    mock.on(AttachNetworkInterfaceCommand).rejects(ec2Error(code, message));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name, code });
  });

  it("fails fast when another attachment replaces the new one while waiting", async () => {
    const { ec2, mock } = world();
    const replaced = attachedEni(ids.standby, "attached", {});
    replaced.Attachment = { ...replaced.Attachment, AttachmentId: ids.otherAttachment };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [replaced] });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    // Someone else's attachment: they won, and the reads agreed on it.
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", actual: ids.standby });
    expect(result._unsafeUnwrapErr().message).toContain(ids.otherAttachment);
  });

  it("waits out an attachment that EC2's reads do not show yet", async () => {
    const { ec2, mock } = world();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance)] });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrap().status).toBe("in-use");
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("fails fast, once reads agree, when EC2 no longer knows the instance the attach waits for", async () => {
    const { ec2, mock } = world();
    stuckAttaching(mock);
    mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [instance()] }] })
      .resolves({ Reservations: [] });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { ...fast, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "gone" });
    expect(result._unsafeUnwrapErr().message).toBe(
      `Instance ${ids.instance} is gone: the attachment of ${ids.eni} cannot complete.`,
    );
  });

  it("times out with the last state seen", async () => {
    const { ec2, mock } = world();
    stuckAttaching(mock);

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, {
      minDelay: 0.01,
      maxDelay: 0.02,
      maxWaitTime: 0.1,
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError", lastState: "attaching/attaching" });
  });

  it("retries EC2's brief 'in use' (right after a detach), then attaches", async () => {
    // Prepare: the ENI reads as free, but EC2 still calls it in use once.
    const { ec2, mock } = world();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // Eni.get
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // attachTo's preflight
      .resolvesOnce({ NetworkInterfaces: [eni()] }) // the read after "in use": still free
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance)] });
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`))
      .resolves({ AttachmentId: ids.attachment });

    // Act
    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    // Assess
    expect(result._unsafeUnwrap().attachment).toMatchObject({ instanceId: ids.instance, status: "attached" });
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 2);
  });

  it("gives up with ConflictError when 'in use' means someone else attached it elsewhere", async () => {
    const { ec2, mock } = world();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.standby)] });
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: ids.instance,
      actual: ids.standby,
    });
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
    expect(result._unsafeUnwrapErr().message).toBe(
      `${ids.eni} was attached to ${ids.standby} by someone else meanwhile.`,
    );
  });

  it("re-picks a device index it chose when EC2 still reports it taken", async () => {
    const { ec2, mock } = world();
    mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [instance()] }] }) // the preflight: index 1 looks free
      .resolves({ Reservations: [{ Instances: [withInterfaces(2)] }] }); // the fresh read: it is not
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejectsOnce(
        ec2Error(
          "InvalidParameterValue",
          `Instance '${ids.instance}' already has an interface attached at device index '1'.`,
        ),
      )
      .resolves({ AttachmentId: ids.attachment });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });

    expect(result.isOk()).toBe(true);
    expect(mock.commandCalls(AttachNetworkInterfaceCommand).map((call) => call.args[0].input.DeviceIndex)).toEqual([
      1, 2,
    ]);
  });

  it("waits without an attachment id if EC2's answer lacks one", async () => {
    const { ec2, mock } = world();
    mock.on(AttachNetworkInterfaceCommand).resolves({});
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance)] });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

    expect(result._unsafeUnwrap().attachment?.status).toBe("attached");
  });
});

describe("attachTo: bounded retries and many network cards", () => {
  const taken = (index: number) =>
    ec2Error(
      "InvalidParameterValue",
      `Instance '${ids.instance}' already has an interface attached at device index '${index}'.`,
    );

  it("gives up on a device index EC2 keeps refusing after a bounded number of tries, preferring another free index (A11)", async () => {
    const { ec2, mock } = world();
    // After a forced detach EC2 can keep an index taken while DescribeInstances shows it free.
    mock.on(AttachNetworkInterfaceCommand).callsFake((input: { DeviceIndex?: number }) => {
      throw taken(input.DeviceIndex ?? -1);
    });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { ...fast, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "deviceIndex" });
    const tried = mock.commandCalls(AttachNetworkInterfaceCommand).map((call) => call.args[0].input.DeviceIndex);
    expect(tried.length).toBeLessThanOrEqual(MAX_REFUSALS + 1);
    // Index 1 twice, then another one.
    expect(tried.slice(0, 3)).toEqual([1, 1, 2]);
  });

  it("gives up on an 'in use' that never clears after a bounded number of tries, not at the deadline", async () => {
    const { ec2, mock } = world();
    mock
      .on(AttachNetworkInterfaceCommand)
      .rejects(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${ids.eni}] in use.`));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { ...fast, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "in-use" });
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, MAX_REFUSALS + 1);
  });

  it("does not retry a DeleteOnTermination change refused because the ENI itself is gone", async () => {
    const { ec2, mock } = world();
    mock
      .on(ModifyNetworkInterfaceAttributeCommand)
      .rejects(ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { ...fast, deleteOnTermination: true });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "NotFoundError", resourceType: "network-interface" });
    expect(mock).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 1);
  });

  it("tries an index the caller pinned a bounded number of times, and only that one", async () => {
    const { ec2, mock } = world();
    mock.on(AttachNetworkInterfaceCommand).rejects(taken(2));

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { deviceIndex: 2, ...fast, maxWaitTime: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "deviceIndex" });
    const tried = mock.commandCalls(AttachNetworkInterfaceCommand).map((call) => call.args[0].input.DeviceIndex);
    expect(tried).toEqual(Array(MAX_REFUSALS + 1).fill(2));
  });

  /** A p5.48xlarge: 64 interfaces on 32 network cards of 2 each. */
  const p5: InstanceTypeInfo = {
    InstanceType: "p5.48xlarge",
    NetworkInfo: {
      MaximumNetworkInterfaces: 64,
      MaximumNetworkCards: 32,
      Ipv4AddressesPerInterface: 50,
      Ipv6AddressesPerInterface: 50,
      NetworkCards: Array.from({ length: 32 }, (_, index) => ({
        NetworkCardIndex: index,
        MaximumNetworkInterfaces: 2,
      })),
    },
  };

  /** A p5.48xlarge instance, as `world` reads it, and a free ENI that shows up on its card 31 once attached. */
  const p5World = () => {
    const { ec2, mock } = world({ instance: instance({ InstanceType: "p5.48xlarge" }) });
    mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [p5] });
    const onCard31 = attachedEni();
    onCard31.Attachment = { ...onCard31.Attachment, NetworkCardIndex: 31, DeviceIndex: 0 };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [onCard31] });
    return { ec2, mock };
  };

  it("attaches at device index 0 on network card 31 of a p5.48xlarge (A12)", async () => {
    const { ec2, mock } = p5World();

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, {
      networkCardIndex: 31,
      deviceIndex: 0,
      ...fast,
    });

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, { NetworkCardIndex: 31, DeviceIndex: 0 });
  });

  it("refuses a network card the instance type does not have, from its limits, before any change (A12)", async () => {
    const { ec2, mock } = p5World();

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { networkCardIndex: 32, ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "networkCardIndex" });
    expect(result._unsafeUnwrapErr().message).toBe("Instance type p5.48xlarge has no network card 32 (it has 32).");
    expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
  });

  it.each<[string, Parameters<typeof eni>[0], AttachmentLimitKind, number]>([
    [
      "private IPv4 addresses",
      { PrivateIpAddresses: Array.from({ length: 7 }, (_, i) => ({ PrivateIpAddress: `10.0.1.${10 + i}` })) },
      "ipv4-addresses",
      7,
    ],
    [
      "IPv4 prefixes, each counting as one address",
      {
        Ipv4Prefixes: [
          { Ipv4Prefix: "10.0.1.16/28" },
          { Ipv4Prefix: "10.0.1.32/28" },
          { Ipv4Prefix: "10.0.1.48/28" },
          { Ipv4Prefix: "10.0.1.64/28" },
          { Ipv4Prefix: "10.0.1.80/28" },
        ],
      },
      "ipv4-addresses",
      7,
    ],
    [
      "IPv6 addresses",
      { Ipv6Addresses: Array.from({ length: 7 }, (_, i) => ({ Ipv6Address: `2600:1f18::${i + 1}` })) },
      "ipv6-addresses",
      7,
    ],
    [
      "IPv6 addresses and prefixes, each prefix counting as one address",
      {
        Ipv6Addresses: Array.from({ length: 4 }, (_, i) => ({ Ipv6Address: `2600:1f18::${i + 1}` })),
        Ipv6Prefixes: Array.from({ length: 3 }, (_, i) => ({ Ipv6Prefix: `2600:1f18:0:${i + 1}::/80` })),
      },
      "ipv6-addresses",
      7,
    ],
  ])(
    "refuses an ENI with more %s than the type takes per interface, before any change (A5)",
    async (_case, addresses, kind, count) => {
      const { ec2, mock } = world({ eni: eni(addresses) });
      mock.on(DescribeInstanceTypesCommand).resolves({
        InstanceTypes: [
          {
            ...t3medium,
            NetworkInfo: { ...t3medium.NetworkInfo, Ipv4AddressesPerInterface: 6, Ipv6AddressesPerInterface: 6 },
          },
        ],
      });

      const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, fast);

      expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AttachmentLimitError", kind, limit: 6, inUse: count });
      const what =
        kind === "ipv4-addresses" ? "private IPv4 addresses and IPv4 prefixes" : "IPv6 addresses and prefixes";
      expect(result._unsafeUnwrapErr().message).toBe(
        `${ids.eni} has ${count} ${what}; instance type t3.medium takes at most 6 on one interface.`,
      );
      expect(mock).not.toHaveReceivedCommand(AttachNetworkInterfaceCommand);
    },
  );

  it.each<[string, Parameters<typeof eni>[0]]>([
    [
      "private IPv4 addresses",
      { PrivateIpAddresses: Array.from({ length: 6 }, (_, i) => ({ PrivateIpAddress: `10.0.1.${10 + i}` })) },
    ],
    [
      "IPv6 addresses",
      { Ipv6Addresses: Array.from({ length: 6 }, (_, i) => ({ Ipv6Address: `2600:1f18::${i + 1}` })) },
    ],
    // An emulator's answer without the address list: the primary address counts as one.
    ["addresses as an emulator lists them (no PrivateIpAddresses)", { PrivateIpAddresses: undefined }],
  ])("attaches an ENI with exactly as many %s as the type takes per interface", async (_case, addresses) => {
    const { ec2, mock } = world({ eni: eni(addresses) });
    mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [
        {
          ...t3medium,
          NetworkInfo: { ...t3medium.NetworkInfo, Ipv4AddressesPerInterface: 6, Ipv6AddressesPerInterface: 6 },
        },
      ],
    });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandTimes(AttachNetworkInterfaceCommand, 1);
  });

  it("counts an emulator's primary address when it gives no address list", async () => {
    // On a target with two interfaces already, so that its type's own limits are read.
    const { ec2, mock } = world({ eni: eni({ PrivateIpAddresses: undefined }), instance: withInterfaces(2) });
    mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [{ ...t3medium, NetworkInfo: { ...t3medium.NetworkInfo, Ipv4AddressesPerInterface: 0 } }],
    });

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { wait: false });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AttachmentLimitError", kind: "ipv4-addresses", inUse: 1 });
  });

  it("names the ENI and the instance when the caller aborts", async () => {
    const { ec2 } = world();

    const result = await Eni.get(ec2, ids.eni).attachTo(ids.instance, { abortSignal: AbortSignal.abort(), ...fast });

    expect(result._unsafeUnwrapErr().message).toBe(
      `Aborted while waiting for ${ids.eni} to attach to ${ids.instance}.`,
    );
  });
});
