/**
 * Cancellation: an `abortSignal` fired at each step of a move leaves a known state,
 * and the error says which: `AbortedError` with nothing changed when no mutating call went
 * through; `MoveFailedError` whose `eni` is exactly where the simulator has it after one.
 * `onEvent` fires the abort at the right moment (it is called synchronously as each step ends).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MoveEvent, MoveOptions } from "../../src/index.js";
import { floating as floatingOn, MUTATING, wait } from "./world.js";
import { settle } from "../model/harness.js";

// Transitions long enough for an abort to land while one is under way.
const timings = { createMs: 10, attachMs: 300, detachMs: 300 } as const;

/** A floating ENI on a primary, with a standby, set up on the fake clock. */
const floating = () => floatingOn({ simulator: { timings }, settle });

/** Moves with an abort fired when `when` first says so; returns the result and what was seen. */
async function moveAbortingWhen(
  when: (event: MoveEvent, phase: string | undefined) => boolean,
  extra: MoveOptions = {},
) {
  const world = await floating();
  const controller = new AbortController();
  const events: MoveEvent[] = [];
  let phase: string | undefined;
  const onEvent = (event: MoveEvent) => {
    events.push(event);
    if (event.type === "phase-start") phase = event.phase;
    if (!controller.signal.aborted && when(event, phase)) controller.abort();
  };
  const result = await settle(
    world.eni.moveTo(world.standby, {
      expectedFrom: world.primary,
      ...wait,
      ...extra,
      abortSignal: controller.signal,
      onEvent,
    }),
  );
  // Read in the same virtual instant the move returned: nothing has moved on since.
  const now = world.sim.networkInterface(world.eni.id);
  const mutating = world.sim.calls
    .filter((call) => MUTATING.includes(call.action) && call.outcome === "ok")
    .map((call) => call.action);
  return { ...world, result, now, mutating, aborted: controller.signal.aborted, events };
}

const isCall = (event: MoveEvent, action: string) =>
  event.type === "call" && event.call.action === action && event.call.outcome === "ok";

