/**
 * `npx tsx scripts/bench/simulator-scale.ts [--json]`: how the EC2 simulator scales with the size
 * of its world. Wall time (`performance.now()`, never faked) of a whole create → attach → move →
 * detach → delete cycle run by eni-kit against worlds of 0 to 10,000 other ENIs, the time to
 * build the largest world, and the memory a cycle leaves behind.
 *
 * The simulator's own durations pass on a virtual clock (@sinonjs/fake-timers, as in
 * scripts/bench.ts): waits and transitions cost no wall time, so what is measured is the
 * simulator's and the library's work per request, not sleeping.
 */
import type { ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-ec2";
import FakeTimers from "@sinonjs/fake-timers";
// Types only: the SDK's own middleware types, which it installs with itself.
import type { DeserializeMiddleware } from "@smithy/types";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Eni } from "../../src/index.js";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";
import { mulberry32, settleOn } from "./virtual-time.js";

/**
 * Options of {@link simulatorScale}; every field has a default.
 *
 * @example
 * ```ts
 * const options: SimulatorScaleOptions = { preset: "realistic", sizes: [0, 1000], cycles: 10 };
 * ```
 */
export interface SimulatorScaleOptions {
  /**
   * The simulator's preset, with its latency off (`latencyMs: 0`) and its ENI transition times
   * replaced by `timings` when given.
   * @default "default"
   */
  readonly preset?: "default" | "realistic" | undefined;
  /**
   * How many other ENIs the world holds while the cycles run, one world per size.
   * @default [0, 1000, 4000, 10000]
   */
  readonly sizes?: readonly number[] | undefined;
  /**
   * Cycles timed per world; the median is reported.
   * @default 20
   */
  readonly cycles?: number | undefined;
  /**
   * ENI transition times, on the virtual clock (so they cost no wall time, only polls).
   * @default { createMs: 10, attachMs: 20, detachMs: 30 } with the default preset; the realistic
   *   preset's own (an attach shorter than its 1 s consistency delay, then a move, wedges eni-kit's
   *   detach on the attachment id EC2 does not know yet)
   */
  readonly timings?: Ec2SimulatorOptions["timings"];
  /**
   * Cycles the memory figure is measured over, after a warm-up long enough to fill the
   * simulator's call log to its bound.
   * @default 150
   */
  readonly memoryCycles?: number | undefined;
}

/** One world's figures. */
export interface WorldFigures {
  /** Other ENIs in the world. */
  readonly otherEnis: number;
  /** Median wall time of one cycle, in milliseconds. */
  readonly cycleMs: number;
  /** `cycleMs` over the empty world's (1 for the empty world). */
  readonly vsEmpty: number;
  /**
   * Median CPU time (user and system, the whole process) of one cycle, in milliseconds: less
   * disturbed than wall time by other processes on a shared machine.
   */
  readonly cycleCpuMs: number;
  /** `cycleCpuMs` over the empty world's. */
  readonly cpuVsEmpty: number;
  /**
   * Median wall time of one cycle spent answering requests in the simulator (from its hook in the
   * client's middleware to its answer), in milliseconds: the cycle without the SDK and eni-kit.
   */
  readonly simulatorMs: number;
  /** `simulatorMs` over the empty world's. */
  readonly simulatorVsEmpty: number;
  /** Requests one cycle sends (the last cycle's count). */
  readonly requestsPerCycle: number;
  /** Wall time to add this world's other ENIs (`addNetworkInterface` each), in milliseconds. */
  readonly buildMs: number;
}

/**
 * What {@link simulatorScale} measured.
 *
 * @example
 * ```ts
 * const { worlds, build10kMs } = await simulatorScale();
 * ```
 */
export interface SimulatorScaleResult {
  readonly preset: "default" | "realistic";
  /** Cycles timed per world, taken in turns across the worlds so that a busy spell of the machine hits them all. */
  readonly cycles: number;
  /**
   * Cycles (warm-up and memory ones included) in which eni-kit returned an error: they are not
   * timed, and what they left is deleted. 0 is expected with the default preset.
   */
  readonly failedCycles: number;
  /** The first failed cycle's error, `name: message`. */
  readonly firstFailure: string | undefined;
  readonly worlds: readonly WorldFigures[];
  /** Wall time to build the largest world's other ENIs (`addNetworkInterface` each), in ms. */
  readonly buildMs: number;
  /** How many ENIs `buildMs` built. */
  readonly buildSize: number;
  /** Memory that one cycle leaves behind, in the empty world, once the call log is full. */
  readonly memory: {
    /**
     * How it was measured: `"heap after gc"` (the V8 heap after a forced garbage collection,
     * before and after the cycles) or `"heap without gc"` when no collection could be forced.
     */
    readonly method: "heap after gc" | "heap without gc";
    /** Heap growth per cycle, in bytes. */
    readonly heapBytesPerCycle: number;
    /** Growth per cycle of `sim.calls` as JSON, in bytes: what the call log keeps. */
    readonly callLogBytesPerCycle: number;
    /** Records `sim.calls` holds after all the cycles. */
    readonly callLogRecords: number;
    /** Their size as JSON, in bytes. */
    readonly callLogBytes: number;
    /** Cycles measured (after the warm-up). */
    readonly cycles: number;
    /** Warm-up cycles before the measurement. */
    readonly warmupCycles: number;
  };
}

