/**
 * The benchmark's virtual clock and seeded randomness, shared by every measurement so that one
 * process has one fake clock: its figures are the same on every run and machine.
 *
 * Importing this module installs the clock (timers and `Date`) and replaces `Math.random`: import
 * it only from benchmark scripts, never from a test.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { mulberry32, settleOn } from "./virtual-time.js";

// Seeded randomness: the SDK's and the waiters' jitter use Math.random.
let random = mulberry32(20261128);
Math.random = () => random();

/** Restarts `Math.random`'s sequence, so a measurement's jitter depends on its own seed only. */
export function seedRandom(value: number): void {
  random = mulberry32(value);
}

/** The virtual clock: timers and Date only; promises and microtasks stay real. */
export const clock = FakeTimers.install({
  now: Date.UTC(2026, 10, 28),
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"],
});

/** Runs the virtual clock forward until the promise settles (see `settleOn`). */
export function settle<T>(promise: PromiseLike<T>, turns = 5): Promise<T> {
  return settleOn(clock, promise, turns);
}
