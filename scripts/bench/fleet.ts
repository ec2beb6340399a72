/**
 * Fleets at the throttling bound: `Eni.moveAll` moving 10, 100 or 1,000 ENIs, each from its own
 * primary to its own standby, on the EC2 simulator with EC2's throttling on, EC2-like transitions
 * (detach 2–8 s, attach 1–4 s) and per-call latency (60–200 ms), all drawn from seeds; beside the
 * least time the per-action buckets allow (./bound.ts) and a naive loop on the SDK alone.
 *
 * `npx tsx scripts/bench/fleet.ts [--json] [--sizes 10,100,1000] [--seeds N] [--naive-seeds N] [--lanes 2]`
 * prints a table (or JSON) and the targets; `fleet(count, options)` measures one size, `fleets(sizes)`
 * several at once (what scripts/bench.ts calls).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Eni, type EniEvent, type MoveEvent } from "../../src/index.js";
import { defaultLimit } from "../../src/ec2/rate-limit.js";
import { BATCH_SIZE } from "../../src/ec2/reader.js";
import type { CallRecord, Ec2SimulatorOptions } from "../../src/testing/index.js";
import { Random } from "../../src/testing/random.js";
import { fleetBound, type Transitions } from "./bound.js";
import { clock, seedRandom, settle } from "./clock.js";
import { attachmentOf, countBy, describesPerTick, recordSends, sdkOnlyMove, world } from "./world.js";
import { spread } from "./virtual-time.js";

/** EC2-like transitions and round trips (the simulator's realistic preset), drawn per call. */
const DETACH_MS = [2000, 8000] as const;
const ATTACH_MS = [1000, 4000] as const;
const LATENCY_MS = [60, 200] as const;

const simulator = (seed: number): Ec2SimulatorOptions => ({
  timings: { createMs: 200, attachMs: ATTACH_MS, detachMs: DETACH_MS },
  latencyMs: LATENCY_MS,
  throttling: true,
  seed,
});

/** How {@link fleet} and {@link fleets} measure. */
export interface FleetOptions {
  /** Seeds to run, from 1. @default {@link defaultSeeds} */
  readonly seeds?: number | undefined;
  /** Run the naive loop too, on the first this many seeds. @default {@link defaultNaiveSeeds} */
  readonly naiveSeeds?: number | undefined;
  /** `Eni.moveAll`'s `concurrency`. @default the library's */
  readonly concurrency?: number | undefined;
  /** Real event-loop turns per virtual-clock step (`settle`). @default {@link FLEET_TURNS} */
  readonly turns?: number | undefined;
  /** Processes to run in, this one included. @default {@link LANES} */
  readonly lanes?: number | undefined;
}

/**
 * Seeds per fleet size, chosen so that the whole section stays within a minute of CPU or so: 20
 * for 10 ENIs, 10 for 100 (a run takes about 1 s of CPU), 3 from 1,000 (about 10 s each), whose
 * figures vary little from seed to seed.
 */
export const defaultSeeds = (count: number) => (count >= 1000 ? 3 : count >= 100 ? 10 : 20);

/**
 * Seeds the naive loop runs on: five below 1,000 ENIs, one from 1,000, where it fails the same
 * way every time (throttled). It is the baseline, not what is measured, and costs as much as eni-kit.
 */
export const defaultNaiveSeeds = (count: number) => (count >= 1000 ? 1 : 5);

/** Two processes: the machine the benchmark runs on has two cores. */
export const LANES = 2;

/**
 * One real event-loop turn per step of the virtual clock, not the five the rest of the benchmark
 * gives: every figure of every seed came out the same with 1 as with 5 (checked with
 * `--turns 5` against `--turns 1`), and the fleets step the clock tens of thousands of times.
 */
export const FLEET_TURNS = 1;

/** The SDK-only move for every ENI at once, each with its own waiter: what a quick script does. */
export interface NaiveRun {
  readonly ms: number;
  readonly apiCalls: number;
  readonly describesPerTick: number;
  readonly moved: number;
  readonly throttledErrors: number;
  readonly throttledAtEc2: number;
}

