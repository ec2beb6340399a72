/**
 * `npx tsx scripts/bench/single-move.ts [--json] [--seeds 200]`: what a user lives through while
 * one ENI fails over, measured on the EC2 simulator under a virtual clock (seeded, so the figures
 * are the same on every run and machine; only the run time printed at the end is wall-clock).
 *
 * Per seed, one world: detach and attach times drawn per seed (detach 2–8 s, attach 1–4 s) and a
 * round trip per call drawn by the simulator (60–200 ms, the realistic preset's: EC2 from inside
 * its region). Four moves run on it, each on a fresh simulator with the same seed (so the same
 * transitions, and the n-th call of each gets the same latency draw):
 *
 * - eni-kit: `eni.moveTo(standby, { expectedFrom: primary })` from a snapshot (the `Eni.get`
 *   that made it is not counted);
 * - what a user writes with the SDK alone: one read (the fence: is it on the primary?), detach,
 *   `waitUntilNetworkInterfaceAvailable`, attach, and a wait for `attached` on `createWaiter`
 *   from `@smithy/core/client` with the same delays (the SDK has no such waiter) — at the SDK
 *   waiter's defaults (20 s, growing to 120 s), and tuned (`minDelay: 1, maxDelay: 2`);
 * - a plain loop: read, sleep 1 s, until done, for both transitions.
 *
 * The floor of each run is what a correct move cannot avoid: the two transitions and the round
 * trips of one preflight read, the detach, one read that sees it detached, the attach and one read
 * that sees it attached, each with the latency it had in that run (`CallRecord.latencyMs`). A
 * request takes effect halfway through its round trip, so a read already in flight when a
 * transition ends can come in under this floor by up to half of four round trips (`slackMs`).
 *
 * Stale reads, the consistency delay of new ids and throttling stay off: they would make a
 * run's floor depend on luck the move cannot see. The chaos and model tests cover them.
 *
 * Runs on the benchmark's virtual clock (./clock.ts): importing this module installs it.
 */
import {
  AttachNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
  type NetworkInterface,
  waitUntilNetworkInterfaceAvailable,
} from "@aws-sdk/client-ec2";
import { createWaiter, WaiterState } from "@smithy/core/client";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Eni } from "../../src/index.js";
import { Ec2Simulator, type CallRecord } from "../../src/testing/index.js";
import { clock, seedRandom, settle } from "./clock.js";
import { mulberry32, spread } from "./virtual-time.js";

/** The bench's distributions (ms): EC2 from inside its region, as the realistic preset has them. */
const DETACH_MS = [2000, 8000] as const;
const ATTACH_MS = [1000, 4000] as const;
const LATENCY_MS = [60, 200] as const;
const DEFAULT_SEEDS = 200;
/** The goal for a move's API calls at p50. */
export const CALL_TARGET = 14;

