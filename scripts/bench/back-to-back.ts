/**
 * `npx tsx scripts/bench/back-to-back.ts`: whether an ENI's operations cost more on a client that
 * has just been used than on a fresh one (issue 14: "no single ENI waits for a tick").
 *
 * On the simulator's "realistic" preset (latency 60–200 ms, create 0.5–2 s, attach 1–4 s, detach
 * 2–8 s, new ids unknown for 1 s, throttling; seeded) under a virtual clock with seeded
 * randomness, the cycle create → attach → move (with `expectedFrom`) → detach → delete runs
 * `cycles` times back to back:
 * - on ONE client for everything;
 * - on a FRESH client for every step, so no step can inherit anything from the calls before it.
 * Each step but create and delete starts on a snapshot read (not timed) on the client it runs on,
 * just before it, so both ways make the same calls and draw the same latencies, transitions and
 * jitter: what differs is only whether the client has been used. Each step's virtual milliseconds
 * are gathered over `seeds` seeds; one client passes when a step's median is within 10% of a fresh
 * client's.
 *
 * The preset's stale reads are turned off: with them, the cycle itself fails now and then, on one
 * client and on fresh ones alike (an attach right after the create can read the ENI `pending` and
 * refuse; a delete right after the detach can read the attachment and refuse), which is not what
 * this measures. `--preset default` (zero latency, fixed 200/300/400 ms transitions) shows a tick's
 * wait most plainly.
 *
 * `backToBack()` installs its own fake clock (and seeded `Math.random`) and restores both before it
 * returns, so call it when no other fake clock is installed.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import FakeTimers from "@sinonjs/fake-timers";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Result } from "neverthrow";
import { Eni } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { mulberry32, settleOn, spread } from "./virtual-time.js";

/** The steps of one cycle, in order. */
export const STEPS = ["create", "attach", "move", "detach", "delete"] as const;
export type Step = (typeof STEPS)[number];

