import type { Duration } from "./random.js";
import type { BucketConfig } from "./throttle.js";

/**
 * How stale a Describe read may be; see {@link Ec2SimulatorOptions.staleReads}.
 *
 * @example
 * ```ts
 * const staleReads: StaleReadOptions = { windowMs: 2000, probability: 0.3 };
 * ```
 */
export interface StaleReadOptions {
  /** For this long after a resource changes, reads may still answer its earlier versions. */
  readonly windowMs: number;
  /** The chance, per read and per resource, that a read answers an earlier version (0 to 1). */
  readonly probability: number;
}

/**
 * Options of an {@link Ec2Simulator}; every field has a default. Durations are in milliseconds,
 * and those typed {@link Duration} take a `[min, max]` pair too, drawn anew for each transition
 * (or call) from the seeded generator.
 *
 * @example
 * ```ts
 * const options: Ec2SimulatorOptions = { region: "eu-west-1", timings: { attachMs: [1000, 4000] }, consistencyDelayMs: 500 };
 * ```
 */
export interface Ec2SimulatorOptions {
  /**
   * Where the other options start from. `"default"` is a kind EC2: short fixed transitions, no
   * latency, consistent reads, no throttling. `"realistic"` behaves like EC2 with EC2-like
   * timings: `timings` `{ createMs: [500, 2000], attachMs: [1000, 4000], detachMs: [2000, 8000] }`,
   * `instanceTimings` `{ startMs: [10000, 30000], stopMs: [15000, 60000], terminateMs: [20000, 60000] }`,
   * `consistencyDelayMs: 1000`, `staleReads: { windowMs: 2000, probability: 0.3 }`,
   * `latencyMs: [60, 200]` and `throttling: true`. Every option you give overrides the preset's value
   * for it (each field of `timings` and `instanceTimings` on its own).
   * @default "default"
   */
  readonly preset?: "default" | "realistic" | undefined;
  /**
   * The region. `us-east-1` has six AZs (`us-east-1a` to `us-east-1f`), any other region three.
   * @default "us-east-1"
   */
  readonly region?: string | undefined;
  /**
   * ENI transition times: `pending` to `available` after create, `attaching` to `attached`,
   * `detaching` to gone. `0` makes a transition instant.
   * @default { createMs: 200, attachMs: 300, detachMs: 400 }
   */
  readonly timings?:
    | {
        readonly createMs?: Duration | undefined;
        readonly attachMs?: Duration | undefined;
        readonly detachMs?: Duration | undefined;
      }
    | undefined;
  /**
   * Instance transition times: `pending` to `running`, `stopping` to `stopped`, `shutting-down`
   * to `terminated`.
   * @default { startMs: 400, stopMs: 400, terminateMs: 500 }
   */
  readonly instanceTimings?:
    | {
        readonly startMs?: Duration | undefined;
        readonly stopMs?: Duration | undefined;
        readonly terminateMs?: Duration | undefined;
      }
    | undefined;
  /**
   * Eventual consistency of new ids: for this long after a call creates one, later calls do not
   * know it yet, as on EC2. A new ENI is `InvalidNetworkInterfaceID.NotFound` to
   * DescribeNetworkInterfaces, a new attachment `InvalidAttachmentID.NotFound` to
   * DetachNetworkInterface and ModifyNetworkInterfaceAttribute, a new association
   * `InvalidAssociationID.NotFound` to DisassociateAddress.
   * @default 0
   */
  readonly consistencyDelayMs?: number | undefined;
  /**
   * Eventual consistency of reads: for `windowMs` after any change of an ENI or an instance,
   * each DescribeNetworkInterfaces or DescribeInstances read answers, with `probability` per
   * resource, one of its earlier versions from that window instead of the current one (so two
   * reads in a row can go backwards), filters included; a deleted ENI may still be listed. `false`
   * turns them off.
   * @default false
   */
  readonly staleReads?: false | StaleReadOptions | undefined;
  /**
   * Time each call takes, as a real `setTimeout` (fake timers drive it): the request takes effect
   * halfway through, and the answer arrives at the end. An `abortSignal` given to `client.send`
   * is honoured: aborted before it takes effect, a request is not applied; aborted after, it is
   * applied but its answer is lost. Both reject with an error named `AbortError`, as the SDK does.
   * @default 0
   */
  readonly latencyMs?: Duration | undefined;
  /**
   * Multiplies every duration the simulator uses, the preset's and yours (transitions,
   * `consistencyDelayMs`, `staleReads.windowMs`, `latencyMs`; throttling refill rates stay as
   * they are), rounded to whole milliseconds, so a real-time test can run, say, the realistic
   * preset 50 times faster with `0.02`.
   * @default 1
   */
  readonly timeScale?: number | undefined;
  /**
   * Per-API token buckets. `true` applies EC2's documented defaults (Describe*: 100 tokens,
   * 20 per second; mutating calls: 50 tokens, 5 per second; actions with their own bucket, such
   * as CreateNetworkInterface at 100 and 5, keep it). An object enables throttling and sets the
   * buckets of the actions it names.
   * @default false
   */
  readonly throttling?: boolean | Readonly<Record<string, BucketConfig>> | undefined;
  /**
   * Accept what EC2 refuses, as moto (and so LocalStack) does: an attach across AZs, beyond the
   * type's interface or address limits, at a taken device index, or of an ENI already attached
   * (the attachment moves to the new instance); a delete of an ENI in use; and a terminated
   * instance keeps its ENIs attached. Describe calls do not page (`MaxResults` is ignored). For
   * testing that your own code guards against such a backend.
   * @default false
   */
  readonly permissive?: boolean | undefined;
  /**
   * Seed of the ids and of every random draw (ranges, stale reads, latency): equal seeds give
   * equal ids and behaviour, run after run.
   * @default 1
   */
  readonly seed?: number | undefined;
  /**
   * The bound of {@link Ec2Simulator.calls}: it keeps the latest `limit` requests, oldest first,
   * and drops older ones as new ones arrive, so that a long test or a benchmark holds a bounded
   * log. Not touched by the preset.
   * @default { limit: 10000 }
   */
  readonly callLog?:
    | {
        /**
         * How many requests to keep: a whole number from 0, or `Infinity` to keep every one. `0`
         * keeps none (and copies no request's input).
         * @default 10000
         */
        readonly limit?: number | undefined;
      }
    | undefined;
}

