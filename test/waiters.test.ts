import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortedError,
  AccessDeniedError,
  InvalidStateError,
  NotFoundError,
  ThrottledError,
  ValidationError,
  WaitTimeoutError,
  type EniError,
} from "../src/errors.js";
import {
  AGREEING_READS,
  DEFAULT_MAX_WAIT,
  agreement,
  MAX_REFUSALS,
  WAIT_OPTIONS,
  checkWait,
  checkWaitOptions,
  done,
  failing,
  notYet,
  pollUntil,
  retrySchedule,
  retrying,
  timed,
  waitForEni,
  waitUntilAvailable,
  waitUntilDetached,
  waitUntilGone,
  waitUntilInUse,
  type Poll,
  type OperationContext,
  type WaitPlan,
} from "../src/waiters.js";
import { attachedEni, ec2Error, eni, fast, ids, instance, mockedEc2 } from "./fixtures.js";

/** The fixtures' fast timing as a checked plan. */
const quick: WaitPlan = { ...fast, abortSignal: undefined };
/** Short enough for a timeout test to take a tenth of a second. */
const brief: WaitPlan = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.1, abortSignal: undefined };

/** Runs a wait under its plan's deadline, as every operation does. */
function within<T>(plan: WaitPlan, run: (wait: OperationContext) => ResultAsync<T, EniError>) {
  return timed(plan, "the test's wait", run);
}

const notFound = () =>
  ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`);

/** Lets pending promise callbacks run without moving (fake) time. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A check that counts its calls and answers with what `answer` returns for each call number. */
function counting<T>(answer: (call: number) => ResultAsync<Poll<T>, EniError>) {
  const state = { calls: 0 };
  const check = () => {
    state.calls += 1;
    return answer(state.calls);
  };
  return { state, check };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("checkWait", () => {
  it("fills in the defaults", () => {
    // Prepare
    const options = {};

    // Act
    const wait = checkWait(options, DEFAULT_MAX_WAIT.attach);

    // Assess
    expect(wait._unsafeUnwrap()).toEqual({ maxWaitTime: 300, minDelay: 0.3, maxDelay: 1, abortSignal: undefined });
  });

  it("keeps given values and the signal itself", () => {
    const signal = new AbortController().signal;

    const wait = checkWait({ maxWaitTime: 30, minDelay: 0.5, maxDelay: 2, abortSignal: signal }, 600)._unsafeUnwrap();

    expect(wait).toEqual({ maxWaitTime: 30, minDelay: 0.5, maxDelay: 2, abortSignal: signal });
    expect(wait.abortSignal).toBe(signal);
  });

  it("raises the default maxDelay to a minDelay above it", () => {
    expect(checkWait({ minDelay: 10 }, 600)._unsafeUnwrap()).toMatchObject({ minDelay: 10, maxDelay: 10 });
  });

  it("has the documented default limits per kind of wait", () => {
    expect(DEFAULT_MAX_WAIT).toEqual({ attach: 300, detach: 600, available: 600, create: 120, delete: 120, move: 600 });
    expect(Object.keys(WAIT_OPTIONS)).toEqual(["maxWaitTime", "minDelay", "maxDelay", "abortSignal"]);
  });

  describe.each(["maxWaitTime", "minDelay", "maxDelay"] as const)("%s", (field) => {
    it.each([
      ["a string", "5", '"5"'],
      ["zero", 0, "0"],
      ["a negative number", -1, "-1"],
      ["NaN", Number.NaN, "NaN"],
      ["Infinity", Number.POSITIVE_INFINITY, "Infinity"],
      ["null", null, "null"],
    ])("refuses %s", (_case, value, shown) => {
      const error = checkWaitOptions({ [field]: value }, 600)._unsafeUnwrapErr();

      expect(error).toBeInstanceOf(ValidationError);
      expect(error.field).toBe(field);
      expect(error.message).toBe(`Expected \`${field}\` to be a positive number of seconds, got ${shown}.`);
    });
  });

  it("refuses a maxDelay below minDelay", () => {
    const error = checkWait({ minDelay: 2, maxDelay: 1 }, 600)._unsafeUnwrapErr();

    expect(error.field).toBe("maxDelay");
    expect(error.message).toBe("Expected `maxDelay` (1) to be at least `minDelay` (2).");
  });

  it("accepts maxDelay equal to minDelay", () => {
    expect(checkWait({ minDelay: 2, maxDelay: 2 }, 600).isOk()).toBe(true);
  });

  it.each([
    [
      "equal to minDelay",
      { maxWaitTime: 2, minDelay: 2 },
      "Expected `maxWaitTime` (2) to be greater than `minDelay` (2).",
    ],
    [
      "below minDelay",
      { maxWaitTime: 1, minDelay: 2 },
      "Expected `maxWaitTime` (1) to be greater than `minDelay` (2).",
    ],
    [
      "below the default minDelay",
      { maxWaitTime: 0.2 },
      "Expected `maxWaitTime` (0.2) to be greater than `minDelay` (0.3).",
    ],
  ])("refuses a maxWaitTime %s", (_case, options, message) => {
    const error = checkWait(options, 600)._unsafeUnwrapErr();

    expect(error.field).toBe("maxWaitTime");
    expect(error.message).toBe(message);
  });

  it.each([
    ["null", null],
    ["a string", "abort"],
    ["an AbortController", new AbortController()],
  ])("refuses %s as abortSignal", (_case, abortSignal) => {
    const error = checkWaitOptions({ abortSignal }, 600)._unsafeUnwrapErr();

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe("abortSignal");
  });
});

