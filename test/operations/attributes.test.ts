import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni } from "../../src/index.js";
import { attachedEni, ec2Error, eni, fast, ids, mockedEc2, reads, snapshotOf, type Mock } from "../fixtures.js";

const modifyInputs = (mock: Mock) =>
  mock.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((call) => call.args[0].input);
const otherSg = "sg-0fedcba9876543210";

describe("setSecurityGroups", () => {
  it("sends the new groups and reads back until EC2 shows them", async () => {
    // Prepare
    const { mock, snapshot } = await snapshotOf(eni());
    const after = eni({
      Groups: [
        { GroupId: ids.sg, GroupName: "db" },
        { GroupId: otherSg, GroupName: "admin" },
      ],
    });
    reads(mock, eni(), eni(), after);
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    // Act
    const result = await snapshot.setSecurityGroups([ids.sg, otherSg], fast);

    // Assess
    expect(result._unsafeUnwrap().securityGroups.map((group) => group.id)).toEqual([ids.sg, otherSg]);
    expect(modifyInputs(mock)).toEqual([{ NetworkInterfaceId: ids.eni, Groups: [ids.sg, otherSg] }]);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 3);
  });

  it("sends nothing when the ENI already has the same set, in another order", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ Groups: [{ GroupId: otherSg }, { GroupId: ids.sg }] }));

    const result = await Eni.get(ec2, ids.eni).setSecurityGroups([ids.sg, otherSg], fast);

    expect(result.isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it("still sends when the ENI has a subset of the groups", async () => {
    const { ec2, mock } = mockedEc2();
    const both = eni({ Groups: [{ GroupId: ids.sg }, { GroupId: otherSg }] });
    reads(mock, eni(), eni({ Groups: undefined }), both);
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    expect((await Eni.get(ec2, ids.eni).setSecurityGroups([ids.sg, otherSg], fast)).isOk()).toBe(true);
    expect(modifyInputs(mock)).toHaveLength(1);
  });

  it.each([
    [
      "EC2's unknown group",
      "InvalidGroup.NotFound",
      `The security group '${otherSg}' does not exist`,
      { name: "NotFoundError", resourceType: "security-group" },
    ],
    [
      "EC2's group limit",
      "SecurityGroupsPerInterfaceLimitExceeded",
      "You have exceeded the maximum number of security groups per interface",
      { name: "ValidationError", field: "groupIds" },
    ],
  ])("maps %s to its typed error", async (_case, code, message, expected) => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    mock.on(ModifyNetworkInterfaceAttributeCommand).rejects(ec2Error(code, message));

    const result = await Eni.get(ec2, ids.eni).setSecurityGroups([otherSg], fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ ...expected, code });
  });

  it.each([
    [[], "groupIds"],
    [["sg-nope"], "groupIds[0]"],
    [[ids.sg, ids.sg], "groupIds"],
    [Array.from({ length: 17 }, (_, i) => `sg-${i.toString(16).padStart(17, "0")}`), "groupIds"],
    ["sg-0123456789abcdef0", "groupIds"],
  ])("refuses %o before sending anything", async (groupIds, field) => {
    const { mock, snapshot } = await snapshotOf(eni());

    const result = await snapshot.setSecurityGroups(groupIds as string[], fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("setSourceDestCheck", () => {
  it("turns the check off and reads back until EC2 shows it", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), eni(), eni({ SourceDestCheck: false }));
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setSourceDestCheck(false, fast);

    expect(result._unsafeUnwrap().sourceDestCheck).toBe(false);
    expect(modifyInputs(mock)).toEqual([{ NetworkInterfaceId: ids.eni, SourceDestCheck: { Value: false } }]);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("counts a missing SourceDestCheck as on, EC2's default, and sends nothing to turn it on", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ SourceDestCheck: undefined }));

    expect((await Eni.get(ec2, ids.eni).setSourceDestCheck(true, fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it("refuses an ENI another service manages, with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ RequesterManaged: true, RequesterId: "amazon-elb" }));

    const result = await Eni.get(ec2, ids.eni).setSourceDestCheck(false, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "requester-managed",
      resourceId: ids.eni,
    });
    expect(result._unsafeUnwrapErr().message).toContain("amazon-elb");
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it("names an unknown manager when EC2 does not say who", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ RequesterManaged: true }));

    const result = await Eni.get(ec2, ids.eni).setSourceDestCheck(false, fast);

    expect(result._unsafeUnwrapErr().message).toContain("(unknown)");
  });

  it("times out with the last state seen when EC2 never shows the change", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setSourceDestCheck(false, {
      minDelay: 0.01,
      maxDelay: 0.02,
      maxWaitTime: 0.1,
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be with source/dest check off`,
      lastState: "available",
    });
  });

  it("passes EC2 failures through, typed", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    mock
      .on(ModifyNetworkInterfaceAttributeCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

    const result = await Eni.get(ec2, ids.eni).setSourceDestCheck(false, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError", code: "UnauthorizedOperation" });
  });

  it.each([
    ["no", undefined, "enabled"],
    [undefined, undefined, "enabled"],
    [false, { maxWaitTime: -1 }, "maxWaitTime"],
    [false, { wait: false }, "options.wait"],
    [false, null, "options"],
    [false, { abortSignal: {} }, "abortSignal"],
  ])("refuses (%o, %o) before sending anything", async (enabled, options, field) => {
    const { mock, snapshot } = await snapshotOf(eni());

    const result = await snapshot.setSourceDestCheck(enabled as boolean, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("setDescription", () => {
  it("sets the description and reads it back", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), eni({ Description: "nat appliance" }));
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setDescription("nat appliance", fast);

    expect(result._unsafeUnwrap().description).toBe("nat appliance");
    expect(modifyInputs(mock)).toEqual([{ NetworkInterfaceId: ids.eni, Description: { Value: "nat appliance" } }]);
  });

  it("clears it with an empty string", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), eni({ Description: undefined }));
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setDescription("", fast);

    expect(result._unsafeUnwrap().description).toBe("");
    expect(modifyInputs(mock)).toEqual([{ NetworkInterfaceId: ids.eni, Description: { Value: "" } }]);
  });

  it("sends nothing when the description is already that", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());

    expect((await Eni.get(ec2, ids.eni).setDescription("floating db interface", fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it.each([["x".repeat(256)], [42]])("refuses %o before sending anything", async (text) => {
    const { mock, snapshot } = await snapshotOf(eni());

    const result = await snapshot.setDescription(text as string, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "text" });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("setDeleteOnTermination", () => {
  it("sets it on the current attachment and reads it back", async () => {
    const { ec2, mock } = mockedEc2();
    const after = attachedEni();
    after.Attachment = { ...after.Attachment, DeleteOnTermination: true };
    reads(mock, attachedEni(), attachedEni(), after);
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setDeleteOnTermination(true, fast);

    expect(result._unsafeUnwrap().attachment?.deleteOnTermination).toBe(true);
    expect(modifyInputs(mock)).toEqual([
      { NetworkInterfaceId: ids.eni, Attachment: { AttachmentId: ids.attachment, DeleteOnTermination: true } },
    ]);
  });

  it("sends nothing when the attachment already has that value", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, attachedEni());

    expect((await Eni.get(ec2, ids.eni).setDeleteOnTermination(false, fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it("refuses a detached ENI with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());

    const result = await Eni.get(ec2, ids.eni).setDeleteOnTermination(true, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      resourceId: ids.eni,
      state: "available",
    });
    expect(mock).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it("does not take another attachment's flag for its own", async () => {
    const { ec2, mock } = mockedEc2();
    const elsewhere = attachedEni(ids.standby);
    elsewhere.Attachment = { ...elsewhere.Attachment, AttachmentId: ids.otherAttachment, DeleteOnTermination: true };
    reads(mock, attachedEni(), attachedEni(), elsewhere);
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setDeleteOnTermination(true, {
      minDelay: 0.01,
      maxDelay: 0.02,
      maxWaitTime: 0.1,
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError" });
  });

  it("refuses a non-boolean before sending anything", async () => {
    const { mock, snapshot } = await snapshotOf(attachedEni());

    const result = await snapshot.setDeleteOnTermination("yes" as never, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "enabled" });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("setTags", () => {
  it("creates only the tags that change and reads them back", async () => {
    const { ec2, mock } = mockedEc2();
    const after = eni({
      TagSet: [
        { Key: "Name", Value: "db-floating" },
        { Key: "team", Value: "net" },
        { Key: "role", Value: "nat" },
      ],
    });
    reads(mock, eni(), eni(), after);
    mock.on(CreateTagsCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).setTags({ Name: "db-floating", team: "net", role: "nat" }, fast);

    expect(result._unsafeUnwrap().tags).toEqual({ Name: "db-floating", team: "net", role: "nat" });
    expect(mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      {
        Resources: [ids.eni],
        Tags: [
          { Key: "team", Value: "net" },
          { Key: "role", Value: "nat" },
        ],
      },
    ]);
  });

  it("sends nothing when every tag is already set, and for an empty set", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());

    expect((await Eni.get(ec2, ids.eni).setTags({ team: "db" }, fast).setTags({}, fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it("tags an ENI another service manages: tags do not change its networking", async () => {
    const { ec2, mock } = mockedEc2();
    const managed = { RequesterManaged: true, RequesterId: "amazon-elb", TagSet: undefined };
    reads(mock, eni(managed), eni(managed), eni({ ...managed, TagSet: [{ Key: "cost-center", Value: "42" }] }));
    mock.on(CreateTagsCommand).resolves({});

    expect((await Eni.get(ec2, ids.eni).setTags({ "cost-center": "42" }, fast))._unsafeUnwrap().tags).toEqual({
      "cost-center": "42",
    });
  });

  it("refuses, with no change sent, tags that would take the ENI past 50; aws: tags do not count", async () => {
    const { ec2, mock } = mockedEc2();
    const existing = Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    reads(mock, eni({ TagSet: [...existing, { Key: "aws:cloudformation:stack-name", Value: "s" }] }));
    mock.on(CreateTagsCommand).resolves({});

    // 48 + 2 = 50 is fine (k0 exists), 48 + 3 is not.
    const fits = await Eni.get(ec2, ids.eni).setTags(
      { k0: "changed", a: "1", b: "2" },
      { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.05 },
    );
    expect(fits._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError" });
    mock.resetHistory();
    const tooMany = await Eni.get(ec2, ids.eni).setTags({ a: "1", b: "2", c: "3" }, fast);

    expect(tooMany._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "tags" });
    expect(tooMany._unsafeUnwrapErr().message).toContain(`got 51 (${ids.eni} has 48 already)`);
    expect(mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it("maps EC2's TagLimitExceeded to a ValidationError", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    mock
      .on(CreateTagsCommand)
      .rejects(ec2Error("TagLimitExceeded", "The maximum number of Tags for a resource has been reached."));

    expect((await Eni.get(ec2, ids.eni).setTags({ more: "x" }, fast))._unsafeUnwrapErr()).toMatchObject({
      name: "ValidationError",
      field: "tags",
      code: "TagLimitExceeded",
    });
  });

  it.each([
    [{ "aws:owner": "me" }, "tags.aws:owner"],
    [{ "": "x" }, "tags."],
    [{ team: 42 }, "tags.team"],
    [{ team: "x".repeat(257) }, "tags.team"],
    [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])), "tags"],
    [["team"], "tags"],
    [null, "tags"],
  ])("refuses %o before sending anything", async (tags, field) => {
    const { mock, snapshot } = await snapshotOf(eni());

    const result = await snapshot.setTags(tags as never, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("removeTags", () => {
  it("deletes the keys the ENI has, whatever their values, and reads back", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), eni({ TagSet: [{ Key: "Name", Value: "db-floating" }] }));
    mock.on(DeleteTagsCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).removeTags(["team", "absent"], fast);

    expect(result._unsafeUnwrap().tags).toEqual({ Name: "db-floating" });
    expect(mock.commandCalls(DeleteTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: [ids.eni], Tags: [{ Key: "team" }] },
    ]);
  });

  it("sends nothing when the ENI has none of the keys", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ TagSet: undefined }));

    expect((await Eni.get(ec2, ids.eni).removeTags(["team"], fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(DeleteTagsCommand);
  });

  it("times out when EC2 keeps showing the tag", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    mock.on(DeleteTagsCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).removeTags(["team"], {
      minDelay: 0.01,
      maxDelay: 0.02,
      maxWaitTime: 0.05,
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be untagged team`,
    });
  });

  it.each([
    [[], "keys"],
    ["team", "keys"],
    [["aws:owner"], "keys[0]"],
    [["team", 1], "keys[1]"],
    [["team", "team"], "keys"],
  ])("refuses %o before sending anything", async (keys, field) => {
    const { mock, snapshot } = await snapshotOf(eni());

    const result = await snapshot.removeTags(keys as string[], fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});