/** How many requests {@link Ec2Simulator.calls} keeps by default. */
export const DEFAULT_CALL_LOG_LIMIT = 10_000;

/** Every option with its value: the preset's, the caller's, and `timeScale` applied. */
export interface ResolvedOptions {
  readonly region: string;
  readonly timings: {
    readonly createMs: Duration;
    readonly attachMs: Duration;
    readonly detachMs: Duration;
    readonly startMs: Duration;
    readonly stopMs: Duration;
    readonly terminateMs: Duration;
  };
  readonly consistencyDelayMs: number;
  readonly staleReads: StaleReadOptions | undefined;
  readonly latencyMs: Duration;
  readonly throttling: boolean | Readonly<Record<string, BucketConfig>>;
  readonly permissive: boolean;
  readonly seed: number;
  readonly callLog: { readonly limit: number };
}

type Timings = { readonly createMs: Duration; readonly attachMs: Duration; readonly detachMs: Duration };
type InstanceTimings = { readonly startMs: Duration; readonly stopMs: Duration; readonly terminateMs: Duration };
type Preset = Omit<ResolvedOptions, "region" | "seed" | "timings" | "callLog"> & {
  readonly timings: Timings;
  readonly instanceTimings: InstanceTimings;
};

const DEFAULT: Preset = {
  timings: { createMs: 200, attachMs: 300, detachMs: 400 },
  instanceTimings: { startMs: 400, stopMs: 400, terminateMs: 500 },
  consistencyDelayMs: 0,
  staleReads: undefined,
  latencyMs: 0,
  throttling: false,
  permissive: false,
};