describe("checkWait with an operation's wait flag", () => {
  it("takes timing options beside wait: true or no flag", () => {
    expect(checkWait({ maxWaitTime: 5 }, 600)._unsafeUnwrap().maxWaitTime).toBe(5);
    expect(checkWait({ wait: true, maxWaitTime: 5, minDelay: 1 }, 600)._unsafeUnwrap().minDelay).toBe(1);
    expect(checkWait({ wait: false }, 600).isOk()).toBe(true);
  });

  it.each(["maxWaitTime", "minDelay", "maxDelay"] as const)("refuses %s beside wait: false", (key) => {
    const error = checkWait({ wait: false, [key]: 5 }, 600)._unsafeUnwrapErr();

    expect(error.field).toBe(key);
    expect(error.message).toBe(`\`${key}\` makes no sense with \`wait: false\`.`);
  });

  it("allows an abortSignal beside wait: false (it still stops the request)", () => {
    expect(checkWait({ wait: false, abortSignal: new AbortController().signal }, 600).isOk()).toBe(true);
  });
});

describe("checkWaitOptions", () => {
  it("fills in the defaults of an absent options object", () => {
    expect(checkWaitOptions(undefined, 120)._unsafeUnwrap()).toEqual({
      maxWaitTime: 120,
      minDelay: 0.3,
      maxDelay: 1,
      abortSignal: undefined,
    });
  });

  it("refuses a key that is not a wait option", () => {
    const error = checkWaitOptions({ wait: false }, 120)._unsafeUnwrapErr();

    expect(error.field).toBe("options.wait");
    expect(error.message).toBe('Unknown option "wait"; expected one of maxWaitTime, minDelay, maxDelay, abortSignal.');
  });
});

