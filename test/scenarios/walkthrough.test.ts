import { describe, expect, it } from "vitest";
import { Eni, type Eni as EniSnapshot } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { wait } from "./world.js";

// Quick transitions and polls: the story is the same as on EC2, only shorter.

function world() {
  const sim = new Ec2Simulator({
    timings: { createMs: 40, attachMs: 60, detachMs: 80 },
    instanceTimings: { terminateMs: 50 },
  });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const subnetA = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/24" });
  const subnetB = sim.addSubnet({ vpcId, availabilityZone: "us-east-1b", cidr: "10.0.2.0/24" });
  const { groupId } = sim.addSecurityGroup({ vpcId, name: "db" });
  const primary = sim.addInstance({ subnetId: subnetA.subnetId, instanceType: "t3.medium" });
  const standby = sim.addInstance({ subnetId: subnetA.subnetId, instanceType: "t3.medium" });
  const elsewhere = sim.addInstance({ subnetId: subnetB.subnetId, instanceType: "t3.medium" });
  return { sim, ec2: sim.client(), subnetId: subnetA.subnetId, groupId, primary, standby, elsewhere };
}

describe("the walkthrough this library grew from (on the simulator)", () => {
  it("creates, attaches, detaches, re-attaches, is refused across AZs, and survives termination", async () => {
    const { sim, ec2, subnetId, groupId, primary, standby, elsewhere } = world();
    const seen: string[] = [];
    const note = (eni: EniSnapshot) => {
      seen.push(`${eni.status}${eni.attachment ? `@${eni.attachment.instanceId}` : ""}`);
      return eni;
    };

    // An ENI with a Name tag, a security group and a tag, in the instances' subnet.
    const created = (
      await Eni.create(ec2, {
        subnetId,
        name: "db-server1-eni",
        securityGroupIds: [groupId],
        tags: { team: "db" },
        ...wait,
      }).map(note)
    )._unsafeUnwrap();
    expect(created).toMatchObject({
      name: "db-server1-eni",
      status: "available",
      tags: { team: "db" },
      securityGroups: [{ id: groupId }],
    });
    expect(created.privateIp).toMatch(/^10\.0\.1\.\d+$/);

    // Attached to the first instance: the primary private IP is now on that instance.
    const onPrimary = (await created.attachTo(primary.instanceId, wait).map(note))._unsafeUnwrap();
    expect(onPrimary.attachment).toMatchObject({ instanceId: primary.instanceId, deviceIndex: 1, status: "attached" });
    const primaryIps = sim.instance(primary.instanceId)?.NetworkInterfaces?.map((ni) => ni.PrivateIpAddress);
    expect(primaryIps).toContain(created.privateIp);

    // Detached: available again.
    const detached = (await onPrimary.detach(wait).map(note))._unsafeUnwrap();
    expect(detached.attachment).toBeUndefined();

    // The instance in the other AZ is refused, and nothing is sent to attach it.
    sim.clearCalls();
    const refused = await detached.attachTo(elsewhere.instanceId, wait);
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      name: "AzMismatchError",
      eniAz: "us-east-1a",
      instanceAz: "us-east-1b",
    });
    expect(sim.calls.map((call) => call.action)).not.toContain("AttachNetworkInterface");

    // Attached to the second instance.
    const onStandby = (await detached.attachTo(standby.instanceId, wait).map(note))._unsafeUnwrap();
    expect(onStandby.attachment?.instanceId).toBe(standby.instanceId);

    // The instances terminate: their primary ENIs go with them, the created ENI stays, available.
    sim.terminateInstance(primary.instanceId);
    sim.terminateInstance(standby.instanceId);
    const afterTermination = (await onStandby.waitUntilAvailable(wait).map(note))._unsafeUnwrap();
    expect(afterTermination.attachment).toBeUndefined();
    expect(sim.networkInterface(primary.primaryEniId)).toBeUndefined();
    expect(sim.networkInterface(standby.primaryEniId)).toBeUndefined();

    expect(seen).toEqual([
      "available",
      `in-use@${primary.instanceId}`,
      "available",
      `in-use@${standby.instanceId}`,
      "available",
    ]);

    // Cleaning up leaves nothing behind.
    expect((await afterTermination.delete(wait))._unsafeUnwrap()).toEqual({ id: created.id, alreadyGone: false });
    expect(sim.networkInterface(created.id)).toBeUndefined();
  });

  it("refuses, before any mutating call, everything EC2 would refuse", async () => {
    const { sim, ec2, subnetId, primary } = world();
    const eni = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    const second = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    const third = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    sim.clearCalls();

    // t3.medium takes 3 ENIs: the primary plus two.
    expect((await eni.attachTo(primary.instanceId, wait)).isOk()).toBe(true);
    expect((await second.attachTo(primary.instanceId, { deviceIndex: 1, ...wait }))._unsafeUnwrapErr()).toMatchObject({
      name: "ValidationError",
      field: "deviceIndex",
    });
    expect((await second.attachTo(primary.instanceId, wait)).isOk()).toBe(true);
    const full = await third.attachTo(primary.instanceId, wait);
    expect(full._unsafeUnwrapErr()).toMatchObject({
      name: "AttachmentLimitError",
      instanceType: "t3.medium",
      limit: 3,
      inUse: 3,
    });

    // The primary ENI cannot be detached; an attached ENI is not deleted by accident.
    expect((await Eni.get(ec2, primary.primaryEniId).detach(wait))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "primary",
    });
    expect((await Eni.get(ec2, eni.id).delete(wait))._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError" });

    const attaches = sim.calls.filter((call) => call.action === "AttachNetworkInterface");
    expect(attaches.map((call) => call.outcome)).toEqual(["ok", "ok"]);
    expect(
      sim.calls.filter((call) => call.action === "DetachNetworkInterface" || call.action === "DeleteNetworkInterface"),
    ).toEqual([]);

    // And with detachFirst it is cleaned up.
    expect((await Eni.get(ec2, eni.id).delete({ detachFirst: true, ...wait })).isOk()).toBe(true);
    expect(sim.networkInterface(eni.id)).toBeUndefined();
  });
});
