import {
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Eni, OWNERSHIP_TAGS } from "../../src/index.js";
import { attachedEni, ec2Error, eni, ids, mockedEc2 } from "../fixtures.js";

const NOW = new Date("2026-11-28T12:00:00Z");
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
/** A well-formed ENI id ending in the hex digit `n`. */
const eniId = (n: string) => `eni-0000000000000000${n}`;

/** An ENI as eni-kit creates it: owned, with a creation time. */
function owned(
  id: string,
  created: string | undefined,
  overrides: Parameters<typeof eni>[0] = {},
  owner = "eni-kit",
): NetworkInterface {
  return eni({
    NetworkInterfaceId: id,
    TagSet: [
      { Key: "Name", Value: "leftover" },
      { Key: OWNERSHIP_TAGS.managedBy, Value: owner },
      ...(created === undefined ? [] : [{ Key: OWNERSHIP_TAGS.createdAt, Value: created }]),
    ],
    ...overrides,
  });
}

describe("Eni.findOrphans", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lists owned, available ENIs older than the grace period, from one filtered, paginated listing", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({
        NetworkInterfaces: [owned(eniId("1"), hoursAgo(3)), owned(eniId("2"), hoursAgo(0.5))],
        NextToken: "page-2",
      })
      .resolvesOnce({
        NetworkInterfaces: [
          owned(eniId("3"), hoursAgo(1)),
          owned(eniId("4"), undefined),
          owned(eniId("5"), "last tuesday"),
          owned(eniId("6"), hoursAgo(5), {}, "someone-else"),
          owned(eniId("7"), hoursAgo(5), {
            Status: "in-use",
            Attachment: { AttachmentId: ids.attachment, InstanceId: ids.instance },
          }),
          owned(eniId("8"), hoursAgo(5), { Status: "detaching" }),
        ],
      });

    // Act
    const result = await Eni.findOrphans(ec2, { olderThan: 3600 });

    // Assess
    // 3 h and exactly 1 h old are orphans; 30 min is young; no or unreadable time, another owner,
    // attached and not available are not, even if EC2's filters let them through.
    expect(result._unsafeUnwrap().map((orphan) => orphan.id)).toEqual([eniId("1"), eniId("3")]);
    expect(result._unsafeUnwrap()[0]).toBeInstanceOf(Eni);
    const calls = mock.commandCalls(DescribeNetworkInterfacesCommand).map((call) => call.args[0].input);
    const filters = [
      { Name: "status", Values: ["available"] },
      { Name: "tag:eni-kit:managed-by", Values: ["eni-kit"] },
    ];
    expect(calls).toEqual([
      { Filters: filters, MaxResults: 1000 },
      { Filters: filters, MaxResults: 1000, NextToken: "page-2" },
    ]);
  });

  it("filters on the given owner, and lists everything dated with olderThan 0", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [owned(eniId("1"), NOW.toISOString(), {}, "db-failover")] });

    const result = await Eni.findOrphans(ec2, { olderThan: 0, owner: "db-failover" });

    expect(result._unsafeUnwrap().map((orphan) => orphan.id)).toEqual([eniId("1")]);
    expect(mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [
        { Name: "status", Values: ["available"] },
        { Name: "tag:eni-kit:managed-by", Values: ["db-failover"] },
      ],
    });
  });

  it("returns EC2's refusal as a typed error", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("UnauthorizedOperation", "not authorized"));

    const result = await Eni.findOrphans(ec2, { olderThan: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError", code: "UnauthorizedOperation" });
  });

  it.each([
    ["no query", undefined, "olderThan"],
    ["a negative grace period", { olderThan: -1 }, "olderThan"],
    ["an infinite grace period", { olderThan: Number.POSITIVE_INFINITY }, "olderThan"],
    ["a grace period as text", { olderThan: "3600" }, "olderThan"],
    ["an empty owner", { olderThan: 60, owner: "" }, "owner"],
    ["a fake abort signal", { olderThan: 60, abortSignal: "stop" }, "abortSignal"],
    ["a misspelt option", { olderThan: 60, ownerTag: "x" }, "query.ownerTag"],
  ])("refuses %s before sending anything", async (_case, query, field) => {
    const { ec2, mock } = mockedEc2();

    const result = await Eni.findOrphans(ec2, query as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("refuses something that is not an EC2 client", async () => {
    const result = await Eni.findOrphans(null as never, { olderThan: 60 });
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "ec2" });
  });
});