describe("pollUntil", () => {
  it("checks once at once, then again only after minDelay", async () => {
    // Prepare
    vi.useFakeTimers();
    const { state, check } = counting((call) => okAsync(call < 2 ? notYet<string>("pending") : done("ready")));

    // Act
    const polling = within({ maxWaitTime: 60, minDelay: 1, maxDelay: 5, abortSignal: undefined }, (wait) =>
      pollUntil("x", wait, check),
    );
    await flushMicrotasks();
    const beforeAnyTimer = state.calls;
    await vi.advanceTimersByTimeAsync(999);
    const justBeforeMinDelay = state.calls;
    await vi.advanceTimersByTimeAsync(1);
    const result = await polling;

    // Assess
    expect(beforeAnyTimer).toBe(1);
    expect(justBeforeMinDelay).toBe(1);
    expect(state.calls).toBe(2);
    expect(result._unsafeUnwrap()).toBe("ready");
  });

  it("checks each minDelay after the last answer while the wait is young, then each fortieth of the time waited, up to maxDelay", async () => {
    // Prepare
    vi.useFakeTimers();
    const started = Date.now();
    const times: number[] = [];
    const { check } = counting((call) => {
      times.push((Date.now() - started) / 1000);
      return okAsync(call <= 200 ? notYet<string>("pending") : done("ready"));
    });

    // Act
    const polling = within({ maxWaitTime: 900, minDelay: 0.5, maxDelay: 4, abortSignal: undefined }, (wait) =>
      pollUntil("x", wait, check),
    );
    await vi.advanceTimersByTimeAsync(900_000);
    const result = await polling;

    // Assess: every minDelay for the first 20 s (40 minDelays), then on the engine's minDelay
    // ticks, at least a fortieth of the time waited and at most maxDelay apart.
    expect(result._unsafeUnwrap()).toBe("ready");
    const gaps = times.slice(1).map((time, index) => ({ at: times[index] ?? 0, gap: time - (times[index] ?? 0) }));
    expect(gaps.filter(({ at }) => at < 20).every(({ gap }) => gap === 0.5)).toBe(true);
    for (const { at, gap } of gaps) {
      expect(gap % 0.5).toBe(0);
      expect(gap).toBeGreaterThanOrEqual(Math.min(4, at / 40));
      expect(gap).toBeLessThanOrEqual(4);
    }
    expect(gaps.at(-1)?.gap).toBe(4);
  });

  it("waits `settling` minDelays before its first check, and never past the deadline", async () => {
    vi.useFakeTimers();
    const started = Date.now();
    const times: number[] = [];
    const { check } = counting((call) => {
      times.push(Date.now() - started);
      return okAsync(call < 2 ? notYet<string>("pending") : done("ready"));
    });

    const settled = within({ maxWaitTime: 60, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      pollUntil("x", wait, check, 4),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    const short = within({ maxWaitTime: 0.5, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      pollUntil("y", wait, () => okAsync(notYet<string>("pending")), 4),
    );
    await vi.advanceTimersByTimeAsync(60_000);

    expect((await settled)._unsafeUnwrap()).toBe("ready");
    expect(times).toEqual([1000, 1250]);
    // A deadline within the settling time still gets its look (at the first tick past it).
    expect((await short)._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError", lastState: "pending" });
  });

  it("counts its quiet start and its delays in ticks, so a frozen Date cannot stall it", async () => {
    // Date frozen, timers real: a schedule that compared times would never read again.
    vi.useFakeTimers({ toFake: ["Date"] });
    const { state, check } = counting((call) => okAsync(call < 3 ? notYet<string>("pending") : done("ready")));

    const result = await within({ ...quick, maxWaitTime: 5 }, (wait) => pollUntil("x", wait, check, 4));

    expect(result._unsafeUnwrap()).toBe("ready");
    expect(state.calls).toBe(3);
  });

  it("returns the done value of the first check without waiting", async () => {
    const value = { id: ids.eni };
    const { state, check } = counting(() => okAsync(done(value)));

    const result = await within(quick, (wait) => pollUntil("x", wait, check));

    expect(result._unsafeUnwrap()).toBe(value);
    expect(state.calls).toBe(1);
  });

  it("returns an error from the check as is, without checking again", async () => {
    const failure = new AccessDeniedError("no", { code: "UnauthorizedOperation" });
    const { state, check } = counting<string>((call) => (call === 1 ? okAsync(notYet("pending")) : errAsync(failure)));

    const result = await within(quick, (wait) => pollUntil("x", wait, check));

    expect(result._unsafeUnwrapErr()).toBe(failure);
    expect(state.calls).toBe(2);
  });

  it(`believes a failing verdict only when ${AGREEING_READS} reads in a row agree`, async () => {
    const gone = NotFoundError.of("network-interface", ids.eni);
    // A stale read says gone, the next one disagrees; later two in a row agree.
    const answers: Poll<string>[] = [failing(gone, "gone"), notYet("attaching"), failing(gone, "gone")];
    const { state, check } = counting((call) => okAsync(answers[call - 1] ?? failing<string>(gone, "gone")));

    const result = await within(quick, (wait) => pollUntil("x", wait, check));

    expect(result._unsafeUnwrapErr()).toBe(gone);
    // The lone verdict, the read that disagrees, then agreeing reads until they span one maxDelay.
    expect(state.calls).toBeGreaterThanOrEqual(4);
  });

  it("confirms a verdict with reads minDelay apart, however far its schedule has grown", async () => {
    // Prepare: six reads of nothing (the delay grows to maxDelay), then the ENI gone on every read.
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    const gone = NotFoundError.of("network-interface", ids.eni);
    const times: number[] = [];
    const { check } = counting<string>((call) => {
      times.push(Date.now());
      return okAsync(call <= 6 ? notYet("pending") : failing(gone, "gone"));
    });

    // Act
    const polling = within({ maxWaitTime: 600, minDelay: 0.5, maxDelay: 4, abortSignal: undefined }, (wait) =>
      pollUntil("x", wait, check),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    const result = await polling;

    // Assess: 9 agreeing reads (4 s over 0.5 s, plus one), each 0.5 s after the last.
    expect(result._unsafeUnwrapErr()).toBe(gone);
    const gaps = times.slice(1).map((time, index) => (time - (times[index] ?? 0)) / 1000);
    expect(gaps.slice(6)).toEqual(Array(8).fill(0.5));
  });

  it("ends on a late success after a lone failing verdict", async () => {
    const replaced = new InvalidStateError("replaced", { resourceId: ids.eni });
    const { state, check } = counting<string>((call) =>
      okAsync(call === 1 ? failing(replaced, "replaced") : done("attached")),
    );

    const result = await within(quick, (wait) => pollUntil("x", wait, check));

    expect(result._unsafeUnwrap()).toBe("attached");
    expect(state.calls).toBe(2);
  });

  it("times out with a WaitTimeoutError carrying the last state seen, at its first look past the deadline", async () => {
    // Prepare: checks at 0, 1, 2… 10 s (each minDelay after the last answer).
    vi.useFakeTimers();
    const { state, check } = counting<string>((call) => okAsync(notYet(`seen-${call}`)));
    const started = Date.now();
    let lastCheckAt = 0;

    const polling = within({ maxWaitTime: 10, minDelay: 1, maxDelay: 2, abortSignal: undefined }, (wait) =>
      pollUntil(`${ids.eni} to be available`, wait, () => {
        lastCheckAt = Date.now() - started;
        return check();
      }),
    );
    await vi.advanceTimersByTimeAsync(11_000);
    const result = await polling;

    const error = result._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({
      waitingFor: `${ids.eni} to be available`,
      maxWaitTime: 10,
      lastState: `seen-${state.calls}`,
    });
    expect(lastCheckAt).toBe(10_000);
    expect(state.calls).toBe(11);
    expect(error.message).toBe(
      `Timed out after 10 s waiting for ${ids.eni} to be available; last state seen: seen-${state.calls}.`,
    );
  });

  it("cuts off a read that never answers one poll after the deadline", async () => {
    vi.useFakeTimers();
    const { ec2, mock } = mockedEc2();
    // A request stuck in flight: only the deadline's signal can end it.
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    let endedAt = 0;

    const polling = (async () => {
      const result = await within({ maxWaitTime: 10, minDelay: 1, maxDelay: 2, abortSignal: undefined }, (wait) =>
        waitUntilAvailable(ec2, ids.eni, wait),
      );
      endedAt = Date.now() - started;
      return result;
    })();
    await vi.advanceTimersByTimeAsync(30_000);
    const result = await polling;

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      maxWaitTime: 10,
      waitingFor: `${ids.eni} to be available`,
    });
    expect(endedAt).toBe(12_000);
  });

  it("times out for real with tiny delays", async () => {
    const { state, check } = counting<string>(() => okAsync(notYet("pending")));

    const result = await within(brief, (wait) => pollUntil("x", wait, check));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      lastState: "pending",
      maxWaitTime: 0.1,
    });
    expect(state.calls).toBeGreaterThan(1);
  });

  it("does not check at all when the signal is already aborted", async () => {
    const { state, check } = counting(() => okAsync(done("never")));

    const result = await within({ ...quick, abortSignal: AbortSignal.abort() }, (wait) => pollUntil("x", wait, check));

    const error = result._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.message).toBe("Aborted while waiting for x.");
    expect(state.calls).toBe(0);
  });

  it("stops with an AbortedError when the signal fires mid-wait", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const { state, check } = counting<string>(() => okAsync(notYet("pending")));

    const polling = within({ maxWaitTime: 60, minDelay: 1, maxDelay: 5, abortSignal: controller.signal }, (wait) =>
      pollUntil("x", wait, check),
    );
    await flushMicrotasks();
    controller.abort();
    const result = await polling;

    expect(result._unsafeUnwrapErr()).toBeInstanceOf(AbortedError);
    expect(result._unsafeUnwrapErr().message).toBe("Aborted while waiting for x.");
    expect(state.calls).toBe(1);
  });

  it("sends no further request once it has reported the abort", async () => {
    vi.useFakeTimers();
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] });
    const controller = new AbortController();

    const waiting = within({ maxWaitTime: 60, minDelay: 1, maxDelay: 5, abortSignal: controller.signal }, (wait) =>
      waitUntilAvailable(ec2, ids.eni, wait),
    );
    await flushMicrotasks();
    controller.abort();
    const result = await waiting;
    await vi.advanceTimersByTimeAsync(10_000);

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AbortedError",
      message: `Aborted while waiting for ${ids.eni} to be available.`,
    });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
  });

  it("works with any EC2Client, its own send untouched", async () => {
    const { mock } = mockedEc2();

    const result = await within(quick, (wait) => pollUntil("x", wait, () => okAsync(done(1))));

    expect(result._unsafeUnwrap()).toBe(1);
    expect(mock.calls()).toHaveLength(0);
  });
});

