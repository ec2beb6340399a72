import {
  CreateNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Eni } from "../../src/index.js";
import { ec2Error, eni, fast, ids, mockedEc2 } from "../fixtures.js";

describe("Eni.create", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends one CreateNetworkInterface with tags in the same call and waits until available", async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T10:00:00Z"));
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni({ Status: "pending" }) });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni({ Status: "pending" })] })
      .resolves({ NetworkInterfaces: [eni()] });

    // Act
    const result = await Eni.create(ec2, {
      subnetId: ids.subnet,
      name: "db-floating",
      description: "floating db interface",
      securityGroupIds: [ids.sg],
      secondaryPrivateIps: 1,
      tags: { team: "db" },
      ...fast,
    });

    // Assess
    expect(result._unsafeUnwrap()).toMatchObject({
      id: ids.eni,
      status: "available",
      name: "db-floating",
      secondaryPrivateIps: ["10.0.1.11"],
    });
    expect(mock).toHaveReceivedCommandTimes(CreateNetworkInterfaceCommand, 1);
    const input = mock.commandCalls(CreateNetworkInterfaceCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      SubnetId: ids.subnet,
      Description: "floating db interface",
      Groups: [ids.sg],
      SecondaryPrivateIpAddressCount: 1,
      TagSpecifications: [
        {
          ResourceType: "network-interface",
          Tags: [
            { Key: "team", Value: "db" },
            { Key: "Name", Value: "db-floating" },
            { Key: "eni-kit:managed-by", Value: "eni-kit" },
            { Key: "eni-kit:created-at", Value: "2026-11-28T10:00:00.000Z" },
          ],
        },
      ],
    });
    expect(input?.ClientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
  });

  it("generates a different client token per call but keeps a given one", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    await Eni.create(ec2, { subnetId: ids.subnet, ...fast });
    await Eni.create(ec2, { subnetId: ids.subnet, ...fast });
    await Eni.create(ec2, { subnetId: ids.subnet, clientToken: "my-token-1", ...fast });

    const tokens = mock.commandCalls(CreateNetworkInterfaceCommand).map((call) => call.args[0].input.ClientToken);
    expect(new Set(tokens).size).toBe(3);
    expect(tokens[2]).toBe("my-token-1");
  });

  it("retries NotFound for the id it just created (eventual consistency)", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni({ Status: "pending" }) });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .rejectsOnce(
        ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`),
      )
      .rejectsOnce(
        ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`),
      )
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await Eni.create(ec2, { subnetId: ids.subnet, ...fast });

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 3);
  });

  it("gives up on an id that never becomes visible with a WaitTimeoutError naming it", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni({ Status: "pending" }) });
    mock.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("InvalidNetworkInterfaceID.NotFound"));

    const result = await Eni.create(ec2, { subnetId: ids.subnet, minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.1 });

    const error = result._unsafeUnwrapErr();
    expect(error.name).toBe("WaitTimeoutError");
    expect(error.message).toContain(ids.eni);
    expect(error).toMatchObject({ lastState: "not visible yet" });
  });

  it("sends explicit addresses with the primary marked, an interface type and an IPv6 count", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    await Eni.create(ec2, {
      subnetId: ids.subnet,
      privateIp: "10.0.1.10",
      secondaryPrivateIps: ["10.0.1.11", "10.0.1.12"],
      ipv6AddressCount: 1,
      interfaceType: "efa",
      ...fast,
    });

    expect(mock).toHaveReceivedCommandWith(CreateNetworkInterfaceCommand, {
      PrivateIpAddresses: [
        { PrivateIpAddress: "10.0.1.10", Primary: true },
        { PrivateIpAddress: "10.0.1.11", Primary: false },
        { PrivateIpAddress: "10.0.1.12", Primary: false },
      ],
      Ipv6AddressCount: 1,
      InterfaceType: "efa",
    });
    expect(mock.commandCalls(CreateNetworkInterfaceCommand)[0]?.args[0].input.PrivateIpAddress).toBeUndefined();
  });

  it("sends no InterfaceType for a plain interface and keeps an explicit primary address", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    await Eni.create(ec2, { subnetId: ids.subnet, interfaceType: "interface", privateIp: "10.0.1.10", ...fast });

    const input = mock.commandCalls(CreateNetworkInterfaceCommand)[0]?.args[0].input;
    expect(input?.InterfaceType).toBeUndefined();
    expect(input?.PrivateIpAddress).toBe("10.0.1.10");
    // No tags asked for: only the ownership tags are sent.
    expect(input?.TagSpecifications?.[0]?.Tags?.map((tag) => tag.Key)).toEqual([
      "eni-kit:managed-by",
      "eni-kit:created-at",
    ]);
  });

  it("writes the given owner, and no ownership tags at all with owner: false", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    await Eni.create(ec2, { subnetId: ids.subnet, owner: "db-failover", ...fast });
    await Eni.create(ec2, { subnetId: ids.subnet, owner: false, ...fast });
    await Eni.create(ec2, { subnetId: ids.subnet, owner: false, tags: { "eni-kit:managed-by": "by-hand" }, ...fast });

    const [owned, unowned, byHand] = mock
      .commandCalls(CreateNetworkInterfaceCommand)
      .map((call) => call.args[0].input.TagSpecifications);
    expect(owned?.[0]?.Tags?.[0]).toEqual({ Key: "eni-kit:managed-by", Value: "db-failover" });
    expect(owned?.[0]?.Tags?.[1]?.Value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(unowned).toBeUndefined();
    expect(byHand).toEqual([
      { ResourceType: "network-interface", Tags: [{ Key: "eni-kit:managed-by", Value: "by-hand" }] },
    ]);
  });

  it("counts the ownership tags in the 50-tag limit, and frees their room with owner: false", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, "v"]));

    const fits = await Eni.create(ec2, { subnetId: ids.subnet, tags: tags(48), ...fast });
    const tooMany = await Eni.create(ec2, { subnetId: ids.subnet, tags: tags(49), ...fast });
    const unowned = await Eni.create(ec2, { subnetId: ids.subnet, tags: tags(50), owner: false, ...fast });

    expect(fits.isOk()).toBe(true);
    expect(tooMany._unsafeUnwrapErr()).toMatchObject({
      name: "ValidationError",
      field: "tags",
      message: "Expected at most 50 tags on one resource, got 51.",
    });
    expect(unowned.isOk()).toBe(true);
    expect(
      mock
        .commandCalls(CreateNetworkInterfaceCommand)
        .map((call) => call.args[0].input.TagSpecifications?.[0]?.Tags?.length),
    ).toEqual([50, 50]);
  });

  it("leaves the creation time out with a caller's client token, so a retry sends the same request", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    await Eni.create(ec2, { subnetId: ids.subnet, clientToken: "retry-me", ...fast });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Eni.create(ec2, { subnetId: ids.subnet, clientToken: "retry-me", ...fast });

    const [first, retry] = mock.commandCalls(CreateNetworkInterfaceCommand).map((call) => call.args[0].input);
    expect(first?.TagSpecifications).toEqual([
      { ResourceType: "network-interface", Tags: [{ Key: "eni-kit:managed-by", Value: "eni-kit" }] },
    ]);
    expect(retry).toEqual(first);
  });

  it("turns source/dest check off with one modify once the ENI is available", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({ NetworkInterface: eni() });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [eni({ SourceDestCheck: false })] });
    mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});

    const result = await Eni.create(ec2, { subnetId: ids.subnet, sourceDestCheck: false, ...fast });

    expect(result._unsafeUnwrap().sourceDestCheck).toBe(false);
    expect(mock).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ids.eni,
      SourceDestCheck: { Value: false },
    });
  });

  it.each([
    ["a malformed subnet", { subnetId: "subnet-xyz" }, "subnetId"],
    ["a malformed security group", { subnetId: ids.subnet, securityGroupIds: ["sg-1"] }, "securityGroupIds[0]"],
    ["a bad private IP", { subnetId: ids.subnet, privateIp: "10.0.1.256" }, "privateIp"],
    ["a secondary list without a primary", { subnetId: ids.subnet, secondaryPrivateIps: ["10.0.1.11"] }, "privateIp"],
    [
      "duplicate addresses",
      { subnetId: ids.subnet, privateIp: "10.0.1.10", secondaryPrivateIps: ["10.0.1.10"] },
      "secondaryPrivateIps",
    ],
    [
      "an empty secondary list",
      { subnetId: ids.subnet, privateIp: "10.0.1.10", secondaryPrivateIps: [] },
      "secondaryPrivateIps",
    ],
    [
      "a bad secondary address",
      { subnetId: ids.subnet, privateIp: "10.0.1.10", secondaryPrivateIps: ["x"] },
      "secondaryPrivateIps[0]",
    ],
    ["a zero secondary count", { subnetId: ids.subnet, secondaryPrivateIps: 0 }, "secondaryPrivateIps"],
    ["a long description", { subnetId: ids.subnet, description: "x".repeat(256) }, "description"],
    ["an aws: tag", { subnetId: ids.subnet, tags: { "aws:cloudformation": "x" } }, "tags.aws:cloudformation"],
    ["a Name tag twice", { subnetId: ids.subnet, name: "a", tags: { Name: "b" } }, "tags.Name"],
    ["a too-long name", { subnetId: ids.subnet, name: "n".repeat(257) }, "name.Name"],
    [
      "51 tags with the name",
      {
        subnetId: ids.subnet,
        name: "n",
        tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"])),
      },
      "tags",
    ],
    [
      "51 tags with the name and the ownership tags",
      {
        subnetId: ids.subnet,
        name: "n",
        tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, "v"])),
      },
      "tags",
    ],
    [
      "an ownership tag in tags",
      { subnetId: ids.subnet, tags: { "eni-kit:created-at": "2020-01-01T00:00:00Z" } },
      "tags.eni-kit:created-at",
    ],
    ["an empty owner", { subnetId: ids.subnet, owner: "" }, "owner"],
    ["owner: true", { subnetId: ids.subnet, owner: true }, "owner"],
    ["an unknown interface type", { subnetId: ids.subnet, interfaceType: "branch" }, "interfaceType"],
    ["a non-boolean source/dest check", { subnetId: ids.subnet, sourceDestCheck: "no" }, "sourceDestCheck"],
    ["a long client token", { subnetId: ids.subnet, clientToken: "t".repeat(65) }, "clientToken"],
    ["an IPv6 count of 51", { subnetId: ids.subnet, ipv6AddressCount: 51 }, "ipv6AddressCount"],
    ["a misspelt option", { subnetId: ids.subnet, secondaryPrivateIp: 1 }, "options.secondaryPrivateIp"],
    ["no options at all", undefined, "subnetId"],
    ["a string instead of options", "subnet-0123456789abcdef0", "options"],
  ])("refuses %s before sending anything", async (_case, options, field) => {
    const { ec2, mock } = mockedEc2();

    const result = await Eni.create(ec2, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("maps EC2's refusal of the subnet and of a reused client token", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(CreateNetworkInterfaceCommand)
      .rejectsOnce(ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${ids.subnet}' does not exist`))
      .rejectsOnce(ec2Error("IdempotentParameterMismatch", "token reused"));

    const missing = await Eni.create(ec2, { subnetId: ids.subnet, ...fast });
    const reused = await Eni.create(ec2, { subnetId: ids.subnet, clientToken: "t", ...fast });

    expect(missing._unsafeUnwrapErr()).toMatchObject({
      name: "NotFoundError",
      resourceType: "subnet",
      resourceId: ids.subnet,
      requestId: "req-1",
    });
    expect(reused._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", code: "IdempotentParameterMismatch" });
  });

  it("fails clearly when EC2 returns no id", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(CreateNetworkInterfaceCommand).resolves({});

    const result = await Eni.create(ec2, { subnetId: ids.subnet, ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AwsError" });
  });

  it("refuses something that is not an EC2 client", async () => {
    const result = await Eni.create(undefined as never, { subnetId: ids.subnet });
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "ec2" });
  });
});
