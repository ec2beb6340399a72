import { describe, expect, it } from "vitest";
import { Eni } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { wait } from "./world.js";

// Quick transitions and polls: the story is the same as on EC2, only shorter.

function world() {
  const sim = new Ec2Simulator({ timings: { createMs: 20, attachMs: 30, detachMs: 40 } });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/24" });
  const db = sim.addSecurityGroup({ vpcId, name: "db" });
  const admin = sim.addSecurityGroup({ vpcId, name: "admin" });
  const primary = sim.addInstance({ subnetId, instanceType: "t3.medium" });
  const standby = sim.addInstance({ subnetId, instanceType: "t3.medium" });
  const a = sim.addNetworkInterface({ subnetId, securityGroupIds: [db.groupId] }).networkInterfaceId;
  const b = sim.addNetworkInterface({ subnetId, securityGroupIds: [db.groupId] }).networkInterfaceId;
  return { sim, ec2: sim.client(), subnetId, db: db.groupId, admin: admin.groupId, primary, standby, a, b };
}

const actions = (sim: Ec2Simulator) => sim.calls.map((call) => call.action);
// Each story makes a few dozen reads in a row; leave room for reads that are paced or batched.
const story = { timeout: 30_000 };

describe("secondary private IPs (on the simulator)", story, () => {
  it("assigns a count, then given addresses, and unassigns them; repeats send nothing", async () => {
    const { sim, ec2, a } = world();

    const two = (await Eni.get(ec2, a).assignPrivateIps(2, wait))._unsafeUnwrap();
    expect(two.secondaryPrivateIps).toHaveLength(2);
    expect(two.privateIpAddresses.filter((address) => !address.primary).map((address) => address.privateIp)).toEqual(
      two.secondaryPrivateIps,
    );
    expect(sim.networkInterface(a)?.PrivateIpAddresses).toHaveLength(3);

    const listed = (await two.assignPrivateIps(["10.0.1.200", "10.0.1.201"], wait))._unsafeUnwrap();
    expect(listed.secondaryPrivateIps).toEqual(
      expect.arrayContaining([...two.secondaryPrivateIps, "10.0.1.200", "10.0.1.201"]),
    );
    const assign = sim.calls.filter((call) => call.action === "AssignPrivateIpAddresses");
    expect(assign.map((call) => call.input)).toEqual([
      { NetworkInterfaceId: a, SecondaryPrivateIpAddressCount: 2 },
      { NetworkInterfaceId: a, PrivateIpAddresses: ["10.0.1.200", "10.0.1.201"], AllowReassignment: false },
    ]);

    sim.clearCalls();
    expect((await listed.assignPrivateIps(["10.0.1.200"], wait)).isOk()).toBe(true);
    // Nothing to do: no change sent, once reads agree across one maxDelay (a stale one may show an
    // older state): the first read and four more, 0.02 s apart over 0.05 s.
    expect(actions(sim)).toEqual(Array(5).fill("DescribeNetworkInterfaces"));

    const fewer = (await listed.unassignPrivateIps(["10.0.1.200", "10.0.1.201"], wait))._unsafeUnwrap();
    expect(fewer.secondaryPrivateIps).toEqual(two.secondaryPrivateIps);
    expect(sim.networkInterface(a)?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).not.toContain("10.0.1.200");

    sim.clearCalls();
    expect((await fewer.unassignPrivateIps([fewer.privateIp], wait))._unsafeUnwrapErr()).toMatchObject({
      name: "ValidationError",
      field: "addresses[0]",
    });
    expect(sim.calls).toEqual([]);
  });

  it("moves a secondary IP from ENI A to ENI B only with allowReassignment", async () => {
    const { sim, ec2, a, b } = world();
    const eniA = (await Eni.get(ec2, a).assignPrivateIps(["10.0.1.150"], wait))._unsafeUnwrap();
    const eniB = (await Eni.get(ec2, b))._unsafeUnwrap();
    sim.clearCalls();

    const refused = await eniB.assignPrivateIps(["10.0.1.150"], wait);
    expect(refused._unsafeUnwrapErr()).toMatchObject({ name: "ConflictError", expected: "unassigned", actual: a });
    expect(actions(sim)).not.toContain("AssignPrivateIpAddresses");

    // Another ENI's primary address can never move.
    const primaryOfA = await eniB.assignPrivateIps([eniA.privateIp], { allowReassignment: true, ...wait });
    expect(primaryOfA._unsafeUnwrapErr()).toMatchObject({ name: "InvalidStateError", state: "primary", resourceId: a });
    expect(actions(sim)).not.toContain("AssignPrivateIpAddresses");

    const moved = (await eniB.assignPrivateIps(["10.0.1.150"], { allowReassignment: true, ...wait }))._unsafeUnwrap();
    expect(moved.secondaryPrivateIps).toEqual(["10.0.1.150"]);
    expect(sim.networkInterface(a)?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).toEqual([eniA.privateIp]);
    expect((await eniA.refresh())._unsafeUnwrap().secondaryPrivateIps).toEqual([]);
  });
});

