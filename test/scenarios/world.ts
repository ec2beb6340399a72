/**
 * The world the simulator scenarios run in: the wait options they use, and a floating ENI on a
 * primary with a standby beside it. One module, so every scenario reads the same setting.
 */
import { vi } from "vitest";
import { Eni } from "../../src/index.js";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";

/** Short polls, and a deadline far past any of the scenarios' transitions. */
export const wait = { minDelay: 0.02, maxDelay: 0.05, maxWaitTime: 10 } as const;

/** Transitions of a few tens of milliseconds: long enough to be seen, short enough to run fast. */
export const QUICK_TIMINGS = { createMs: 20, attachMs: 60, detachMs: 80 } as const;

/** The actions that change something at EC2. */
export const MUTATING = [
  "AttachNetworkInterface",
  "DetachNetworkInterface",
  "ModifyNetworkInterfaceAttribute",
  "CreateNetworkInterface",
  "DeleteNetworkInterface",
];

/** How {@link floating} builds its world. */
export interface FloatingOptions {
  /** The simulator's options; its timings default to {@link QUICK_TIMINGS} unless a preset brings its own. */
  readonly simulator?: Ec2SimulatorOptions;
  /** The type of the primary and the standby. */
  readonly instanceType?: string;
  /** The client's own options, e.g. `{ maxAttempts: 1 }` so an injected fault reaches eni-kit. */
  readonly client?: Parameters<Ec2Simulator["client"]>[0];
  /** How to await the setup: at once, or by running a fake clock (`settle`). */
  readonly settle?: <T>(work: PromiseLike<T>) => Promise<T>;
}

/**
 * A floating ENI, created by eni-kit (so it is owned) and attached to a primary, a standby in the
 * same subnet (us-east-1a), and an instance in another AZ (`elsewhere`). The call log starts empty.
 */
export async function floating(options: FloatingOptions = {}) {
  const simulatorOptions = options.simulator ?? {};
  const sim = new Ec2Simulator(
    simulatorOptions.preset === undefined ? { timings: QUICK_TIMINGS, ...simulatorOptions } : simulatorOptions,
  );
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const other = sim.addSubnet({ vpcId, availabilityZone: "us-east-1b" });
  const instanceType = options.instanceType ?? "t3.medium";
  const primary = sim.addInstance({ subnetId, instanceType }).instanceId;
  const standby = sim.addInstance({ subnetId, instanceType }).instanceId;
  const elsewhere = sim.addInstance({ subnetId: other.subnetId }).instanceId;
  const ec2 = sim.client(options.client);
  const settle = options.settle ?? (<T>(work: PromiseLike<T>) => Promise.resolve(work));
  const created = await settle(Eni.create(ec2, { subnetId, name: "floating", ...wait }).attachTo(primary, wait));
  const eni = created._unsafeUnwrap();
  sim.clearCalls();
  return { sim, ec2, subnetId, eni, primary, standby, elsewhere };
}

/** The calls that changed something at EC2, in order. */
export const mutatingCalls = (sim: Ec2Simulator) => sim.calls.filter((call) => MUTATING.includes(call.action));

// Captured when this module loads, before any test fakes the timers.
const realSetImmediate = globalThis.setImmediate;

/**
 * Runs vitest's fake clock forward, timer by timer, until the promise settles. The SDK needs a few
 * real event-loop turns per request even under fake timers: they run before each jump, or the
 * clock would jump to the next timer (an operation's deadline, say) while requests are still on
 * their way.
 */
export async function settleTimers<T>(promise: PromiseLike<T>): Promise<T> {
  let done = false;
  const result = Promise.resolve(promise).finally(() => {
    done = true;
  });
  while (!done) {
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => realSetImmediate(resolve));
    await vi.advanceTimersToNextTimerAsync();
  }
  return result;
}
