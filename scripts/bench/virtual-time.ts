/**
 * What every section of the benchmark shares, without installing anything: seeded randomness,
 * running a fake clock until a promise settles, and the distribution of a figure.
 */

/** A seeded generator in `[0, 1)` (mulberry32): equal seeds give equal sequences. */
export function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Captured when this module loads, before any clock is faked: the SDK needs real event-loop turns.
const realSetImmediate = globalThis.setImmediate;

/**
 * Runs `clock` forward, timer by timer, until the promise settles. Requests in flight get `turns`
 * real event-loop turns before each jump: otherwise the clock could jump to the next timer (an
 * operation's deadline, say) while they are still on their way.
 */
export async function settleOn<T>(clock: { next(): unknown }, promise: PromiseLike<T>, turns = 5): Promise<T> {
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

/** p50, p90 and max (nearest rank) of some figures. */
export function spread(values: readonly number[]): { p50: number; p90: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p90: at(0.9), max: at(1) };
}