/**
 * Answers DescribeNetworkInterfaces for these ENIs, whether asked by `NetworkInterfaceIds` or by
 * a `network-interface-id` filter (reads may be batched), as EC2 would.
 */
function describes(mock: ReturnType<typeof mockedEc2>["mock"], enis: readonly NetworkInterface[]) {
  const byId = new Map(enis.map((ni) => [ni.NetworkInterfaceId, ni]));
  mock.on(DescribeNetworkInterfacesCommand).callsFake((input: DescribeNetworkInterfacesCommandInput) => {
    const wanted =
      input.NetworkInterfaceIds ??
      input.Filters?.find((filter) => filter.Name === "network-interface-id")?.Values ??
      [];
    const missing = wanted.find((id) => !byId.has(id));
    if (input.NetworkInterfaceIds !== undefined && missing !== undefined) {
      throw ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${missing}' does not exist`);
    }
    return { NetworkInterfaces: wanted.flatMap((id) => byId.get(id) ?? []) };
  });
}

describe("Eni.reapOrphans", () => {
  it("re-reads each ENI, deletes the orphans and skips what changed since the listing", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    describes(mock, [
      owned(eniId("1"), "2026-01-01T00:00:00Z"),
      attachedEni(ids.standby, "attaching", {
        NetworkInterfaceId: eniId("2"),
        TagSet: owned(eniId("2"), undefined).TagSet,
      }),
      owned(eniId("3"), undefined, {}, "someone-else"),
      // eni-…4 is gone.
      owned(eniId("5"), undefined),
      owned(eniId("6"), undefined),
      owned(eniId("7"), undefined),
      owned(eniId("8"), undefined, { Status: "in-use" }),
    ]);
    mock.on(DeleteNetworkInterfaceCommand, { NetworkInterfaceId: eniId("1") }).resolves({});
    mock
      .on(DeleteNetworkInterfaceCommand, { NetworkInterfaceId: eniId("5") })
      .rejects(ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eniId("5")}] in use.`));
    mock
      .on(DeleteNetworkInterfaceCommand, { NetworkInterfaceId: eniId("6") })
      .rejects(ec2Error("InternalError", "An internal error has occurred"));
    mock
      .on(DeleteNetworkInterfaceCommand, { NetworkInterfaceId: eniId("7") })
      .rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded."));
    const snapshot = (await Eni.get(ec2, eniId("1")))._unsafeUnwrap();
    mock.resetHistory();

    // Act
    const ids8 = ["2", "3", "4", "5", "6", "7", "8"].map(eniId);
    const result = await Eni.reapOrphans(ec2, [snapshot, ...ids8]);

    // Assess
    const report = result._unsafeUnwrap();
    expect(report.deleted).toEqual([eniId("1")]);
    expect(report.skipped).toEqual([
      { id: eniId("2"), reason: `attached to ${ids.standby} since the listing` },
      { id: eniId("3"), reason: "not tagged eni-kit:managed-by=eni-kit since the listing" },
      { id: eniId("4"), reason: "already gone" },
      { id: eniId("5"), reason: `in use since the listing (Interface: [${eniId("5")}] in use.)` },
      { id: eniId("8"), reason: "status is in-use, not available since the listing" },
    ]);
    expect(report.failed.map(({ id, error }) => [id, error.name, error.code])).toEqual([
      [eniId("6"), "AwsError", "InternalError"],
      [eniId("7"), "ThrottledError", "RequestLimitExceeded"],
    ]);
    // Only what was still an orphan on the re-read got a delete; every ENI was re-read.
    expect(
      mock
        .commandCalls(DeleteNetworkInterfaceCommand)
        .map((call) => call.args[0].input.NetworkInterfaceId)
        .sort(),
    ).toEqual(["1", "5", "6", "7"].map(eniId));
    const reread = mock
      .commandCalls(DescribeNetworkInterfacesCommand)
      .flatMap((call) => call.args[0].input.NetworkInterfaceIds ?? call.args[0].input.Filters?.[0]?.Values ?? []);
    expect(reread.sort()).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"].map(eniId));
  });

  it("reports a failed re-read per ENI and deletes nothing it could not read", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded."));

    const report = (await Eni.reapOrphans(ec2, [eniId("1"), eniId("2")]))._unsafeUnwrap();

    expect(report.failed.map(({ id, error }) => [id, error.name])).toEqual([
      [eniId("1"), "ThrottledError"],
      [eniId("2"), "ThrottledError"],
    ]);
    expect(mock).not.toHaveReceivedCommand(DeleteNetworkInterfaceCommand);
  });

  it("deletes only ENIs tagged with the given owner", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [owned(eniId("1"), undefined, {}, "db-failover")] });
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    const mine = await Eni.reapOrphans(ec2, [eniId("1")], { owner: "db-failover" });
    const theirs = await Eni.reapOrphans(ec2, [eniId("1")]);

    expect(mine._unsafeUnwrap().deleted).toEqual([eniId("1")]);
    expect(theirs._unsafeUnwrap().skipped).toEqual([
      { id: eniId("1"), reason: "not tagged eni-kit:managed-by=eni-kit since the listing" },
    ]);
    expect(mock).toHaveReceivedCommandTimes(DeleteNetworkInterfaceCommand, 1);
  });

  it.each([
    ["the default of 5", undefined, 5, 12],
    ["concurrency: 2", 2, 2, 5],
  ])("keeps at most as many ENIs in flight as %s allows", async (_case, concurrency, limit, count) => {
    const { ec2, mock } = mockedEc2();
    const orphans = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c"].slice(0, count).map(eniId);
    describes(
      mock,
      orphans.map((id) => owned(id, undefined)),
    );
    let inFlight = 0;
    let most = 0;
    mock.on(DeleteNetworkInterfaceCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return {};
    });

    const result = await Eni.reapOrphans(ec2, orphans, concurrency === undefined ? undefined : { concurrency });

    expect(result._unsafeUnwrap().deleted).toEqual(orphans);
    expect(most).toBe(limit);
  });

  it("reports ENIs not reached before an abort as failed with AbortedError", async () => {
    const { ec2, mock } = mockedEc2();

    const result = await Eni.reapOrphans(ec2, [eniId("1"), eniId("2")], { abortSignal: AbortSignal.abort() });

    expect(result._unsafeUnwrap()).toMatchObject({
      deleted: [],
      skipped: [],
      failed: [
        { id: eniId("1"), error: { name: "AbortedError" } },
        { id: eniId("2"), error: { name: "AbortedError" } },
      ],
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it("does nothing for an empty list", async () => {
    const { ec2, mock } = mockedEc2();

    const result = await Eni.reapOrphans(ec2, []);

    expect(result._unsafeUnwrap()).toEqual({ deleted: [], skipped: [], failed: [] });
    expect(mock.calls()).toHaveLength(0);
  });

  it.each([
    ["not a list", eniId("1"), undefined, "orphans"],
    ["a malformed id", [eniId("1"), "eni-zz"], undefined, "orphans[1]"],
    ["an object without an id", [{ name: "x" }], undefined, "orphans[0]"],
    ["a null entry", [null], undefined, "orphans[0]"],
    ["the same ENI twice", [eniId("1"), eniId("1")], undefined, "orphans"],
    ["concurrency 0", [eniId("1")], { concurrency: 0 }, "concurrency"],
    ["concurrency 21", [eniId("1")], { concurrency: 21 }, "concurrency"],
    ["an empty owner", [eniId("1")], { owner: "" }, "owner"],
    ["a fake abort signal", [eniId("1")], { abortSignal: true }, "abortSignal"],
    ["options as a string", [eniId("1")], "fast", "options"],
    ["a misspelt option", [eniId("1")], { concurency: 2 }, "options.concurency"],
  ])("refuses %s before sending anything", async (_case, orphans, options, field) => {
    const { ec2, mock } = mockedEc2();

    const result = await Eni.reapOrphans(ec2, orphans as never, options as never);

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field });
    expect(mock.calls()).toHaveLength(0);
  });

  it("refuses something that is not an EC2 client", async () => {
    const result = await Eni.reapOrphans(undefined as never, [eniId("1")]);
    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "ec2" });
  });
});
