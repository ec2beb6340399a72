/**
 * The SDK's waiter engine (`createWaiter`), which every eni-kit wait runs on: what it cannot do by
 * itself, measured against what eni-kit does about it (src/waiters.ts, `onWaiterEngine`).
 * Part of `npm run bench`.
 */
import { createWaiter, WaiterState } from "@smithy/core/client";
import { errAsync, okAsync } from "neverthrow";
import { NotFoundError, ThrottledError } from "../../src/errors.js";
import { agreement, failing, notYet, pollUntil, retrying, timed, type Poll } from "../../src/waiters.js";
import { clock, seedRandom, settle } from "./clock.js";
import { spread } from "./virtual-time.js";

const ENGINE_SEEDS = 200;
// The default schedule: 0.25 s first delay, 1 s at most.
const DEFAULT_DELAYS = { minDelay: 0.25, maxDelay: 1 };

/**
 * What `createWaiter` cannot do by itself, each measured over ENGINE_SEEDS seeds against what
 * eni-kit does about it (src/waiters.ts, `onWaiterEngine`):
 * - confirming a verdict (the ENI gone, say) that appears after ten reads of nothing: agreeing
 *   reads on the engine's own schedule, against eni-kit's confirming waiter, `minDelay` apart;
 * - a 10 s wait that never ends: the engine's last look and its end, against eni-kit's;
 * - an abort during a retry's delay: how long the engine's timer then lingers.
 */
export async function waiterEngine() {
  const gone = NotFoundError.of("network-interface", "eni-0bench");
  const verdictAfter = 10;
  const confirmAlone: number[] = [];
  const confirmOurs: number[] = [];
  const lastLookAlone: number[] = [];
  const endAlone: number[] = [];
  const lastLookOurs: number[] = [];
  const endOurs: number[] = [];
  const lingerMs: number[] = [];
  for (let run = 1; run <= ENGINE_SEEDS; run += 1) {
    seedRandom(run);
    // Confirming: the engine alone, its acceptor counting agreeing reads as eni-kit does.
    let reads = 0;
    let verdictAt = 0;
    const stands = agreement(DEFAULT_DELAYS);
    await settle(
      createWaiter({ client: undefined, maxWaitTime: 600, ...DEFAULT_DELAYS }, undefined, () => {
        reads += 1;
        if (reads === verdictAfter + 1) verdictAt = Date.now();
        return Promise.resolve({
          state: reads > verdictAfter && stands("gone") ? WaiterState.SUCCESS : WaiterState.RETRY,
        });
      }),
    );
    confirmAlone.push(Date.now() - verdictAt);
    // Confirming: eni-kit's wait.
    let ourReads = 0;
    await settle(
      timed({ maxWaitTime: 600, ...DEFAULT_DELAYS, abortSignal: undefined }, "bench", (wait) =>
        pollUntil("the bench", wait, () => {
          ourReads += 1;
          if (ourReads === verdictAfter + 1) verdictAt = Date.now();
          return okAsync<Poll<never>, never>(ourReads > verdictAfter ? failing(gone, "gone") : notYet("pending"));
        }),
      ),
    );
    confirmOurs.push(Date.now() - verdictAt);

    // A 10 s wait that never ends.
    let started = Date.now();
    let last = 0;
    await settle(
      createWaiter({ client: undefined, maxWaitTime: 10, ...DEFAULT_DELAYS }, undefined, () => {
        last = Date.now() - started;
        return Promise.resolve({ state: WaiterState.RETRY });
      }),
    );
    lastLookAlone.push(last - 10_000);
    endAlone.push(Date.now() - started - 10_000);
    started = Date.now();
    await settle(
      timed({ maxWaitTime: 10, ...DEFAULT_DELAYS, abortSignal: undefined }, "bench", (wait) =>
        pollUntil("the bench", wait, () => {
          last = Date.now() - started;
          return okAsync<Poll<never>, never>(notYet("pending"));
        }),
      ),
    );
    lastLookOurs.push(last - 10_000);
    endOurs.push(Date.now() - started - 10_000);

    // An abort during a retry's delay, 5–30 s into a throttled send.
    const controller = new AbortController();
    const abortAt = Date.now() + 5_000 + Math.floor(Math.random() * 25_000);
    setTimeout(() => controller.abort(), abortAt - Date.now());
    await settle(
      timed({ maxWaitTime: 600, ...DEFAULT_DELAYS, abortSignal: controller.signal }, "bench", (wait) =>
        retrying(wait, () => errAsync(new ThrottledError("Request limit exceeded.", { code: "RequestLimitExceeded" }))),
      ),
    );
    await clock.runAllAsync();
    lingerMs.push(Date.now() - abortAt);
  }
  return {
    seeds: ENGINE_SEEDS,
    confirmVerdictMs: { engineAlone: spread(confirmAlone), eniKit: spread(confirmOurs) },
    lastLookAfterDeadlineMs: { engineAlone: spread(lastLookAlone), eniKit: spread(lastLookOurs) },
    endAfterDeadlineMs: { engineAlone: spread(endAlone), eniKit: spread(endOurs) },
    timerLingeringAfterAbortMs: spread(lingerMs),
  };
}
