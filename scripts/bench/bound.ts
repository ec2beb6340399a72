/**
 * How fast any client could move a fleet of ENIs under a client's per-action request buckets:
 * the yardstick for `Eni.moveAll` in ./fleet.ts. Pure functions of the run's figures (no clock),
 * so tests can check them.
 *
 * The model, from first principles. Each ENI needs one DetachNetworkInterface and one
 * AttachNetworkInterface, and each action spends from its own bucket (`capacity` tokens, then
 * `refillPerSecond`), starting full. So:
 * - the k-th detach cannot be sent before its token exists: `T(k) = max(0, k - capacity) / refill`;
 * - a call takes effect at EC2 no sooner than the shortest one-way trip (`oneWayMs`) after it is sent;
 * - an ENI's attach cannot be sent before its detach has finished (detach time `d`, drawn by the
 *   simulator in that run) nor before its attach token exists;
 * - its move ends when its attach finishes (attach time `a`, drawn likewise). The fleet is moved
 *   when the last move ends; noticing it (a read) is not counted.
 *
 * Finding the best schedule exactly is a two-machine flow shop with unit operations, delays
 * between them and tails (each ENI goes through the detach bucket, waits `d`, through the attach
 * bucket, waits `a`): with delays alone that problem is already strongly NP-hard (Yu, Hoogeveen
 * and Lenstra, "Minimizing makespan in a two-machine flow shop with delays and unit-time
 * operations is NP-hard", J. Scheduling 2004), and earliest-first is not optimal in it (an ENI
 * ready a moment later but with a longer attach should take the token first). So
 * {@link fleetBound} brackets the best schedule: a lower bound, the larger of two relaxations each
 * solved exactly by sorting, and a feasible schedule built greedily. The best schedule lies
 * between the two; the benchmark holds eni-kit to the lower bound, the stricter yardstick.
 *
 * Both know every ENI's transition times in advance, which no client does: the last ENIs to get a
 * detach token should be those that will move fastest. So it also gives what an ideal client
 * without that foresight gets (`inOrderMs`): detaches in the order given, each attach the moment
 * its detach finishes. For small fleets, where a single slow ENI decides the end, the gap between
 * the two is most of eni-kit's gap to the bound; for large ones the buckets decide, and it shrinks.
 */
import type { RateLimit } from "../../src/ec2/rate-limit.js";

/** What one ENI's move took at EC2 in the run: its detach and its attach transitions. */
export interface Transitions {
  readonly detachMs: number;
  readonly attachMs: number;
}

/** What the bound depends on: the run's transitions and the buckets a client must keep under. */
export interface FleetBoundInput {
  /** One entry per ENI. */
  readonly transitions: readonly Transitions[];
  /** The client's DetachNetworkInterface bucket. */
  readonly detach: RateLimit;
  /** The client's AttachNetworkInterface bucket. */
  readonly attach: RateLimit;
  /** The shortest time from sending a call to its taking effect at EC2 (half the shortest round trip). */
  readonly oneWayMs: number;
}

/** The bracket around the best schedule, and what a client that cannot foresee transitions gets; ms from the start. */
export interface FleetBound {
  /** No schedule can move the fleet sooner. */
  readonly lowerMs: number;
  /** A schedule that keeps within the buckets does it this soon (greedy, so not always the best). */
  readonly scheduleMs: number;
  /**
   * The fleet in the order given, without foresight: detaches on their tokens in that order, and
   * each ENI's attach the moment its detach has finished, first come first served on the attach
   * bucket. What an ideal client that notices every transition at once, but cannot know which
   * ENI will be slow, gets.
   */
  readonly inOrderMs: number;
}

/** When the k-th call (from 1) of a bucket that starts full and is drained from time 0 can go, in ms. */
export function tokenAt(k: number, { capacity, refillPerSecond }: RateLimit): number {
  return (Math.max(0, k - capacity) / refillPerSecond) * 1000;
}

