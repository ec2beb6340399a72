import { errAsync, okAsync } from "neverthrow";
import type * as SmithyClient from "@smithy/core/client";
import { describe, expect, it, vi } from "vitest";
import { ThrottledError, type EniError } from "../src/errors.js";
import { done, notYet, pollUntil, retrying, timed, type Poll } from "../src/waiters.js";

// The SDK's waiter engine, watched: every wait and every retry must run on it.
const engine = vi.hoisted(() => ({ calls: [] as { minDelay: number; maxDelay: number; maxWaitTime: number }[] }));
vi.mock("@smithy/core/client", async (importOriginal) => {
  const original = await importOriginal<typeof SmithyClient>();
  return {
    ...original,
    createWaiter: ((options, input, acceptor) => {
      engine.calls.push({ minDelay: options.minDelay, maxDelay: options.maxDelay, maxWaitTime: options.maxWaitTime });
      return original.createWaiter(options, input, acceptor);
    }) satisfies typeof original.createWaiter,
  };
});

const plan = { maxWaitTime: 30, minDelay: 0.01, maxDelay: 0.02, abortSignal: undefined };

describe("the SDK's waiter engine (createWaiter from @smithy/core/client)", () => {
  it("runs a wait, ticking every minDelay", async () => {
    // Prepare
    engine.calls.length = 0;
    let reads = 0;

    // Act
    const result = await timed(plan, "x", (wait) =>
      pollUntil("x", wait, () => {
        reads += 1;
        return okAsync<Poll<string>, EniError>(reads < 3 ? notYet("pending") : done("ready"));
      }),
    );

    // Assess
    expect(result._unsafeUnwrap()).toBe("ready");
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]).toMatchObject({ minDelay: 0.01, maxDelay: 0.01 });
    // One maxDelay past the deadline (and one more of margin): the acceptor decides the timeout.
    expect(engine.calls[0]?.maxWaitTime).toBeGreaterThan(30);
    expect(engine.calls[0]?.maxWaitTime).toBeLessThanOrEqual(30.04);
  });

  it("runs the retries of a mutating call, on the retry schedule", async () => {
    engine.calls.length = 0;
    let sent = 0;

    const result = await timed(plan, "x", (wait) =>
      retrying(wait, () => {
        sent += 1;
        return sent < 3 ? errAsync<string, EniError>(new ThrottledError("slow down", {})) : okAsync("sent");
      }),
    );

    expect(result._unsafeUnwrap()).toBe("sent");
    expect(engine.calls).toEqual([{ minDelay: 0.02, maxDelay: 0.16, maxWaitTime: expect.closeTo(30, 1) as number }]);
  });
});