// Figures seen on EC2: attaches take a few seconds, detaches longer, instances tens of seconds;
// reads lag changes by a second or two; a call's round trip is 60-200 ms from inside the region.
const REALISTIC: Preset = {
  timings: { createMs: [500, 2000], attachMs: [1000, 4000], detachMs: [2000, 8000] },
  instanceTimings: { startMs: [10_000, 30_000], stopMs: [15_000, 60_000], terminateMs: [20_000, 60_000] },
  consistencyDelayMs: 1000,
  staleReads: { windowMs: 2000, probability: 0.3 },
  latencyMs: [60, 200],
  throttling: true,
  permissive: false,
};

/**
 * The options a simulator runs with: the preset, overridden field by field by `options`, every
 * duration multiplied by `timeScale`.
 *
 * @throws a `RangeError` for a negative duration, a range whose min exceeds its max, a
 *   probability outside 0 to 1, a `timeScale` that is not positive, or a `callLog.limit` that is
 *   neither a whole number from 0 nor `Infinity`.
 */
export function resolveOptions(options: Ec2SimulatorOptions): ResolvedOptions {
  const preset = options.preset === "realistic" ? REALISTIC : DEFAULT;
  const scale = options.timeScale ?? 1;
  if (!(scale > 0)) throw new RangeError(`Expected \`timeScale\` to be a positive number, got ${scale}.`);
  // Each field given overrides the preset's alone.
  const group = <T extends object>(
    name: string,
    defaults: T,
    given: { [K in keyof T]?: T[K] | undefined } | undefined,
  ): T =>
    Object.fromEntries(
      Object.entries(defaults).map(([key, value]) => [
        key,
        scaled(`${name}.${key}`, (given?.[key as keyof T] as Duration | undefined) ?? (value as Duration), scale),
      ]),
    ) as T;
  const timings = {
    ...group("timings", preset.timings, options.timings),
    ...group("instanceTimings", preset.instanceTimings, options.instanceTimings),
  };
  const staleReads = options.staleReads === undefined ? preset.staleReads : options.staleReads || undefined;
  if (staleReads && !(staleReads.probability >= 0 && staleReads.probability <= 1)) {
    throw new RangeError(`Expected \`staleReads.probability\` to be from 0 to 1, got ${staleReads.probability}.`);
  }
  const limit: unknown = options.callLog?.limit ?? DEFAULT_CALL_LOG_LIMIT;
  if (typeof limit !== "number" || !((Number.isInteger(limit) && limit >= 0) || limit === Infinity)) {
    throw new RangeError(
      `Expected \`callLog.limit\` to be a whole number from 0, or Infinity, got ${typeof limit === "number" ? limit : JSON.stringify(limit)}.`,
    );
  }
  return {
    region: options.region ?? "us-east-1",
    timings,
    consistencyDelayMs: scaled("consistencyDelayMs", options.consistencyDelayMs ?? preset.consistencyDelayMs, scale),
    staleReads: staleReads && {
      windowMs: scaled("staleReads.windowMs", staleReads.windowMs, scale),
      probability: staleReads.probability,
    },
    latencyMs: scaled("latencyMs", options.latencyMs ?? preset.latencyMs, scale),
    throttling: options.throttling ?? preset.throttling,
    permissive: options.permissive ?? preset.permissive,
    seed: options.seed ?? 1,
    callLog: { limit },
  };
}

function scaled<T extends Duration>(name: string, duration: T, scale: number): T {
  const [min, max] = typeof duration === "number" ? [duration, duration] : duration;
  if (!(min >= 0 && max >= min)) {
    throw new RangeError(
      `Expected \`${name}\` to be milliseconds from 0, or a [min, max] pair with min <= max, got ${JSON.stringify(duration)}.`,
    );
  }
  // Whole milliseconds, so that draws from a range stay within it.
  const ms = (value: number) => Math.round(value * scale);
  return (typeof duration === "number" ? ms(duration) : [ms(min), ms(max)]) as T;
}
