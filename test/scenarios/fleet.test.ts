import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Eni, configureRateLimits } from "../../src/index.js";
import { ACTIONS } from "../../src/ec2/rate-limit.js";
import { BATCH_SIZE, TICK_MS } from "../../src/ec2/reader.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { settleTimers as settle } from "./world.js";

/** `count` floating ENIs, each attached to its own primary, each with its own standby; EC2 throttling on. */
async function fleet(count: number) {
  const sim = new Ec2Simulator({ timings: { createMs: 200, attachMs: 2000, detachMs: 3000 }, throttling: true });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.0.0/17" });
  const primaries = Array.from({ length: count }, () => sim.addInstance({ subnetId }).instanceId);
  const standbys = Array.from({ length: count }, () => sim.addInstance({ subnetId }).instanceId);
  const enis = Array.from({ length: count }, () => sim.addNetworkInterface({ subnetId }).networkInterfaceId);
  const ec2 = sim.client();
  const attached = await settle(
    Eni.attachAll(
      ec2,
      enis.map((eniId, index) => ({ eniId, instanceId: primaries[index] ?? "" })),
    ),
  );
  expect(attached._unsafeUnwrap().failed).toBe(0);
  sim.clearCalls();
  return { sim, ec2, primaries, standbys, enis };
}

describe("fleets on the simulator, with EC2's throttling on", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("moves 300 ENIs with no throttling error, one Describe per batch per tick, and a few calls per ENI", async () => {
    // Prepare
    const { sim, ec2, primaries, standbys, enis } = await fleet(300);

    // Act
    const result = await settle(
      Eni.moveAll(
        ec2,
        enis.map((eniId, index) => ({ eniId, to: standbys[index] ?? "", expectedFrom: primaries[index] ?? "" })),
      ),
    );

    // Assess
    const report = result._unsafeUnwrap();
    expect(report.failed).toBe(0);
    expect(report.results.map(({ result: moved }) => moved._unsafeUnwrap().attachment?.instanceId)).toEqual(standbys);
    expect(enis.every((id, index) => sim.networkInterface(id)?.Attachment?.InstanceId === standbys[index])).toBe(true);
    // No call was throttled at all: the client stayed under EC2's buckets.
    expect(sim.calls.filter((call) => call.outcome === "RequestLimitExceeded")).toEqual([]);
    const count = (action: string) => sim.calls.filter((call) => call.action === action).length;
    expect(count("DetachNetworkInterface")).toBe(300);
    expect(count("AttachNetworkInterface")).toBe(300);
    // Reads are shared: at most one Describe per batch of ids in any tick.
    const perTick = new Map<number, number>();
    for (const call of sim.calls.filter((c) => c.action === "DescribeNetworkInterfaces")) {
      const tick = Math.floor(call.time / TICK_MS);
      perTick.set(tick, (perTick.get(tick) ?? 0) + 1);
    }
    expect(Math.max(...perTick.values())).toBeLessThanOrEqual(Math.ceil(300 / BATCH_SIZE));
    expect(sim.calls.length).toBeLessThan(300 * 4 + perTick.size * 2 + 50);
  }, 60_000);

  it("reports each item on its own: one failure hides none of the others", async () => {
    const { ec2, primaries, standbys, enis } = await fleet(5);
    const moves = enis.map((eniId, index) => ({
      eniId,
      to: standbys[index] ?? "",
      expectedFrom: primaries[index] ?? "",
    }));
    // The third one is fenced: it is not where this controller thinks.
    moves[2] = { ...moves[2], eniId: enis[2] ?? "", expectedFrom: standbys[2] ?? "" } as (typeof moves)[number];

    const report = (await settle(Eni.moveAll(ec2, moves, { concurrency: 2 })))._unsafeUnwrap();

    expect(report.results.map(({ result }) => (result.isOk() ? "ok" : result.error.name))).toEqual([
      "ok",
      "ok",
      "ConflictError",
      "ok",
      "ok",
    ]);
    expect(report).toMatchObject({ succeeded: 4, failed: 1 });
    expect(report.results.map(({ eniId }) => eniId)).toEqual(enis);
  }, 30_000);

  it("detaches many, and refuses a malformed batch before sending anything", async () => {
    const { sim, ec2, enis } = await fleet(3);

    const bad = await Eni.moveAll(ec2, [{ eniId: enis[0] ?? "", to: "i-nope" }]);
    const duplicate = await Eni.detachAll(ec2, [{ eniId: enis[0] ?? "" }, { eniId: enis[0] ?? "" }]);
    const badConcurrency = await Eni.attachAll(ec2, [], { concurrency: 0 });
    const notAList = await Eni.detachAll(ec2, "eni-0123456789abcdef0" as never);
    const badItem = await Eni.attachAll(ec2, [{ eniId: "eni-1", instanceId: "i-0123456789abcdef0" }]);
    expect(bad._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "moves[0].to" });
    expect(duplicate._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "detaches" });
    expect(badConcurrency._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "concurrency" });
    expect(notAList._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "detaches" });
    expect(badItem._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "attaches[0].eniId" });
    expect(sim.calls).toEqual([]);

    const detached = (
      await settle(
        Eni.detachAll(
          ec2,
          enis.map((eniId) => ({ eniId })),
        ),
      )
    )._unsafeUnwrap();
    expect(detached.succeeded).toBe(3);
    expect(enis.every((id) => sim.networkInterface(id)?.Status === "available")).toBe(true);
  }, 30_000);
});

