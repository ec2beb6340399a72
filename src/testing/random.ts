/**
 * A duration in milliseconds: a fixed one, or a `[min, max]` range drawn anew each time from the
 * simulator's seeded generator.
 *
 * @example
 * ```ts
 * const attachMs: Duration = [1000, 4000];
 * ```
 */
export type Duration = number | readonly [min: number, max: number];

/**
 * A small seeded pseudo-random generator (mulberry32): equal seeds give equal sequences, run
 * after run, so a simulated world behaves the same every time a test runs.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An independent generator for one concern, so drawing for one never shifts another's draws. */
  static stream(seed: number, concern: number): Random {
    return new Random(Math.imul((seed ^ Math.imul(concern, 0x85ebca6b)) >>> 0, 0x9e3779b1));
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  fraction(): number {
    return this.next() / 2 ** 32;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.fraction() < p;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.fraction() * n);
  }

  /** Milliseconds: `duration` itself, or a whole number drawn uniformly from its range. */
  duration(duration: Duration): number {
    if (typeof duration === "number") return duration;
    const [min, max] = duration;
    return min + Math.round(this.fraction() * (max - min));
  }
}