describe("agreement", () => {
  it("lets a verdict stand once reads in a row agree across one maxDelay, minDelay apart", () => {
    const stands = agreement({ minDelay: 0.25, maxDelay: 1 });

    const answers = Array.from({ length: 5 }, () => stands("gone"));

    // 0, 0.25, 0.5, 0.75, 1 s: the fifth read spans the poll.
    expect(answers).toEqual([false, false, false, false, true]);
  });

  it(`asks at least ${AGREEING_READS} reads even when minDelay equals maxDelay`, () => {
    const stands = agreement({ minDelay: 1, maxDelay: 1 });

    expect([stands("gone"), stands("gone")]).toEqual([false, true]);
  });

  it("starts over when a read disagrees or says nothing", () => {
    const stands = agreement({ minDelay: 1, maxDelay: 1 });

    stands("gone");
    const afterOtherVerdict = stands("replaced");
    stands(undefined);
    const afterNothing = stands("replaced");
    const agreedAgain = stands("replaced");

    expect([afterOtherVerdict, afterNothing, agreedAgain]).toEqual([false, false, true]);
  });
});

describe("retrying", () => {
  const throttled = () => new ThrottledError("Request limit exceeded.", { code: "RequestLimitExceeded" });

  it("sends again while the failure is transient, telling why, and backs off each time", async () => {
    vi.useFakeTimers();
    const sentAt: number[] = [];
    const reasons: string[] = [];
    const started = Date.now();

    const sending = timed(
      { maxWaitTime: 600, minDelay: 0.25, maxDelay: 1, abortSignal: undefined },
      "x",
      (wait) =>
        retrying(wait, () => {
          sentAt.push(Date.now() - started);
          return sentAt.length < 5 ? errAsync<string, EniError>(throttled()) : okAsync("attached");
        }),
      { onRetry: (reason) => reasons.push(reason) },
    );
    await vi.advanceTimersByTimeAsync(60_000);
    const result = await sending;

    expect(result._unsafeUnwrap()).toBe("attached");
    expect(reasons).toEqual(Array(4).fill("RequestLimitExceeded"));
    const gaps = sentAt.slice(1).map((at, index) => at - (sentAt[index] ?? 0));
    // Jittered between 0.5 s and a ceiling of 0.5 s, 1 s, 2 s, 4 s.
    gaps.forEach((gap, retry) => {
      expect(gap).toBeGreaterThanOrEqual(500);
      expect(gap).toBeLessThanOrEqual(500 * 2 ** retry);
    });
  });

  it("returns a failure that is not transient at once", async () => {
    const denied = new AccessDeniedError("no", { code: "UnauthorizedOperation" });
    let sent = 0;

    const result = await within(quick, (wait) =>
      retrying(wait, () => {
        sent += 1;
        return errAsync<string, EniError>(denied);
      }),
    );

    expect(result._unsafeUnwrapErr()).toBe(denied);
    expect(sent).toBe(1);
  });

  it("lets `retryable` decide about other failures", async () => {
    const inUse = new InvalidStateError("in use", { resourceId: ids.eni, state: "in-use" });
    let sent = 0;

    const result = await within(quick, (wait) =>
      retrying(
        wait,
        () => {
          sent += 1;
          return sent < 3 ? errAsync<string, EniError>(inUse) : okAsync("attached");
        },
        (error) => (error === inUse ? { retry: true, reason: "still in use" } : { retry: false }),
      ),
    );

    expect(result._unsafeUnwrap()).toBe("attached");
    expect(sent).toBe(3);
  });

  it("stops, with the last failure, once the deadline leaves no time for another try", async () => {
    vi.useFakeTimers();
    let sent = 0;
    const started = Date.now();
    let endedAt = 0;

    const sending = (async () => {
      const result = await within({ maxWaitTime: 5, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
        retrying(wait, () => {
          sent += 1;
          return errAsync<string, EniError>(throttled());
        }),
      );
      endedAt = Date.now() - started;
      return result;
    })();
    await vi.advanceTimersByTimeAsync(60_000);
    const result = await sending;

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ThrottledError" });
    expect(endedAt).toBeLessThanOrEqual(5_000);
    expect(sent).toBeGreaterThan(2);
    expect(sent).toBeLessThan(8);
  });

  it("spaces retries on the SDK waiters' schedule from twice minDelay to eight times maxDelay", async () => {
    // Prepare: the top of each jittered range.
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    const sentAt: number[] = [];

    // Act
    const sending = within({ maxWaitTime: 600, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      retrying(wait, () => {
        sentAt.push(Date.now());
        return sentAt.length < 8 ? errAsync<string, EniError>(throttled()) : okAsync("sent");
      }),
    );
    await vi.advanceTimersByTimeAsync(120_000);
    await sending;

    // Assess
    expect(retrySchedule({ minDelay: 0.25, maxDelay: 1 })).toEqual({ minDelay: 0.5, maxDelay: 8 });
    expect(sentAt.slice(1).map((at, index) => (at - (sentAt[index] ?? 0)) / 1000)).toEqual([0.5, 1, 2, 4, 8, 8, 8]);
    expect(MAX_REFUSALS).toBe(8);
  });

  it("tells of a retry only when it is sent, not when the deadline leaves no time for it", async () => {
    vi.useFakeTimers();
    let sent = 0;
    const reasons: string[] = [];

    const sending = timed(
      { maxWaitTime: 3, minDelay: 0.25, maxDelay: 1, abortSignal: undefined },
      "x",
      (wait) =>
        retrying(wait, () => {
          sent += 1;
          return errAsync<string, EniError>(throttled());
        }),
      { onRetry: (reason) => reasons.push(reason) },
    );
    await vi.advanceTimersByTimeAsync(60_000);
    await sending;

    expect(sent).toBeGreaterThan(1);
    expect(reasons).toHaveLength(sent - 1);
  });

  it("makes one try, its failure as is, when the deadline has no room for a retry", async () => {
    vi.useFakeTimers();
    let sent = 0;

    const sending = within({ maxWaitTime: 0.4, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      retrying(wait, () => {
        sent += 1;
        return errAsync<string, EniError>(throttled());
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const result = await sending;

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ThrottledError" });
    expect(sent).toBe(1);
  });

  it("sends nothing more once the signal fires during a delay", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let sent = 0;

    const sending = within({ maxWaitTime: 60, minDelay: 0.25, maxDelay: 1, abortSignal: controller.signal }, (wait) =>
      retrying(wait, () => {
        sent += 1;
        return errAsync<string, EniError>(throttled());
      }),
    );
    await flushMicrotasks();
    controller.abort();
    const result = await sending;
    await vi.advanceTimersByTimeAsync(60_000);

    expect(result._unsafeUnwrapErr()).toBeInstanceOf(AbortedError);
    expect(sent).toBe(1);
  });
});

describe("timed", () => {
  it("ends a wait at its deadline with the caller's signal left alone", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();

    const waiting = timed({ maxWaitTime: 5, minDelay: 1, maxDelay: 1, abortSignal: controller.signal }, "x", (wait) =>
      pollUntil("x", wait, () => okAsync(notYet<string>("pending"))),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const result = await waiting;

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError", lastState: "pending" });
    expect(controller.signal.aborted).toBe(false);
  });
});

describe("waitUntilAvailable", () => {
  it("polls DescribeNetworkInterfaces for the one id until the ENI is available", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within(quick, (wait) => waitUntilAvailable(ec2, ids.eni, wait));

    expect(result._unsafeUnwrap()).toMatchObject({ NetworkInterfaceId: ids.eni, Status: "available" });
    // Free must be read in agreeing reads spanning a poll: it is also what it was before its last attach.
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(3);
    // Reads are batched into a filtered, paged Describe (see src/ec2/reader.ts).
    expect(mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: "network-interface-id", Values: [ids.eni] }],
      MaxResults: 1000,
    });
  });

  it("times out naming the ENI and its last state", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] });

    const result = await within(brief, (wait) => waitUntilAvailable(ec2, ids.eni, wait));

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be available`,
      lastState: "detaching/detaching",
    });
  });

  it(`fails once ${AGREEING_READS} reads agree the ENI does not exist`, async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(notFound());

    const result = await within(quick, (wait) => waitUntilAvailable(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "NotFoundError",
      resourceType: "network-interface",
      resourceId: ids.eni,
    });
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(AGREEING_READS);
  });

  it("does not believe one NotFound read of an ENI that exists", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .rejectsOnce(notFound())
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within(quick, (wait) => waitUntilAvailable(ec2, ids.eni, wait));

    expect(result._unsafeUnwrap().Status).toBe("available");
  });

  it("treats an answer without the ENI as NotFound", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [eni({ NetworkInterfaceId: ids.otherEni })] });

    const result = await within(quick, (wait) => waitUntilAvailable(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toBeInstanceOf(NotFoundError);
  });

  it("stops at once when the signal fires while a read is waiting for its batch", async () => {
    const { ec2, mock } = mockedEc2();
    // The read never answers: only the signal can end the wait.
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => new Promise(() => undefined));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);

    const result = await within({ ...quick, abortSignal: controller.signal }, (wait) =>
      waitUntilAvailable(ec2, ids.eni, wait),
    );

    expect(result._unsafeUnwrapErr().name).toBe("AbortedError");
  });
});

describe("waitUntilInUse", () => {
  it("keeps waiting while the attachment shows attached but the ENI does not read in-use yet", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "attached", { Status: "available" })] });

    const result = await within(brief, (wait) => waitUntilInUse(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be in-use`,
      lastState: "available/attached (attachment not visible yet)",
    });
  });

  it("says what it last saw when every read was throttled", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded."));

    const result = await within(brief, (wait) => waitUntilInUse(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      lastState: "read failed: RequestLimitExceeded",
    });
  });

  const watch = { attachmentId: ids.attachment, instanceId: ids.instance };
  const replacedBy = (instanceId: string) => {
    const other = attachedEni(instanceId);
    other.Attachment = { ...other.Attachment, AttachmentId: ids.otherAttachment };
    return other;
  };
  /** The target instance as DescribeInstances answers it, state by state. */
  const instanceStates = (mock: ReturnType<typeof mockedEc2>["mock"], ...states: Instance["State"][]) => {
    let read = 0;
    mock.on(DescribeInstancesCommand).callsFake(() => ({
      Reservations: [{ Instances: [instance({ State: states[Math.min(read++, states.length - 1)] })] }],
    }));
  };

  it("without an attachment id, waits from available through attaching to in-use/attached", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching", { Status: "in-use" })] })
      .resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await within(quick, (wait) => waitUntilInUse(ec2, ids.eni, wait));

    expect(result._unsafeUnwrap()).toMatchObject({
      Status: "in-use",
      Attachment: { Status: "attached", AttachmentId: ids.attachment },
    });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("with an attachment id, waits for that attachment to be attached, reading its instance with the first poll and then at most once per maxDelay", async () => {
    // Prepare: attached on the sixth read.
    vi.useFakeTimers();
    const started = Date.now();
    const enisAt: number[] = [];
    const instancesAt: number[] = [];
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeInstancesCommand).callsFake(() => {
      instancesAt.push(Date.now() - started);
      return { Reservations: [{ Instances: [instance()] }] };
    });
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => {
      enisAt.push(Date.now() - started);
      return { NetworkInterfaces: [enisAt.length < 6 ? attachedEni(ids.instance, "attaching") : attachedEni()] };
    });

    // Act
    const waiting = within({ maxWaitTime: 60, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      waitUntilInUse(ec2, ids.eni, wait, watch),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const result = await waiting;

    // Assess: done on the read at 1.25 s, the instance read at 0 and 1 s (within maxDelay of it).
    expect(result._unsafeUnwrap().Attachment?.AttachmentId).toBe(ids.attachment);
    expect(enisAt).toEqual([0, 250, 500, 750, 1000, 1250]);
    expect(instancesAt).toEqual([0, 1000]);
  });

  it("right after our own attach, first reads after two minDelays", async () => {
    vi.useFakeTimers();
    const started = Date.now();
    const enisAt: number[] = [];
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => {
      enisAt.push(Date.now() - started);
      return { NetworkInterfaces: [attachedEni()] };
    });

    const waiting = within({ maxWaitTime: 60, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      waitUntilInUse(ec2, ids.eni, wait, { ...watch, justAttached: true }),
    );
    await vi.advanceTimersByTimeAsync(10_000);

    expect((await waiting).isOk()).toBe(true);
    expect(enisAt).toEqual([500]);
  });

  it("waits out an attachment not visible yet (EC2's eventual consistency right after an attach)", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await within(quick, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

    expect(result._unsafeUnwrap()).toMatchObject({
      Status: "in-use",
      Attachment: { AttachmentId: ids.attachment, Status: "attached" },
    });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("fails fast, once reads agree, when the attachment it saw ends", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within({ ...quick, maxWaitTime: 60 }, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "detached" });
    expect(result._unsafeUnwrapErr().message).toBe(
      `Attachment ${ids.attachment} of ${ids.eni} to ${ids.instance} ended while waiting for it.`,
    );
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(1 + AGREEING_READS);
  });

  it("does not believe one stale read that shows the ENI free again", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await within(quick, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

    expect(result._unsafeUnwrap().Attachment?.Status).toBe("attached");
  });

  it("ignores a stale read that still shows the attachment just detached", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    const previous = attachedEni(ids.standby);
    previous.Attachment = { ...previous.Attachment, AttachmentId: ids.otherAttachment };
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [previous] })
      .resolvesOnce({ NetworkInterfaces: [previous] })
      .resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await within(quick, (wait) =>
      waitUntilInUse(ec2, ids.eni, wait, { ...watch, previous: ids.otherAttachment }),
    );

    expect(result._unsafeUnwrap().Attachment?.AttachmentId).toBe(ids.attachment);
  });

  it("fails fast with a ConflictError, once reads agree, when another attachment replaced it", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [replacedBy(ids.standby)] });

    const result = await within(quick, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ name: "ConflictError", expected: ids.instance, actual: ids.standby });
    expect(error.message).toBe(
      `Attachment ${ids.attachment} of ${ids.eni} was replaced by ${ids.otherAttachment} (to ${ids.standby}) while waiting for it: someone else attached it.`,
    );
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(1 + AGREEING_READS);
  });

  it.each(["shutting-down", "terminated"] as const)(
    "fails fast when its instance is %s, within two polls of the change, on one read (a state that only moves forward)",
    async (name) => {
      const { ec2, mock } = mockedEc2();
      instanceStates(mock, { Code: 16, Name: "running" }, { Code: 32, Name: name });
      mock
        .on(DescribeNetworkInterfacesCommand)
        .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] });

      const result = await within({ ...quick, maxWaitTime: 60 }, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

      expect(result._unsafeUnwrapErr()).toMatchObject({
        name: "InvalidStateError",
        resourceId: ids.instance,
        state: name,
      });
      expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1 + AGREEING_READS);
    },
  );

  it("reads the instance of an attachment it first sees attached before calling it done: a target going away is no new home", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 32, Name: "shutting-down" });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni()] });

    const result = await within(quick, (wait) => waitUntilInUse(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "shutting-down" });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    expect(mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
  });

  it("fails fast, on one read, when the attachment starts detaching", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] });

    const result = await within({ ...quick, maxWaitTime: 60 }, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "detaching" });
  });

  it("without an attachment id, accepts whichever attachment becomes attached", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance({ InstanceId: ids.standby })] }] });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [replacedBy(ids.standby)] });

    const result = await within(quick, (wait) => waitUntilInUse(ec2, ids.eni, wait));

    expect(result._unsafeUnwrap().Attachment?.AttachmentId).toBe(ids.otherAttachment);
  });

  it("times out while still attaching, naming the attachment", async () => {
    const { ec2, mock } = mockedEc2();
    instanceStates(mock, { Code: 16, Name: "running" });
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [attachedEni(ids.instance, "attaching")] });

    const result = await within(brief, (wait) => waitUntilInUse(ec2, ids.eni, wait, watch));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be in-use on attachment ${ids.attachment}`,
      lastState: "attaching/attaching",
    });
  });
});

describe("waitUntilDetached", () => {
  /** An attachment whose time is not known counts as recent: reads must agree that it is gone. */
  const recentAttachment = { id: ids.attachment, attachedAt: undefined };

  it("first reads four minDelays after the detach was asked for, then each minDelay", async () => {
    vi.useFakeTimers();
    const started = Date.now();
    const enisAt: number[] = [];
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).callsFake(() => {
      enisAt.push(Date.now() - started);
      return { NetworkInterfaces: [enisAt.length < 3 ? attachedEni(ids.instance, "detaching") : eni()] };
    });

    const waiting = within({ maxWaitTime: 60, minDelay: 0.25, maxDelay: 1, abortSignal: undefined }, (wait) =>
      waitUntilDetached(ec2, ids.eni, wait, { id: ids.attachment, attachedAt: new Date(0) }),
    );
    await vi.advanceTimersByTimeAsync(10_000);

    expect((await waiting)._unsafeUnwrap().Status).toBe("available");
    expect(enisAt).toEqual([1000, 1250, 1500]);
  });

  it("believes the first read that shows free when the attachment was made long ago (a failover's floating ENI)", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within(quick, (wait) =>
      waitUntilDetached(ec2, ids.eni, wait, { id: ids.attachment, attachedAt: new Date("2026-01-01T00:00:00Z") }),
    );

    expect(result._unsafeUnwrap().Status).toBe("available");
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
  });

  it("is done when the attachment is gone and the ENI available", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within(quick, (wait) => waitUntilDetached(ec2, ids.eni, wait, recentAttachment));

    expect(result._unsafeUnwrap()).toMatchObject({ Status: "available" });
    expect(result._unsafeUnwrap().Attachment).toBeUndefined();
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(3);
  });

  it("is done when another attachment replaced it (the ENI moved on)", async () => {
    const { ec2, mock } = mockedEc2();
    const moved = attachedEni(ids.standby, "attaching");
    moved.Attachment = { ...moved.Attachment, AttachmentId: ids.otherAttachment };
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [moved] });

    const result = await within(quick, (wait) => waitUntilDetached(ec2, ids.eni, wait, recentAttachment));

    expect(result._unsafeUnwrap().Attachment?.AttachmentId).toBe(ids.otherAttachment);
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(2);
  });

  it("is done when the attachment shows detached and the ENI available", async () => {
    const { ec2, mock } = mockedEc2();
    const detached = eni({
      Attachment: { AttachmentId: ids.attachment, InstanceId: ids.instance, Status: "detached" },
    });
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni(ids.instance, "detaching")] })
      .resolves({ NetworkInterfaces: [detached] });

    const result = await within(quick, (wait) => waitUntilDetached(ec2, ids.eni, wait, recentAttachment));

    expect(result._unsafeUnwrap().Attachment?.Status).toBe("detached");
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(3);
  });

  it.each<[string, NetworkInterface]>([
    [
      "the attachment shows detached while the ENI still reads in-use",
      attachedEni(ids.instance, "attaching", {
        Status: "in-use",
        Attachment: { AttachmentId: ids.attachment, InstanceId: ids.instance, Status: "detached" },
      }),
    ],
    [
      "the ENI reads available while its attachment still shows detaching",
      attachedEni(ids.instance, "detaching", { Status: "available" }),
    ],
  ])("is done when %s: either says the attachment is over", async (_case, read) => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [read] });

    const result = await within(quick, (wait) => waitUntilDetached(ec2, ids.eni, wait, recentAttachment));

    expect(result._unsafeUnwrap()).toBe(read);
  });

  it("keeps waiting while the same attachment is still attached or detaching", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [attachedEni()] })
      .resolves({ NetworkInterfaces: [attachedEni(ids.instance, "detaching", { Status: "in-use" })] });

    const result = await within(brief, (wait) => waitUntilDetached(ec2, ids.eni, wait, recentAttachment));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be detached from attachment ${ids.attachment}`,
      lastState: "in-use/detaching",
    });
  });

  it("fails when reads agree the ENI itself is gone", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(notFound());

    const result = await within(quick, (wait) => waitUntilDetached(ec2, ids.eni, wait, recentAttachment));

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "NotFoundError", resourceId: ids.eni });
    expect(mock.commandCalls(DescribeNetworkInterfacesCommand).length).toBeGreaterThanOrEqual(AGREEING_READS);
  });
});

