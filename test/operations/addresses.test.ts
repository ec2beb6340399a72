import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  UnassignPrivateIpAddressesCommand,
  type Address,
  type NetworkInterface,
  type NetworkInterfacePrivateIpAddress,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { mapAwsError } from "../../src/ec2/map-error.js";
import { Eni } from "../../src/index.js";
import { ec2Error, eni, fast, ids, mockedEc2, reads, snapshotOf, type Mock } from "../fixtures.js";

const allocationId = "eipalloc-0123456789abcdef0";
const otherAllocation = "eipalloc-0fedcba9876543210";
const associationId = "eipassoc-0123456789abcdef0";
const publicIp = "203.0.113.7";
const short = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.05 } as const;

/** The fixture ENI with these private IPs (the first is the primary, whose association EC2 also reports on the ENI). */
function withIps(...entries: NetworkInterfacePrivateIpAddress[]): NetworkInterface {
  return eni({
    PrivateIpAddress: entries[0]?.PrivateIpAddress,
    PrivateIpAddresses: entries,
    Association: entries[0]?.Association,
  });
}

/** The holder check, DescribeNetworkInterfaces by subnet and addresses, finds these ENIs. */
function holders(mock: Mock, addresses: string[], ...found: NetworkInterface[]) {
  const filters = [
    { Name: "subnet-id", Values: [ids.subnet] },
    { Name: "addresses.private-ip-address", Values: addresses },
  ];
  // Register after `reads`: the mock prefers the later of two matching behaviours.
  mock.on(DescribeNetworkInterfacesCommand, { Filters: filters }).resolves({ NetworkInterfaces: found });
}

/** Whether the holder check was sent. */
const checkedHolders = (mock: Mock) =>
  JSON.stringify(inputs(mock, DescribeNetworkInterfacesCommand)).includes("addresses.private-ip-address");

const primary = (association?: NetworkInterfacePrivateIpAddress["Association"]) => ({
  PrivateIpAddress: "10.0.1.10",
  Primary: true,
  Association: association,
});
const secondary = (ip: string, association?: NetworkInterfacePrivateIpAddress["Association"]) => ({
  PrivateIpAddress: ip,
  Primary: false,
  Association: association,
});
const eip = { AllocationId: allocationId, AssociationId: associationId, PublicIp: publicIp };

function inputs(mock: Mock, command: Parameters<Mock["commandCalls"]>[0]) {
  return mock.commandCalls(command).map((call) => call.args[0].input as unknown);
}