describe("cancelling a move at each step", () => {
  // A virtual clock: the simulator, the SDK and the waiters all run on it, so the state a
  // move reports and the simulator's state are read at the same virtual instant.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("before it starts: AbortedError, no request at all, nothing changed", async () => {
    const { sim, eni, primary, standby } = await floating();
    const result = await settle(
      eni.moveTo(standby, { expectedFrom: primary, ...wait, abortSignal: AbortSignal.abort() }),
    );

    expect(result._unsafeUnwrapErr().name).toBe("AbortedError");
    expect(sim.calls).toEqual([]);
    expect(sim.networkInterface(eni.id)?.Attachment).toMatchObject({ InstanceId: primary, Status: "attached" });
  });

  it("during the preflight: AbortedError, no mutating call, nothing changed", async () => {
    const { result, now, mutating, aborted, primary, events } = await moveAbortingWhen(
      (event, phase) => phase === "preflight" && event.type === "call",
    );

    expect(aborted).toBe(true);
    expect(result._unsafeUnwrapErr().name).toBe("AbortedError");
    expect(mutating).toEqual([]);
    expect(now?.Attachment).toMatchObject({ InstanceId: primary, Status: "attached" });
    expect(events.at(-1)).toMatchObject({ type: "done", report: { outcome: "refused" } });
  });

  it("at the start of the detach phase, before its request: AbortedError, nothing changed", async () => {
    const { result, now, mutating, primary } = await moveAbortingWhen(
      (event) => event.type === "phase-start" && event.phase === "detach",
    );

    expect(result._unsafeUnwrapErr().name).toBe("AbortedError");
    expect(mutating).toEqual([]);
    expect(now?.Attachment).toMatchObject({ InstanceId: primary, Status: "attached" });
  });

  it("during the detach wait: MoveFailedError in the detach phase, saying it is detaching from the source", async () => {
    const { result, now, mutating, primary } = await moveAbortingWhen((event) =>
      isCall(event, "DetachNetworkInterface"),
    );

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "detach",
      rolledBack: false,
      reason: { name: "AbortedError" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(mutating).toEqual(["DetachNetworkInterface"]);
    expect(now?.Attachment).toMatchObject({ InstanceId: primary, Status: "detaching" });
    expect(error.eni).toMatchObject({ status: now?.Status, attachment: { instanceId: primary, status: "detaching" } });
    expect(error.report.outcome).toBe("failed");
  });

  it("between the detach and the attach: MoveFailedError in the attach phase, saying it is available, no attach sent", async () => {
    const { result, now, mutating } = await moveAbortingWhen(
      (event) => event.type === "phase-end" && event.phase === "detach",
    );

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: false,
      reason: { name: "AbortedError" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(mutating).toEqual(["DetachNetworkInterface"]);
    expect(now?.Status).toBe("available");
    expect(now?.Attachment).toBeUndefined();
    expect(error.eni).toMatchObject({ status: "available", attachment: undefined });
  });

  it("during the attach wait: MoveFailedError saying it is attaching to the target, with no rollback", async () => {
    const { result, now, mutating, standby, events } = await moveAbortingWhen((event) =>
      isCall(event, "AttachNetworkInterface"),
    );

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: false,
      reason: { name: "AbortedError" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(mutating).toEqual(["DetachNetworkInterface", "AttachNetworkInterface"]);
    expect(now?.Attachment).toMatchObject({ InstanceId: standby, Status: "attaching" });
    expect(error.eni).toMatchObject({ status: now?.Status, attachment: { instanceId: standby, status: "attaching" } });
    // An abort means "stop", so no rollback runs.
    expect(events.some((event) => event.type === "phase-start" && event.phase === "rollback")).toBe(false);
  });

  it("as the rollback starts: MoveFailedError, not rolled back, saying it is available", async () => {
    const world = await floating();
    world.sim.faults.failAttach("UnauthorizedOperation");
    const controller = new AbortController();
    const onEvent = (event: MoveEvent) => {
      if (event.type === "phase-start" && event.phase === "rollback") controller.abort();
    };

    const result = await settle(world.eni.moveTo(world.standby, { ...wait, abortSignal: controller.signal, onEvent }));
    const now = world.sim.networkInterface(world.eni.id);

    const error = result._unsafeUnwrapErr();
    expect(controller.signal.aborted).toBe(true);
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "attach",
      rolledBack: false,
      reason: { name: "AccessDeniedError" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(now?.Status).toBe("available");
    expect(error.eni).toMatchObject({ status: "available", attachment: undefined });
    expect(
      world.sim.calls.filter((call) => call.action === "AttachNetworkInterface").map((call) => call.outcome),
    ).toEqual(["UnauthorizedOperation"]);
  });

  it("during the rollback's attach wait: MoveFailedError, not rolled back, saying it is attaching back to the source", async () => {
    const world = await floating();
    world.sim.faults.failAttach("UnauthorizedOperation");
    const controller = new AbortController();
    let inRollback = false;
    const onEvent = (event: MoveEvent) => {
      if (event.type === "phase-start") inRollback = event.phase === "rollback";
      if (inRollback && isCall(event, "AttachNetworkInterface")) controller.abort();
    };

    const result = await settle(world.eni.moveTo(world.standby, { ...wait, abortSignal: controller.signal, onEvent }));
    const now = world.sim.networkInterface(world.eni.id);

    const error = result._unsafeUnwrapErr();
    expect(controller.signal.aborted).toBe(true);
    expect(error).toMatchObject({ name: "MoveFailedError", phase: "attach", rolledBack: false });
    if (error.name !== "MoveFailedError") throw error;
    // Not confirmed back, and the error shows exactly the half-done re-attach the simulator has.
    expect(now?.Attachment).toMatchObject({ InstanceId: world.primary, Status: "attaching" });
    expect(error.eni).toMatchObject({ attachment: { instanceId: world.primary, status: "attaching" } });
    expect(error.report.outcome).toBe("failed");
  });

  it("a forced detach after forceAfter, aborted in the graceful wait: MoveFailedError saying it is still detaching", async () => {
    const world = await floating();
    world.sim.faults.hangDetach(world.eni.id);
    const controller = new AbortController();
    const onEvent = (event: MoveEvent) => {
      if (isCall(event, "DetachNetworkInterface")) setTimeout(() => controller.abort(), 100);
    };

    const result = await settle(
      world.eni.moveTo(world.standby, { ...wait, forceAfter: 5, abortSignal: controller.signal, onEvent }),
    );
    const now = world.sim.networkInterface(world.eni.id);

    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({
      name: "MoveFailedError",
      phase: "detach",
      rolledBack: false,
      reason: { name: "AbortedError" },
    });
    if (error.name !== "MoveFailedError") throw error;
    expect(error.report.forced).toBe(false);
    expect(now?.Attachment).toMatchObject({ InstanceId: world.primary, Status: "detaching" });
    expect(error.eni?.attachment).toMatchObject({ instanceId: world.primary, status: "detaching" });
  });

  it.each(Array.from({ length: 32 }, (_, i) => i * 50))(
    "an abort at %i virtual ms into the move leaves the state its result reports",
    async (afterMs) => {
      const world = await floating();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), afterMs);

      const result = await settle(
        world.eni.moveTo(world.standby, {
          expectedFrom: world.primary,
          forceAfter: 1,
          ...wait,
          abortSignal: controller.signal,
        }),
      );
      const now = world.sim.networkInterface(world.eni.id);
      clearTimeout(timer);

      const mutated = world.sim.calls.some((call) => MUTATING.includes(call.action) && call.outcome === "ok");
      if (result.isOk()) {
        expect(result.value.attachment?.instanceId).toBe(world.standby);
        expect(now?.Attachment).toMatchObject({ InstanceId: world.standby, Status: "attached" });
      } else if (result.error.name === "MoveFailedError") {
        expect(mutated).toBe(true);
        expect(result.error.reason.name).toBe("AbortedError");
        expect({
          status: result.error.eni?.status,
          on: result.error.eni?.attachment?.instanceId,
          as: result.error.eni?.attachment?.status,
        }).toEqual({
          status: now?.Status,
          on: now?.Attachment?.InstanceId,
          as: now?.Attachment?.Status,
        });
      } else {
        expect(result.error.name).toBe("AbortedError");
        expect(mutated).toBe(false);
        expect(now?.Attachment).toMatchObject({ InstanceId: world.primary, Status: "attached" });
      }
    },
  );
});