/** One seed's run of one fleet. */
export interface FleetRun {
  readonly seed: number;
  /** eni-kit's time, from `moveAll` to its report. */
  readonly ms: number;
  /** No schedule within eni-kit's buckets moves the fleet sooner (./bound.ts). */
  readonly boundMs: number;
  /** A schedule within the same buckets that the bound's greedy builds: the best lies between. */
  readonly scheduleMs: number;
  /** The ideal client without foresight (./bound.ts, `inOrderMs`). */
  readonly inOrderMs: number;
  /** `ms / boundMs`. */
  readonly ratio: number;
  readonly moved: number;
  readonly failed: number;
  /** Errors reaching the caller that are throttling, or a failed move because of it. */
  readonly throttledErrors: number;
  /** Requests EC2 answered with `RequestLimitExceeded` (the SDK may have retried them). */
  readonly throttledAtEc2: number;
  readonly apiCalls: number;
  readonly mutatingCalls: number;
  readonly describeCalls: number;
  readonly describesPerTick: number;
  readonly naive: NaiveRun | undefined;
}

/** A fleet size over its seeds: every run, and the spread of the figures that vary. */
export interface FleetResult {
  readonly enis: number;
  readonly seeds: number;
  readonly runs: readonly FleetRun[];
  readonly ms: ReturnType<typeof spread>;
  readonly boundMs: ReturnType<typeof spread>;
  readonly scheduleMs: ReturnType<typeof spread>;
  readonly inOrderMs: ReturnType<typeof spread>;
  readonly ratio: ReturnType<typeof spread>;
  readonly apiCalls: ReturnType<typeof spread>;
  /** The most in any tick of any run. */
  readonly describesPerTick: number;
  readonly batches: number;
  /** Summed over the runs. */
  readonly throttledAtEc2: number;
  /** Summed over the runs. */
  readonly failed: number;
  /** Summed over the runs. */
  readonly throttledErrors: number;
  /** Over the seeds it ran on. */
  readonly naive:
    | {
        readonly seeds: number;
        readonly ms: ReturnType<typeof spread>;
        readonly apiCalls: ReturnType<typeof spread>;
        readonly describesPerTick: number;
        readonly moved: ReturnType<typeof spread>;
        readonly throttledAtEc2: ReturnType<typeof spread>;
      }
    | undefined;
}

/** Measures `Eni.moveAll` on `count` ENIs over several seeds; see the module's comment. */
export async function fleet(count: number, options: FleetOptions = {}): Promise<FleetResult> {
  const [result] = (await fleets([count], options)).fleets;
  if (result === undefined) throw new Error("no fleet measured");
  return result;
}

/** Several fleet sizes, and what measuring them took. */
export interface FleetSection {
  readonly fleets: readonly FleetResult[];
  /** Wall-clock ms. */
  readonly wallMs: number;
  /** CPU ms, over every process. */
  readonly cpuMs: number;
  readonly lanes: number;
}

/** One run to make: a fleet size and a seed, with the naive loop or not. */
interface Task {
  readonly count: number;
  readonly seed: number;
  readonly naive: boolean;
}

/**
 * Measures several fleet sizes at once, spreading their runs over {@link LANES} processes: this
 * one, and child processes running this script. Every run seeds everything it draws from, so its
 * figures do not depend on where, or after what, it ran (checked: one lane and two give the same).
 */
