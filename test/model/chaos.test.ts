/**
 * Chaos: 200 failovers at once on the simulator, each ENI moved from its own primary
 * to its own standby, under small throttle buckets, 5xx answers, refused and failing attaches,
 * detaches that hang until forced, standbys terminated mid-move, and duplicated controllers
 * racing on the same ENI with a fence. None may be lost: every ENI ends on its standby, back on
 * its source, or `available` with its caller told so.
 *
 * Then on the simulator's `realistic` preset (stale reads that go backwards, new ids unknown
 * for a while, latency, EC2-like transitions drawn per transition), 50 times faster, with an
 * orphan reaper running on another client the whole time (`includeOnceAttached`, no grace
 * period): it must delete none of the ENIs the moves hold; and no move may outlive its deadline
 * by more than one poll.
 */
import type { Result } from "neverthrow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Eni, OWNERSHIP_TAGS, type EniError } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { Random } from "../../src/testing/random.js";
import { wait as scenarioWait } from "../scenarios/world.js";
import { badOutcome, invariantViolations, settle, show, sleep, warmUpSdk, whereSim, type Where } from "./harness.js";

const COUNT = 200;
const HUNG = 20; // detaches that hang until forced
const TERMINATED = 5; // standbys terminated mid-move
const DUPLICATED = 15; // ENIs with a second controller racing the first
// The scenarios' polls, slower and with a longer deadline: 200 ENIs share one client's rate limits,
// and hung detaches are forced only after their `forceAfter`.
const wait = { ...scenarioWait, minDelay: 0.05, maxDelay: 0.5, maxWaitTime: 60 } as const;
/**
 * The simulator's seed, which also seeds `Math.random` (the waiters' and the SDK's retry jitter),
 * so that a run repeats exactly. `CHAOS_SEED=n` tries another world.
 */
const SEED = Number(process.env["CHAOS_SEED"] ?? 42);

interface Call {
  readonly controller: "first" | "duplicate";
  readonly result: Result<Eni, EniError>;
  /** The ENI in the simulator the moment this call resolved. */
  readonly post: Where;
  /** How long the move took, in virtual ms. */
  readonly tookMs: number;
}

type Category = "moved" | "already-there" | "rolled back" | "fenced" | "failed otherwise";

