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
import FakeTimers from "@sinonjs/fake-timers";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Eni } from "../../src/index.js";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";

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
   * The simulator's preset; `timings` below override its ENI transition times either way.
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
   * @default { createMs: 10, attachMs: 20, detachMs: 30 }
   */
  readonly timings?: Ec2SimulatorOptions["timings"];
  /**
   * Cycles the memory figure is measured over, after a warm-up long enough to fill the
   * simulator's call log to its bound.
   * @default 300
   */
  readonly memoryCycles?: number | undefined;
}

/** One world's figures. */
export interface WorldFigures {
  /** Other ENIs in the world. */
  readonly otherEnis: number;
  /** Median wall time of one cycle, in milliseconds. */
  readonly cycleMs: number;
  /** Median of the cycles' wall times over the empty world's median (1 for the empty world). */
  readonly vsEmpty: number;
  /** Requests one cycle sends (the last cycle's count). */
  readonly requestsPerCycle: number;
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
  readonly cycles: number;
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
 * large world, and the memory a cycle retains. It installs a virtual clock for its run and
 * uninstalls it before it returns; call it with the real timers in place.
 *
 * @param options - see {@link SimulatorScaleOptions}.
 * @returns the figures; rejects if a cycle fails (a bug in the simulator or the library).
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
  const timings = options.timings ?? { createMs: 10, attachMs: 20, detachMs: 30 };
  const memoryCycles = options.memoryCycles ?? 300;

  // Captured before the clock is faked: the SDK needs real event-loop turns per request.
  const realSetImmediate = globalThis.setImmediate;
  const clock = FakeTimers.install({
    now: Date.UTC(2026, 10, 28),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"],
  });

  /** Runs virtual time forward, timer by timer, until the promise settles (see scripts/bench.ts). */
  async function settle<T>(promise: PromiseLike<T>): Promise<T> {
    let done = false;
    const result = Promise.resolve(promise).finally(() => {
      done = true;
    });
    for (let steps = 0; !done; steps += 1) {
      if (steps > 1_000_000) throw new Error("the virtual clock ran away");
      for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => realSetImmediate(resolve));
      await clock.nextAsync();
    }
    return result;
  }

  /** A world: one subnet, two instances, and `others` settled ENIs beside them; `buildMs` times the ENIs. */
  function world(others: number) {
    const sim = new Ec2Simulator({ preset, timings });
    const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: SUBNET_CIDR });
    const from = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
    const to = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
    const started = performance.now();
    for (let i = 0; i < others; i += 1) {
      sim.addNetworkInterface({ subnetId, tags: { Name: `other-${i}`, team: i % 2 === 0 ? "a" : "b" } });
    }
    return { sim, ec2: sim.client(), subnetId, from, to, buildMs: performance.now() - started };
  }

  /** One cycle through the library; rejects if any step fails. */
  async function cycle(w: ReturnType<typeof world>, n: number): Promise<void> {
    const result = await settle(
      Eni.create(w.ec2, { subnetId: w.subnetId, name: `cycle-${n}` })
        .attachTo(w.from)
        .moveTo(w.to, { expectedFrom: w.from })
        .detach()
        .delete(),
    );
    if (result.isErr()) throw new Error(`cycle ${n} failed: ${result.error.name}: ${result.error.message}`);
  }

  try {
    const worlds: WorldFigures[] = [];
    let buildMs = Number.NaN;
    let buildSize = 0;
    let emptyMs = Number.NaN;
    for (const size of sizes) {
      const w = world(size);
      if (size >= buildSize) {
        buildSize = size;
        buildMs = w.buildMs;
      }
      for (let n = 0; n < WARMUP_CYCLES; n += 1) await cycle(w, n);
      const times: number[] = [];
      let requests = 0;
      for (let n = 0; n < cycles; n += 1) {
        const before = w.sim.calls.length;
        const started = performance.now();
        await cycle(w, WARMUP_CYCLES + n);
        times.push(performance.now() - started);
        // Empty before each cycle, so the count holds whatever bound the log has.
        requests = w.sim.calls.length - before;
        w.sim.clearCalls();
      }
      const cycleMs = median(times);
      if (size === 0 || Number.isNaN(emptyMs)) emptyMs = cycleMs;
      worlds.push({ otherEnis: size, cycleMs, vsEmpty: cycleMs / emptyMs, requestsPerCycle: requests });
    }

    // Memory: an empty world, warmed up until its call log is full, then measured.
    const gc = forceableGc();
    const w = world(0);
    await cycle(w, 0);
    const perCycle = Math.max(1, w.sim.calls.length);
    const warmupCycles = Math.ceil(CALL_LOG_LIMIT / perCycle) + 20;
    for (let n = 1; n < warmupCycles; n += 1) await cycle(w, n);
    const logBytes = () => JSON.stringify(w.sim.calls).length;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const logBefore = logBytes();
    for (let n = 0; n < memoryCycles; n += 1) await cycle(w, warmupCycles + n);
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    return {
      preset,
      cycles,
      worlds,
      buildMs,
      buildSize,
      memory: {
        method: gc ? "heap after gc" : "heap without gc",
        heapBytesPerCycle: (heapAfter - heapBefore) / memoryCycles,
        callLogBytesPerCycle: (logBytes() - logBefore) / memoryCycles,
        callLogRecords: w.sim.calls.length,
        cycles: memoryCycles,
        warmupCycles,
      },
    };
  } finally {
    clock.uninstall();
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
  console.log("  other ENIs | ms per create→attach→move→detach→delete cycle | vs empty | requests per cycle");
  for (const w of result.worlds) {
    console.log(
      `  ${String(w.otherEnis).padStart(10)} | ${w.cycleMs.toFixed(1).padStart(45)} | ${w.vsEmpty.toFixed(2).padStart(7)}x | ${String(w.requestsPerCycle).padStart(18)}`,
    );
  }
  console.log(`  building ${result.buildSize} ENIs: ${result.buildMs.toFixed(0)} ms`);
  const m = result.memory;
  console.log(
    `  memory per cycle (${m.method}, ${m.cycles} cycles after ${m.warmupCycles} of warm-up): ${(m.heapBytesPerCycle / 1024).toFixed(1)} KB of heap; the call log grew ${(m.callLogBytesPerCycle / 1024).toFixed(1)} KB per cycle and holds ${m.callLogRecords} records`,
  );
}

// Standalone: `npx tsx scripts/bench/simulator-scale.ts`; imported, it only exports.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
