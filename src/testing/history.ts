import type { StaleReadOptions } from "./options.js";
import type { Random } from "./random.js";

/** What a read answered for a resource from `from` on; `undefined` once it was deleted. */
interface Version<T> {
  readonly from: number;
  readonly value: T | undefined;
}

/**
 * The recent versions of each resource of one kind, as Describe answered them, so that a read
 * can answer an earlier one, as a lagging EC2 replica does. Only versions a read may still see
 * are kept: a version goes once its successor is older than the window.
 */
export class History<T> {
  /** Per id, oldest first; the last one is the latest recorded (the current one, or the deletion). */
  private readonly versions = new Map<string, Version<T>[]>();
  /** Ids deleted within the window, by deletion time (so oldest first). */
  private readonly deleted = new Map<string, number>();
  /**
   * Per id, when its latest version was recorded, oldest first: while that is within the window,
   * a read may still answer an earlier version. Kept so that a filtered read can look at these
   * ids beside those its index finds, without visiting every id.
   */
  private readonly changedAt = new Map<string, number>();

  constructor(
    private readonly options: StaleReadOptions,
    private readonly random: Random,
  ) {}

  /** The latest recorded version of `id`. */
  latest(id: string): T | undefined {
    return this.versions.get(id)?.at(-1)?.value;
  }

  /** Records what `id` looks like from `at` on; `undefined` when it was deleted. */
  record(id: string, at: number, value: T | undefined): void {
    const list = this.versions.get(id) ?? [];
    // Two changes in one instant: nobody can have seen the first.
    if (list.at(-1)?.from === at) list.pop();
    list.push({ from: at, value });
    this.versions.set(id, this.prune(list, at));
    if (value === undefined) this.deleted.set(id, at);
    // Moved to the end, so the map stays in time order.
    this.changedAt.delete(id);
    this.changedAt.set(id, at);
  }

  /**
   * What one read at `now` answers for `id`: `current`, or, with the configured probability,
   * one of the earlier versions still within the window, picked uniformly.
   */
  read(id: string, now: number, current: T | undefined): T | undefined {
    const list = this.versions.get(id);
    if (list === undefined) return current;
    const earlier = this.prune(list, now).slice(0, -1);
    if (earlier.length === 0 || !this.random.chance(this.options.probability)) return current;
    return earlier[this.random.below(earlier.length)]?.value;
  }

  /** Ids deleted within the window at `now`: a list may still show them. */
  recentlyDeleted(now: number): string[] {
    for (const [id, at] of this.deleted) {
      if (at > now - this.options.windowMs) break;
      this.deleted.delete(id);
      this.versions.delete(id);
    }
    return [...this.deleted.keys()];
  }

  /**
   * Ids whose latest version is recent enough at `now` that a read may answer an earlier one
   * (deleted ids included); a read of any other id answers its current version.
   */
  recentlyChanged(now: number): string[] {
    for (const [id, at] of this.changedAt) {
      if (at > now - this.options.windowMs) break;
      this.changedAt.delete(id);
    }
    return [...this.changedAt.keys()];
  }

  // A version stays visible until its successor has been current for the whole window.
  private prune(list: Version<T>[], now: number): Version<T>[] {
    let drop = 0;
    while (drop + 1 < list.length && (list[drop + 1]?.from ?? now) <= now - this.options.windowMs) drop++;
    if (drop > 0) list.splice(0, drop);
    return list;
  }
}