/** p50, p90 and max. */
export interface Spread {
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

/** One way of moving, over every seed. */
export interface RunnerFigures {
  readonly name: string;
  /** From the first request to the ENI seen attached on the standby. */
  readonly timeMs: Spread;
  /** `timeMs` minus the run's floor. */
  readonly overheadMs: Spread;
  readonly apiCalls: Spread;
}

/** A target, its limit written before measuring. */
export interface Target {
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
}

/** The ways of moving the bench compares (the oracles: see `oracleMove`). */
export type RunnerKey = "eniKit" | "sdkDefaults" | "sdkTuned" | "pollLoop" | OracleKey;

/** What {@link singleMove} measures. */
export interface SingleMoveOptions {
  /** @default 200 */
  readonly seeds?: number | undefined;
  /** eni-kit's `minDelay` (its dense poll delay), for the trade-off table. @default eni-kit's default */
  readonly minDelay?: number | undefined;
  /** Which ways of moving to run. @default eni-kit and the three baselines */
  readonly runners?: readonly RunnerKey[] | undefined;
}

export interface SingleMoveFigures {
  readonly seeds: number;
  readonly minDelay: number | undefined;
  readonly distributions: { detachMs: readonly number[]; attachMs: readonly number[]; latencyMs: readonly number[] };
  readonly floorMs: Spread;
  /** How far under the floor a perfectly timed read in flight could finish: half of four round trips. */
  readonly slackMs: Spread;
  readonly runners: Partial<Record<RunnerKey, RunnerFigures>>;
  /** The targets, of those the runners measured. */
  readonly targets: Target[];
}

const within = (range: readonly number[], fraction: number) =>
  Math.round((range[0] ?? 0) + fraction * ((range[1] ?? 0) - (range[0] ?? 0)));

/** How one way of moving moves: from the ENI, its primary and its standby; resolves once attached. */
type Mover = (world: World) => Promise<void>;

interface World {
  readonly sim: Ec2Simulator;
  readonly ec2: EC2Client;
  /** What the caller read before the move (eni-kit moves from it). */
  readonly snapshot: Eni;
  readonly eniId: string;
  readonly primary: string;
  readonly standby: string;
}

/** The waits a user writes with the SDK: its ENI waiter for `available`, `createWaiter` for `attached`. */
function sdkMove(delays: { minDelay?: number; maxDelay?: number }): Mover {
  return async ({ ec2, eniId, primary, standby }) => {
    const read = async () =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces?.[0];
    const attachment = (await read())?.Attachment;
    if (attachment?.InstanceId !== primary || attachment.AttachmentId === undefined)
      throw new Error("not on the primary");
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachment.AttachmentId }));
    const available = await waitUntilNetworkInterfaceAvailable(
      { client: ec2, maxWaitTime: 900, ...delays },
      { NetworkInterfaceIds: [eniId] },
    );
    if (available.state !== WaiterState.SUCCESS) throw new Error(`available wait ended ${available.state}`);
    await attachTo(ec2, eniId, standby);
    // The SDK has no attached waiter: its engine, on the ENI waiter's delays (20 s and 120 s by default).
    const attached = await createWaiter(
      { client: ec2, maxWaitTime: 900, minDelay: 20, maxDelay: 120, ...delays },
      eniId,
      async () => ({ state: isAttachedTo(await read(), standby) ? WaiterState.SUCCESS : WaiterState.RETRY }),
    );
    if (attached.state !== WaiterState.SUCCESS) throw new Error(`attached wait ended ${attached.state}`);
  };
}

/** The attach a user's own move sends: the ENI at device index 1 of the standby's first card. */
const attachTo = (ec2: EC2Client, eniId: string, standby: string) =>
  ec2.send(
    new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: eniId,
      InstanceId: standby,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    }),
  );

const isAttachedTo = (ni: NetworkInterface | undefined, instanceId: string) =>
  ni?.Attachment?.InstanceId === instanceId && ni.Attachment.Status === "attached";

/** A plain loop: read, and sleep a second until the transition is done. */
const pollLoop: Mover = async ({ ec2, eniId, primary, standby }) => {
  const read = async () =>
    (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces?.[0];
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 1000));
  const attachment = (await read())?.Attachment;
  if (attachment?.InstanceId !== primary || attachment.AttachmentId === undefined)
    throw new Error("not on the primary");
  await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachment.AttachmentId }));
  while ((await read())?.Status !== "available") await sleep();
  await attachTo(ec2, eniId, standby);
  while (!isAttachedTo(await read(), standby)) await sleep();
};

/**
 * A poller no library can be: it knows EC2's fastest transitions in this bench (detach 2 s, attach
 * 1 s), so it reads nothing before them, then reads every `everyMs` (detach, attach) until done.
 * It shows the fewest calls any schedule needs for a given overhead above the floor.
 */
function oracleMove([detachEveryMs, attachEveryMs]: readonly [number, number]): Mover {
  return async ({ ec2, eniId, primary, standby }) => {
    const read = async () =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces?.[0];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const attachment = (await read())?.Attachment;
    if (attachment?.InstanceId !== primary || attachment.AttachmentId === undefined)
      throw new Error("not on the primary");
    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachment.AttachmentId }));
    await sleep(DETACH_MS[0]);
    while ((await read())?.Status !== "available") await sleep(detachEveryMs);
    await attachTo(ec2, eniId, standby);
    await sleep(ATTACH_MS[0]);
    while (!isAttachedTo(await read(), standby)) await sleep(attachEveryMs);
  };
}

/** The oracles' read intervals (detach, attach), in ms: from dense to sparse. */
const ORACLES = {
  oracle250: [250, 200],
  oracle400: [400, 300],
  oracle450: [450, 350],
  oracle550: [550, 500],
  oracle800: [800, 600],
} as const;
type OracleKey = keyof typeof ORACLES;