export async function fleets(sizes: readonly number[], options: FleetOptions = {}): Promise<FleetSection> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const tasks = sizes.flatMap((count) =>
    Array.from({ length: options.seeds ?? defaultSeeds(count) }, (_, index) => ({
      count,
      seed: index + 1,
      naive: index < (options.naiveSeeds ?? defaultNaiveSeeds(count)),
    })),
  );
  // Longest first, each to the least loaded lane: a run's cost grows with its ENIs, and the naive
  // loop adds about half as much again.
  const cost = ({ count, naive }: Task) => (count + 20) * (naive ? 1.5 : 1);
  const lanes = Array.from({ length: Math.max(1, Math.min(options.lanes ?? LANES, tasks.length)) }, () => ({
    tasks: [] as Task[],
    load: 0,
  }));
  for (const task of [...tasks].sort((x, y) => cost(y) - cost(x))) {
    const lane = lanes.reduce((least, candidate) => (candidate.load < least.load ? candidate : least));
    lane.tasks.push(task);
    lane.load += cost(task);
  }
  const [here, ...elsewhere] = lanes.map((lane) => lane.tasks);
  const children = elsewhere.map((laneTasks) => runInChild(laneTasks, options));
  const runs: (FleetRun & { readonly count: number })[] = [];
  for (const task of here ?? []) runs.push({ count: task.count, ...(await fleetRun(task, options)) });
  let cpuMs = cpuOf(cpuStarted);
  for (const lane of await Promise.all(children)) {
    runs.push(...lane.runs);
    cpuMs += lane.cpuMs;
  }
  return {
    fleets: sizes.map((count) =>
      summary(
        count,
        runs.filter((run) => run.count === count).sort((x, y) => x.seed - y.seed),
      ),
    ),
    wallMs: performance.now() - started,
    cpuMs,
    lanes: lanes.length,
  };
}

/** A fleet size's runs, and the spread of what varies. */
function summary(count: number, runs: readonly FleetRun[]): FleetResult {
  const of = (pick: (run: FleetRun) => number) => spread(runs.map(pick));
  const sum = (pick: (run: FleetRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const naive = runs.flatMap((run) => (run.naive === undefined ? [] : [run.naive]));
  return {
    enis: count,
    seeds: runs.length,
    runs,
    ms: of((run) => run.ms),
    boundMs: of((run) => run.boundMs),
    scheduleMs: of((run) => run.scheduleMs),
    inOrderMs: of((run) => run.inOrderMs),
    ratio: of((run) => run.ratio),
    apiCalls: of((run) => run.apiCalls),
    describesPerTick: Math.max(...runs.map((run) => run.describesPerTick)),
    batches: Math.ceil(count / BATCH_SIZE),
    throttledAtEc2: sum((run) => run.throttledAtEc2),
    failed: sum((run) => run.failed),
    throttledErrors: sum((run) => run.throttledErrors),
    naive:
      naive.length === 0
        ? undefined
        : {
            seeds: naive.length,
            ms: spread(naive.map((run) => run.ms)),
            apiCalls: spread(naive.map((run) => run.apiCalls)),
            describesPerTick: Math.max(...naive.map((run) => run.describesPerTick)),
            moved: spread(naive.map((run) => run.moved)),
            throttledAtEc2: spread(naive.map((run) => run.throttledAtEc2)),
          },
  };
}

const cpuOf = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

/**
 * Makes some runs in a child process (this script, with this process's loader flags) and returns
 * them, and the CPU time they took. Its events are real I/O, so the virtual clock of this process
 * does not hold it up.
 */
function runInChild(tasks: readonly Task[], options: FleetOptions): Promise<Lane> {
  const lane = JSON.stringify({ tasks, options: { ...options, lanes: 1 } });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--lane", lane],
      {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`a child process measuring fleets failed: ${stderr}`, { cause: error }));
        else resolve(JSON.parse(stdout) as Lane);
      },
    );
  });
}

/** What a child process hands back. */
interface Lane {
  readonly runs: readonly (FleetRun & { readonly count: number })[];
  readonly cpuMs: number;
}