describe("a program's own concurrent moves, EC2 answering at once", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("share tick-aligned reads while they run together, though no two reads are ever in flight at once", async () => {
    // Prepare: the default simulator: zero latency, no throttling.
    const sim = new Ec2Simulator();
    const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.0.0/20" });
    const count = 20;
    const primaries = Array.from({ length: count }, () => sim.addInstance({ subnetId }).instanceId);
    const standbys = Array.from({ length: count }, () => sim.addInstance({ subnetId }).instanceId);
    const ec2 = sim.client();
    const enis = await settle(
      Promise.all(
        primaries.map(async (primary) => {
          const eni = sim.addNetworkInterface({ subnetId }).networkInterfaceId;
          return (await Eni.get(ec2, eni).attachTo(primary))._unsafeUnwrap();
        }),
      ),
    );
    sim.clearCalls();

    // Act: not moveAll, a Promise.all of moves, each noting when it ended.
    const ended: number[] = [];
    const moved = await settle(
      Promise.all(
        enis.map((eni, index) =>
          eni.moveTo(standbys[index] ?? "", { expectedFrom: primaries[index] ?? "" }).andTee(() => {
            ended.push(Date.now());
          }),
        ),
      ),
    );

    // Assess
    expect(moved.every((result) => result.isOk())).toBe(true);
    // While at least two moves run, their reads share calls: at most one Describe per tick.
    const together = [...ended].sort((a, b) => a - b).at(-2) ?? 0;
    const perTick = new Map<number, number>();
    for (const call of sim.calls)
      if (call.action === "DescribeNetworkInterfaces" && call.time < together)
        perTick.set(Math.floor(call.time / TICK_MS), (perTick.get(Math.floor(call.time / TICK_MS)) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBe(1);
    // Far fewer Describes than moves times polls.
    expect(sim.calls.filter((call) => call.action === "DescribeNetworkInterfaces").length).toBeLessThan(count * 3);
  }, 30_000);
});

describe("configureRateLimits", () => {
  it("paces requests to the configured bucket, and can be turned off", async () => {
    vi.useFakeTimers();
    try {
      const sim = new Ec2Simulator();
      const ec2 = sim.client();
      expect(configureRateLimits(ec2, { DescribeNetworkInterfaces: { capacity: 2, refillPerSecond: 1 } }).isOk()).toBe(
        true,
      );
      const started = Date.now();
      await settle(Promise.all([1, 2, 3, 4].map(() => Eni.find(ec2, {}))));
      // Two at once, then one per second.
      expect(sim.calls.map((call) => call.time - started)).toEqual([0, 0, 1000, 2000]);

      expect(configureRateLimits(ec2, false).isOk()).toBe(true);
      sim.clearCalls();
      await settle(Promise.all([1, 2, 3, 4].map(() => Eni.find(ec2, {}))));
      expect(new Set(sim.calls.map((call) => call.time)).size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a limit that is not two positive numbers", () => {
    const ec2 = new Ec2Simulator().client();
    expect(
      configureRateLimits(ec2, { AttachNetworkInterface: { capacity: 0, refillPerSecond: 1 } })._unsafeUnwrapErr(),
    ).toMatchObject({ name: "ValidationError", field: "overrides.AttachNetworkInterface" });
    expect(configureRateLimits(ec2, { AttachNetworkInterface: { capacity: 5 } as never })._unsafeUnwrapErr().name).toBe(
      "ValidationError",
    );
  });

  it("refuses an action eni-kit never sends, a misspelt one most of all, before setting anything", () => {
    // Prepare
    const ec2 = new Ec2Simulator().client();

    // Act
    const misspelt = configureRateLimits(ec2, {
      DescribeInstances: { capacity: 1, refillPerSecond: 1 },
      DescribeNetworkInterface: { capacity: 1, refillPerSecond: 1 },
    });

    // Assess
    expect(misspelt._unsafeUnwrapErr()).toMatchObject({
      name: "ValidationError",
      field: "overrides.DescribeNetworkInterface",
    });
    expect(misspelt._unsafeUnwrapErr().message).toMatch(
      /^Unknown action "DescribeNetworkInterface"; eni-kit sends only /,
    );
  });

  it("knows every EC2 action the library sends", () => {
    const sent = new Set(
      readdirSync(new URL("../../src/", import.meta.url), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts") && !file.startsWith("testing"))
        .flatMap((file) => [
          ...readFileSync(new URL(`../../src/${file}`, import.meta.url), "utf8").matchAll(/new (\w+)Command\(/g),
        ])
        .map((match) => match[1]),
    );

    expect([...ACTIONS].sort()).toEqual([...sent].sort());
  });

  it("lets an abort end a wait for a token", async () => {
    const sim = new Ec2Simulator();
    const ec2 = sim.client();
    configureRateLimits(ec2, { DescribeNetworkInterfaces: { capacity: 1, refillPerSecond: 0.01 } });
    await Eni.find(ec2, {});
    const result = await Eni.find(ec2, { abortSignal: AbortSignal.timeout(20) });
    expect(result._unsafeUnwrapErr().name).toBe("AbortedError");
  });
});
