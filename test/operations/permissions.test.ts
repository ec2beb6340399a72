import {
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { checkPermissions } from "../../src/index.js";
import { attachedEni, ec2Error, eni, ids, mockedEc2, type Mock } from "../fixtures.js";

const allocationId = "eipalloc-0123456789abcdef0";
const placeholder = "eni-attach-00000000000000000";
const dryRunOk = () => ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
const denied = () =>
  ec2Error(
    "UnauthorizedOperation",
    "You are not authorized to perform this operation. Encoded authorization failure message: abc",
  );

const DRY_RUN_COMMANDS = [
  DescribeNetworkInterfacesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DetachNetworkInterfaceCommand,
  AttachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  DescribeAddressesCommand,
  AssociateAddressCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
] as const;

// One command type stands for all: every one of them takes `DryRun`.
const asOne = (command: (typeof DRY_RUN_COMMANDS)[number]) => command as typeof DescribeNetworkInterfacesCommand;

/** EC2 as a fully permitted caller sees it: plain reads answer, every dry run says DryRunOperation. */
function allowAll(mock: Mock, ni = attachedEni()) {
  mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [ni] });
  for (const command of DRY_RUN_COMMANDS) mock.on(asOne(command), { DryRun: true }).rejects(dryRunOk());
}

/** Every request the mock saw, as `Action` plus its input. */
function sent(mock: Mock) {
  return mock.calls().map((call) => {
    const command = call.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
    return { action: command.constructor.name.replace(/Command$/, ""), input: command.input };
  });
}