async function fleetRun({ count, seed, naive }: Task, options: FleetOptions): Promise<FleetRun> {
  const turns = options.turns ?? FLEET_TURNS;
  seedRandom(seed);
  const ours = await world(count, simulator(seed), turns);
  const eniOfAttachment = new Map(ours.enis.map((eniId) => [attachmentOf(ours.sim, eniId), eniId]));
  // When eni-kit first saw each ENI detached, and attached to its standby: the replayed
  // transitions below must agree with what its reads saw.
  const seen = new Map<string, { detached?: number; attached?: number }>();
  const onEvent = (event: EniEvent | MoveEvent) => {
    if (event.type !== "state") return;
    const at = seen.get(event.eniId) ?? {};
    if (event.attachedTo === undefined) at.detached ??= Date.now();
    else if (event.attachmentStatus === "attached" && at.detached !== undefined) at.attached ??= Date.now();
    seen.set(event.eniId, at);
  };
  const sends = recordSends(ours.ec2);
  const started = Date.now();
  const report = await settle(
    Eni.moveAll(
      ours.ec2,
      ours.enis.map((eniId, index) => ({
        eniId,
        to: ours.standbys[index] ?? "",
        expectedFrom: ours.primaries[index] ?? "",
      })),
      { concurrency: options.concurrency, onEvent },
    ),
    turns,
  );
  if (report.isErr()) throw report.error;
  const ms = Date.now() - started;
  const calls = ours.sim.calls;

  const replayed = replayTransitions(seed, ours.setupCalls, calls, eniOfAttachment);
  // In the order given to `moveAll`, for the schedule without foresight.
  const transitions = ours.enis.map(
    (eniId) => replayed.get(eniId) ?? { detachMs: 0, attachMs: 0, detachedAt: 0, attachedAt: 0 },
  );
  for (const [eniId, { detachedAt, attachedAt }] of replayed) {
    const { detached = Number.NaN, attached = Number.NaN } = seen.get(eniId) ?? {};
    // A read that saw a transition finished before the replay says it did would mean the replay is wrong.
    if (!(detached >= detachedAt && attached >= attachedAt)) {
      throw new Error(`the replayed transitions of ${eniId} disagree with what eni-kit read (seed ${seed})`);
    }
  }
  const bound = fleetBound({
    transitions,
    detach: defaultLimit("DetachNetworkInterface"),
    attach: defaultLimit("AttachNetworkInterface"),
    // A call takes effect halfway through its round trip (the simulator's model), so at least this long after it is sent.
    oneWayMs: LATENCY_MS[0] / 2,
  });
  const throttledErrors = report.value.results.filter(
    ({ result }) =>
      result.isErr() &&
      (result.error.name === "ThrottledError" ||
        (result.error.name === "MoveFailedError" && result.error.reason.name === "ThrottledError")),
  ).length;
  const describeCalls = countBy(calls, "DescribeNetworkInterfaces") + countBy(calls, "DescribeInstances");
  return {
    seed,
    ms,
    boundMs: bound.lowerMs,
    scheduleMs: bound.scheduleMs,
    inOrderMs: bound.inOrderMs,
    ratio: ms / bound.lowerMs,
    moved: report.value.succeeded,
    failed: report.value.failed,
    throttledErrors,
    throttledAtEc2: calls.filter((call) => call.outcome === "RequestLimitExceeded").length,
    apiCalls: calls.length,
    mutatingCalls: countBy(calls, "DetachNetworkInterface") + countBy(calls, "AttachNetworkInterface"),
    describeCalls,
    describesPerTick: describesPerTick(sends),
    naive: naive ? await naiveRun(count, seed, turns) : undefined,
  };
}

/**
 * The transitions the simulator drew in the run, per ENI, with when each finished. The simulator
 * draws every transition time from one seeded stream (concern 1 of its seed), in the order the
 * calls that start them take effect, and does not say what it drew; so the draws are replayed:
 * one per successful attach or detach, the setup's first. A detach of an ENI already detaching
 * draws nothing, so each ENI must have exactly one of each in the run; and the caller checks the
 * replay against what eni-kit's reads saw.
 */