describe("waitUntilGone", () => {
  it("is done once EC2 reports the ENI not found", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni()] })
      .rejects(notFound());

    const result = await within(quick, (wait) => waitUntilGone(ec2, ids.eni, wait));

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
  });

  it("is done when EC2 answers without the ENI", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    const result = await within(quick, (wait) => waitUntilGone(ec2, ids.eni, wait));

    expect(result.isOk()).toBe(true);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
  });

  it("returns any other error at once", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

    const result = await within(quick, (wait) => waitUntilGone(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "AccessDeniedError",
      code: "UnauthorizedOperation",
      requestId: "req-1",
    });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
  });

  it("times out while the ENI is still there", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [eni()] });

    const result = await within(brief, (wait) => waitUntilGone(ec2, ids.eni, wait));

    expect(result._unsafeUnwrapErr()).toMatchObject({
      name: "WaitTimeoutError",
      waitingFor: `${ids.eni} to be deleted`,
      lastState: "available",
    });
  });
});

describe("waitForEni", () => {
  const available = (ni: NetworkInterface) => ni.Status === "available";

  it("with visibleSoon, retries NotFound until the new ENI shows up", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ NetworkInterfaces: [] })
      .resolvesOnce({ NetworkInterfaces: [eni({ Status: "pending" })] })
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within(quick, (wait) =>
      waitForEni(ec2, ids.eni, "available", wait, available, { visibleSoon: true }),
    );

    expect(result._unsafeUnwrap()).toMatchObject({ NetworkInterfaceId: ids.eni, Status: "available" });
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 4);
  });

  it("with visibleSoon, times out on an id that never shows up", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(notFound());

    const result = await within(brief, (wait) =>
      waitForEni(ec2, ids.eni, "available", wait, available, { visibleSoon: true }),
    );

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "WaitTimeoutError", lastState: "not visible yet" });
  });

  it("with visibleSoon, still returns other errors at once", async () => {
    const { ec2, mock } = mockedEc2();
    mock.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("UnauthorizedOperation"));

    const result = await within(quick, (wait) =>
      waitForEni(ec2, ids.eni, "available", wait, available, { visibleSoon: true }),
    );

    expect(result._unsafeUnwrapErr()).toBeInstanceOf(AccessDeniedError);
    expect(mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
  });

  it("keeps polling through a throttled read", async () => {
    const { ec2, mock } = mockedEc2();
    mock
      .on(DescribeNetworkInterfacesCommand)
      .rejectsOnce(Object.assign(ec2Error("RequestLimitExceeded"), { $fault: "client" }))
      .resolves({ NetworkInterfaces: [eni()] });

    const result = await within(quick, (wait) => waitForEni(ec2, ids.eni, "available", wait, available));

    expect(result._unsafeUnwrap().Status).toBe("available");
  });
});
