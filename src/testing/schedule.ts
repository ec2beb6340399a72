/**
 * A transition the world has scheduled: at `at`, `apply` runs, if `due` (asked before any event
 * of the same advance runs) still says it should.
 */
export interface ScheduledEvent {
  readonly at: number;
  /**
   * Orders events due at the same time: the order the world once found them in by scanning its
   * ENIs (in creation order) and then its instances, so that runs stay as they were, seed for seed.
   */
  readonly rank: readonly [kind: number, serial: number, phase: number];
  /** What the event changes, so that one subject's event runs at most once per advance. */
  readonly subject: object;
  /** Whether the event still stands: the change it completes was not replaced or undone since. */
  readonly due: () => boolean;
  readonly apply: () => void;
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  if (a.at !== b.at) return a.at < b.at;
  for (let i = 0; i < 3; i++) {
    const x = a.rank[i] ?? 0;
    const y = b.rank[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * The world's pending transitions, earliest first (a binary heap), so that moving the clock
 * costs what is due rather than a visit of every resource. Events whose change was replaced
 * (a new detach, a new attachment, a deleted ENI) stay in the heap until their time and are
 * dropped then, when `due` says so.
 */
export class Schedule {
  private readonly heap: ScheduledEvent[] = [];

  /** Adds an event. */
  add(event: ScheduledEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as ScheduledEvent;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  /**
   * Takes every event due by `now`, in time order, keeping those that still stand (each subject
   * once): all are judged before any runs, as the old full scan did.
   */
  takeDue(now: number): ScheduledEvent[] {
    const due: ScheduledEvent[] = [];
    const seen = new Set<object>();
    while (this.heap.length > 0 && (this.heap[0] as ScheduledEvent).at <= now) {
      const event = this.pop();
      if (seen.has(event.subject) || !event.due()) continue;
      seen.add(event.subject);
      due.push(event);
    }
    return due;
  }

  private pop(): ScheduledEvent {
    const heap = this.heap;
    const top = heap[0] as ScheduledEvent;
    const last = heap.pop() as ScheduledEvent;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as ScheduledEvent, heap[left] as ScheduledEvent) ? right : left;
      if (!before(heap[child] as ScheduledEvent, last)) break;
      heap[i] = heap[child] as ScheduledEvent;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
