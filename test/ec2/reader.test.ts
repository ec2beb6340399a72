import { DescribeNetworkInterfacesCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { ok, ResultAsync, type Result } from "neverthrow";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withDeadline } from "../../src/deadline.js";
import { describeEni, describeInstance } from "../../src/ec2/describe.js";
import { TICK_MS } from "../../src/ec2/reader.js";
import { Eni } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { timed, type WaitPlan } from "../../src/waiters.js";
import { eni as fixtureEni, ids, mockedEc2 } from "../fixtures.js";
import { settleTimers as settle } from "../scenarios/world.js";

/** Runs `run` `ms` virtual milliseconds from now. */
const after = <T>(ms: number, run: () => PromiseLike<T>): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(run()), ms));

/** An operation's plan, as `timed` takes it: a generous deadline, the default delays. */
const plan: WaitPlan = { maxWaitTime: 60, minDelay: 0.25, maxDelay: 1, abortSignal: undefined };

/** An operation that reads `id` (with its deadline's signal, as every operation does), then runs on for `holdMs`. */
const operation = (ec2: EC2Client, id: string, holdMs = 0) =>
  timed(plan, `reading ${id}`, (context) =>
    describeEni(ec2, id, context).andThen(
      (ni) =>
        new ResultAsync(
          new Promise<Result<NetworkInterface, never>>((resolve) => setTimeout(() => resolve(ok(ni)), holdMs)),
        ),
    ),
  );

/** A simulator (zero latency unless asked) with three ENIs and two instances in one subnet. */
function world(latencyMs = 0) {
  const sim = new Ec2Simulator({ latencyMs });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.0.0/20" });
  const [a, b, c] = [1, 2, 3].map(() => sim.addNetworkInterface({ subnetId }).networkInterfaceId) as [
    string,
    string,
    string,
  ];
  const [i1, i2] = [1, 2].map(() => sim.addInstance({ subnetId }).instanceId) as [string, string];
  return { sim, ec2: sim.client(), a, b, c, i1, i2 };
}

/** When each Describe call reached EC2, in virtual ms from `start`, with the ids it asked for. */
function describes(sim: Ec2Simulator, start: number) {
  return sim.calls
    .filter((call) => call.action.startsWith("Describe") && call.action !== "DescribeInstanceTypes")
    .map((call) => ({
      at: call.time - start,
      ids: (call.input.Filters as { Values: string[] }[] | undefined)?.[0]?.Values,
    }));
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the batched reader: a read with no other read waiting goes out at once", () => {
  it("reads id A, then 100 ms later id B with nothing pending: both go out at once", async () => {
    // Prepare
    const { sim, ec2, a, b } = world();
    const start = Date.now();

    // Act
    const [first, second] = await settle(Promise.all([describeEni(ec2, a), after(100, () => describeEni(ec2, b))]));

    // Assess
    expect(first.isOk() && second.isOk()).toBe(true);
    // Before issue 14 the second read waited for the tick: 250 ms.
    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a] },
      { at: 100, ids: [b] },
    ]);
  });

  it("lets one operation after another read at once, whatever ids the earlier one read", async () => {
    const { sim, ec2, a, b, c } = world();
    const start = Date.now();

    await settle(operation(ec2, a));
    await settle(after(10, () => operation(ec2, b)));
    await settle(after(10, () => operation(ec2, c)));

    expect(describes(sim, start).map(({ at }) => at)).toEqual([0, 10, 20]);
  });

  it("sends the reads asked for in one turn in one call", async () => {
    const { sim, ec2, a, b, i1, i2 } = world();
    const start = Date.now();

    await settle(
      Promise.all([describeEni(ec2, a), describeEni(ec2, b), describeInstance(ec2, i1), describeInstance(ec2, i2)]),
    );

    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a, b] },
      { at: 0, ids: [i1, i2] },
    ]);
  });

  it("lets an operation nested in another read the same ENI at once (a move's final read)", async () => {
    const { sim, ec2, a } = world();
    const start = Date.now();

    // The outer operation has read the ENI and is still running while the nested one reads it.
    const outer = timed(plan, "the move", (context) =>
      describeEni(ec2, a, context).andThen(
        () =>
          new ResultAsync(
            after(10, () =>
              withDeadline(1, 0, undefined, "a final read", (deadline) =>
                describeEni(ec2, a, { abortSignal: deadline.signal }),
              ),
            ),
          ),
      ),
    );
    const read = await settle(outer);

    expect(read.isOk()).toBe(true);
    expect(describes(sim, start).map(({ at }) => at)).toEqual([0, 10]);
  });
});

