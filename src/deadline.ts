import { AbortedError, WaitTimeoutError } from "./errors.js";

/**
 * When an operation must be over. `at` is its `maxWaitTime` from the start: no step begins after
 * it but a last look. `signal` fires one poll later (`graceMs`, the longest delay between polls),
 * or when the caller's own signal fires, and aborts whatever request is then in flight. So no
 * operation outlives its deadline by more than one poll, whatever EC2 does.
 */
export interface Deadline {
  /** Epoch ms: no new step starts after it. */
  readonly at: number;
  /** The operation's `maxWaitTime`, in seconds, for messages. */
  readonly seconds: number;
  /** Fires at `at + graceMs` (its reason a `WaitTimeoutError`) or with the caller's signal (an `AbortedError`). */
  readonly signal: AbortSignal;
}

/** Milliseconds left before `deadline.at` (negative once past). */
export function remainingMs(deadline: Deadline): number {
  return deadline.at - Date.now();
}

/** Why `signal` fired, as the typed error an operation reports: a timeout, or the caller's abort. */
export function abortReason(signal: AbortSignal): AbortedError | WaitTimeoutError {
  const reason: unknown = signal.reason;
  return reason instanceof WaitTimeoutError || reason instanceof AbortedError
    ? reason
    : new AbortedError("The operation was aborted.");
}

// The signals of the operations running now (each `withDeadline` while its `run` has not settled),
// so the batched reader can tell reads of concurrent operations from reads of one after another.
const running = new WeakSet<AbortSignal>();

/** Whether `signal` is the signal of an operation still running: one a {@link withDeadline} gave out. */
export function isRunning(signal: AbortSignal): boolean {
  return running.has(signal);
}

/**
 * Runs `run` under a deadline `seconds` from now, ended early by `callerSignal`. The deadline's
 * timer and listener are released when `run` settles, so a long-lived caller signal shared by
 * many operations collects no listeners.
 */
export async function withDeadline<T>(
  seconds: number,
  graceMs: number,
  callerSignal: AbortSignal | undefined,
  what: string,
  run: (deadline: Deadline) => PromiseLike<T>,
): Promise<T> {
  const controller = new AbortController();
  const at = Date.now() + seconds * 1000;
  const timer = setTimeout(
    () => controller.abort(WaitTimeoutError.after(what, seconds, undefined)),
    Math.max(0, at + graceMs - Date.now()),
  );
  // A deadline must never keep the process alive by itself.
  (timer as { unref?: () => void }).unref?.();
  const onAbort = () => controller.abort(new AbortedError(`Aborted while waiting for ${what}.`));
  if (callerSignal?.aborted === true) onAbort();
  else callerSignal?.addEventListener("abort", onAbort, { once: true });
  running.add(controller.signal);
  try {
    return await run({ at, seconds, signal: controller.signal });
  } finally {
    running.delete(controller.signal);
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onAbort);
  }
}
