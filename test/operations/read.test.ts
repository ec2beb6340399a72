import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni } from "../../src/index.js";
import { attachedEni, ec2Error, eni, ids, mockedEc2 } from "../fixtures.js";

describe("Eni.get", () => {
  it("reads one ENI into an immutable snapshot", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        attachedEni(ids.instance, "attached", {
          Association: { PublicIp: "203.0.113.7" },
          Ipv6Addresses: [{ Ipv6Address: "2001:db8::1" }],
        }),
      ],
    });

    // Act
    const result = await Eni.get(ec2, ids.eni);

    // Assess
    const snapshot = result._unsafeUnwrap();
    expect(snapshot).toMatchObject({
      id: ids.eni,
      name: "db-floating",
      status: "in-use",
      subnetId: ids.subnet,
      vpcId: ids.vpc,
      availabilityZone: "us-east-1a",
      macAddress: "0a:1b:2c:3d:4e:5f",
      privateIp: "10.0.1.10",
      secondaryPrivateIps: ["10.0.1.11"],
      ipv6Addresses: ["2001:db8::1"],
      publicIp: "203.0.113.7",
      securityGroups: [{ id: ids.sg, name: "db" }],
      description: "floating db interface",
      tags: { Name: "db-floating", team: "db" },
      interfaceType: "interface",
      sourceDestCheck: true,
      requesterManaged: false,
      attachment: {
        id: ids.attachment,
        instanceId: ids.instance,
        deviceIndex: 1,
        networkCardIndex: 0,
        status: "attached",
        deleteOnTermination: false,
        attachedAt: new Date("2026-11-28T00:00:00Z"),
      },
    });
    expect(mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: "network-interface-id", Values: [ids.eni] }],
      MaxResults: 1000,
    });
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.tags)).toBe(true);
    expect(() => {
      (snapshot as { status: string }).status = "available";
    }).toThrow();
    expect(JSON.parse(JSON.stringify(snapshot))).not.toHaveProperty("raw");
  });

  it("refreshes into a new snapshot and leaves the old one as it was", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [attachedEni()] });

    const before = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
    const after = (await before.refresh())._unsafeUnwrap();
    const chained = await Eni.get(ec2, ids.eni).refresh();

    expect(before.status).toBe("available");
    expect(after.status).toBe("in-use");
    expect(chained._unsafeUnwrap().status).toBe("in-use");
  });

  it("fills defaults for fields EC2 left out", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: ids.eni, Attachment: { AttachmentId: ids.attachment } }] });

    const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();

    expect(snapshot).toMatchObject({
      name: undefined,
      description: "",
      tags: {},
      secondaryPrivateIps: [],
      sourceDestCheck: true,
      requesterManaged: false,
      interfaceType: "interface",
    });
    expect(snapshot.attachment).toMatchObject({
      deviceIndex: 0,
      networkCardIndex: 0,
      status: "attached",
      deleteOnTermination: false,
    });
  });

  it("reports an unknown ENI as NotFoundError, whether EC2 errors or answers empty", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .rejectsOnce(
        ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`),
      )
      .resolves({ NetworkInterfaces: [] });

    const viaError = await Eni.get(ec2, ids.eni);
    const viaEmpty = await Eni.get(ec2, ids.eni);

    expect(viaError._unsafeUnwrapErr()).toMatchObject({
      name: "NotFoundError",
      resourceType: "network-interface",
      resourceId: ids.eni,
      code: "InvalidNetworkInterfaceID.NotFound",
    });
    expect(viaEmpty._unsafeUnwrapErr()).toMatchObject({ name: "NotFoundError", resourceId: ids.eni });
  });

  it.each([["eni-xyz"], ["ENI-0123456789ABCDEF0"], [""], [undefined], [42]])(
    "refuses the id %o before sending",
    async (id) => {
      const { ec2, mock } = mockedEc2();
      const result = await Eni.get(ec2, id as never);
      expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "id" });
      expect(mock.calls()).toHaveLength(0);
    },
  );

  it("maps a client that throws synchronously to a typed error", async () => {
    const broken = {
      send: () => {
        throw new TypeError("boom");
      },
    };
    const result = await Eni.get(broken as never, ids.eni);
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AwsError", message: "boom" });
  });
});

describe("Eni.find", () => {
  it("turns the query into EC2 filters and follows every page", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()], NextToken: "page-2" })
      .resolvesOnce({ NetworkInterfaces: [eni({ NetworkInterfaceId: ids.otherEni })], NextToken: "page-3" })
      .resolvesOnce({ NetworkInterfaces: [] });

    // Act
    const result = await Eni.find(ec2, {
      name: "db-floating",
      tags: { team: "db", owner: true },
      subnetId: ids.subnet,
      vpcId: ids.vpc,
      availabilityZone: "us-east-1a",
      instanceId: ids.instance,
      status: ["available", "in-use"],
    });

    // Assess
    expect(result._unsafeUnwrap().map((found) => found.id)).toEqual([ids.eni, ids.otherEni]);
    const calls = mock.commandCalls(DescribeNetworkInterfacesCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.NextToken)).toEqual([undefined, "page-2", "page-3"]);
    expect(calls[0]).toMatchObject({ MaxResults: 1000 });
    expect(calls[0]?.Filters).toEqual([
      { Name: "tag:Name", Values: ["db-floating"] },
      { Name: "subnet-id", Values: [ids.subnet] },
      { Name: "vpc-id", Values: [ids.vpc] },
      { Name: "availability-zone", Values: ["us-east-1a"] },
      { Name: "attachment.instance-id", Values: [ids.instance] },
      { Name: "status", Values: ["available", "in-use"] },
      { Name: "tag:team", Values: ["db"] },
      { Name: "tag-key", Values: ["owner"] },
    ]);
  });

  it("sends ids without MaxResults, which EC2 refuses alongside them", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    const result = await Eni.find(ec2, { ids: [ids.eni], status: "available" });

    expect(result._unsafeUnwrap()).toHaveLength(1);
    const input = mock.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input;
    expect(input).toEqual({ NetworkInterfaceIds: [ids.eni], Filters: [{ Name: "status", Values: ["available"] }] });
  });

  it("lists everything for an empty query", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({});
    const result = await Eni.find(ec2);
    expect(result._unsafeUnwrap()).toEqual([]);
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input).toEqual({ MaxResults: 1000 });
  });

  it.each([
    [{ subnetId: "subnet-1" }, "subnetId"],
    [{ vpcId: "vpc" }, "vpcId"],
    [{ instanceId: "i-" }, "instanceId"],
    [{ status: "up" }, "status"],
    [{ status: [] }, "status"],
    [{ ids: [] }, "ids"],
    [{ ids: [ids.eni, ids.eni] }, "ids"],
    [{ ids: ["eni-1"] }, "ids[0]"],
    [{ tags: { "aws:x": "y" } }, "tags.aws:x"],
    [{ tags: { team: 3 } }, "tags.team"],
    [{ tags: [] }, "tags"],
    [{ name: "" }, "name"],
    [{ availabilityZone: "" }, "availabilityZone"],
    [{ abortSignal: "now" }, "abortSignal"],
    [{ vpc: "vpc-0123456789abcdef0" }, "query.vpc"],
    [[], "query"],
  ])("refuses %o before sending", async (query, field) => {
    const { ec2, mock } = mockedEc2();
    const result = await Eni.find(ec2, query as never);
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("refuses something that is not an EC2 client", async () => {
    const result = await Eni.find(null as never, {});
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "ec2" });
  });

  it("stops with AbortedError when the signal has fired", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });
    const result = await Eni.find(ec2, { abortSignal: AbortSignal.abort() });
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AbortedError" });
  });
});
