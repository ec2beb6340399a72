// Regressions: bugs the model and chaos suites found (A–E), each asserting the fixed behaviour.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { Eni, type MoveEvent } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { wait } from "../scenarios/world.js";
import { settle } from "./harness.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function world(detachMs = 2000) {
  const sim = new Ec2Simulator({ timings: { createMs: 20, attachMs: 30, detachMs } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const a = sim.addInstance({ subnetId }).instanceId;
  const b = sim.addInstance({ subnetId }).instanceId;
  const ec2 = sim.client();
  const eni = (await settle(Eni.create(ec2, { subnetId, ...wait }).attachTo(a, wait)))._unsafeUnwrap();
  return { sim, ec2, eni, a, b };
}

it("A: moveTo(X) while the ENI is detaching from X ends attached to X", async () => {
  const { sim, ec2, eni, a } = await world();
  await settle(eni.detach({ wait: false })); // someone else started a detach
  const result = await settle(Eni.get(ec2, eni.id).moveTo(a, wait)); // failover back to X
  expect(result.isOk() ? "ok" : `${result.error.name}: ${result.error.message}`).toBe("ok");
  expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(a);
});

it("A': attachTo(X) while the ENI is detaching from X attaches or refuses at once", async () => {
  const { ec2, eni, a } = await world();
  await settle(eni.detach({ wait: false }));
  const start = Date.now();
  const result = await settle(Eni.get(ec2, eni.id).attachTo(a, wait));
  expect(result.isOk() || result.error.name !== "WaitTimeoutError").toBe(true);
  expect(Date.now() - start).toBeLessThan(10_000);
});

it("B: moveTo with a non-string expectedFrom (JS caller) gives a ValidationError, not a throw", async () => {
  const { eni, b } = await world(30);
  for (const expectedFrom of [5, null, { id: "i-1" }]) {
    let thrown: unknown;
    let result: unknown;
    try {
      result = await eni.moveTo(b, { expectedFrom: expectedFrom as never, ...wait });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    expect(result).toMatchObject({ error: { name: "ValidationError", field: "expectedFrom" } });
  }
});

it("B': through a chained EniTask the same input is a ValidationError too", async () => {
  const { ec2, eni, b } = await world(30);
  const result = await settle(Eni.get(ec2, eni.id).moveTo(b, { expectedFrom: 5 as never, ...wait }));
  expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "expectedFrom" });
});

it("C: a 1 MB unknown option key or tag key gives a short message", async () => {
  const { ec2, eni } = await world(30);
  const MB = "x".repeat(1024 * 1024);
  const results = [
    await Eni.create(ec2, { subnetId: eni.subnetId, [MB]: 1 }),
    await Eni.create(ec2, { subnetId: eni.subnetId, tags: { [MB]: "v" } }),
    await Eni.find(ec2, { tags: { [MB]: "v" } }),
    await settle(eni.setTags({ [MB]: "v" })),
    await eni.detach({ [MB]: true }),
  ];
  for (const result of results) {
    const error = result._unsafeUnwrapErr();
    expect(error.name).toBe("ValidationError");
    expect(error.message.length).toBeLessThan(300);
  }
});

it("D: when the read behind a MoveFailedError fails, the error still says where the ENI is", async () => {
  const { sim, eni, a, b } = await world(30);
  sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation"); // the attach fails for good
  const onEvent = (event: MoveEvent) => {
    // EC2 hiccups (3 x 503, all SDK attempts) just as the move reads the ENI to build its error.
    if (event.type === "phase-end" && event.phase === "rollback")
      sim.faults.failNext("DescribeNetworkInterfaces", "Unavailable", 3);
  };
  const result = await settle(eni.moveTo(b, { expectedFrom: a, onEvent, ...wait }));
  const error = result._unsafeUnwrapErr();
  expect(error).toMatchObject({ name: "MoveFailedError", rolledBack: true });
  expect(error.name === "MoveFailedError" && error.eni?.attachment?.instanceId).toBe(a);
});

it("E: one throttled poll in the detach wait does not fail a move that has time left", async () => {
  const { sim, eni, a, b } = await world(300);
  const onEvent = (event: MoveEvent) => {
    if (event.type === "call" && event.call.action === "DetachNetworkInterface")
      sim.faults.throttleNext(3, "DescribeNetworkInterfaces");
  };
  const result = await settle(eni.moveTo(b, { expectedFrom: a, onEvent, ...wait, maxWaitTime: 600 }));

  expect(result.isOk() ? "ok" : `${result.error.name}: ${result.error.message}`).toBe("ok");
});