describe("Elastic IPs (on the simulator)", story, () => {
  it("associates, refuses a steal unless allowed, steals, and disassociates", async () => {
    const { sim, ec2, a, b } = world();
    const eip = sim.addAddress();
    const other = sim.addAddress();

    const onA = (await Eni.get(ec2, a).associateAddress(eip.allocationId, wait))._unsafeUnwrap();
    const primaryA = onA.privateIpAddresses.find((address) => address.primary);
    expect(primaryA).toMatchObject({
      privateIp: onA.privateIp,
      publicIp: eip.publicIp,
      allocationId: eip.allocationId,
      associationId: expect.stringMatching(/^eipassoc-/),
    });
    expect(onA.publicIp).toBe(eip.publicIp);
    expect(sim.address(eip.allocationId)).toMatchObject({ NetworkInterfaceId: a, PrivateIpAddress: onA.privateIp });

    // Associating it again where it is: nothing to send.
    sim.clearCalls();
    expect((await onA.associateAddress(eip.allocationId, wait)).isOk()).toBe(true);
    expect(actions(sim)).not.toContain("AssociateAddress");

    // One Elastic IP per private IP: a second one on A's primary is refused without allowReassociation.
    const occupied = await onA.associateAddress(other.allocationId, wait);
    expect(occupied._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: "unassociated",
      actual: eip.allocationId,
    });

    // B wants A's Elastic IP: refused, before any AssociateAddress, unless it is an explicit steal.
    const eniB = (await Eni.get(ec2, b))._unsafeUnwrap();
    const refused = await eniB.associateAddress(eip.allocationId, wait);
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      name: "ConflictError",
      expected: "unassociated",
      actual: `${a}/${onA.privateIp}`,
    });
    expect(actions(sim)).not.toContain("AssociateAddress");

    const stolen = (
      await eniB.associateAddress(eip.allocationId, { allowReassociation: true, ...wait })
    )._unsafeUnwrap();
    expect(stolen.publicIp).toBe(eip.publicIp);
    expect(sim.address(eip.allocationId)).toMatchObject({ NetworkInterfaceId: b, PrivateIpAddress: eniB.privateIp });
    expect(
      (await onA.refresh())._unsafeUnwrap().privateIpAddresses.every((address) => address.allocationId === undefined),
    ).toBe(true);

    // On a secondary IP, chosen explicitly.
    const withSecondary = (
      await Eni.get(ec2, a)
        .assignPrivateIps(["10.0.1.160"], wait)
        .associateAddress(other.allocationId, { privateIp: "10.0.1.160", ...wait })
    )._unsafeUnwrap();
    expect(withSecondary.privateIpAddresses.find((address) => address.privateIp === "10.0.1.160")).toMatchObject({
      publicIp: other.publicIp,
      allocationId: other.allocationId,
    });
    expect(withSecondary.publicIp).toBeUndefined();

    // A private IP the ENI does not have is refused, with no AssociateAddress.
    sim.clearCalls();
    expect(
      (
        await withSecondary.associateAddress(eip.allocationId, {
          privateIp: "10.0.1.99",
          allowReassociation: true,
          ...wait,
        })
      )._unsafeUnwrapErr(),
    ).toMatchObject({ name: "ValidationError", field: "privateIp" });
    expect(actions(sim)).not.toContain("AssociateAddress");

    // Disassociate by allocation id, then by public IP, then the primary's (none left: no call).
    const offSecondary = (await withSecondary.disassociateAddress(other.allocationId, wait))._unsafeUnwrap();
    expect(offSecondary.privateIpAddresses.every((address) => address.allocationId === undefined)).toBe(true);
    expect(sim.address(other.allocationId)?.AssociationId).toBeUndefined();
    const offB = (await stolen.disassociateAddress(eip.publicIp, wait))._unsafeUnwrap();
    expect(offB.publicIp).toBeUndefined();
    sim.clearCalls();
    expect((await offB.disassociateAddress(undefined, wait)).isOk()).toBe(true);
    expect(actions(sim)).toEqual(Array(5).fill("DescribeNetworkInterfaces"));
  });

  it("an Elastic IP on the ENI follows it from one instance to another", async () => {
    const { sim, ec2, a, primary, standby } = world();
    const eip = sim.addAddress();

    const attached = (
      await Eni.get(ec2, a).associateAddress(eip.allocationId, wait).attachTo(primary.instanceId, wait)
    )._unsafeUnwrap();
    expect(sim.address(eip.allocationId)).toMatchObject({ NetworkInterfaceId: a, InstanceId: primary.instanceId });
    sim.clearCalls();

    const moved = (await attached.detach(wait).attachTo(standby.instanceId, wait))._unsafeUnwrap();

    expect(moved.attachment?.instanceId).toBe(standby.instanceId);
    expect(moved.publicIp).toBe(eip.publicIp);
    expect(sim.address(eip.allocationId)).toMatchObject({
      NetworkInterfaceId: a,
      InstanceId: standby.instanceId,
      PrivateIpAddress: moved.privateIp,
    });
    // The association is the ENI's: the move needed no address call.
    expect(actions(sim).filter((action) => action.includes("Address"))).toEqual([]);
  });
});