/** p50, p90 and max of one step's virtual milliseconds. */
export interface Spread {
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

/** One step: its times on one client and on fresh clients, and whether one client is within 10% (p50). */
export interface StepFigures {
  readonly step: Step;
  readonly oneClient: Spread;
  readonly freshClient: Spread;
  /** `oneClient.p50 / freshClient.p50`. */
  readonly ratio: number;
  /** `oneClient.p50` is at most 10% above `freshClient.p50`. */
  readonly within10Percent: boolean;
}

export interface BackToBackFigures {
  readonly preset: "realistic" | "default";
  readonly seeds: number;
  readonly cyclesPerSeed: number;
  readonly steps: readonly StepFigures[];
  /** Every step is within 10% on one client. */
  readonly allWithin10Percent: boolean;
}

export interface BackToBackOptions {
  /** The simulator's preset (stale reads off either way). @default "realistic" */
  readonly preset?: "realistic" | "default" | undefined;
  /** @default 50 */
  readonly seeds?: number | undefined;
  /** Cycles run back to back per seed; each costs about 10 s of CPU at 50 seeds. @default 2 */
  readonly cycles?: number | undefined;
}

// A tolerance, not a target: medians over seeds still carry a little noise from the random draws.
const TOLERANCE = 1.1;

/** The seeded generator the SDK's and the waiters' jitter draw from (bench.ts's). */

/** Measures the cycle on one client and on fresh clients; see the file's comment. */
export async function backToBack(options: BackToBackOptions = {}): Promise<BackToBackFigures> {
  const preset = options.preset ?? "realistic";
  const seeds = options.seeds ?? 50;
  const cycles = options.cycles ?? 2;
  const realRandom = Math.random;
  const clock = FakeTimers.install({
    now: Date.UTC(2026, 11, 1),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"],
  });

  const settle = <T>(promise: PromiseLike<T>) => settleOn(clock, promise);

  /** Runs one step, returning its value and its virtual duration; a failed step ends the run. */
  async function timedStep<T, E>(name: string, run: () => PromiseLike<Result<T, E>>): Promise<[T, number]> {
    const started = Date.now();
    const result = await settle(run());
    if (result.isErr()) throw new Error(`${name} failed: ${String((result.error as { message?: string }).message)}`);
    return [result.value, Date.now() - started];
  }

  const times = {
    one: new Map<Step, number[]>(STEPS.map((step) => [step, []])),
    fresh: new Map<Step, number[]>(STEPS.map((step) => [step, []])),
  };
  try {
    for (let seed = 1; seed <= seeds; seed += 1) {
      for (const mode of ["one", "fresh"] as const) {
        Math.random = mulberry32(seed);
        const sim = new Ec2Simulator({ preset, staleReads: false, seed });
        const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
        const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.0.0/20" });
        const [primary, standby] = [sim.addInstance({ subnetId }).instanceId, sim.addInstance({ subnetId }).instanceId];
        const one = sim.client();
        const clientFor = (): EC2Client => (mode === "one" ? one : sim.client());
        const record = (step: Step, ms: number) => times[mode].get(step)?.push(ms);
        // Each step runs on a snapshot read just before it (not timed), in both modes, so both make
        // the same calls and draw the same latencies, transitions and jitter: what differs is only
        // whether the client has been used.
        const snapshot = async (id: string): Promise<Eni> => {
          const read = await settle(Eni.get(clientFor(), id));
          if (read.isErr()) throw new Error(`reading ${id} failed: ${read.error.message}`);
          return read.value;
        };
        for (let cycle = 0; cycle < cycles; cycle += 1) {
          const [created, createMs] = await timedStep("create", () =>
            Eni.create(clientFor(), { subnetId, name: `cycle-${cycle}` }),
          );
          record("create", createMs);
          const forAttach = await snapshot(created.id);
          const [, attachMs] = await timedStep("attach", () => forAttach.attachTo(primary));
          record("attach", attachMs);
          const forMove = await snapshot(created.id);
          const [, moveMs] = await timedStep("move", () => forMove.moveTo(standby, { expectedFrom: primary }));
          record("move", moveMs);
          const forDetach = await snapshot(created.id);
          const [, detachMs] = await timedStep("detach", () => forDetach.detach());
          record("detach", detachMs);
          const [, deleteMs] = await timedStep("delete", () => Eni.delete(clientFor(), created.id));
          record("delete", deleteMs);
        }
        // Let whatever the last step left behind (a deadline's timer, say) run out before the next seed.
        await clock.runAllAsync();
      }
    }
  } finally {
    clock.uninstall();
    Math.random = realRandom;
  }

  const steps = STEPS.map((step): StepFigures => {
    const oneClient = spread(times.one.get(step) ?? []);
    const freshClient = spread(times.fresh.get(step) ?? []);
    // A step that takes no virtual time on either (a delete at zero latency) is as fast on both.
    const ratio = oneClient.p50 === freshClient.p50 ? 1 : oneClient.p50 / freshClient.p50;
    return { step, oneClient, freshClient, ratio, within10Percent: oneClient.p50 <= freshClient.p50 * TOLERANCE };
  });
  return { preset, seeds, cyclesPerSeed: cycles, steps, allWithin10Percent: steps.every((s) => s.within10Percent) };
}

/** Prints the figures as a small table. */
export function printBackToBack(figures: BackToBackFigures): void {
  const d = (x: Spread) => `${x.p50} / ${x.p90} / ${x.max}`.padStart(22);
  console.log(
    `back to back: create → attach → move → detach → delete, ${figures.cyclesPerSeed} cycles × ${figures.seeds} seeds, ` +
      `${figures.preset} preset, virtual ms (p50 / p90 / max)`,
  );
  console.log(
    `  ${"step".padEnd(7)} ${"one client".padStart(22)} ${"fresh client".padStart(22)}  p50 ratio  within 10%`,
  );
  for (const s of figures.steps)
    console.log(
      `  ${s.step.padEnd(7)} ${d(s.oneClient)} ${d(s.freshClient)}  ${s.ratio.toFixed(2).padStart(9)}  ${s.within10Percent ? "yes" : "NO"}`,
    );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { preset: { type: "string" }, seeds: { type: "string" }, cycles: { type: "string" } },
  });
  const preset = values.preset === "default" ? "default" : "realistic";
  const count = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  backToBack({ preset, seeds: count(values.seeds), cycles: count(values.cycles) }).then(
    printBackToBack,
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