describe("checkPermissions", () => {
  it("dry-runs every action a failover needs on the real ids, and reports all allowed", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    allowAll(mock);

    // Act
    const result = await checkPermissions(ec2, {
      eniId: ids.eni,
      expectedFrom: ids.instance,
      to: ids.standby,
      allocationId,
    });

    // Assess
    const report = result._unsafeUnwrap();
    expect(report.allAllowed).toBe(true);
    expect(report.denied).toEqual([]);
    expect(report.unknown).toEqual([]);
    expect(report.attachment).toEqual({ id: ids.attachment, instanceId: ids.instance });
    expect(report.checks.map((check) => [check.action, check.allowed])).toEqual([
      ["DescribeNetworkInterfaces", true],
      ["DescribeInstances", true],
      ["DescribeInstanceTypes", true],
      ["DetachNetworkInterface", true],
      ["AttachNetworkInterface", true],
      ["ModifyNetworkInterfaceAttribute", true],
      ["DescribeAddresses", true],
      ["AssociateAddress", true],
    ]);
    expect(report.checks.every((check) => check.error === undefined && check.message === undefined)).toBe(true);
    const [read, ...dryRuns] = sent(mock);
    // One plain read of the ENI first (however it is asked for), for its attachment id.
    expect(read?.action).toBe("DescribeNetworkInterfaces");
    expect(read?.input["DryRun"]).toBeUndefined();
    expect(dryRuns).toEqual([
      { action: "DescribeNetworkInterfaces", input: { DryRun: true, NetworkInterfaceIds: [ids.eni] } },
      { action: "DescribeInstances", input: { DryRun: true, InstanceIds: [ids.standby, ids.instance] } },
      { action: "DescribeInstanceTypes", input: { DryRun: true } },
      { action: "DetachNetworkInterface", input: { DryRun: true, AttachmentId: ids.attachment } },
      {
        action: "AttachNetworkInterface",
        input: {
          DryRun: true,
          NetworkInterfaceId: ids.eni,
          InstanceId: ids.standby,
          DeviceIndex: 1,
          NetworkCardIndex: 0,
        },
      },
      {
        action: "ModifyNetworkInterfaceAttribute",
        input: { DryRun: true, NetworkInterfaceId: ids.eni, SourceDestCheck: { Value: true } },
      },
      { action: "DescribeAddresses", input: { DryRun: true, AllocationIds: [allocationId] } },
      { action: "AssociateAddress", input: { DryRun: true, AllocationId: allocationId, NetworkInterfaceId: ids.eni } },
    ]);
    expect(report.checks[4]?.input).toEqual({
      NetworkInterfaceId: ids.eni,
      InstanceId: ids.standby,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    });
  });

  it("reports UnauthorizedOperation as denied, with the typed error and EC2's message", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);
    mock.on(AttachNetworkInterfaceCommand, { DryRun: true }).rejects(denied());

    const report = (await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby }))._unsafeUnwrap();

    expect(report.allAllowed).toBe(false);
    expect(report.denied).toEqual(["AttachNetworkInterface"]);
    expect(report.unknown).toEqual([]);
    const attach = report.checks.find((check) => check.action === "AttachNetworkInterface");
    expect(attach).toMatchObject({
      allowed: false,
      error: { name: "AccessDeniedError", code: "UnauthorizedOperation" },
    });
    expect(attach?.message).toContain("Encoded authorization failure message");
    expect(report.checks.filter((check) => check.allowed === true)).toHaveLength(5);
  });

  it("reports any other answer as unknown, so a wrong id shows up too", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);
    mock
      .on(AssociateAddressCommand, { DryRun: true })
      .rejects(ec2Error("InvalidAllocationID.NotFound", `The allocation ID '${allocationId}' does not exist`));
    mock
      .on(DescribeInstancesCommand, { DryRun: true })
      .rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded."));

    const report = (await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby, allocationId }))._unsafeUnwrap();

    expect(report.allAllowed).toBe(false);
    expect(report.denied).toEqual([]);
    expect(report.unknown).toEqual(["DescribeInstances", "AssociateAddress"]);
    expect(report.checks.find((check) => check.action === "AssociateAddress")).toMatchObject({
      allowed: "unknown",
      error: { name: "NotFoundError", resourceType: "address", code: "InvalidAllocationID.NotFound" },
      message: `The allocation ID '${allocationId}' does not exist`,
    });
    expect(report.checks.find((check) => check.action === "DescribeInstances")).toMatchObject({
      allowed: "unknown",
      error: { name: "ThrottledError" },
    });
  });

  it("tries the detach of an unattached ENI on a placeholder attachment id, and says so", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock, eni());
    mock
      .on(DetachNetworkInterfaceCommand, { DryRun: true })
      .rejects(ec2Error("InvalidAttachmentID.NotFound", `The attachment ID '${placeholder}' does not exist`));

    const report = (await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby }))._unsafeUnwrap();

    expect(report.attachment).toBeUndefined();
    expect(mock).toHaveReceivedCommandWith(DetachNetworkInterfaceCommand, { DryRun: true, AttachmentId: placeholder });
    const detach = report.checks.find((check) => check.action === "DetachNetworkInterface");
    expect(detach).toMatchObject({ allowed: "unknown", error: { name: "NotFoundError", resourceType: "attachment" } });
    expect(detach?.message).toContain("placeholder attachment");
    expect(report.unknown).toEqual(["DetachNetworkInterface"]);
  });

  it("keeps the placeholder caveat on an allowed detach, and notes an attachment other than expectedFrom", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock, eni({ SourceDestCheck: false }));

    const unattached = (await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby }))._unsafeUnwrap();
    mock.reset();
    allowAll(mock, attachedEni(ids.standby));
    const elsewhere = (
      await checkPermissions(ec2, {
        eniId: ids.eni,
        expectedFrom: ids.instance,
        to: ids.standby,
      })
    )._unsafeUnwrap();

    expect(unattached.checks[3]).toMatchObject({ action: "DetachNetworkInterface", allowed: true });
    expect(unattached.checks[3]?.message).toContain(placeholder);
    // The modify rewrites the value the ENI already has.
    expect(unattached.checks[5]?.input).toEqual({ NetworkInterfaceId: ids.eni, SourceDestCheck: { Value: false } });
    expect(elsewhere.allAllowed).toBe(true);
    expect(elsewhere.checks[3]?.message).toBe(
      `The ENI is attached to ${ids.standby}, not to expectedFrom ${ids.instance}; the detach was tried on its actual attachment.`,
    );
    expect(elsewhere.checks[3]?.input).toEqual({ AttachmentId: ids.attachment });
  });

  it("tries the attach at the device index asked for", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);

    await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby, deviceIndex: 2 });

    expect(mock).toHaveReceivedCommandWith(AttachNetworkInterfaceCommand, {
      DryRun: true,
      DeviceIndex: 2,
      NetworkCardIndex: 0,
    });
  });

  it("counts a plain success (EC2 ignoring DryRun) as allowed", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);
    mock.on(DescribeInstanceTypesCommand, { DryRun: true }).resolves({ InstanceTypes: [] });

    const report = (await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby }))._unsafeUnwrap();

    expect(report.checks[2]).toMatchObject({ action: "DescribeInstanceTypes", allowed: true });
    expect(report.allAllowed).toBe(true);
  });

  it("checks create (with the ownership tags) and delete when asked", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);

    const report = (
      await checkPermissions(ec2, {
        eniId: ids.eni,
        to: ids.standby,
        also: ["DeleteNetworkInterface", "CreateNetworkInterface", "DeleteNetworkInterface"],
        owner: "db-failover",
      })
    )._unsafeUnwrap();

    expect(report.checks.map((check) => check.action).slice(6)).toEqual([
      "CreateNetworkInterface",
      "DeleteNetworkInterface",
    ]);
    expect(report.allAllowed).toBe(true);
    const create = mock.commandCalls(CreateNetworkInterfaceCommand)[0]?.args[0].input;
    expect(create).toMatchObject({ DryRun: true, SubnetId: ids.subnet });
    expect(
      create?.TagSpecifications?.[0]?.Tags?.map((tag) => [
        tag.Key,
        tag.Key === "eni-kit:managed-by" ? tag.Value : typeof tag.Value,
      ]),
    ).toEqual([
      ["eni-kit:managed-by", "db-failover"],
      ["eni-kit:created-at", "string"],
    ]);
    expect(mock).toHaveReceivedCommandWith(DeleteNetworkInterfaceCommand, {
      DryRun: true,
      NetworkInterfaceId: ids.eni,
    });
    expect(mock).toHaveReceivedCommandTimes(DeleteNetworkInterfaceCommand, 1);
  });

  it("goes on when the ENI cannot be read: its own dry run says why, and create is reported unknown unsent", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);
    mock.on(DescribeNetworkInterfacesCommand).rejects(denied());
    mock.on(DescribeNetworkInterfacesCommand, { DryRun: true }).rejects(denied());

    const report = (
      await checkPermissions(ec2, {
        eniId: ids.eni,
        to: ids.standby,
        also: ["CreateNetworkInterface"],
      })
    )._unsafeUnwrap();

    expect(report.denied).toEqual(["DescribeNetworkInterfaces"]);
    expect(report.unknown).toEqual(["CreateNetworkInterface"]);
    expect(report.checks[3]?.message).toContain("(or could not be read)");
    expect(report.checks[6]?.message).toMatch(/^Not sent: the ENI's subnet is needed and could not be read/);
    expect(report.checks[6]?.error).toMatchObject({ name: "AccessDeniedError" });
    expect(mock).not.toHaveReceivedCommand(CreateNetworkInterfaceCommand);
  });

  it("reports create unknown when EC2 describes the ENI without a subnet", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock, eni({ SubnetId: undefined }));

    const report = (
      await checkPermissions(ec2, {
        eniId: ids.eni,
        to: ids.standby,
        also: ["CreateNetworkInterface"],
      })
    )._unsafeUnwrap();

    expect(report.checks[6]).toMatchObject({
      action: "CreateNetworkInterface",
      allowed: "unknown",
      error: { name: "ValidationError" },
    });
    expect(mock).not.toHaveReceivedCommand(CreateNetworkInterfaceCommand);
  });

  it("sends the dry runs together and still reports them in a fixed order", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });
    let started = 0;
    let release = () => {};
    const allStarted = { promise: new Promise<void>((resolve) => (release = resolve)), resolve: () => release() };
    for (const [index, command] of DRY_RUN_COMMANDS.entries()) {
      mock.on(asOne(command), { DryRun: true }).callsFake(async () => {
        started += 1;
        if (started === 6) allStarted.resolve();
        // Sequential sending would never get all six started: the test would time out.
        await allStarted.promise;
        // Later actions answer first.
        await new Promise((resolve) => setTimeout(resolve, (10 - index) * 3));
        throw dryRunOk();
      });
    }

    const report = (await checkPermissions(ec2, { eniId: ids.eni, to: ids.standby }))._unsafeUnwrap();

    expect(started).toBe(6);
    expect(report.checks.map((check) => check.action)).toEqual([
      "DescribeNetworkInterfaces",
      "DescribeInstances",
      "DescribeInstanceTypes",
      "DetachNetworkInterface",
      "AttachNetworkInterface",
      "ModifyNetworkInterfaceAttribute",
    ]);
    expect(report.allAllowed).toBe(true);
  });

  it("stops with AbortedError when the signal fires, before or during the dry runs", async () => {
    const { ec2, mock } = mockedEc2();
    allowAll(mock);
    const before = await checkPermissions(ec2, {
      eniId: ids.eni,
      to: ids.standby,
      abortSignal: AbortSignal.abort(),
    });
    expect(before._unsafeUnwrapErr().name).toBe("AbortedError");
    expect(mock.calls()).toHaveLength(0);

    const controller = new AbortController();
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => {
      controller.abort();
      return { NetworkInterfaces: [attachedEni()] };
    });
    const during = await checkPermissions(ec2, {
      eniId: ids.eni,
      to: ids.standby,
      abortSignal: controller.signal,
    });
    expect(during._unsafeUnwrapErr().name).toBe("AbortedError");
    expect(mock.calls()).toHaveLength(1);
  });

  it.each([
    ["no plan", undefined, "eniId"],
    ["a string plan", ids.eni, "plan"],
    ["a malformed ENI id", { eniId: "eni-x", to: ids.standby }, "eniId"],
    ["a missing target", { eniId: ids.eni }, "to"],
    ["a malformed source", { eniId: ids.eni, to: ids.standby, expectedFrom: "i-1" }, "expectedFrom"],
    [
      "a malformed allocation",
      { eniId: ids.eni, to: ids.standby, allocationId: "eipassoc-0123456789abcdef0" },
      "allocationId",
    ],
    ["a non-string allocation", { eniId: ids.eni, to: ids.standby, allocationId: 7 }, "allocationId"],
    ["device index 0", { eniId: ids.eni, to: ids.standby, deviceIndex: 0 }, "deviceIndex"],
    ["an unknown extra action", { eniId: ids.eni, to: ids.standby, also: ["TerminateInstances"] }, "also[0]"],
    ["also not a list", { eniId: ids.eni, to: ids.standby, also: "DeleteNetworkInterface" }, "also"],
    ["an empty owner", { eniId: ids.eni, to: ids.standby, owner: "" }, "owner"],
    ["a fake abort signal", { eniId: ids.eni, to: ids.standby, abortSignal: {} }, "abortSignal"],
    ["a misspelt option", { eniId: ids.eni, to: ids.standby, allocationID: "x" }, "plan.allocationID"],
  ])("refuses %s before sending anything", async (_case, plan, field) => {
    const { ec2, mock } = mockedEc2();

    const result = await checkPermissions(ec2, plan as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("refuses something that is not an EC2 client", async () => {
    const result = await checkPermissions({} as never, { eniId: ids.eni, to: ids.standby });
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "ec2" });
  });
});
