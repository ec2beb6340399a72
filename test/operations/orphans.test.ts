import {
  AttachNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type DescribeNetworkInterfacesCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { holdEni } from "../../src/steps/ownership.js";
import { Eni, OWNERSHIP_TAGS } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { attachedEni, ec2Error, eni, ids, mockedEc2 } from "../fixtures.js";

const NOW = new Date("2026-11-28T12:00:00Z");
/** When the ENIs of these tests were created: months before any reaper pass. */
const MONTHS_AGO = "2026-06-01T00:00:00.000Z";
const HOUR = 3600;
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const hoursAgo = (hours: number) => iso(-hours * HOUR);
/** A well-formed ENI id ending in the hex digit `n`. */
const eniId = (n: string) => `eni-0000000000000000${n}`;
const { managedBy, createdAt, attached, freeSince, heldUntil } = OWNERSHIP_TAGS;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

/** An ENI as eni-kit creates it (owned, with a creation time), plus the reaper's tags given. */
function owned(
  id: string,
  tags: Readonly<Record<string, string>> = {},
  overrides: Parameters<typeof eni>[0] = {},
  owner = "eni-kit",
): NetworkInterface {
  return eni({
    NetworkInterfaceId: id,
    TagSet: Object.entries({ Name: "leftover", [managedBy]: owner, [createdAt]: MONTHS_AGO, ...tags }).map(
      ([Key, Value]) => ({ Key, Value }),
    ),
    ...overrides,
  });
}

// --- the rule, on the EC2 simulator -----------------------------------------------------------

/**
 * A region with two big instances; helpers that act as other tools (plain SDK calls) or as an
 * eni-kit attach or move would, on one client; and the reaper's own client, as on another host.
 */
function world() {
  const sim = new Ec2Simulator({ timings: { createMs: 0, attachMs: 0, detachMs: 0 } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const primary = sim.addInstance({ subnetId, instanceType: "c5.18xlarge" }).instanceId;
  const standby = sim.addInstance({ subnetId, instanceType: "c5.18xlarge" }).instanceId;
  const ec2 = sim.client();
  const reaper = sim.client();
  let deviceIndex = 0;
  return {
    sim,
    ec2,
    reaper,
    primary,
    standby,
    /** An ENI as `Eni.create` left it months ago, plus `tags`. */
    owned: (tags: Readonly<Record<string, string>> = {}) =>
      sim.addNetworkInterface({ subnetId, tags: { [managedBy]: "eni-kit", [createdAt]: MONTHS_AGO, ...tags } })
        .networkInterfaceId,
    /** Attaches with a plain SDK call (no eni-kit tags); returns the attachment id. */
    attach: async (id: string, instanceId = primary) => {
      deviceIndex += 1;
      const input = { NetworkInterfaceId: id, InstanceId: instanceId, DeviceIndex: deviceIndex, NetworkCardIndex: 0 };
      return (await ec2.send(new AttachNetworkInterfaceCommand(input))).AttachmentId ?? "";
    },
    detach: (attachmentId: string) => ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId })),
    /** What an eni-kit attach (no `until`) or move (a lease until `until`) writes before it acts. */
    hold: async (id: string, until?: Date) =>
      (await holdEni(ec2, sim.networkInterface(id) ?? {}, {}, until))._unsafeUnwrap(),
    tags: (id: string) =>
      Object.fromEntries((sim.networkInterface(id)?.TagSet ?? []).map((t) => [t.Key ?? "", t.Value ?? ""] as const)),
    /** One `findOrphans` pass at `NOW + seconds`: the ids it lists. */
    pass: async (seconds: number, query: Parameters<typeof Eni.findOrphans>[1]) => {
      vi.setSystemTime(at(seconds));
      return (await Eni.findOrphans(reaper, query))._unsafeUnwrap().map((orphan) => orphan.id);
    },
    calls: (action: string) => sim.calls.filter((call) => call.action === action),
  };
}