/** A fresh world for one run: the ENI attached to its primary a minute ago, and the caller's client. */
async function world(seed: number, detachMs: number, attachMs: number): Promise<World> {
  const sim = new Ec2Simulator({
    timings: { createMs: 200, attachMs, detachMs },
    latencyMs: LATENCY_MS,
    seed,
  });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.0.0/17" });
  const primary = sim.addInstance({ subnetId }).instanceId;
  const standby = sim.addInstance({ subnetId }).instanceId;
  const eniId = sim.addNetworkInterface({ subnetId }).networkInterfaceId;
  await settle(
    sim.client().send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: primary,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    ),
  );
  await clock.tickAsync(60_000);
  const ec2 = sim.client();
  // The caller's read before the move: eni-kit's snapshot. The others make the same read, so the
  // n-th call of every runner gets the same latency draw. Not counted.
  const snapshot = await settle(Eni.get(ec2, eniId));
  if (snapshot.isErr()) throw snapshot.error;
  sim.clearCalls();
  return { sim, ec2, snapshot: snapshot.value, eniId, primary, standby };
}

/**
 * The floor of one run: the transitions, and the round trips of the preflight read, the detach,
 * the first read that reached EC2 once the detach was done, the attach, and the first read that
 * reached it once the attach was done. `slack`: half of the last four.
 */
function floorOf(calls: readonly CallRecord[], detachMs: number, attachMs: number) {
  const reads = calls.filter((call) => call.action === "DescribeNetworkInterfaces" && call.outcome === "ok");
  const detach = calls.find((call) => call.action === "DetachNetworkInterface" && call.outcome === "ok");
  const attach = calls.find((call) => call.action === "AttachNetworkInterface" && call.outcome === "ok");
  const detached = detach && reads.find((call) => call.time >= detach.time + detachMs);
  const attached = attach && reads.find((call) => call.time >= attach.time + attachMs);
  const preflight = reads[0];
  if (!preflight || !detach || !detached || !attach || !attached) throw new Error("a run without the five calls");
  const trips = [detach, detached, attach, attached].reduce((sum, call) => sum + call.latencyMs, 0);
  return { floor: detachMs + attachMs + preflight.latencyMs + trips, slack: trips / 2 };
}

/**
 * Measures a single failover over `seeds` seeds (default 200): eni-kit's `moveTo` beside the SDK
 * waiter at its defaults, the SDK waiter tuned, and a 1 s poll loop, on the same seeds. Returns
 * the figures (time, overhead above each run's floor, API calls: p50, p90, max) and the targets.
 */
export async function singleMove(options: SingleMoveOptions = {}): Promise<SingleMoveFigures> {
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const { minDelay } = options;
  const all: Record<RunnerKey, { name: string; move: Mover }> = {
    eniKit: {
      name: minDelay === undefined ? "eni-kit moveTo" : `eni-kit moveTo, minDelay ${minDelay}`,
      move: async ({ snapshot, primary, standby }) => {
        const moved = await snapshot.moveTo(standby, { expectedFrom: primary, minDelay });
        if (moved.isErr()) throw moved.error;
      },
    },
    sdkDefaults: { name: "SDK waiter, defaults", move: sdkMove({}) },
    sdkTuned: { name: "SDK waiter, minDelay 1 maxDelay 2", move: sdkMove({ minDelay: 1, maxDelay: 2 }) },
    pollLoop: { name: "1 s poll loop", move: pollLoop },
    ...(Object.fromEntries(
      Object.entries(ORACLES).map(([key, every]) => [
        key,
        { name: `oracle, reads every ${every[0]}/${every[1]} ms`, move: oracleMove(every) },
      ]),
    ) as Record<OracleKey, { name: string; move: Mover }>),
  };
  const keys = options.runners ?? (["eniKit", "sdkDefaults", "sdkTuned", "pollLoop"] as const);

  const samples = Object.fromEntries(
    keys.map((key) => [key, { time: [] as number[], overhead: [] as number[], calls: [] as number[] }]),
  ) as Record<RunnerKey, { time: number[]; overhead: number[]; calls: number[] }>;
  const floors: number[] = [];
  const slacks: number[] = [];
  for (let seed = 1; seed <= seeds; seed += 1) {
    const draw = mulberry32(seed * 7919);
    const detachMs = within(DETACH_MS, draw());
    const attachMs = within(ATTACH_MS, draw());
    for (const key of keys) {
      // The same jitter for every runner on this seed: the SDK's and the waiters' use Math.random.
      seedRandom(seed);
      const w = await world(seed, detachMs, attachMs);
      const started = Date.now();
      await settle(all[key].move(w));
      const ms = Date.now() - started;
      const { floor, slack } = floorOf(w.sim.calls, detachMs, attachMs);
      samples[key].time.push(ms);
      samples[key].overhead.push(ms - floor);
      samples[key].calls.push(w.sim.calls.length);
      if (key === keys[0]) {
        floors.push(floor);
        slacks.push(slack);
      }
    }
  }

  const figures = (key: RunnerKey): RunnerFigures => ({
    name: all[key].name,
    timeMs: spread(samples[key].time),
    overheadMs: spread(samples[key].overhead),
    apiCalls: spread(samples[key].calls),
  });
  const runners = Object.fromEntries(keys.map((key) => [key, figures(key)])) as Partial<
    Record<RunnerKey, RunnerFigures>
  >;
  return {
    seeds,
    minDelay,
    distributions: { detachMs: DETACH_MS, attachMs: ATTACH_MS, latencyMs: LATENCY_MS },
    floorMs: spread(floors),
    slackMs: spread(slacks),
    runners,
    targets: targetsOf(runners),
  };
}