function replayTransitions(
  seed: number,
  setupCalls: readonly CallRecord[],
  calls: readonly CallRecord[],
  eniOfAttachment: ReadonlyMap<string, string>,
): Map<string, Transitions & { readonly detachedAt: number; readonly attachedAt: number }> {
  const draws = Random.stream(seed, 1);
  const changes = (log: readonly CallRecord[]) =>
    log.filter(
      (call) =>
        call.outcome === "ok" && (call.action === "AttachNetworkInterface" || call.action === "DetachNetworkInterface"),
    );
  for (const call of changes(setupCalls))
    draws.duration(call.action === "AttachNetworkInterface" ? ATTACH_MS : DETACH_MS);
  const detaches = new Map<string, { detachMs: number; detachedAt: number }>();
  const moved = new Map<string, Transitions & { detachedAt: number; attachedAt: number }>();
  for (const call of changes(calls)) {
    if (call.action === "DetachNetworkInterface") {
      const eniId = eniOfAttachment.get(String(call.input.AttachmentId)) ?? "";
      const detachMs = draws.duration(DETACH_MS);
      if (detaches.has(eniId)) throw new Error(`${eniId} was detached twice (seed ${seed})`);
      detaches.set(eniId, { detachMs, detachedAt: call.time + detachMs });
    } else {
      const eniId = String(call.input.NetworkInterfaceId);
      const attachMs = draws.duration(ATTACH_MS);
      const detach = detaches.get(eniId);
      if (detach === undefined || moved.has(eniId)) throw new Error(`${eniId}: an attach out of turn (seed ${seed})`);
      moved.set(eniId, { ...detach, attachMs, attachedAt: call.time + attachMs });
    }
  }
  if (moved.size !== eniOfAttachment.size) throw new Error(`only ${moved.size} ENIs moved (seed ${seed})`);
  return moved;
}

/** The naive loop on the same world and seed: every ENI its own detach, waiter and attach, all at once. */
async function naiveRun(count: number, seed: number, turns: number): Promise<NaiveRun> {
  seedRandom(seed);
  const naive = await world(count, simulator(seed), turns);
  const sends = recordSends(naive.ec2);
  const started = Date.now();
  const outcomes = await settle(
    Promise.all(
      naive.enis.map((eniId, index) =>
        sdkOnlyMove(naive.ec2, eniId, attachmentOf(naive.sim, eniId), naive.standbys[index] ?? "", {
          minDelay: 1,
          maxDelay: 5,
        }).then(
          () => "moved",
          (error: unknown) =>
            (error as { name?: string }).name === "RequestLimitExceeded" ||
            String(error).includes("RequestLimitExceeded")
              ? "throttled"
              : "failed",
        ),
      ),
    ),
    turns,
  );
  return {
    ms: Date.now() - started,
    apiCalls: naive.sim.calls.length,
    describesPerTick: describesPerTick(sends),
    moved: outcomes.filter((outcome) => outcome === "moved").length,
    throttledErrors: outcomes.filter((outcome) => outcome === "throttled").length,
    throttledAtEc2: naive.sim.calls.filter((call) => call.outcome === "RequestLimitExceeded").length,
  };
}

/** The limit eni-kit's time must keep to at 1,000 ENIs and more, set before measuring: 10% over the bound. */
export const BOUND_RATIO_LIMIT = 1.1;