describe("the reaper's rule (a floating ENI is never reaped mid-failover)", () => {
  it("never lists nor reaps a months-old floating ENI that a move has just detached", async () => {
    // Prepare: eni-kit attached it (the marker), a move holds it and has detached it.
    const w = world();
    const floating = w.owned();
    const attachment = await w.attach(floating);
    await w.hold(floating);
    await w.hold(floating, at(600));
    await w.detach(attachment);

    // Act: reapers on other hosts, with no grace at all, while the attach to the standby is throttled.
    const first = await w.pass(1, { olderThan: 0 });
    const second = await w.pass(2, { olderThan: 0 });
    const reaped = (await Eni.reapOrphans(w.reaper, [floating]))._unsafeUnwrap();
    // …and long after the move gave up on its lease: still attached before.
    const later = await w.pass(HOUR, { olderThan: 0 });
    const laterStill = await w.pass(2 * HOUR, { olderThan: 0 });
    const reapedLater = (await Eni.reapOrphans(w.reaper, [floating]))._unsafeUnwrap();

    // Assess
    expect([first, second, later, laterStill]).toEqual([[], [], [], []]);
    expect(reaped.skipped).toEqual([{ id: floating, reason: `held by a move until ${iso(600)}` }]);
    expect(reapedLater.skipped).toEqual([
      { id: floating, reason: `attached before (${attached}=${iso(0)}); see includeOnceAttached` },
    ]);
    expect(w.calls("DeleteNetworkInterface")).toEqual([]);
    expect(w.sim.networkInterface(floating)?.Status).toBe("available");
  });

  it("marks an owned ENI it sees attached, so a later detach by anyone does not make it an orphan", async () => {
    const w = world();
    const floating = w.owned();
    const attachment = await w.attach(floating);

    const whileAttached = await w.pass(0, { olderThan: 0 });
    const marked = w.tags(floating);
    await w.detach(attachment);
    const afterDetach = [await w.pass(1, { olderThan: 0 }), await w.pass(2 * HOUR, { olderThan: 0 })];
    const reaped = (await Eni.reapOrphans(w.reaper, [floating]))._unsafeUnwrap();

    expect(whileAttached).toEqual([]);
    expect(marked[attached]).toBe(iso(0));
    expect(afterDetach).toEqual([[], []]);
    expect(reaped.deleted).toEqual([]);
    expect(reaped.skipped[0]?.reason).toMatch(/^attached before/);
    // Seen only while protected: no count ever started.
    expect(w.tags(floating)[freeSince]).toBeUndefined();
  });

  it("tags an ENI first seen free and never lists it in the same pass, whatever olderThan", async () => {
    const w = world();
    const leftover = w.owned();

    const first = await w.pass(0, { olderThan: 0 });

    expect(first).toEqual([]);
    expect(w.tags(leftover)).toMatchObject({ [freeSince]: iso(0), [createdAt]: MONTHS_AGO });
    expect(w.tags(leftover)[attached]).toBeUndefined();
  });

  it("counts the grace period from when the ENI was first seen free, not from its creation", async () => {
    const w = world();
    const leftover = w.owned();

    const seen = await w.pass(0, { olderThan: HOUR });
    const early = await w.pass(HOUR - 1, { olderThan: HOUR });
    const due = await w.pass(HOUR, { olderThan: HOUR });
    const count = w.tags(leftover)[freeSince];
    const tooEarly = (await Eni.reapOrphans(w.reaper, due, { olderThan: 2 * HOUR }))._unsafeUnwrap();
    const report = (await Eni.reapOrphans(w.reaper, due, { olderThan: HOUR }))._unsafeUnwrap();

    expect([seen, early, due]).toEqual([[], [], [leftover]]);
    // A later pass never moves the start of the count.
    expect(count).toBe(iso(0));
    expect(tooEarly.skipped).toEqual([{ id: leftover, reason: `seen free only since ${iso(0)}` }]);
    expect(report).toEqual({ deleted: [leftover], skipped: [], failed: [] });
    expect(w.sim.networkInterface(leftover)).toBeUndefined();
  });

  it("resets the count when it sees the ENI attached again (one CreateTags with the marker)", async () => {
    const w = world();
    const leftover = w.owned();
    await w.pass(0, { olderThan: HOUR });
    const attachment = await w.attach(leftover);
    w.sim.clearCalls();

    await w.pass(HOUR, { olderThan: HOUR });
    const observed = w.calls("CreateTags").map((call) => call.input);
    await w.detach(attachment);
    const query = { olderThan: HOUR, includeOnceAttached: true } as const;
    const afresh = [await w.pass(HOUR + 1, query), await w.pass(2 * HOUR, query), await w.pass(2 * HOUR + 1, query)];

    expect(observed).toEqual([
      {
        Resources: [leftover],
        Tags: [
          { Key: attached, Value: iso(HOUR) },
          { Key: freeSince, Value: "" },
        ],
      },
    ]);
    // Counted afresh from the pass after the detach (HOUR + 1), not from the first sighting.
    expect(afresh).toEqual([[], [], [leftover]]);
    expect(w.tags(leftover)[freeSince]).toBe(iso(HOUR + 1));
  });

  it("with includeOnceAttached, reaps an ENI left available by its terminated instance, after the grace", async () => {
    const w = world();
    const leftover = w.owned();
    await w.attach(leftover);
    await w.pass(0, { olderThan: HOUR });
    const marker = w.tags(leftover)[attached];
    w.sim.terminateInstance(w.primary);
    vi.setSystemTime(at(10));

    const query = { olderThan: HOUR, includeOnceAttached: true } as const;
    const byDefault = await w.pass(20, { olderThan: 0 });
    const passes = [await w.pass(30, query), await w.pass(30 + HOUR - 1, query), await w.pass(30 + HOUR, query)];
    const report = (await Eni.reapOrphans(w.reaper, passes[2] ?? [], query))._unsafeUnwrap();

    expect(marker).toBe(iso(0));
    expect(byDefault).toEqual([]);
    expect(passes).toEqual([[], [], [leftover]]);
    expect(report.deleted).toEqual([leftover]);
  });

  it("skips an ENI under an unexpired lease in findOrphans and reapOrphans, whatever the options", async () => {
    const w = world();
    const seenFree = w.owned();
    await w.pass(0, { olderThan: 0 });
    const leased = w.owned();
    // A move takes both: the marker, a reset count and a lease of ten minutes.
    await w.hold(leased, at(600));
    await w.hold(seenFree, at(600));
    w.sim.clearCalls();

    const query = { olderThan: 0, includeOnceAttached: true } as const;
    const during = [await w.pass(1, query), await w.pass(599, query)];
    const reaped = (await Eni.reapOrphans(w.reaper, [leased, seenFree], query))._unsafeUnwrap();

    expect(during).toEqual([[], []]);
    expect(reaped.deleted).toEqual([]);
    expect(reaped.skipped).toEqual([
      { id: leased, reason: `held by a move until ${iso(600)}` },
      { id: seenFree, reason: `held by a move until ${iso(600)}` },
    ]);
    // A held ENI is not observed either: its count starts only once the lease is over.
    expect(w.calls("CreateTags")).toEqual([]);
    expect(w.tags(leased)[freeSince]).toBeUndefined();
    expect(w.tags(seenFree)).toMatchObject({ [attached]: iso(0), [freeSince]: "", [heldUntil]: iso(600) });
  });

  it("lets an expired lease protect nothing", async () => {
    const w = world();
    const expired = w.owned({ [heldUntil]: iso(-1) });
    const unreadable = w.owned({ [heldUntil]: "until the move is done" });
    const empty = w.owned({ [heldUntil]: "" });

    const first = await w.pass(0, { olderThan: 0 });
    const second = await w.pass(1, { olderThan: 0 });
    const report = (await Eni.reapOrphans(w.reaper, [expired, unreadable, empty]))._unsafeUnwrap();

    expect(first).toEqual([]);
    // A lease eni-kit cannot read is kept as a lease: skipped, never deleted.
    expect(second.sort()).toEqual([expired, empty].sort());
    expect(report.deleted).toEqual([expired, empty]);
    expect(report.skipped).toEqual([{ id: unreadable, reason: "held by a move until until the move is done" }]);
  });

  it("writes its observations with one CreateTags per distinct tag set, after one filtered listing", async () => {
    const w = world();
    // Seen free before, then attached by another tool: marker and reset count.
    const reattached = [w.owned(), w.owned()];
    await w.pass(0, { olderThan: 0 });
    for (const id of reattached) await w.attach(id);
    const attachedNow = [w.owned(), w.owned(), w.owned()];
    for (const id of attachedNow) await w.attach(id);
    const newlyFree = [w.owned(), w.owned(), w.owned()];
    const settled = w.owned({ [attached]: hoursAgo(24), [freeSince]: "" });
    await w.attach(settled);
    const counting = w.owned({ [freeSince]: hoursAgo(1) });
    const someoneElses = w.sim.addNetworkInterface({
      subnetId: w.sim.networkInterface(counting)?.SubnetId ?? "",
      tags: { [managedBy]: "someone-else" },
    }).networkInterfaceId;
    w.sim.clearCalls();

    const listed = await w.pass(60, { olderThan: HOUR });

    expect(listed).toEqual([counting]);
    const describes = w.calls("DescribeNetworkInterfaces");
    expect(describes.map((call) => call.input["Filters"])).toEqual([
      [{ Name: `tag:${managedBy}`, Values: ["eni-kit"] }],
    ]);
    const writes = w
      .calls("CreateTags")
      .map((call) => ({ ...call.input, Resources: [...(call.input["Resources"] as string[])].sort() }));
    expect(writes).toHaveLength(3);
    expect(writes).toEqual(
      expect.arrayContaining([
        { Resources: [...attachedNow].sort(), Tags: [{ Key: attached, Value: iso(60) }] },
        {
          Resources: [...reattached].sort(),
          Tags: [
            { Key: attached, Value: iso(60) },
            { Key: freeSince, Value: "" },
          ],
        },
        { Resources: [...newlyFree].sort(), Tags: [{ Key: freeSince, Value: iso(60) }] },
      ]),
    );
    expect(w.tags(settled)).toMatchObject({ [attached]: hoursAgo(24), [freeSince]: "" });
    expect(w.tags(someoneElses)).toEqual({ [managedBy]: "someone-else" });
    // The steady state costs one describe and no write.
    w.sim.clearCalls();
    await w.pass(61, { olderThan: HOUR });
    expect(w.sim.calls.map((call) => call.action)).toEqual(["DescribeNetworkInterfaces"]);
  });

  it("lists nothing new when its observations cannot be written, and says why", async () => {
    const w = world();
    const due = w.owned();
    await w.pass(0, { olderThan: HOUR });
    const unseen = w.owned();
    const inUse = w.owned();
    await w.attach(inUse);
    w.sim.denyActions(["CreateTags"]);

    const result = await Eni.findOrphans(w.reaper, { olderThan: HOUR });
    vi.setSystemTime(at(HOUR));
    const denied = await Eni.findOrphans(w.reaper, { olderThan: HOUR });

    for (const outcome of [result, denied]) {
      expect(outcome._unsafeUnwrapErr()).toMatchObject({ name: "AccessDeniedError", code: "UnauthorizedOperation" });
    }
    expect(w.tags(unseen)[freeSince]).toBeUndefined();
    expect(w.tags(inUse)[attached]).toBeUndefined();
    expect(w.calls("DeleteNetworkInterface")).toEqual([]);
    expect(w.sim.networkInterface(due)).toBeDefined();
  });

  it("reapOrphans skips what was attached, held or marked between the listing and the delete", async () => {
    const w = world();
    const [takenIntoService, movedAndBack, leased, untouched] = [w.owned(), w.owned(), w.owned(), w.owned()];
    await w.pass(0, { olderThan: HOUR });
    vi.setSystemTime(at(HOUR));
    const listed = (await Eni.findOrphans(w.reaper, { olderThan: HOUR }))._unsafeUnwrap();
    // Between the listing and the reap: another tool attaches one; eni-kit attaches and detaches
    // another; a move takes a third.
    await w.attach(takenIntoService, w.standby);
    await w.hold(movedAndBack);
    await w.detach(await w.attach(movedAndBack));
    await w.hold(leased, at(HOUR + 600));
    w.sim.clearCalls();

    const report = (await Eni.reapOrphans(w.reaper, listed, { olderThan: HOUR }))._unsafeUnwrap();

    expect(listed.map((orphan) => orphan.id)).toEqual([takenIntoService, movedAndBack, leased, untouched]);
    expect(report.deleted).toEqual([untouched]);
    expect(report.skipped).toEqual([
      { id: takenIntoService, reason: `attached to ${w.standby}` },
      { id: movedAndBack, reason: `attached before (${attached}=${iso(HOUR)}); see includeOnceAttached` },
      { id: leased, reason: `held by a move until ${iso(HOUR + 600)}` },
    ]);
    expect(w.calls("DeleteNetworkInterface").map((call) => call.input["NetworkInterfaceId"])).toEqual([untouched]);
    // reapOrphans only reads and deletes: it writes no observation.
    expect(w.calls("CreateTags")).toEqual([]);
  });

  it("reapOrphans deletes nothing that no findOrphans pass has seen free", async () => {
    const w = world();
    const unseen = w.owned();

    const report = (await Eni.reapOrphans(w.reaper, [unseen]))._unsafeUnwrap();

    expect(report.skipped).toEqual([{ id: unseen, reason: `not seen free yet (no ${freeSince} time)` }]);
    expect(w.sim.networkInterface(unseen)).toBeDefined();
  });
});

