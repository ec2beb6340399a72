import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fleetBound, tokenAt, type Transitions } from "../../scripts/bench/bound.js";
import type { RateLimit } from "../../src/ec2/rate-limit.js";

// eni-kit's defaults for attach and detach: 10% under EC2's 50 at 5/s.
const ENI_KIT: RateLimit = { capacity: 45, refillPerSecond: 4.5 };

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

/**
 * The best schedule, by trying every detach order and every attach order: detaches on their
 * tokens; attaches in the order tried, each as soon as its ENI is free, the one before it has
 * gone, and the attach bucket (full at its first use, as eni-kit's) has a token. Sending earlier
 * never leaves fewer tokens later, so within an order as soon as possible is best.
 */
function bruteForce(transitions: readonly Transitions[], detach: RateLimit, attach: RateLimit, oneWayMs: number) {
  const indexes = transitions.map((_, index) => index);
  let best = Number.POSITIVE_INFINITY;
  for (const detachOrder of permutations(indexes)) {
    const freeAt = new Map(
      detachOrder.map((eni, k) => [eni, tokenAt(k + 1, detach) + oneWayMs + (transitions[eni]?.detachMs ?? 0)]),
    );
    for (const attachOrder of permutations(indexes)) {
      let tokens = attach.capacity;
      let last: number | undefined;
      let end = 0;
      for (const eni of attachOrder) {
        const refilled = last === undefined ? tokens : Math.min(attach.capacity, tokens);
        const tokenFrom =
          last === undefined || refilled >= 1 ? 0 : last + ((1 - refilled) / attach.refillPerSecond) * 1000;
        const sent = Math.max(freeAt.get(eni) ?? 0, tokenFrom, last ?? 0);
        tokens =
          Math.min(
            attach.capacity,
            tokens + (last === undefined ? 0 : ((sent - last) / 1000) * attach.refillPerSecond),
          ) - 1;
        last = sent;
        end = Math.max(end, sent + oneWayMs + (transitions[eni]?.attachMs ?? 0));
      }
      best = Math.min(best, end);
    }
  }
  return best;
}

describe("tokenAt", () => {
  it("gives the burst at once, then one token per 1/refill seconds", () => {
    expect(tokenAt(1, ENI_KIT)).toBe(0);
    expect(tokenAt(45, ENI_KIT)).toBe(0);
    expect(tokenAt(46, ENI_KIT)).toBeCloseTo(1000 / 4.5);
    expect(tokenAt(1000, ENI_KIT)).toBeCloseTo((955 / 4.5) * 1000);
  });
});

describe("fleetBound", () => {
  it("is one ENI's own chain when the buckets never bind: two one-way trips, its detach, its attach", () => {
    const bound = fleetBound({
      transitions: [
        { detachMs: 3000, attachMs: 2000 },
        { detachMs: 5000, attachMs: 1000 },
      ],
      detach: ENI_KIT,
      attach: ENI_KIT,
      oneWayMs: 30,
    });

    expect(bound).toEqual({ lowerMs: 6060, scheduleMs: 6060, inOrderMs: 6060 });
  });

  it("is at least the detach bucket's pace: the last of 1,000 detaches, then the fastest move", () => {
    const transitions = Array.from({ length: 1000 }, (_, index) => ({
      detachMs: 2000 + (index % 7) * 1000,
      attachMs: 1000 + (index % 4) * 1000,
    }));

    const bound = fleetBound({ transitions, detach: ENI_KIT, attach: ENI_KIT, oneWayMs: 30 });

    // The fastest moves take the last tokens: 955 / 4.5 s, then 2 s + 1 s and two trips.
    expect(bound.lowerMs).toBeGreaterThanOrEqual(tokenAt(1000, ENI_KIT) + 3000 + 60);
    expect(bound.lowerMs).toBeLessThanOrEqual(bound.scheduleMs);
    expect(bound.lowerMs).toBeLessThanOrEqual(bound.inOrderMs);
    // At this size the buckets decide: the greedy schedule is within a few percent of the bound.
    expect(bound.scheduleMs / bound.lowerMs).toBeLessThan(1.05);
  });

  it("is not met by first-come first-served, nor always by the greedy schedule: it is a bracket", () => {
    // One attach token a second. ENI a is free first and attaches fast; b is free 100 ms later and
    // attaches slowly. Giving a the first token ends at 1 + 5 s; keeping it for b, at 0.1 + 5 s.
    const detach: RateLimit = { capacity: 2, refillPerSecond: 1 };
    const attach: RateLimit = { capacity: 1, refillPerSecond: 1 };
    const transitions = [
      { detachMs: 0, attachMs: 100 },
      { detachMs: 100, attachMs: 5000 },
    ];
    const bound = fleetBound({ transitions, detach, attach, oneWayMs: 0 });

    expect(bruteForce(transitions, detach, attach, 0)).toBe(5100);
    expect(bound.lowerMs).toBe(5100);
    // Neither schedule waits for b: both spend the token on a.
    expect(bound.inOrderMs).toBe(6000);
    expect(bound.scheduleMs).toBe(6000);
  });

  it("is never above the best schedule, and the greedy schedule never below it (every order of up to 4 ENIs tried)", () => {
    const limit = fc.record({ capacity: fc.integer({ min: 1, max: 3 }), refillPerSecond: fc.constantFrom(0.5, 1, 2) });
    const transition = fc.record({
      detachMs: fc.integer({ min: 0, max: 8000 }),
      attachMs: fc.integer({ min: 0, max: 4000 }),
    });
    fc.assert(
      fc.property(
        fc.array(transition, { minLength: 1, maxLength: 4 }),
        limit,
        limit,
        fc.integer({ min: 0, max: 100 }),
        (transitions, detach, attach, oneWayMs) => {
          const bound = fleetBound({ transitions, detach, attach, oneWayMs });
          const best = bruteForce(transitions, detach, attach, oneWayMs);
          expect(bound.lowerMs).toBeLessThanOrEqual(best + 1e-6);
          expect(bound.scheduleMs).toBeGreaterThanOrEqual(best - 1e-6);
          expect(bound.inOrderMs).toBeGreaterThanOrEqual(best - 1e-6);
        },
      ),
      { numRuns: 300 },
    );
  });
});
