import { DescribeNetworkInterfacesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";
import { DEFAULT_CALL_LOG_LIMIT, resolveOptions } from "../../src/testing/options.js";

function simulator(options: Ec2SimulatorOptions) {
  const sim = new Ec2Simulator(options);
  return { sim, ec2: sim.client() };
}

/** Sends requests `from` to `to`, each naming its number in a filter, so the log's records tell them apart. */
async function numbered(ec2: EC2Client, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) {
    await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: [String(n)] }] }));
  }
}

/** Which requests (by number) the log holds, oldest first. */
function numbers(sim: Ec2Simulator): number[] {
  return sim.calls.map((call) => Number((call.input["Filters"] as { Values: string[] }[])[0]?.Values[0]));
}

describe("the call log", () => {
  it("keeps the latest `callLog.limit` requests, oldest first", async () => {
    const { sim, ec2 } = simulator({ callLog: { limit: 3 } });

    await numbered(ec2, 1, 5);

    expect(numbers(sim)).toEqual([3, 4, 5]);
  });

  it("stays bounded however many requests come, trimmed in place", async () => {
    const { sim, ec2 } = simulator({ callLog: { limit: 8 } });
    const log = sim.calls;

    await numbered(ec2, 1, 50);

    expect(numbers(sim)).toEqual([43, 44, 45, 46, 47, 48, 49, 50]);
    // A reference taken earlier is still the log.
    expect(log).toBe(sim.calls);
  });

  it("keeps every request with Infinity, and none with 0", async () => {
    const all = simulator({ callLog: { limit: Infinity } });
    const none = simulator({ callLog: { limit: 0 } });

    await numbered(all.ec2, 1, 20);
    await numbered(none.ec2, 1, 20);

    expect(numbers(all.sim)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(none.sim.calls).toEqual([]);
  });

  it("keeps 10,000 by default, with either preset", () => {
    expect(DEFAULT_CALL_LOG_LIMIT).toBe(10_000);
    expect(resolveOptions({}).callLog).toEqual({ limit: 10_000 });
    expect(resolveOptions({ preset: "realistic" }).callLog).toEqual({ limit: 10_000 });
    expect(resolveOptions({ callLog: {} }).callLog).toEqual({ limit: 10_000 });
  });

  it("starts again from empty after clearCalls", async () => {
    const { sim, ec2 } = simulator({ callLog: { limit: 4 } });
    await numbered(ec2, 1, 6);

    sim.clearCalls();
    await numbered(ec2, 7, 8);

    expect(numbers(sim)).toEqual([7, 8]);
  });

  it("refuses a limit that is neither a whole number from 0 nor Infinity", () => {
    const bad = [-1, 1.5, Number.NaN, -Infinity, "10"] as unknown as number[];

    for (const limit of bad) {
      expect(() => new Ec2Simulator({ callLog: { limit } }), String(limit)).toThrow(RangeError);
    }
    expect(() => new Ec2Simulator({ callLog: { limit: -1 } })).toThrow(
      "Expected `callLog.limit` to be a whole number from 0, or Infinity, got -1.",
    );
  });
});