// --- findOrphans against a mocked EC2 ----------------------------------------------------------

describe("Eni.findOrphans", () => {
  it("lists owned ENIs of every status from one filtered, paginated listing, and applies the rule", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({
        NetworkInterfaces: [
          owned(eniId("1"), { [freeSince]: hoursAgo(3) }),
          owned(eniId("2"), { [freeSince]: hoursAgo(0.5) }),
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        NetworkInterfaces: [
          owned(eniId("3"), { [freeSince]: hoursAgo(1) }),
          owned(eniId("4"), { [freeSince]: "last tuesday", [attached]: "" }),
          owned(eniId("5"), { [freeSince]: hoursAgo(5), [attached]: hoursAgo(6) }),
          owned(eniId("6"), { [freeSince]: hoursAgo(5) }, {}, "someone-else"),
          owned(
            eniId("7"),
            { [freeSince]: hoursAgo(5), [attached]: hoursAgo(6) },
            { Status: "in-use", Attachment: { AttachmentId: ids.attachment, InstanceId: ids.instance } },
          ),
          owned(eniId("8"), { [freeSince]: hoursAgo(5), [attached]: hoursAgo(6) }, { Status: "detaching" }),
          owned(eniId("9"), { [freeSince]: hoursAgo(5), [heldUntil]: iso(60) }),
          owned(eniId("a"), { [freeSince]: iso(60) }),
          owned(eniId("b"), {}, { Status: "pending" }),
        ],
      });
    mock.on(CreateTagsCommand).resolves({});

    // Act
    const result = await Eni.findOrphans(ec2, { olderThan: 3600 });

    // Assess
    // Seen free 3 h and exactly 1 h ago are orphans; 30 min is young; an unreadable time is not a
    // time; the marker (whatever its value), another owner, attached, held, a time in the future
    // (another host's clock) and a pending ENI are not.
    expect(result._unsafeUnwrap().map((orphan) => orphan.id)).toEqual([eniId("1"), eniId("3")]);
    expect(result._unsafeUnwrap()[0]).toBeInstanceOf(Eni);
    const calls = mock.commandCalls(DescribeNetworkInterfacesCommand).map((call) => call.args[0].input);
    const filters = [{ Name: "tag:eni-kit:managed-by", Values: ["eni-kit"] }];
    expect(calls).toEqual([
      { Filters: filters, MaxResults: 1000 },
      { Filters: filters, MaxResults: 1000, NextToken: "page-2" },
    ]);
    // Attached (7) or on the way out (8) resets a count; the marked ENI 4 starts none.
    expect(mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: [eniId("7"), eniId("8")], Tags: [{ Key: freeSince, Value: "" }] },
    ]);
  });

  it("filters on the given owner, and starts the count of what it sees free for the first time", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        owned(eniId("1"), {}, {}, "db-failover"),
        owned(eniId("2"), { [freeSince]: "" }, {}, "db-failover"),
        owned(eniId("3"), { [freeSince]: "soon" }, {}, "db-failover"),
      ],
    });
    mock.on(CreateTagsCommand).resolves({});

    const result = await Eni.findOrphans(ec2, { olderThan: 0, owner: "db-failover" });

    expect(result._unsafeUnwrap()).toEqual([]);
    expect(mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: "tag:eni-kit:managed-by", Values: ["db-failover"] }],
    });
    expect(mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: [eniId("1"), eniId("2"), eniId("3")], Tags: [{ Key: freeSince, Value: NOW.toISOString() }] },
    ]);
  });

  it("splits a write into batches of 1000 ENIs, EC2's limit for one CreateTags", async () => {
    const { ec2, mock } = mockedEc2();
    const many = Array.from({ length: 1001 }, (_, i) => owned(`eni-${i.toString(16).padStart(17, "0")}`));
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: many });
    mock.on(CreateTagsCommand).resolves({});

    const result = await Eni.findOrphans(ec2, { olderThan: 0 });

    expect(result._unsafeUnwrap()).toEqual([]);
    expect(mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input.Resources?.length)).toEqual([1000, 1]);
  });

  it("writes the rest of a batch again when EC2 says one of its ENIs is gone", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [owned(eniId("1")), owned(eniId("2")), owned(eniId("3"))],
    });
    mock
      .on(CreateTagsCommand)
      .rejectsOnce(
        ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${eniId("2")}' does not exist`),
      )
      .resolves({});

    const result = await Eni.findOrphans(ec2, { olderThan: 0 });

    expect(result._unsafeUnwrap()).toEqual([]);
    expect(mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input.Resources)).toEqual([
      [eniId("1"), eniId("2"), eniId("3")],
      [eniId("1"), eniId("3")],
    ]);
  });

  it("returns a failed write as a typed error, after trying every write", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        owned(eniId("1"), { [freeSince]: hoursAgo(2) }),
        owned(eniId("2")),
        attachedEni(ids.instance, "attached", { NetworkInterfaceId: eniId("3"), TagSet: owned(eniId("3")).TagSet }),
      ],
    });
    mock.on(CreateTagsCommand).rejectsOnce(ec2Error("RequestLimitExceeded", "Request limit exceeded.")).resolves({});

    const result = await Eni.findOrphans(ec2, { olderThan: 60 });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ThrottledError", code: "RequestLimitExceeded" });
    expect(mock).toHaveReceivedCommandTimes(CreateTagsCommand, 2);
  });

  it("returns EC2's refusal to list as a typed error", async () => {
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
    ["includeOnceAttached as text", { olderThan: 60, includeOnceAttached: "yes" }, "includeOnceAttached"],
    ["a fake abort signal", { olderThan: 60, abortSignal: "stop" }, "abortSignal"],
    ["a misspelt option", { olderThan: 60, ownerTag: "x" }, "query.ownerTag"],
    ["a reap option", { olderThan: 60, concurrency: 2 }, "query.concurrency"],
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

// --- reapOrphans against a mocked EC2 ----------------------------------------------------------

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

/** Seen free by an earlier pass. */
const seen = { [freeSince]: hoursAgo(2) };

describe("Eni.reapOrphans", () => {
  it("re-reads each ENI, deletes the orphans and skips what no longer passes the rule", async () => {
    // Prepare
    const { ec2, mock } = mockedEc2();
    describes(mock, [
      owned(eniId("1"), seen),
      attachedEni(ids.standby, "attaching", {
        NetworkInterfaceId: eniId("2"),
        TagSet: owned(eniId("2"), seen).TagSet,
      }),
      owned(eniId("3"), seen, {}, "someone-else"),
      // eni-…4 is gone.
      owned(eniId("5"), seen),
      owned(eniId("6"), seen),
      owned(eniId("7"), seen),
      owned(eniId("8"), seen, { Status: "in-use" }),
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
    const result = await Eni.reapOrphans(ec2, [snapshot, ...ids8], { olderThan: 3600 });

    // Assess
    const report = result._unsafeUnwrap();
    expect(report.deleted).toEqual([eniId("1")]);
    expect(report.skipped).toEqual([
      { id: eniId("2"), reason: `attached to ${ids.standby}` },
      { id: eniId("3"), reason: "not tagged eni-kit:managed-by=eni-kit" },
      { id: eniId("4"), reason: "already gone" },
      { id: eniId("5"), reason: `in use (Interface: [${eniId("5")}] in use.)` },
      { id: eniId("8"), reason: "status is in-use, not available" },
    ]);
    expect(report.failed.map(({ id, error }) => [id, error.name, error.code])).toEqual([
      [eniId("6"), "AwsError", "InternalError"],
      [eniId("7"), "ThrottledError", "RequestLimitExceeded"],
    ]);
    // Only what still passed the rule on the re-read got a delete; every ENI was re-read.
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
    expect(mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it("re-applies the grace period, the marker and the lease as given", async () => {
    const { ec2, mock } = mockedEc2();
    describes(mock, [
      owned(eniId("1"), { [freeSince]: hoursAgo(2) }),
      owned(eniId("2"), { [freeSince]: hoursAgo(2), [attached]: hoursAgo(3) }),
      owned(eniId("3"), { [freeSince]: hoursAgo(2), [heldUntil]: iso(1) }),
    ]);
    mock.on(DeleteNetworkInterfaceCommand).resolves({});
    const all = ["1", "2", "3"].map(eniId);

    const strict = (await Eni.reapOrphans(ec2, all, { olderThan: 3 * HOUR }))._unsafeUnwrap();
    const lenient = (await Eni.reapOrphans(ec2, all, { olderThan: HOUR, includeOnceAttached: true }))._unsafeUnwrap();

    expect(strict.skipped).toEqual([
      { id: eniId("1"), reason: `seen free only since ${hoursAgo(2)}` },
      { id: eniId("2"), reason: `attached before (${attached}=${hoursAgo(3)}); see includeOnceAttached` },
      { id: eniId("3"), reason: `held by a move until ${iso(1)}` },
    ]);
    expect(lenient.deleted).toEqual([eniId("1"), eniId("2")]);
    expect(lenient.skipped).toEqual([{ id: eniId("3"), reason: `held by a move until ${iso(1)}` }]);
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
      .resolves({ NetworkInterfaces: [owned(eniId("1"), seen, {}, "db-failover")] });
    mock.on(DeleteNetworkInterfaceCommand).resolves({});

    const mine = await Eni.reapOrphans(ec2, [eniId("1")], { owner: "db-failover" });
    const theirs = await Eni.reapOrphans(ec2, [eniId("1")]);

    expect(mine._unsafeUnwrap().deleted).toEqual([eniId("1")]);
    expect(theirs._unsafeUnwrap().skipped).toEqual([
      { id: eniId("1"), reason: "not tagged eni-kit:managed-by=eni-kit" },
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
      orphans.map((id) => owned(id, seen)),
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
    ["a negative grace period", [eniId("1")], { olderThan: -1 }, "olderThan"],
    ["a grace period of NaN", [eniId("1")], { olderThan: Number.NaN }, "olderThan"],
    ["includeOnceAttached as 1", [eniId("1")], { includeOnceAttached: 1 }, "includeOnceAttached"],
    ["a fake abort signal", [eniId("1")], { abortSignal: true }, "abortSignal"],
    ["options as a string", [eniId("1")], "fast", "options"],
    ["a misspelt option", [eniId("1")], { concurency: 2 }, "options.concurency"],
    ["a misspelt include option", [eniId("1")], { includeAttached: true }, "options.includeAttached"],
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