describe("the batched reader: reads waiting together share tick-aligned calls", () => {
  it("batches the reads of concurrent operations even when EC2 answers at once", async () => {
    // Prepare: with zero latency no two reads are ever in flight together; the operations are what is concurrent.
    const { sim, ec2, a, b, c } = world();
    const start = Date.now();

    // Act
    const results = await settle(
      Promise.all([operation(ec2, a, 1000), after(100, () => operation(ec2, b)), after(120, () => operation(ec2, c))]),
    );

    // Assess
    expect(results.every((result) => result.isOk())).toBe(true);
    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a] },
      { at: TICK_MS, ids: [b, c] },
    ]);
  });

  it("keeps a crowd's calls a tick apart", async () => {
    const { sim, ec2, a, b, c } = world();
    const start = Date.now();

    await settle(
      Promise.all([
        operation(ec2, a, 2000),
        after(100, () => operation(ec2, b)),
        after(300, () => operation(ec2, c)),
        after(310, () => operation(ec2, b)),
      ]),
    );

    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a] },
      { at: TICK_MS, ids: [b] },
      { at: 2 * TICK_MS, ids: [c, b] },
    ]);
  });

  it("makes a read asked for while a call for other ids is in flight join the next tick", async () => {
    // Prepare: each call takes 100 ms; the simulator records it halfway, when it takes effect.
    const { sim, ec2, a, b } = world(100);
    const start = Date.now();

    // Act
    await settle(Promise.all([describeEni(ec2, a), after(50, () => describeEni(ec2, b))]));

    // Assess
    expect(describes(sim, start)).toEqual([
      { at: 50, ids: [a] },
      { at: TICK_MS + 50, ids: [b] },
    ]);
  });

  it("keeps the last operations of a crowd on the tick as they end one by one", async () => {
    const { sim, ec2, a, b } = world();
    const start = Date.now();

    // `a` reads at 0 and 200, then ends; `b` reads at 10 and again as soon as its first read is answered.
    const reading = (id: string, firstAt: number, secondAfter: number) =>
      after(firstAt, () =>
        timed(plan, `reading ${id} twice`, (context) =>
          describeEni(ec2, id, context).andThen(
            () => new ResultAsync(after(secondAfter, () => describeEni(ec2, id, context))),
          ),
        ),
      );
    await settle(Promise.all([reading(a, 0, 200), reading(b, 10, 0)]));

    // `b`'s second read comes in the same millisecond as the call at 250, just after `a` has ended:
    // it still waits for the next tick, as it would have with `a` running.
    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a] },
      { at: TICK_MS, ids: [b, a] },
      { at: 2 * TICK_MS, ids: [b] },
    ]);
  });

  it("lets an operation left alone read at once after one more call on the tick", async () => {
    const { sim, ec2, a, b } = world();
    const start = Date.now();

    // `a`'s operation runs until 300; `b`'s reads at 100, 400 and 600.
    const thrice = () =>
      timed(plan, "reading b three times", (context) =>
        describeEni(ec2, b, context)
          .andThen(() => new ResultAsync(after(150, () => describeEni(ec2, b, context))))
          .andThen(() => new ResultAsync(after(100, () => describeEni(ec2, b, context)))),
      );
    await settle(Promise.all([operation(ec2, a, 300), after(100, thrice)]));

    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a] },
      // In a crowd: `a`'s operation is running.
      { at: TICK_MS, ids: [b] },
      // `a`'s has ended, but was running at the last call, with `b`'s: one more call on the tick.
      { at: 2 * TICK_MS, ids: [b] },
      // Alone: at once.
      { at: 600, ids: [b] },
    ]);
  });
});

