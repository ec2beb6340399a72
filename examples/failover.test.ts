/**
 * Testing your own code with eni-kit/testing: the failover Lambda of examples/failover.ts,
 * tested against the EC2 simulator. See docs/testing.md.
 *
 *   npx vitest run examples/failover.test.ts
 */
import { Eni } from "eni-kit";
import { Ec2Simulator } from "eni-kit/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { failover } from "./failover.js";

// Short polls, so each real-time test below takes a second or two, not minutes.
const wait = { minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 60 }; // above the 30 s forceAfter

/** A primary and a standby in one AZ, with a floating ENI on the primary. */
async function setUp(options: ConstructorParameters<typeof Ec2Simulator>[0] = {}) {
  const sim = new Ec2Simulator({ timings: { createMs: 10, attachMs: 20, detachMs: 30 }, ...options });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const primary = sim.addInstance({ subnetId, instanceType: "m5.large", tags: { Name: "db-primary" } }).instanceId;
  const standby = sim.addInstance({ subnetId, instanceType: "m5.large", tags: { Name: "db-standby" } }).instanceId;
  // maxAttempts: 1 so a fault you inject is seen once, not retried by the SDK.
  const ec2 = sim.client({ maxAttempts: 1 });
  const eni = (
    await Eni.create(ec2, { subnetId, name: "db-floating", ...wait }).attachTo(primary, wait)
  )._unsafeUnwrap();
  sim.clearCalls(); // the call log now holds only what the code under test sends
  return { sim, ec2, subnetId, primary, standby, eniId: eni.id };
}

const MUTATING = [
  "AttachNetworkInterface",
  "DetachNetworkInterface",
  "CreateNetworkInterface",
  "DeleteNetworkInterface",
];

describe("failover", () => {
  it("moves the floating ENI to the standby", async () => {
    // Prepare
    const { sim, ec2, primary, standby, eniId } = await setUp();

    // Act
    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    // Assess
    expect(result).toMatchObject({ outcome: "moved", page: "none" });
    expect(sim.networkInterface(eniId)?.Attachment?.InstanceId).toBe(standby);
    expect(
      sim.calls.filter((call) => call.action === "DetachNetworkInterface").map((call) => call.input["DryRun"] ?? false),
    ).toEqual([true, false]);
  });

  it("changes nothing when someone else moved it elsewhere", async () => {
    const { sim, ec2, subnetId, primary, standby, eniId } = await setUp();
    const other = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
    await Eni.get(ec2, eniId).moveTo(other, wait); // another controller got there first
    sim.clearCalls();

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "someone-else-moved-it", page: "ticket", attachedTo: other });
    expect(sim.calls.filter((call) => MUTATING.includes(call.action) && call.input["DryRun"] !== true)).toEqual([]);
  });

  it("succeeds without a call when the ENI is already on the standby", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    await Eni.get(ec2, eniId).moveTo(standby, wait);
    sim.clearCalls();

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "already-there", page: "none" });
    expect(sim.calls.filter((call) => MUTATING.includes(call.action) && call.input["DryRun"] !== true)).toEqual([]);
  });

  it("pages before touching anything when a permission is missing", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    sim.denyActions(["AttachNetworkInterface"]); // as a missing IAM permission would

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toEqual({ outcome: "not-permitted", page: "now", denied: ["AttachNetworkInterface"] });
    expect(sim.networkInterface(eniId)?.Attachment?.InstanceId).toBe(primary);
  });

  it("reports a rollback when the attach to the standby fails for good", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    // Faults hit every request of the action, dry runs included: the permission check's dry run,
    // then the attach to the standby. The rollback's attach succeeds.
    sim.faults.failAttach("InvalidParameterValue", 2);

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "rolled-back", page: "now" });
    expect(sim.networkInterface(eniId)?.Attachment?.InstanceId).toBe(primary);
  });

  it("says where the ENI was left when the rollback fails too", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    sim.faults.failAttach("InvalidParameterValue", 3); // the dry run, the attach, and the rollback's attach

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "stranded", page: "now", where: "available on no instance" });
  });

  it("moves the ENI off a primary that died: terminated, it let the ENI go", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp({ instanceTimings: { terminateMs: 10 } });
    sim.terminateInstance(primary); // the floating ENI (DeleteOnTermination false) becomes available
    await new Promise((resolve) => setTimeout(resolve, 50));

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({
      outcome: "moved",
      page: "none",
      report: { from: { kind: "released", instanceId: primary, instanceState: "terminated" } },
    });
    expect(sim.networkInterface(eniId)?.Attachment?.InstanceId).toBe(standby);
  });

  it("does not call it stranded when EC2 could not be read at the end: the state is unknown", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    // Once the attach to the standby is sent, every read of the ENI is refused, as in an outage
    // of the Describe API: the move cannot see it reach the standby.
    ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        const input = args.input as { DryRun?: boolean };
        if (context.commandName === "AttachNetworkInterfaceCommand" && input.DryRun !== true) {
          sim.denyActions(["DescribeNetworkInterfaces"]);
        }
        return output;
      },
      { step: "initialize" },
    );

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "state-unknown", page: "now" });
    expect(result.outcome === "state-unknown" && result.lastSeen).toMatch(/ at \d{4}-\d\d-\d\dT/);
    // It did reach the standby: paging "stranded" would have sent the on-call engineer the wrong way.
    expect(sim.networkInterface(eniId)?.Attachment?.InstanceId).toBe(standby);
  });

  it("pages when EC2 keeps throttling and the SDK's retries run out", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    sim.faults.throttleNext(10, "DescribeNetworkInterfaces"); // RequestLimitExceeded, as EC2's token bucket does

    const result = await failover(ec2, { eniId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "refused", page: "now" });
    expect(result.outcome === "refused" && result.reason).toMatch(/^ThrottledError: /);
    expect(sim.calls.map((call) => call.outcome)).toContain("RequestLimitExceeded");
  });
});

describe("failover with fake timers", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("forces a detach the failed primary never finishes, after 30 s, in no time", async () => {
    const { sim, ec2, primary, standby, eniId } = await setUp();
    vi.useFakeTimers(); // the simulator's clock is Date.now(), so it follows the fake clock
    sim.faults.hangDetach(eniId); // stuck in `detaching` until a forced detach

    const pending = failover(ec2, { eniId, expectedFrom: primary, to: standby });
    await vi.advanceTimersByTimeAsync(60_000); // default waits: a check each 0.3 s, forceAfter 30 s
    const result = await pending;

    expect(result).toMatchObject({ outcome: "moved", report: { forced: true } });
    expect(
      sim.calls
        .filter((call) => call.action === "DetachNetworkInterface" && call.input["DryRun"] !== true)
        .map((call) => call.input["Force"]),
    ).toEqual([false, true]);
  });
});