/** The goals (issue 14, item 2), written before measuring: those the runners measured. */
function targetsOf({ eniKit, sdkTuned }: Partial<Record<RunnerKey, RunnerFigures>>): Target[] {
  if (eniKit === undefined) return [];
  const atMost = (name: string, value: number, limit: number) => ({ name, value, limit, met: value <= limit });
  // A share below 1: faster.
  const faster = (name: string, value: number) => ({ name, value: Number(value.toFixed(3)), limit: 1, met: value < 1 });
  return [
    atMost("overhead above the floor, p50 (ms)", eniKit.overheadMs.p50, 250),
    atMost("overhead above the floor, p90 (ms)", eniKit.overheadMs.p90, 500),
    atMost("API calls, p50", eniKit.apiCalls.p50, CALL_TARGET),
    ...(sdkTuned === undefined
      ? []
      : [
          faster(
            "time p50 as a share of the tuned SDK waiter's (below 1: faster)",
            eniKit.timeMs.p50 / sdkTuned.timeMs.p50,
          ),
          faster(
            "time p90 as a share of the tuned SDK waiter's (below 1: faster)",
            eniKit.timeMs.p90 / sdkTuned.timeMs.p90,
          ),
        ]),
  ];
}

/** Prints what {@link singleMove} measured, and (standalone) how long it ran. */
export function printSingleMove(result: SingleMoveFigures, wallMs?: number): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const cell = (x: Spread, format: (n: number) => string) =>
    `${format(x.p50)} / ${format(x.p90)} / ${format(x.max)}`.padEnd(24);
  const { detachMs, attachMs, latencyMs } = result.distributions;
  console.log(
    `single move, ${result.seeds} seeds: detach ${s(detachMs[0] ?? 0)}–${s(detachMs[1] ?? 0)} s, attach ${s(attachMs[0] ?? 0)}–${s(attachMs[1] ?? 0)} s, ${latencyMs[0]}–${latencyMs[1]} ms per call (virtual clock)`,
  );
  console.log(
    `floor (transitions + 5 round trips), s: ${cell(result.floorMs, s)}  slack under it, s: ${cell(result.slackMs, s)}`,
  );
  console.log(
    `\n${"p50 / p90 / max".padEnd(36)}${"time, s".padEnd(24)}${"overhead above floor, s".padEnd(24)}API calls`,
  );
  for (const runner of Object.values(result.runners)) {
    if (runner === undefined) continue;
    console.log(
      `  ${runner.name.padEnd(34)}${cell(runner.timeMs, s)}${cell(runner.overheadMs, s)}${cell(runner.apiCalls, String)}`,
    );
  }
  console.log("\ntargets");
  for (const target of result.targets)
    console.log(`  ${target.met ? "met    " : "NOT MET"}  ${target.name}: ${target.value} (limit ${target.limit})`);
  if (wallMs !== undefined) console.log(`\nran in ${s(wallMs)} s (wall clock)`);
}