describe("the batched reader: what it asks EC2", () => {
  it("follows EC2's pages: an id answered on a later page is found", async () => {
    // Prepare: EC2 may page an answer before MaxResults, and name the ENI only on page 2.
    vi.useRealTimers();
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [], NextToken: "page-2" })
      .resolvesOnce({ NetworkInterfaces: [fixtureEni()] });

    // Act
    const read = await describeEni(ec2, ids.eni);

    // Assess
    expect(read._unsafeUnwrap().NetworkInterfaceId).toBe(ids.eni);
    const pages = mock.commandCalls(DescribeNetworkInterfacesCommand).map((call) => call.args[0].input.NextToken);
    expect(pages).toEqual([undefined, "page-2"]);
  });

  it("lets one operation read one id after another at once: its own reads are no crowd", async () => {
    // Prepare
    const { sim, ec2, a, b } = world();
    const start = Date.now();

    // Act: one operation reads `a`, then 10 ms later `b`.
    await settle(
      timed(plan, "reading two ENIs", (context) =>
        describeEni(ec2, a, context).andThen(() => new ResultAsync(after(10, () => describeEni(ec2, b, context)))),
      ),
    );

    // Assess
    expect(describes(sim, start)).toEqual([
      { at: 0, ids: [a] },
      { at: 10, ids: [b] },
    ]);
  });
});

describe("one ENI's operations back to back on one client", () => {
  /**
   * A client that has just attached ENI `a` to `i1` (`i2` is its standby), after a cycle with
   * another ENI, as a program that manages several ENIs over time does.
   */
  async function attached() {
    const { sim, ec2, a, b, i1, i2 } = world();
    const other = (await settle(Eni.get(ec2, b)))._unsafeUnwrap();
    await settle(other.attachTo(i2).detach());
    const eni = (await settle(Eni.get(ec2, a)))._unsafeUnwrap();
    const onPrimary = (await settle(eni.attachTo(i1)))._unsafeUnwrap();
    return { sim, onPrimary, i1, i2 };
  }

  it("does moveTo's preflight right after attachTo without waiting for a tick", async () => {
    // Prepare
    const { sim, onPrimary, i1, i2 } = await attached();
    sim.clearCalls();
    const start = Date.now();

    // Act
    const moved = await settle(onPrimary.moveTo(i2, { expectedFrom: i1 }));

    // Assess
    expect(moved._unsafeUnwrap().attachment?.instanceId).toBe(i2);
    // Preflight reads, then the detach, all at once: EC2 answers at once here. Before issue 14
    // the preflight waited 252 ms for a tick.
    const preflight = sim.calls.slice(
      0,
      sim.calls.findIndex((call) => call.action === "DetachNetworkInterface"),
    );
    expect(preflight.map((call) => call.action)).toContain("DescribeNetworkInterfaces");
    expect(preflight.map((call) => call.action)).toContain("DescribeInstances");
    expect(sim.calls.find((call) => call.action === "DetachNetworkInterface")?.time).toBe(start);
    expect(preflight.map((call) => call.time - start)).toEqual(preflight.map(() => 0));
  });

  it("ends a no-op attachTo right after another call as fast as on a fresh client", async () => {
    // Prepare: the same ENI read on a fresh client, for comparison.
    const { sim, onPrimary, i1 } = await attached();
    const onFresh = (await settle(Eni.get(sim.client(), onPrimary.id)))._unsafeUnwrap();
    sim.clearCalls();

    // Act
    const start = Date.now();
    const again = await settle(onPrimary.attachTo(i1));
    const tookHere = Date.now() - start;
    const freshStart = Date.now();
    const onFreshAgain = await settle(onFresh.attachTo(i1));
    const tookFresh = Date.now() - freshStart;

    // Assess: its reads (until they agree there is nothing to do) start at once and keep the
    // wait's own pace, not the tick's. Before issue 14 this waited 242 ms more for a tick.
    expect(again._unsafeUnwrap().attachment?.instanceId).toBe(i1);
    expect(onFreshAgain._unsafeUnwrap().attachment?.instanceId).toBe(i1);
    expect(sim.calls[0]?.time).toBe(start);
    expect(tookHere).toBe(tookFresh);
  });
});