/** The lower bound on the fleet's move, and two schedules' times; see the module's comment. */
export function fleetBound({ transitions, detach, attach, oneWayMs }: FleetBoundInput): FleetBound {
  if (transitions.length === 0) return { lowerMs: 0, scheduleMs: 0, inOrderMs: 0 };
  const descending = (values: number[]) => values.sort((x, y) => y - x);
  const maxOver = (values: readonly number[], at: (value: number, index: number) => number) =>
    Math.max(...values.map(at));

  // Relaxation 1: the attach bucket is unlimited. Each ENI's chain is then its detach token, two
  // one-way trips (the detach's and the attach's), `d` and `a`; the detach tokens come at fixed
  // times, and giving the earliest tokens to the longest chains minimizes the latest end (swap any
  // two ENIs out of that order: the longer chain moves earlier, the shorter one ends no later than
  // the longer one did).
  const chains = descending(transitions.map(({ detachMs, attachMs }) => detachMs + attachMs));
  const chainBound = maxOver(chains, (chain, k) => tokenAt(k + 1, detach) + 2 * oneWayMs + chain);

  // Relaxation 2: every ENI is free to attach as soon as the first detach can have finished
  // (`oneWayMs` + the shortest `d`), when the attach bucket is at best full. A token not used at
  // once is not lost while the bucket is below capacity, so the j-th attach goes no sooner than
  // that moment plus `tokenAt(j)`, takes effect a one-way trip later, and ends `a` after that;
  // the longest attaches on the earliest tokens minimize the latest end (the same swap).
  const firstFree = oneWayMs + Math.min(...transitions.map(({ detachMs }) => detachMs));
  const attaches = descending(transitions.map(({ attachMs }) => attachMs));
  const attachBound = maxOver(attaches, (a, j) => firstFree + tokenAt(j + 1, attach) + oneWayMs + a);

  const byChain = [...transitions].sort((x, y) => y.detachMs + y.attachMs - (x.detachMs + x.attachMs));
  return {
    lowerMs: Math.max(chainBound, attachBound),
    scheduleMs: schedule(byChain, detach, attach, oneWayMs, "longest attach"),
    inOrderMs: schedule(transitions, detach, attach, oneWayMs, "first free"),
  };
}

/**
 * A schedule that keeps within both buckets: detaches on their tokens in the order given; then,
 * whenever an attach token exists, one of the ENIs free by then goes (the one with the longest
 * attach, or the first free). The attach bucket is the client's own: full when first used,
 * refilled up to its capacity.
 */
function schedule(
  ordered: readonly Transitions[],
  detach: RateLimit,
  attach: RateLimit,
  oneWayMs: number,
  pickBy: "longest attach" | "first free",
): number {
  // When each ENI's attach may be sent: its detach has finished at EC2.
  const pending = ordered.map((moved, k) => ({
    freeAt: tokenAt(k + 1, detach) + oneWayMs + moved.detachMs,
    attachMs: moved.attachMs,
  }));
  const better = (x: (typeof pending)[number], y: (typeof pending)[number]) =>
    pickBy === "longest attach" ? x.attachMs > y.attachMs : x.freeAt < y.freeAt;
  const perMs = attach.refillPerSecond / 1000;
  let tokens = attach.capacity;
  let updatedAt: number | undefined;
  let end = 0;
  while (pending.length > 0) {
    const tokenFrom = updatedAt === undefined || tokens >= 1 ? 0 : updatedAt + (1 - tokens) / perMs;
    const now = Math.max(tokenFrom, Math.min(...pending.map(({ freeAt }) => freeAt)));
    let pick = 0;
    for (const [index, candidate] of pending.entries()) {
      const best = pending[pick];
      if (candidate.freeAt <= now && (best === undefined || best.freeAt > now || better(candidate, best))) pick = index;
    }
    const [sent] = pending.splice(pick, 1);
    tokens = Math.min(attach.capacity, tokens + (updatedAt === undefined ? 0 : (now - updatedAt) * perMs)) - 1;
    updatedAt = now;
    end = Math.max(end, now + oneWayMs + (sent?.attachMs ?? 0));
  }
  return end;
}