/**
 * What any poller could do: the oracles (see `oracleMove`) on the same seeds, and the least
 * overhead one of them gets within `calls` API calls at p50.
 */
export async function oracles(
  calls: number,
  seeds?: number,
): Promise<{ rows: RunnerFigures[]; best: RunnerFigures | undefined }> {
  const { runners } = await singleMove({ seeds, runners: Object.keys(ORACLES) as OracleKey[] });
  const rows = Object.values(runners).filter((row) => row !== undefined);
  const within = rows.filter((row) => row.apiCalls.p50 <= calls);
  const best = within.sort((a, b) => a.overheadMs.p50 - b.overheadMs.p50)[0];
  return { rows, best };
}

/** Prints what {@link oracles} measured. */
export function printOracles({ rows, best }: Awaited<ReturnType<typeof oracles>>, calls: number): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const cell = (x: Spread, format: (n: number) => string) =>
    `${format(x.p50)} / ${format(x.p90)} / ${format(x.max)}`.padEnd(24);
  console.log(
    `\nan oracle poller: reads nothing before EC2's fastest detach (2 s) and attach (1 s), then at fixed intervals`,
  );
  for (const row of rows)
    console.log(
      `  ${row.name.padEnd(34)}${cell(row.timeMs, s)}${cell(row.overheadMs, s)}${cell(row.apiCalls, String)}`,
    );
  console.log(
    best === undefined
      ? `  no oracle row stays within ${calls} calls at p50`
      : `  within ${calls} calls at p50, the least overhead above the floor any of them gets: ${s(best.overheadMs.p50)} s at p50, ${s(best.overheadMs.p90)} s at p90`,
  );
}

/**
 * The trade-off between calls and time: eni-kit alone at each dense poll delay (`minDelay`), on
 * the same seeds.
 */
export async function tradeOff(minDelays: readonly number[], seeds?: number): Promise<SingleMoveFigures[]> {
  const rows: SingleMoveFigures[] = [];
  for (const minDelay of minDelays) rows.push(await singleMove({ seeds, minDelay, runners: ["eniKit"] }));
  return rows;
}

function printTradeOff(rows: readonly SingleMoveFigures[], wallMs: number): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(`eni-kit moveTo by minDelay, ${rows[0]?.seeds} seeds (p50 / p90 / max)`);
  console.log(`  ${"minDelay".padEnd(10)}${"overhead above floor, s".padEnd(26)}${"API calls".padEnd(16)}time, s`);
  for (const row of rows) {
    const f = row.runners.eniKit;
    if (f === undefined) continue;
    const cell = (x: Spread, format: (n: number) => string) => `${format(x.p50)} / ${format(x.p90)} / ${format(x.max)}`;
    console.log(
      `  ${String(row.minDelay).padEnd(10)}${cell(f.overheadMs, s).padEnd(26)}${cell(f.apiCalls, String).padEnd(16)}${cell(f.timeMs, s)}`,
    );
  }
  if (wallMs !== undefined) console.log(`\nran in ${s(wallMs)} s (wall clock)`);
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invoked) {
  // The SDK's notice about Node.js 20 would end up in the middle of the table.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { values } = parseArgs({
    options: { json: { type: "boolean" }, seeds: { type: "string" }, "trade-off": { type: "string" } },
  });
  const seeds = values.seeds === undefined ? undefined : Number(values.seeds);
  const started = performance.now();
  const run = async () => {
    if (values["trade-off"] !== undefined) {
      const rows = await tradeOff(values["trade-off"].split(",").map(Number), seeds);
      const wallMs = performance.now() - started;
      if (values.json) console.log(JSON.stringify({ rows, wallMs: Math.round(wallMs) }, null, 2));
      else printTradeOff(rows, wallMs);
      return;
    }
    const result = await singleMove({ seeds });
    const oracle = await oracles(CALL_TARGET, seeds);
    const wallMs = performance.now() - started;
    if (values.json) console.log(JSON.stringify({ ...result, oracles: oracle, wallMs: Math.round(wallMs) }, null, 2));
    else {
      printSingleMove(result);
      printOracles(oracle, CALL_TARGET);
      console.log(`\nran in ${(wallMs / 1000).toFixed(2)} s (wall clock)`);
    }
  };
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