describe("assignPrivateIps", () => {
  it("asks EC2 for a count and waits until the addresses it picked show", async () => {
    // Prepare
    const { mock, snapshot } = await snapshotOf();
    reads(
      mock,
      eni(),
      eni(),
      withIps(primary(), secondary("10.0.1.11"), secondary("10.0.1.12"), secondary("10.0.1.13")),
    );
    mock
      .on(AssignPrivateIpAddressesCommand)
      .resolves({ AssignedPrivateIpAddresses: [{ PrivateIpAddress: "10.0.1.12" }, { PrivateIpAddress: "10.0.1.13" }] });

    // Act
    const result = await snapshot.assignPrivateIps(2, fast);

    // Assess
    expect(result._unsafeUnwrap().secondaryPrivateIps).toEqual(["10.0.1.11", "10.0.1.12", "10.0.1.13"]);
    expect(inputs(mock, AssignPrivateIpAddressesCommand)).toEqual([
      { NetworkInterfaceId: ids.eni, SecondaryPrivateIpAddressCount: 2 },
    ]);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 3);
  });

  it("waits for the count when EC2 does not name the addresses", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), eni(), withIps(primary(), secondary("10.0.1.11"), secondary("10.0.1.12")));
    mock.on(AssignPrivateIpAddressesCommand).resolves({ AssignedPrivateIpAddresses: [{}] });

    const result = await Eni.get(ec2, ids.eni).assignPrivateIps(1, fast);

    expect(result._unsafeUnwrap().secondaryPrivateIps).toEqual(["10.0.1.11", "10.0.1.12"]);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("assigns the given addresses it does not have yet, after checking nobody holds them", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), withIps(primary(), secondary("10.0.1.11"), secondary("10.0.1.50")));
    holders(mock, ["10.0.1.50"]);
    mock.on(AssignPrivateIpAddressesCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).assignPrivateIps(["10.0.1.11", "10.0.1.50"], fast);

    expect(result._unsafeUnwrap().secondaryPrivateIps).toEqual(["10.0.1.11", "10.0.1.50"]);
    expect(inputs(mock, AssignPrivateIpAddressesCommand)).toEqual([
      { NetworkInterfaceId: ids.eni, PrivateIpAddresses: ["10.0.1.50"], AllowReassignment: false },
    ]);
    expect(inputs(mock, DescribeNetworkInterfacesCommand)).toContainEqual({
      Filters: [
        { Name: "subnet-id", Values: [ids.subnet] },
        { Name: "addresses.private-ip-address", Values: ["10.0.1.50"] },
      ],
    });
  });

  it("moves an address another ENI holds only with allowReassignment", async () => {
    const { ec2, mock } = mockedEc2();
    const holder = {
      ...withIps({ PrivateIpAddress: "10.0.1.20", Primary: true }, secondary("10.0.1.50")),
      NetworkInterfaceId: ids.otherEni,
    };
    // Two reads for the refused try, two for the allowed one, then the moved address shows.
    reads(mock, eni(), eni(), eni(), eni(), withIps(primary(), secondary("10.0.1.11"), secondary("10.0.1.50")));
    // EC2 may list this ENI too (a stale read); it is not a holder to refuse.
    holders(mock, ["10.0.1.50"], eni(), holder);
    mock.on(AssignPrivateIpAddressesCommand).resolves({});

    const refused = await Eni.get(ec2, ids.eni).assignPrivateIps(["10.0.1.50"], fast);
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: "unassigned",
      actual: ids.otherEni,
    });
    expect(refused._unsafeUnwrapErr().message).toContain("allowReassignment");
    expect(mock).not.toHaveReceivedCommand(AssignPrivateIpAddressesCommand);

    const moved = await Eni.get(ec2, ids.eni).assignPrivateIps(["10.0.1.50"], { allowReassignment: true, ...fast });
    expect(moved._unsafeUnwrap().secondaryPrivateIps).toContain("10.0.1.50");
    expect(inputs(mock, AssignPrivateIpAddressesCommand)).toEqual([
      { NetworkInterfaceId: ids.eni, PrivateIpAddresses: ["10.0.1.50"], AllowReassignment: true },
    ]);
  });

  it("refuses another ENI's primary address even with allowReassignment", async () => {
    const { ec2, mock } = mockedEc2();
    const holder = { ...withIps({ PrivateIpAddress: "10.0.1.20", Primary: true }), NetworkInterfaceId: ids.otherEni };
    reads(mock, eni());
    holders(mock, ["10.0.1.20"], holder);

    const result = await Eni.get(ec2, ids.eni).assignPrivateIps(["10.0.1.20"], { allowReassignment: true, ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      resourceId: ids.otherEni,
      state: "primary",
    });
    expect(mock).not.toHaveReceivedCommand(AssignPrivateIpAddressesCommand);
  });

  it("sends nothing when the ENI already has every address", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());

    expect((await Eni.get(ec2, ids.eni).assignPrivateIps(["10.0.1.10", "10.0.1.11"], fast)).isOk()).toBe(true);
    expect(checkedHolders(mock)).toBe(false);
    expect(mock).not.toHaveReceivedCommand(AssignPrivateIpAddressesCommand);
  });

  it("refuses an ENI another service manages, with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ RequesterManaged: true, RequesterId: "amazon-elb" }));

    const result = await Eni.get(ec2, ids.eni).assignPrivateIps(1, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "requester-managed" });
    expect(mock).not.toHaveReceivedCommand(AssignPrivateIpAddressesCommand);
  });

  it.each([
    [
      "PrivateIpAddressLimitExceeded",
      "Number of private addresses will exceed limit.",
      { name: "LimitExceededError", limit: "private-ipv4-addresses-per-interface" },
    ],
    ["Resource.AlreadyAssigned", "Address 10.0.1.50 is already assigned.", { name: "ConflictError" }],
    [
      "InvalidParameterValue",
      "Address 10.0.9.9 does not fall within the subnet's address range",
      { name: "ValidationError", field: "request" },
    ],
  ])("maps EC2's %s to its typed error", async (code, message, expected) => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    holders(mock, ["10.0.1.50"]);
    mock.on(AssignPrivateIpAddressesCommand).rejects(ec2Error(code, message));

    const result = await Eni.get(ec2, ids.eni).assignPrivateIps(["10.0.1.50"], fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({ ...expected, code, message });
  });

  it("times out when EC2 never shows the addresses", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    mock
      .on(AssignPrivateIpAddressesCommand)
      .resolves({ AssignedPrivateIpAddresses: [{ PrivateIpAddress: "10.0.1.12" }] });

    const result = await Eni.get(ec2, ids.eni).assignPrivateIps(1, short);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be given 1 more secondary IPs`,
    });
  });

  it.each([
    [0, undefined, "addresses"],
    [50, undefined, "addresses"],
    [1.5, undefined, "addresses"],
    [[], undefined, "addresses"],
    ["10.0.1.50", undefined, "addresses"],
    [["10.0.1.256"], undefined, "addresses[0]"],
    [["10.0.1.50", "10.0.1.50"], undefined, "addresses"],
    [1, { allowReassignment: true }, "allowReassignment"],
    // The addresses are checked before the options, as in every setter.
    [0, { allowReassignment: true }, "addresses"],
    [["10.0.1.50"], { allowReassignment: "yes" }, "allowReassignment"],
    [["10.0.1.50"], { allowReasignment: true }, "options.allowReasignment"],
    [["10.0.1.50"], { maxWaitTime: 0 }, "maxWaitTime"],
    [["10.0.1.50"], "fast", "options"],
  ])("refuses (%o, %o) before sending anything", async (addresses, options, field) => {
    const { mock, snapshot } = await snapshotOf();

    const result = await snapshot.assignPrivateIps(addresses as never, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("unassignPrivateIps", () => {
  it("unassigns the addresses the ENI has and waits until they are gone", async () => {
    const { ec2, mock } = mockedEc2();
    const before = withIps(primary(), secondary("10.0.1.11"), secondary("10.0.1.12"));
    reads(mock, before, before, before, withIps(primary(), secondary("10.0.1.12")));
    mock.on(UnassignPrivateIpAddressesCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).unassignPrivateIps(["10.0.1.11", "10.0.1.99"], fast);

    expect(result._unsafeUnwrap().secondaryPrivateIps).toEqual(["10.0.1.12"]);
    expect(inputs(mock, UnassignPrivateIpAddressesCommand)).toEqual([
      { NetworkInterfaceId: ids.eni, PrivateIpAddresses: ["10.0.1.11"] },
    ]);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("sends nothing when the ENI has none of them", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());

    expect((await Eni.get(ec2, ids.eni).unassignPrivateIps(["10.0.1.99"], fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(UnassignPrivateIpAddressesCommand);
  });

  it("refuses an ENI another service manages, with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ RequesterManaged: true }));

    expect((await Eni.get(ec2, ids.eni).unassignPrivateIps(["10.0.1.11"], fast))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "requester-managed",
    });
    expect(mock).not.toHaveReceivedCommand(UnassignPrivateIpAddressesCommand);
  });

  it.each([
    [["10.0.1.11", "10.0.1.10"], undefined, "addresses[1]"],
    [[], undefined, "addresses"],
    [["x"], undefined, "addresses[0]"],
    [["10.0.1.11", "10.0.1.11"], undefined, "addresses"],
    [["10.0.1.11"], { allowReassignment: true }, "options.allowReassignment"],
  ])("refuses (%o, %o) before sending anything", async (addresses, options, field) => {
    const { mock, snapshot } = await snapshotOf();

    const result = await snapshot.unassignPrivateIps(addresses, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

/** DescribeAddresses answers with this Elastic IP. */
function address(mock: Mock, fields: Partial<Address> = {}) {
  mock
    .on(DescribeAddressesCommand)
    .resolves({ Addresses: [{ AllocationId: allocationId, PublicIp: publicIp, Domain: "vpc", ...fields }] });
}

describe("associateAddress", () => {
  it("associates with the primary private IP by default and waits until the ENI shows it", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), eni(), withIps(primary(eip), secondary("10.0.1.11")));
    address(mock);
    mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast);

    expect(result._unsafeUnwrap().privateIpAddresses).toEqual([
      { privateIp: "10.0.1.10", primary: true, publicIp, allocationId, associationId },
      {
        privateIp: "10.0.1.11",
        primary: false,
        publicIp: undefined,
        allocationId: undefined,
        associationId: undefined,
      },
    ]);
    expect(inputs(mock, DescribeAddressesCommand)).toEqual([{ AllocationIds: [allocationId] }]);
    expect(inputs(mock, AssociateAddressCommand)).toEqual([
      {
        AllocationId: allocationId,
        NetworkInterfaceId: ids.eni,
        PrivateIpAddress: "10.0.1.10",
        AllowReassociation: false,
      },
    ]);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("reads the association back from the ENI's own Association when the per-IP one is missing, as moto and LocalStack answer", async () => {
    const { ec2, mock } = mockedEc2();
    // moto fills only the ENI's top-level Association; EC2 fills the primary IP's too.
    const motoShaped = { ...withIps(primary(), secondary("10.0.1.11")), Association: eip };
    reads(mock, eni(), eni(), motoShaped);
    address(mock);
    mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, short);

    expect(result._unsafeUnwrap().privateIpAddresses[0]).toEqual({
      privateIp: "10.0.1.10",
      primary: true,
      publicIp,
      allocationId,
      associationId,
    });
  });

  it("disassociates by the ENI's own Association when the per-IP one is missing (moto, LocalStack)", async () => {
    const { ec2, mock } = mockedEc2();
    const motoShaped = { ...withIps(primary(), secondary("10.0.1.11")), Association: eip };
    reads(mock, motoShaped, motoShaped, withIps(primary(), secondary("10.0.1.11")));
    mock.on(DisassociateAddressCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).disassociateAddress(allocationId, short);

    expect(result._unsafeUnwrap().publicIp).toBeUndefined();
    expect(inputs(mock, DisassociateAddressCommand)).toEqual([{ AssociationId: associationId }]);
  });

  it("associates with a given secondary IP", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni(), eni(), withIps(primary(), secondary("10.0.1.11", eip)));
    address(mock);
    mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, { privateIp: "10.0.1.11", ...fast });

    expect(result._unsafeUnwrap().privateIpAddresses[1]).toMatchObject({
      privateIp: "10.0.1.11",
      allocationId,
      publicIp,
    });
    expect(inputs(mock, AssociateAddressCommand)).toEqual([
      {
        AllocationId: allocationId,
        NetworkInterfaceId: ids.eni,
        PrivateIpAddress: "10.0.1.11",
        AllowReassociation: false,
      },
    ]);
  });

  it.each([
    [
      "another ENI",
      { AssociationId: "eipassoc-0fedcba9876543210", NetworkInterfaceId: ids.otherEni, PrivateIpAddress: "10.0.1.20" },
      `${ids.otherEni}/10.0.1.20`,
    ],
    [
      "an instance, as EC2 may report it",
      { AssociationId: "eipassoc-0fedcba9876543210", InstanceId: ids.standby },
      ids.standby,
    ],
    ["something EC2 does not name", { AssociationId: "eipassoc-0fedcba9876543210" }, "unknown"],
  ])(
    "refuses an Elastic IP associated with %s unless allowReassociation, before any change",
    async (_case, fields, actual) => {
      const { ec2, mock } = mockedEc2();
      // Two reads for the refused try, two for the allowed one, then the association shows.
      reads(mock, eni(), eni(), eni(), eni(), withIps(primary(eip)));
      address(mock, fields);
      mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

      const refused = await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast);
      expect(refused._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", expected: "unassociated", actual });
      expect(refused._unsafeUnwrapErr().message).toContain("allowReassociation");
      expect(mock).not.toHaveReceivedCommand(AssociateAddressCommand);

      const stolen = await Eni.get(ec2, ids.eni).associateAddress(allocationId, { allowReassociation: true, ...fast });
      expect(stolen._unsafeUnwrap().publicIp).toBe(publicIp);
      expect(inputs(mock, AssociateAddressCommand)).toEqual([
        {
          AllocationId: allocationId,
          NetworkInterfaceId: ids.eni,
          PrivateIpAddress: "10.0.1.10",
          AllowReassociation: true,
        },
      ]);
    },
  );

  it("refuses a private IP that already has another Elastic IP, unless allowReassociation", async () => {
    const { ec2, mock } = mockedEc2();
    const occupied = withIps(
      primary({ AllocationId: otherAllocation, AssociationId: "eipassoc-0fedcba9876543210", PublicIp: "198.51.100.1" }),
    );
    reads(mock, occupied, occupied, withIps(primary(eip)));
    address(mock);
    mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

    const refused = await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast);
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: "unassociated",
      actual: otherAllocation,
    });
    expect(mock).not.toHaveReceivedCommand(AssociateAddressCommand);

    reads(mock, occupied, occupied, withIps(primary(eip)));
    const replaced = await Eni.get(ec2, ids.eni).associateAddress(allocationId, { allowReassociation: true, ...fast });
    expect(replaced._unsafeUnwrap().privateIpAddresses[0]?.allocationId).toBe(allocationId);
  });

  it("does not mistake an auto-assigned public IP for an Elastic IP in the way", async () => {
    const { ec2, mock } = mockedEc2();
    const autoPublic = withIps(primary({ PublicIp: "198.51.100.9", IpOwnerId: "amazon" }));
    reads(mock, autoPublic, autoPublic, withIps(primary(eip)));
    address(mock);
    mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

    expect((await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast)).isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandTimes(AssociateAddressCommand, 1);
  });

  it("sends nothing when the Elastic IP is already on that private IP", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, withIps(primary(eip)));
    address(mock, { AssociationId: associationId, NetworkInterfaceId: ids.eni, PrivateIpAddress: "10.0.1.10" });

    expect((await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(AssociateAddressCommand);
  });

  it("refuses a private IP the ENI does not have, with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    address(mock);

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, { privateIp: "10.0.1.99", ...fast });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "privateIp" });
    expect(result._unsafeUnwrapErr().message).toContain("10.0.1.10, 10.0.1.11");
    expect(mock).not.toHaveReceivedCommand(AssociateAddressCommand);
  });

  it("refuses an ENI another service manages, with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni({ RequesterManaged: true }));
    address(mock);

    expect((await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "requester-managed",
    });
    expect(mock).not.toHaveReceivedCommand(AssociateAddressCommand);
  });

  it.each([
    [
      "EC2 does not know it",
      () => ec2Error("InvalidAllocationID.NotFound", `The allocation ID '${allocationId}' does not exist`),
    ],
    ["EC2 leaves it out", undefined],
  ])("gives a NotFoundError for an unknown Elastic IP when %s", async (_case, failure) => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    if (failure === undefined) mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    else mock.on(DescribeAddressesCommand).rejects(failure());

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "NotFoundError",
      resourceType: "address",
      resourceId: allocationId,
    });
    expect(mock).not.toHaveReceivedCommand(AssociateAddressCommand);
  });

  it("maps EC2's Resource.AlreadyAssociated (another controller got there first) to a ConflictError", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    address(mock);
    mock
      .on(AssociateAddressCommand)
      .rejects(
        ec2Error(
          "Resource.AlreadyAssociated",
          `resource ${allocationId} is already associated with associate-id eipassoc-0fedcba9876543210`,
        ),
      );

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, fast);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      code: "Resource.AlreadyAssociated",
      requestId: "req-1",
    });
  });

  it("times out when EC2 never shows the association", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, eni());
    address(mock);
    mock.on(AssociateAddressCommand).resolves({ AssociationId: associationId });

    const result = await Eni.get(ec2, ids.eni).associateAddress(allocationId, short);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be associated with ${allocationId} on 10.0.1.10`,
    });
  });

  it.each([
    ["eipalloc-xyz", undefined, "allocationId"],
    [undefined, undefined, "allocationId"],
    [allocationId, { privateIp: "10.0.1" }, "privateIp"],
    [allocationId, { allowReassociation: 1 }, "allowReassociation"],
    [allocationId, { allowReassignment: true }, "options.allowReassignment"],
    [allocationId, { minDelay: 5, maxDelay: 1 }, "maxDelay"],
    ["eipalloc-xyz", { allowReassignment: true }, "allocationId"],
  ])("refuses (%o, %o) before sending anything", async (id, options, field) => {
    const { mock, snapshot } = await snapshotOf();

    const result = await snapshot.associateAddress(id as string, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("disassociateAddress", () => {
  const secondaryEip = {
    AllocationId: otherAllocation,
    AssociationId: "eipassoc-0fedcba9876543210",
    PublicIp: "198.51.100.1",
  };
  const both = withIps(primary(eip), secondary("10.0.1.11", secondaryEip));

  it.each([
    [
      "the primary IP's, by default",
      undefined,
      associationId,
      withIps(primary(), secondary("10.0.1.11", secondaryEip)),
    ],
    [
      "one by allocation id",
      otherAllocation,
      "eipassoc-0fedcba9876543210",
      withIps(primary(eip), secondary("10.0.1.11")),
    ],
    ["one by public IP", "198.51.100.1", "eipassoc-0fedcba9876543210", withIps(primary(eip), secondary("10.0.1.11"))],
  ])(
    "disassociates %s and waits until the ENI no longer shows it",
    async (_case, which, expectedAssociation, after) => {
      const { ec2, mock } = mockedEc2();
      reads(mock, both, both, both, after);
      mock.on(DisassociateAddressCommand).resolves({});

      const result = await Eni.get(ec2, ids.eni).disassociateAddress(which, fast);

      expect(result._unsafeUnwrap().privateIpAddresses.map((a) => a.associationId)).not.toContain(expectedAssociation);
      expect(inputs(mock, DisassociateAddressCommand)).toEqual([{ AssociationId: expectedAssociation }]);
      expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
    },
  );

  it.each([
    ["no Elastic IP on the primary", undefined, eni()],
    [
      "an auto-assigned public IP, which is no Elastic IP",
      undefined,
      withIps(primary({ PublicIp: "198.51.100.9", IpOwnerId: "amazon" })),
    ],
    ["an allocation that is not on this ENI", allocationId, eni()],
    ["a public IP that is not on this ENI", publicIp, eni()],
  ])("sends nothing for %s", async (_case, which, ni) => {
    const { ec2, mock } = mockedEc2();
    reads(mock, ni);

    expect((await Eni.get(ec2, ids.eni).disassociateAddress(which, fast)).isOk()).toBe(true);
    expect(mock).not.toHaveReceivedCommand(DisassociateAddressCommand);
  });

  it("counts an association EC2 no longer knows as disassociated", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, both, both, eni());
    mock
      .on(DisassociateAddressCommand)
      .rejects(ec2Error("InvalidAssociationID.NotFound", `The association ID '${associationId}' does not exist`));

    expect((await Eni.get(ec2, ids.eni).disassociateAddress(undefined, fast)).isOk()).toBe(true);
  });

  it("passes other EC2 failures through, typed", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, both);
    mock
      .on(DisassociateAddressCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

    expect((await Eni.get(ec2, ids.eni).disassociateAddress(undefined, fast))._unsafeUnwrapErr()).toMatchObject({
      name: "AccessDeniedError",
      code: "UnauthorizedOperation",
    });
  });

  it("refuses an ENI another service manages, with no change sent", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, { ...both, RequesterManaged: true });

    expect((await Eni.get(ec2, ids.eni).disassociateAddress(undefined, fast))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "requester-managed",
    });
    expect(mock).not.toHaveReceivedCommand(DisassociateAddressCommand);
  });

  it("times out when EC2 keeps showing the association", async () => {
    const { ec2, mock } = mockedEc2();
    reads(mock, both);
    mock.on(DisassociateAddressCommand).resolves({});

    const result = await Eni.get(ec2, ids.eni).disassociateAddress(undefined, short);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be without association ${associationId}`,
    });
  });

  it.each([
    ["eipalloc-xyz", undefined, "address"],
    ["not-an-address", undefined, "address"],
    [42, undefined, "address"],
    [undefined, { force: true }, "options.force"],
    ["not-an-address", { force: true }, "address"],
  ])("refuses (%o, %o) before sending anything", async (which, options, field) => {
    const { mock, snapshot } = await snapshotOf();

    const result = await snapshot.disassociateAddress(which as string, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it.each([["eipalloc-xyz"], ["10.0.1"]])("names both accepted forms when refusing %s", async (which) => {
    const { snapshot } = await snapshotOf();

    const result = await snapshot.disassociateAddress(which);

    expect(result._unsafeUnwrapErr().message).toBe(
      `Expected \`address\` to be an allocation id like "eipalloc-0123456789abcdef0" or a public IPv4 address, got "${which}".`,
    );
  });
});

describe("EC2's address error codes", () => {
  it.each([
    [
      "Resource.AlreadyAssociated",
      "resource eipalloc-0123456789abcdef0 is already associated with associate-id eipassoc-0fedcba9876543210",
      "ConflictError",
    ],
    ["Resource.AlreadyAssigned", "Address 10.0.1.50 is in use.", "ConflictError"],
    ["InvalidIPAddress.InUse", "Address 10.0.1.50 is in use.", "ConflictError"],
    ["PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.", "LimitExceededError"],
    ["InvalidAllocationID.NotFound", `The allocation ID '${allocationId}' does not exist`, "NotFoundError"],
    ["InvalidAssociationID.NotFound", `The association ID '${associationId}' does not exist`, "NotFoundError"],
  ])("maps %s to %s, not to the generic 'in use' state", (code, message, name) => {
    const error = mapAwsError(ec2Error(code, message));

    expect(error).toMatchObject({ name, code, message });
  });
});
