/**
 * The benchmark's virtual clock and seeded randomness, shared by every measurement so that one
 * process has one fake clock: its figures are the same on every run and machine.
 *
 * Importing this module installs the clock (timers and `Date`) and replaces `Math.random`: import
 * it only from benchmark scripts, never from a test.
 */
import FakeTimers from "@sinonjs/fake-timers";

// Seeded randomness: the SDK's and the waiters' jitter use Math.random.
let seed = 20261128;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Restarts `Math.random`'s sequence, so a measurement's jitter depends on its own seed only. */
export function seedRandom(value: number): void {
  seed = value;
}

// Captured before the clock is faked: the SDK needs a few real event-loop turns per request.
const realSetImmediate = globalThis.setImmediate;

/** The virtual clock: timers and Date only; promises and microtasks stay real. */
export const clock = FakeTimers.install({
  now: Date.UTC(2026, 10, 28),
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"],
});

/**
 * Runs virtual time forward, timer by timer, until the promise settles. Requests in flight get
 * `turns` real event-loop turns before each jump: otherwise the clock could jump to the next timer
 * (an operation's deadline, say) while they are still on their way.
 */
export async function settle<T>(promise: PromiseLike<T>, turns = 5): Promise<T> {
  let done = false;
  const result = Promise.resolve(promise).finally(() => {
    done = true;
  });
  for (let steps = 0; !done; steps += 1) {
    if (steps > 5_000_000) throw new Error("the virtual clock ran away");
    for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => realSetImmediate(resolve));
    // Not `nextAsync`: it waits for two real `setTimeout`s per timer, a millisecond or more each,
    // which over the tens of thousands of timers of a fleet is most of its wall-clock time. The
    // real turns above give requests in flight the same chance to move on.
    clock.next();
  }
  return result;
}
