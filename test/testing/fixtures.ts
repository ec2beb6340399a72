import { vi } from "vitest";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";

/** A simulator with one VPC (and its internet gateway) and a subnet in each of us-east-1a and us-east-1b, and a client. */
export function setup(options: Ec2SimulatorOptions = {}) {
  const sim = new Ec2Simulator(options);
  const { vpcId, internetGatewayId = "" } = sim.addVpc();
  const { subnetId: subnetA } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const { subnetId: subnetB } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1b" });
  const ec2 = sim.client();
  return { sim, ec2, vpcId, internetGatewayId, subnetA, subnetB };
}

/** Instant transitions, for tests that are not about timing. */
export const INSTANT: Ec2SimulatorOptions = {
  timings: { createMs: 0, attachMs: 0, detachMs: 0 },
  instanceTimings: { startMs: 0, stopMs: 0, terminateMs: 0 },
};

/**
 * Lets the SDK's middleware reach the simulator without moving the fake clock: its first call
 * does real asynchronous work (loading its configuration) before the simulator starts the
 * call's latency timer.
 */
export async function untilSent(): Promise<void> {
  while (vi.getTimerCount() === 0) await vi.advanceTimersByTimeAsync(0);
}

/** What `promise` settles to (its value or its error), with `advance` called until it has settled. */
async function settleWith<T>(promise: Promise<T>, advance: () => Promise<unknown>): Promise<T | Error> {
  let done = false;
  const outcome = promise.then(
    (value) => value,
    (error: Error) => error,
  );
  void outcome.finally(() => {
    done = true;
  });
  while (!done) await advance();
  return outcome;
}

/** What `promise` settles to, once the SDK's middleware has run, without moving the fake clock. */
export function outcomeOf<T>(promise: Promise<T>): Promise<T | Error> {
  return settleWith(promise, () => vi.advanceTimersByTimeAsync(0));
}

/** Runs the fake clock timer by timer until `promise` settles; resolves to its outcome and how long it took. */
export async function timed<T>(promise: Promise<T>): Promise<{ outcome: T | Error; ms: number }> {
  const start = Date.now();
  const outcome = await settleWith(promise, () => vi.advanceTimersToNextTimerAsync());
  return { outcome, ms: Date.now() - start };
}