function categorize(result: Result<Eni, EniError>): Category {
  if (result.isOk()) return result.value.moveReport?.outcome === "already-there" ? "already-there" : "moved";
  if (result.error.name === "ConflictError") return "fenced";
  if (result.error.name === "MoveFailedError" && result.error.rolledBack) return "rolled back";
  return "failed otherwise";
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe("chaos: 200 concurrent failovers under faults", () => {
  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    await warmUpSdk();
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });
  beforeEach(() => {
    vi.useFakeTimers();
    const jitter = new Random(SEED ^ 0x6a177e5);
    vi.spyOn(Math, "random").mockImplementation(() => jitter.fraction());
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("loses no ENI: each ends on its standby, back on its source, or available with its caller told", async () => {
    // Prepare: 200 primaries with a floating ENI each, 200 standbys, and a few spare instances.
    const sim = new Ec2Simulator({
      // EC2's behaviour, 50 times faster: attaches of 20 to 80 ms, detaches of 40 to 160 ms.
      preset: "realistic",
      timeScale: 0.02,
      instanceTimings: { terminateMs: 50 },
      throttling: {
        DescribeNetworkInterfaces: { capacity: 60, refillPerSecond: 150 },
        DescribeInstances: { capacity: 40, refillPerSecond: 100 },
        AttachNetworkInterface: { capacity: 20, refillPerSecond: 40 },
        DetachNetworkInterface: { capacity: 20, refillPerSecond: 40 },
      },
      seed: SEED,
    });
    const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.16.0/20" });
    const primaries = Array.from(
      { length: COUNT },
      () => sim.addInstance({ subnetId, instanceType: "t3.medium" }).instanceId,
    );
    const standbys = Array.from(
      { length: COUNT },
      () => sim.addInstance({ subnetId, instanceType: "t3.medium" }).instanceId,
    );
    // Owned by eni-kit, as `Eni.create` makes them: the reaper considers them.
    const enis = Array.from(
      { length: COUNT },
      () => sim.addNetworkInterface({ subnetId, tags: { [OWNERSHIP_TAGS.managedBy]: "eni-kit" } }).networkInterfaceId,
    );
    // Setup is not under test: small batches, each on a fresh client, ride out the throttle.
    for (let start = 0; start < COUNT; start += 10) {
      const batch = sim.client({ maxAttempts: 10 });
      const attached = await settle(
        Promise.all(
          enis.slice(start, start + 10).map((id, i) => Eni.get(batch, id).attachTo(primaries[start + i] ?? "", wait)),
        ),
      );
      expect(attached.filter((result) => result.isErr())).toEqual([]);
      await sleep(1_000);
    }
    await sleep(10_000); // let the buckets refill
    sim.clearCalls();

    // Faults: hung detaches, 5xx, refused and failing attaches, throttling bursts.
    for (const id of enis.slice(0, HUNG)) sim.faults.hangDetach(id);
    sim.faults.failNext("DescribeNetworkInterfaces", "Unavailable", 12);
    sim.faults.failAttach("InternalError", 9);
    sim.faults.failAttach("UnauthorizedOperation", 6);
    sim.faults.throttleNext(30, "DescribeInstances");

    // Act: one controller per ENI (each with its own client, as separate Lambdas would have), a
    // duplicate for some, and a few standbys terminated while their ENI moves to them.
    const calls = new Map<string, Call[]>(enis.map((id) => [id, []]));
    const move = async (index: number, controller: Call["controller"]) => {
      const id = enis[index] ?? "";
      const snapshot = await Eni.get(sim.client(), id);
      const started = Date.now();
      const result = await snapshot.asyncAndThen((eni) =>
        eni.moveTo(standbys[index] ?? "", { expectedFrom: primaries[index] ?? "", forceAfter: 0.5, ...wait }),
      );
      calls.get(id)?.push({ controller, result, post: whereSim(sim, id), tookMs: Date.now() - started });
    };
    // An orphan reaper on another host, as eager as one can be, the whole time the moves run.
    const reaper = sim.client({ maxAttempts: 10 });
    const reaped: string[] = [];
    let moving = true;
    const reaping = (async () => {
      while (moving) {
        const rule = { olderThan: 0, includeOnceAttached: true };
        const report = await Eni.findOrphans(reaper, rule).andThen((found) => Eni.reapOrphans(reaper, found, rule));
        if (report.isOk()) reaped.push(...report.value.deleted);
        await sleep(200);
      }
    })();
    const terminatedStandbys = new Set<string>();
    const timers = Array.from({ length: TERMINATED }, (_, k) => {
      const index = COUNT - 1 - k * 7;
      terminatedStandbys.add(standbys[index] ?? "");
      return setTimeout(() => sim.terminateInstance(standbys[index] ?? ""), 300 + k * 150);
    });
    const duplicated = new Set(Array.from({ length: DUPLICATED }, (_, k) => 10 + k * 12));
    await settle(
      Promise.all([
        ...enis.map((_, index) => move(index, "first")),
        ...[...duplicated].map((index) => sleep(0).then(() => move(index, "duplicate"))),
      ]).finally(() => {
        moving = false;
      }),
    );
    await settle(reaping);
    timers.forEach(clearTimeout);

    // Assess
    const counts: Record<Category, number> = {
      moved: 0,
      "already-there": 0,
      "rolled back": 0,
      fenced: 0,
      "failed otherwise": 0,
    };
    const ends = { standby: 0, source: 0, "available (told)": 0, "left detaching (told)": 0, "target terminated": 0 };
    const problems: string[] = [];
    enis.forEach((id, index) => {
      const made = calls.get(id) ?? [];
      if (made.length !== (duplicated.has(index) ? 2 : 1)) problems.push(`${id}: ${made.length} results`);
      for (const call of made) {
        const bad = badOutcome(call.result);
        if (bad !== undefined) problems.push(`${id} (${call.controller}): ${bad}`);
        if (call.tookMs > (wait.maxWaitTime + wait.maxDelay) * 1000)
          problems.push(`${id} (${call.controller}): the move took ${call.tookMs} ms, past its deadline and one poll`);
        counts[categorize(call.result)] += 1;
        // What a failed move says must be what the simulator had when it said it.
        // (Unless its final read failed and it says it reports the last state it saw.)
        if (
          call.result.isErr() &&
          call.result.error.name === "MoveFailedError" &&
          call.result.error.eni !== undefined &&
          !call.result.error.eniIsStale
        ) {
          const said = call.result.error.eni;
          if (said.attachment?.instanceId !== call.post.instanceId || said.status !== call.post.status) {
            problems.push(
              `${id}: MoveFailedError says ${said.status}@${said.attachment?.instanceId ?? "-"}, simulator ${show(call.post)}`,
            );
          }
        }
        if (call.result.isOk() && call.result.value.attachment?.instanceId !== call.post.instanceId) {
          problems.push(
            `${id}: Ok on ${call.result.value.attachment?.instanceId ?? "-"}, simulator ${show(call.post)}`,
          );
        }
      }
      // Where it is once every controller of this ENI has answered (the last one's moment).
      const last = made.at(-1);
      if (last === undefined) return;
      const target = standbys[index] ?? "";
      const where = last.post;
      if (!where.exists) problems.push(`${id} is gone`);
      else if (where.instanceId === target && where.attachmentStatus === "attached") ends.standby += 1;
      else if (where.instanceId === primaries[index] && where.attachmentStatus === "attached") ends.source += 1;
      else if (where.status === "available") {
        const told = made.some(
          ({ result }) =>
            result.isErr() &&
            result.error.name === "MoveFailedError" &&
            !result.error.rolledBack &&
            result.error.eni?.status === "available",
        );
        if (told) ends["available (told)"] += 1;
        else if (terminatedStandbys.has(target)) ends["target terminated"] += 1;
        else
          problems.push(
            `${id} LOST: available, but its callers got ${made.map(({ result }) => (result.isOk() ? "Ok" : result.error.message)).join(", ")}`,
          );
      } else if (where.instanceId === primaries[index] && where.attachmentStatus === "detaching") {
        // A hung detach whose forced detach was throttled: the error says exactly this.
        const told = made.some(
          ({ result }) =>
            result.isErr() &&
            result.error.name === "MoveFailedError" &&
            result.error.eni?.attachment?.status === "detaching",
        );
        if (told) ends["left detaching (told)"] += 1;
        else
          problems.push(
            `${id} LOST: ${show(where)}, but its callers got ${made.map(({ result }) => (result.isOk() ? "Ok" : result.error.message)).join(", ")}`,
          );
      } else
        problems.push(
          `${id} LOST: ${show(where)}; callers got ${made.map(({ result }) => (result.isOk() ? "Ok" : result.error.message)).join(", ")}`,
        );
    });
    problems.push(...invariantViolations(sim, [...primaries, ...standbys], enis));
    for (const id of reaped) if (enis.includes(id)) problems.push(`the reaper deleted ${id}, which a move held`);

    console.log(
      `chaos: ${COUNT} ENIs, ${COUNT + duplicated.size} moves: ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}; ` +
        `ended ${Object.entries(ends)
          .map(([k, v]) => `${v} ${k}`)
          .join(", ")}; lost ${problems.filter((p) => p.includes("LOST")).length}; ` +
        `${sim.calls.length} EC2 requests (${sim.calls.filter((c) => c.outcome === "RequestLimitExceeded").length} throttled)`,
    );
    expect(problems).toEqual([]);
    expect(Object.values(ends).reduce((a, b) => a + b, 0)).toBe(COUNT);
    expect(counts.moved).toBeGreaterThan(COUNT / 2);
    expect(counts.fenced + counts["already-there"]).toBeGreaterThan(0);
  }, 60_000);
});