/** The fleets' targets, `{ name, value, limit, met }`, as scripts/bench.ts lists them. */
export function fleetTargets(results: readonly FleetResult[]) {
  return [
    ...results
      .filter((result) => result.enis >= 1000)
      .map((result) => ({
        name: `fleet ${result.enis}: eni-kit's time over the throttling bound, worst of ${result.seeds} seeds (x)`,
        value: Number(result.ratio.max.toFixed(3)),
        limit: BOUND_RATIO_LIMIT,
        met: result.ratio.max <= BOUND_RATIO_LIMIT,
      })),
    ...results.map((result) => ({
      name: `fleet ${result.enis}: throttling errors reaching the caller, over ${result.seeds} seeds`,
      value: result.throttledErrors,
      limit: 0,
      met: result.throttledErrors === 0,
    })),
    ...results.map((result) => ({
      name: `fleet ${result.enis}: Describe calls per poll tick (limit: one per batch of ${BATCH_SIZE} ids)`,
      value: result.describesPerTick,
      limit: result.batches,
      met: result.describesPerTick <= result.batches,
    })),
  ];
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const triple = (x: ReturnType<typeof spread>, show: (value: number) => string) =>
  `${show(x.p50)} / ${show(x.p90)} / ${show(x.max)}`;

/** The fleets as two markdown tables (eni-kit against the bound; the naive loop), p50 / p90 / max over the seeds. */
export function fleetTable(results: readonly FleetResult[]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const table = (header: readonly string[], rows: readonly (readonly string[])[]) =>
    [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
  const ours = table(
    [
      "ENIs",
      "seeds",
      "eni-kit",
      "bound",
      "eni-kit / bound",
      "ideal client without foresight",
      "greedy schedule (max)",
      "throttled at EC2",
      "errors to the caller (throttling)",
      "API calls",
      "Describes per 250 ms tick (max)",
    ],
    results.map((f) => [
      String(f.enis),
      String(f.seeds),
      triple(f.ms, s),
      triple(f.boundMs, s),
      triple(f.ratio, (x) => x.toFixed(3)),
      triple(f.inOrderMs, s),
      s(f.scheduleMs.max),
      String(f.throttledAtEc2),
      `${f.failed} (${f.throttledErrors})`,
      triple(f.apiCalls, String),
      String(f.describesPerTick),
    ]),
  );
  const naive = table(
    ["ENIs", "seeds", "naive loop: time", "moved", "API calls", "throttled at EC2", "Describes per tick (max)"],
    results.flatMap((f) =>
      f.naive === undefined
        ? []
        : [
            [
              String(f.enis),
              String(f.naive.seeds),
              triple(f.naive.ms, s),
              triple(f.naive.moved, String),
              triple(f.naive.apiCalls, String),
              triple(f.naive.throttledAtEc2, String),
              String(f.naive.describesPerTick),
            ],
          ],
    ),
  );
  return `${ours}\n\n${naive}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean" },
      sizes: { type: "string" },
      seeds: { type: "string" },
      "naive-seeds": { type: "string" },
      concurrency: { type: "string" },
      turns: { type: "string" },
      lanes: { type: "string" },
      lane: { type: "string" },
    },
  });
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  if (values.lane !== undefined) {
    // A child of `fleets`: its runs, as JSON on stdout.
    const { tasks, options } = JSON.parse(values.lane) as { tasks: Task[]; options: FleetOptions };
    const cpuStarted = process.cpuUsage();
    const runs: Lane["runs"][number][] = [];
    for (const task of tasks) runs.push({ count: task.count, ...(await fleetRun(task, options)) });
    process.stdout.write(JSON.stringify({ runs, cpuMs: cpuOf(cpuStarted) } satisfies Lane));
    return;
  }
  const sizes = (values.sizes ?? "10,100,1000").split(",").filter(Boolean).map(Number);
  const section = await fleets(sizes, {
    seeds: number(values.seeds),
    naiveSeeds: number(values["naive-seeds"]),
    concurrency: number(values.concurrency),
    turns: number(values.turns),
    lanes: number(values.lanes),
  });
  clock.uninstall();
  const targets = fleetTargets(section.fleets);
  if (values.json) {
    console.log(JSON.stringify({ node: process.version, ...section, targets }, null, 2));
    return;
  }
  console.log(
    `fleet moves with EC2's throttling on, virtual clock (took ${(section.wallMs / 1000).toFixed(1)} s of wall clock, ${(section.cpuMs / 1000).toFixed(1)} s of CPU in ${section.lanes} processes)`,
  );
  console.log(fleetTable(section.fleets));
  console.log("\ntargets");
  for (const target of targets)
    console.log(`  ${target.met ? "met    " : "NOT MET"}  ${target.name}: ${target.value} (limit ${target.limit})`);
}

// Run as a script (not imported by scripts/bench.ts).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