const SUBNET_CIDR = "10.0.0.0/17";
const WARMUP_CYCLES = 5;
// The simulator's default bound on its call log: the memory warm-up fills it before measuring.
const CALL_LOG_LIMIT = 10_000;

/** A garbage collection, if one can be forced; `undefined` otherwise. */
function forceableGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    // Exposing `gc` after start-up: a new context picks the flag up.
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * Measures the simulator's cost per cycle against the size of its world, the time to build a
 * large world, and the memory a cycle retains. It installs a virtual clock and a seeded
 * `Math.random` for its run and puts the real ones back before it returns; call it with the real
 * timers in place.
 *
 * @param options - see {@link SimulatorScaleOptions}.
 * @returns the figures, with the cycles in which eni-kit returned an error counted apart.
 * @example
 * ```ts
 * const figures = await simulatorScale({ sizes: [0, 10_000] });
 * console.log(figures.worlds.map((w) => `${w.otherEnis}: ${w.cycleMs} ms`));
 * ```
 */
export async function simulatorScale(options: SimulatorScaleOptions = {}): Promise<SimulatorScaleResult> {
  const preset = options.preset ?? "default";
  const sizes = options.sizes ?? [0, 1000, 4000, 10_000];
  const cycles = options.cycles ?? 20;
  const timings = options.timings ?? (preset === "default" ? { createMs: 10, attachMs: 20, detachMs: 30 } : {});
  const memoryCycles = options.memoryCycles ?? 150;

  // Seeded for the run, as in scripts/bench.ts: the SDK's and the waiters' jitter use Math.random,
  // so that the cycles take the same course run after run (only their wall time varies).
  const realRandom = Math.random;
  Math.random = mulberry32(20261130);
  const clock = FakeTimers.install({
    now: Date.UTC(2026, 10, 28),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"],
  });

  const settle = <T>(promise: PromiseLike<T>) => settleOn(clock, promise);

  /** A world: one subnet, two instances, and `others` settled ENIs beside them; `buildMs` times the ENIs. */
  function world(others: number) {
    // No latency: on the virtual clock it would only add timer steps to each cycle's wall time.
    const sim = new Ec2Simulator({ preset, timings, latencyMs: 0 });
    const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: SUBNET_CIDR });
    const from = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
    const to = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
    const started = performance.now();
    for (let i = 0; i < others; i += 1) {
      sim.addNetworkInterface({ subnetId, tags: { Name: `other-${i}`, team: i % 2 === 0 ? "a" : "b" } });
    }
    const ec2 = sim.client();
    const inSimulator = { ms: 0 };
    // Wraps the simulator's own hook (it answers without calling on), timing each answer.
    const timer: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      const entered = performance.now();
      try {
        return await next(args);
      } finally {
        inSimulator.ms += performance.now() - entered;
      }
    };
    ec2.middlewareStack.addRelativeTo(timer, {
      relation: "before",
      toMiddleware: "eniKitEc2Simulator",
      name: "simulatorScaleTimer",
    });
    return { sim, ec2, inSimulator, subnetId, from, to, buildMs: performance.now() - started };
  }

  /** Cycles that failed, and the first failure's error. */
  const failures = { count: 0, first: undefined as string | undefined };

  /** One cycle through the library; `false` if a step failed (counted, and its ENI cleaned up). */
  async function cycle(w: ReturnType<typeof world>, n: number): Promise<boolean> {
    const name = `cycle-${n}`;
    const result = await settle(
      Eni.create(w.ec2, { subnetId: w.subnetId, name })
        .attachTo(w.from)
        .moveTo(w.to, { expectedFrom: w.from })
        .detach()
        .delete(),
    );
    if (result.isOk()) return true;
    failures.count += 1;
    failures.first ??= `${result.error.name}: ${result.error.message}`;
    // What the failed cycle left behind goes, so the next cycle starts from the same world.
    const left = await settle(Eni.find(w.ec2, { name }));
    for (const eni of left.unwrapOr([])) await settle(eni.delete({ detachFirst: true, force: true }));
    return false;
  }

  try {
    const worlds = sizes.map((size) => world(size));
    for (const w of worlds) for (let n = 0; n < WARMUP_CYCLES; n += 1) await cycle(w, n);
    const times = worlds.map((): { wall: number; cpu: number; simulator: number }[] => []);
    const requests = worlds.map(() => 0);
    for (let n = 0; n < cycles; n += 1) {
      for (const [i, w] of worlds.entries()) {
        w.sim.clearCalls();
        w.inSimulator.ms = 0;
        const cpu = process.cpuUsage();
        const started = performance.now();
        const ok = await cycle(w, WARMUP_CYCLES + n);
        const wall = performance.now() - started;
        const used = process.cpuUsage(cpu);
        // A failed cycle did something else than the cycle: it is counted, not timed.
        if (ok) times[i]?.push({ wall, cpu: (used.user + used.system) / 1000, simulator: w.inSimulator.ms });
        requests[i] = w.sim.calls.length;
      }
    }
    const medians = worlds.map((w, i) => ({
      otherEnis: sizes[i] ?? 0,
      cycleMs: median((times[i] ?? []).map((t) => t.wall)),
      cycleCpuMs: median((times[i] ?? []).map((t) => t.cpu)),
      simulatorMs: median((times[i] ?? []).map((t) => t.simulator)),
      requestsPerCycle: requests[i] ?? 0,
      buildMs: w.buildMs,
    }));
    const empty = medians.find((m) => m.otherEnis === 0) ?? medians[0];
    const figures: WorldFigures[] = medians.map((m) => ({
      ...m,
      vsEmpty: m.cycleMs / (empty?.cycleMs ?? Number.NaN),
      cpuVsEmpty: m.cycleCpuMs / (empty?.cycleCpuMs ?? Number.NaN),
      simulatorVsEmpty: m.simulatorMs / (empty?.simulatorMs ?? Number.NaN),
    }));
    const largest = figures.reduce<WorldFigures | undefined>(
      (max, f) => (max === undefined || f.otherEnis > max.otherEnis ? f : max),
      undefined,
    );
    // The big worlds go before memory is measured, so that a collection during it has less to walk.
    worlds.length = 0;

    // Memory: an empty world, warmed up until its call log is full, then measured.
    const gc = forceableGc();
    const w = world(0);
    let warmupCycles = 0;
    // Until the log is full, and then a few more (a bounded log stays full from there on).
    for (let full = 0; full < 5 && warmupCycles < 2000; warmupCycles += 1) {
      await cycle(w, warmupCycles);
      if (w.sim.calls.length >= CALL_LOG_LIMIT) full += 1;
    }
    const logBytes = () => JSON.stringify(w.sim.calls).length;
    // Read before each heap figure: reading `calls` trims the log to its exact bound (it trims in
    // batches otherwise), so both figures see the same number of records.
    const logBefore = logBytes();
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let n = 0; n < memoryCycles; n += 1) await cycle(w, warmupCycles + n);
    const logAfter = logBytes();
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    return {
      preset,
      cycles,
      failedCycles: failures.count,
      firstFailure: failures.first,
      worlds: figures,
      buildMs: largest?.buildMs ?? Number.NaN,
      buildSize: largest?.otherEnis ?? 0,
      memory: {
        method: gc ? "heap after gc" : "heap without gc",
        heapBytesPerCycle: (heapAfter - heapBefore) / memoryCycles,
        callLogBytesPerCycle: (logAfter - logBefore) / memoryCycles,
        callLogRecords: w.sim.calls.length,
        callLogBytes: logAfter,
        cycles: memoryCycles,
        warmupCycles,
      },
    };
  } finally {
    clock.uninstall();
    Math.random = realRandom;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: "boolean" }, preset: { type: "string" } } });
  const preset = values.preset === "realistic" ? "realistic" : "default";
  const result = await simulatorScale({ preset });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`EC2 simulator at scale (preset "${result.preset}", median of ${result.cycles} cycles, wall time)`);
  console.log("  create→attach→move→detach→delete cycle, run by eni-kit; CPU time is the whole process's");
  console.log(
    "  other ENIs | wall ms per cycle | vs empty | CPU ms per cycle | vs empty | in the simulator, ms | vs empty | requests",
  );
  const x = (ratio: number) => `${ratio.toFixed(2)}x`.padStart(8);
  for (const w of result.worlds) {
    console.log(
      `  ${String(w.otherEnis).padStart(10)} | ${w.cycleMs.toFixed(1).padStart(17)} | ${x(w.vsEmpty)} | ${w.cycleCpuMs.toFixed(1).padStart(16)} | ${x(w.cpuVsEmpty)} | ${w.simulatorMs.toFixed(1).padStart(20)} | ${x(w.simulatorVsEmpty)} | ${String(w.requestsPerCycle).padStart(8)}`,
    );
  }
  console.log(`  building ${result.buildSize} ENIs: ${result.buildMs.toFixed(0)} ms`);
  if (result.failedCycles > 0) {
    console.log(`  failed cycles (not timed): ${result.failedCycles}; the first: ${result.firstFailure ?? ""}`);
  }
  const m = result.memory;
  console.log(
    `  memory per cycle (${m.method}, ${m.cycles} cycles after ${m.warmupCycles} of warm-up): ${(m.heapBytesPerCycle / 1024).toFixed(1)} KB of heap; the call log grew ${(m.callLogBytesPerCycle / 1024).toFixed(1)} KB per cycle (as JSON) and holds ${m.callLogRecords} records (${(m.callLogBytes / 1024 / 1024).toFixed(1)} MB as JSON)`,
  );
}

// Standalone: `npx tsx scripts/bench/simulator-scale.ts`; imported, it only exports.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