describe("attributes (on the simulator)", story, () => {
  it("sets groups, source/dest check, description, DeleteOnTermination and tags, and reads them back", async () => {
    const { sim, ec2, a, db, admin, primary } = world();

    const set = (
      await Eni.get(ec2, a)
        .setSecurityGroups([db, admin], wait)
        .setSourceDestCheck(false, wait)
        .setDescription("nat appliance", wait)
        .setTags({ team: "net", role: "nat" }, wait)
        .removeTags(["role"], wait)
        .attachTo(primary.instanceId, wait)
        .setDeleteOnTermination(true, wait)
    )._unsafeUnwrap();

    expect(set).toMatchObject({
      securityGroups: [
        { id: db, name: "db" },
        { id: admin, name: "admin" },
      ],
      sourceDestCheck: false,
      description: "nat appliance",
      tags: { team: "net" },
      attachment: { instanceId: primary.instanceId, deleteOnTermination: true },
    });
    expect(set.tags).not.toHaveProperty("role");
    expect(sim.networkInterface(a)).toMatchObject({
      SourceDestCheck: false,
      Description: "nat appliance",
      Attachment: { DeleteOnTermination: true },
    });

    // Already so: each setter reads, and sends nothing.
    sim.clearCalls();
    const same = await set
      .setSecurityGroups([admin, db], wait)
      .setSourceDestCheck(false, wait)
      .setDescription("nat appliance", wait)
      .setTags({ team: "net" }, wait)
      .removeTags(["role"], wait)
      .setDeleteOnTermination(true, wait);
    expect(same.isOk()).toBe(true);
    expect(new Set(actions(sim))).toEqual(new Set(["DescribeNetworkInterfaces"]));
  });

  it("refuses DeleteOnTermination on a detached ENI and changes to a requester-managed one, but tags it", async () => {
    const { sim, ec2, subnetId, a } = world();
    const managed = sim.addNetworkInterface({
      subnetId,
      requesterManaged: true,
      requesterId: "amazon-elb",
    }).networkInterfaceId;
    sim.clearCalls();

    expect((await Eni.get(ec2, a).setDeleteOnTermination(true, wait))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "available",
    });
    expect((await Eni.get(ec2, managed).setSourceDestCheck(false, wait))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "requester-managed",
    });
    expect((await Eni.get(ec2, managed).assignPrivateIps(1, wait))._unsafeUnwrapErr()).toMatchObject({
      name: "InvalidStateError",
      state: "requester-managed",
    });
    expect(actions(sim).filter((action) => action !== "DescribeNetworkInterfaces")).toEqual([]);

    const tagged = (await Eni.get(ec2, managed).setTags({ "cost-center": "42" }, wait))._unsafeUnwrap();
    expect(tagged.tags).toEqual({ "cost-center": "42" });
  });
});
