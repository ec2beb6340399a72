import {
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INSTANT, outcomeOf, setup, timed, untilSent } from "./fixtures.js";

const START = Date.UTC(2025, 0, 1);

afterEach(() => {
  vi.useRealTimers();
});

describe("per-call latency", () => {
  it("applies a request halfway through latencyMs and answers at the end", async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const { sim, ec2, subnetA } = setup({ ...INSTANT, latencyMs: 200 });
    let answered = false;

    // Act
    const created = ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA })).then((output) => {
      answered = true;
      return output;
    });
    await untilSent();
    await vi.advanceTimersByTimeAsync(99);
    const before = sim.calls.length;
    await vi.advanceTimersByTimeAsync(1);
    const calls = sim.calls.map((call) => [call.action, call.time - START]);
    const answeredHalfway = answered;
    await vi.advanceTimersByTimeAsync(100);

    // Assess
    expect(before).toBe(0);
    expect(calls).toEqual([["CreateNetworkInterface", 100]]);
    expect(answeredHalfway).toBe(false);
    const id = (await created).NetworkInterface?.NetworkInterfaceId ?? "";
    expect(answered).toBe(true);
    expect(sim.networkInterface(id)?.Status).toBe("available");
  });

  it("delays errors the same way", async () => {
    vi.useFakeTimers({ now: START });
    const { sim } = setup({ ...INSTANT, latencyMs: 200 });
    const ec2 = sim.client({ maxAttempts: 1 });

    const { outcome, ms } = await timed(
      ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: "eni-0123456789abcdef0" })),
    );

    expect(outcome).toMatchObject({ name: "InvalidNetworkInterfaceID.NotFound" });
    expect(ms).toBe(200);
  });

  it("draws each call's latency from a [min, max] range, the same for equal seeds", async () => {
    const durations = async (seed: number) => {
      vi.useFakeTimers({ now: START });
      const { ec2 } = setup({ ...INSTANT, latencyMs: [60, 200], seed });
      const ms: number[] = [];
      for (let i = 0; i < 8; i++) ms.push((await timed(ec2.send(new DescribeNetworkInterfacesCommand({})))).ms);
      vi.useRealTimers();
      return ms;
    };

    const first = await durations(5);
    const again = await durations(5);
    const other = await durations(6);

    expect(first.every((ms) => ms >= 60 && ms <= 200)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(1);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it("logs each call's drawn latency beside the time it took effect", async () => {
    vi.useFakeTimers({ now: START });
    const { sim, ec2 } = setup({ ...INSTANT, latencyMs: [60, 200], seed: 5 });

    const ms: number[] = [];
    for (let i = 0; i < 4; i++) ms.push((await timed(ec2.send(new DescribeNetworkInterfacesCommand({})))).ms);

    expect(sim.calls.map((call) => call.latencyMs)).toEqual(ms);
  });

  it("cancels a request aborted before it reaches EC2, and applies one aborted after but loses its answer", async () => {
    // Prepare
    vi.useFakeTimers({ now: START });
    const { sim, ec2, subnetA } = setup({ ...INSTANT, latencyMs: 200 });
    const create = (signal: AbortSignal) =>
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetA }), { abortSignal: signal });
    const early = new AbortController();
    const late = new AbortController();

    // Act
    const first = create(early.signal);
    await untilSent();
    await vi.advanceTimersByTimeAsync(50);
    early.abort();
    const firstOutcome = await outcomeOf(first);
    const callsAfterFirst = sim.calls.length;
    const second = create(late.signal);
    await untilSent();
    await vi.advanceTimersByTimeAsync(150);
    late.abort();
    const secondOutcome = await outcomeOf(second);
    await vi.advanceTimersByTimeAsync(10_000); // no retry follows

    // Assess
    expect(firstOutcome).toMatchObject({ name: "AbortError", message: "Request aborted" });
    expect(callsAfterFirst).toBe(0);
    expect(secondOutcome).toMatchObject({ name: "AbortError" });
    expect(sim.calls.map((call) => [call.action, call.outcome])).toEqual([["CreateNetworkInterface", "ok"]]);
    const { outcome: described } = await timed(ec2.send(new DescribeNetworkInterfacesCommand({})));
    expect(described).toMatchObject({ NetworkInterfaces: [{ Status: "available" }] });
  });

  it("rejects a request whose signal aborted before it was sent", async () => {
    vi.useFakeTimers({ now: START });
    const { sim, ec2 } = setup({ ...INSTANT, latencyMs: 200 });

    const { outcome } = await timed(
      ec2.send(new DescribeNetworkInterfacesCommand({}), { abortSignal: AbortSignal.abort("gone") }),
    );

    expect(outcome).toMatchObject({ name: "AbortError" });
    expect(sim.calls).toEqual([]);
  });
});
