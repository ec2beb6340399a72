import { CreateTagsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { Eni, OWNERSHIP_TAGS, checkPermissions } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { wait } from "./world.js";

// Quick transitions and polls: the story is the same as on EC2, only shorter.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function world() {
  const sim = new Ec2Simulator({ timings: { createMs: 10, attachMs: 20, detachMs: 20 } });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/24" });
  const primary = sim.addInstance({ subnetId, instanceType: "t3.medium" });
  const standby = sim.addInstance({ subnetId, instanceType: "t3.medium" });
  const { allocationId } = sim.addAddress();
  return { sim, ec2: sim.client(), subnetId, primary, standby, allocationId };
}

describe("safety for the people running failover (on the simulator)", () => {
  it("checkPermissions finds the one denied action of a failover, and changes nothing", async () => {
    const { sim, ec2, subnetId, primary, standby, allocationId } = world();
    const eni = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(primary.instanceId, wait))._unsafeUnwrap();
    sim.denyActions(["AttachNetworkInterface"]);
    sim.clearCalls();
    const plan = {
      eniId: eni.id,
      expectedFrom: primary.instanceId,
      to: standby.instanceId,
      allocationId,
    };

    const report = (await checkPermissions(ec2, plan))._unsafeUnwrap();

    expect(report.allAllowed).toBe(false);
    expect(report.denied).toEqual(["AttachNetworkInterface"]);
    expect(report.unknown).toEqual([]);
    expect(report.checks.filter((check) => check.allowed === true).map((check) => check.action)).toEqual([
      "DescribeNetworkInterfaces",
      "DescribeInstances",
      "DescribeInstanceTypes",
      "DetachNetworkInterface",
      "ModifyNetworkInterfaceAttribute",
      "DescribeAddresses",
      "AssociateAddress",
    ]);
    expect(report.checks.find((check) => check.action === "AttachNetworkInterface")?.error).toMatchObject({
      name: "AccessDeniedError",
      code: "UnauthorizedOperation",
    });
    // The detach was tried on the ENI's real attachment, read first with one plain describe.
    expect(report.attachment).toEqual({ id: eni.attachment?.id, instanceId: primary.instanceId });
    const [read, ...dryRuns] = sim.calls;
    expect(read).toMatchObject({ action: "DescribeNetworkInterfaces", outcome: "ok" });
    expect(read?.input["DryRun"]).toBeUndefined();
    expect(dryRuns).toHaveLength(8);
    expect(dryRuns.every((call) => call.input["DryRun"] === true)).toBe(true);
    expect(dryRuns.find((call) => call.action === "DetachNetworkInterface")?.input["AttachmentId"]).toBe(
      eni.attachment?.id,
    );
    expect(dryRuns.map((call) => call.outcome).sort()).toEqual([
      ...Array<string>(7).fill("DryRunOperation"),
      "UnauthorizedOperation",
    ]);
    // Nothing moved.
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(primary.instanceId);
    expect(sim.address(allocationId)?.NetworkInterfaceId).toBeUndefined();

    // Once the policy is fixed, everything is allowed.
    sim.allowActions(["AttachNetworkInterface"]);
    expect((await checkPermissions(ec2, plan))._unsafeUnwrap().allAllowed).toBe(true);
  });

  it("checkPermissions tells a team about a wrong id, not only about a missing permission", async () => {
    const { ec2, subnetId, primary } = world();
    const eni = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();

    const report = (
      await checkPermissions(ec2, {
        eniId: eni.id,
        expectedFrom: primary.instanceId,
        to: "i-0123456789abcdef0",
        also: ["CreateNetworkInterface", "DeleteNetworkInterface"],
      })
    )._unsafeUnwrap();

    expect(report.allAllowed).toBe(false);
    expect(report.denied).toEqual([]);
    // The unknown instance, and the detach of an ENI that is not attached (placeholder attachment id).
    expect(report.unknown).toEqual(["DescribeInstances", "DetachNetworkInterface", "AttachNetworkInterface"]);
    expect(report.checks.find((check) => check.action === "AttachNetworkInterface")?.error).toMatchObject({
      name: "NotFoundError",
      resourceType: "instance",
    });
    expect(report.checks.find((check) => check.action === "DetachNetworkInterface")?.message).toContain("placeholder");
    expect(report.checks.filter((check) => check.allowed === true).map((check) => check.action)).toEqual([
      "DescribeNetworkInterfaces",
      "DescribeInstanceTypes",
      "ModifyNetworkInterfaceAttribute",
      "CreateNetworkInterface",
      "DeleteNetworkInterface",
    ]);
    expect((await Eni.get(ec2, eni.id))._unsafeUnwrap().status).toBe("available");
  });

  it("ENIs made by Eni.create carry the ownership tags, sent in the create call itself", async () => {
    const { sim, ec2, subnetId } = world();
    sim.clearCalls();
    const before = Date.now();

    const eni = (
      await Eni.create(ec2, { subnetId, name: "db-floating", tags: { team: "db" }, ...wait })
    )._unsafeUnwrap();

    expect(eni.tags).toMatchObject({ Name: "db-floating", team: "db", [OWNERSHIP_TAGS.managedBy]: "eni-kit" });
    const created = Date.parse(eni.tags[OWNERSHIP_TAGS.createdAt] ?? "");
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Date.now());
    expect(sim.calls.map((call) => call.action)).not.toContain("CreateTags");
    expect(sim.networkInterface(eni.id)?.TagSet).toEqual(
      expect.arrayContaining([{ Key: "eni-kit:managed-by", Value: "eni-kit" }]),
    );
  });

  it("findOrphans lists only owned ENIs seen free long enough; reapOrphans deletes them and skips one attached since", async () => {
    const { sim, ec2, subnetId, primary, standby } = world();
    const create = (options: { owner?: string | false } = {}) =>
      Eni.create(ec2, { subnetId, ...options, ...wait }).map((eni) => eni.id);
    const old = [(await create())._unsafeUnwrap(), (await create())._unsafeUnwrap(), (await create())._unsafeUnwrap()];
    const attached = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(primary.instanceId, wait))._unsafeUnwrap()
      .id;
    const notOwned = (await create({ owner: false }))._unsafeUnwrap();
    const otherOwner = (await create({ owner: "someone-else" }))._unsafeUnwrap();
    const undated = sim.addNetworkInterface({
      subnetId,
      tags: { [OWNERSHIP_TAGS.managedBy]: "eni-kit" },
    }).networkInterfaceId;
    // A first pass per owner sees them free (or attached) and only starts the count.
    expect((await Eni.findOrphans(ec2, { olderThan: 0.4 }))._unsafeUnwrap()).toEqual([]);
    expect((await Eni.findOrphans(ec2, { olderThan: 0.4, owner: "someone-else" }))._unsafeUnwrap()).toEqual([]);
    await sleep(600);
    const young = (await create())._unsafeUnwrap();
    sim.clearCalls();

    const orphans = (await Eni.findOrphans(ec2, { olderThan: 0.4 }))._unsafeUnwrap();

    // The creation time does not count: the undated ENI was seen free 600 ms ago too.
    expect(orphans.map((orphan) => orphan.id).sort()).toEqual([...old, undated].sort());
    // One listing, and the young ENI's count starts.
    expect(sim.calls.map((call) => call.action)).toEqual(["DescribeNetworkInterfaces", "CreateTags"]);
    expect(sim.calls[0]?.input["Filters"]).toEqual([{ Name: "tag:eni-kit:managed-by", Values: ["eni-kit"] }]);
    expect(sim.calls[1]?.input["Resources"]).toEqual([young]);
    expect(sim.networkInterface(attached)?.TagSet).toEqual(
      expect.arrayContaining([{ Key: OWNERSHIP_TAGS.attached, Value: expect.any(String) }]),
    );
    expect(
      (await Eni.findOrphans(ec2, { olderThan: 0.4, owner: "someone-else" }))
        ._unsafeUnwrap()
        .map((orphan) => orphan.id),
    ).toEqual([otherOwner]);

    // Between the listing and the reap, a controller takes one of them into service,
    // and another one's owner tag is changed by hand.
    const [first, takenIntoService, retagged] = old as [string, string, string];
    (await Eni.get(ec2, takenIntoService).attachTo(standby.instanceId, wait))._unsafeUnwrap();
    await ec2.send(
      new CreateTagsCommand({ Resources: [retagged], Tags: [{ Key: OWNERSHIP_TAGS.managedBy, Value: "kept" }] }),
    );
    sim.clearCalls();

    const report = (await Eni.reapOrphans(ec2, orphans))._unsafeUnwrap();

    expect([...report.deleted].sort()).toEqual([first, undated].sort());
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { id: takenIntoService, reason: `attached to ${standby.instanceId}` },
        { id: retagged, reason: "not tagged eni-kit:managed-by=eni-kit" },
      ]),
    );
    expect(report.skipped).toHaveLength(2);
    expect(report.failed).toEqual([]);
    const deletes = sim.calls
      .filter((call) => call.action === "DeleteNetworkInterface")
      .map((call) => call.input["NetworkInterfaceId"]);
    expect(deletes.sort()).toEqual([first, undated].sort());
    expect(sim.networkInterface(first)).toBeUndefined();
    expect(sim.networkInterface(takenIntoService)?.Attachment?.InstanceId).toBe(standby.instanceId);
    for (const survivor of [retagged, attached, notOwned, otherOwner, young])
      expect(sim.networkInterface(survivor)).toBeDefined();
  });

  it("reapOrphans reports a denied delete per ENI and goes on with the others", async () => {
    const { sim, ec2, subnetId } = world();
    const ids = [
      (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap().id,
      (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap().id,
    ] as const;
    // Seen free by a pass: reapable from now on (olderThan defaults to 0).
    expect((await Eni.findOrphans(ec2, { olderThan: 0 }))._unsafeUnwrap()).toEqual([]);
    sim.denyActions(["DeleteNetworkInterface"]);

    const denied = (await Eni.reapOrphans(ec2, [...ids]))._unsafeUnwrap();
    sim.allowActions(["DeleteNetworkInterface"]);
    const neverExisted = "eni-00000000000000000";
    const allowed = (await Eni.reapOrphans(ec2, [...ids, neverExisted]))._unsafeUnwrap();

    expect(denied.deleted).toEqual([]);
    expect(denied.failed.map(({ id, error }) => [id, error.name, error.code])).toEqual([
      [ids[0], "AccessDeniedError", "UnauthorizedOperation"],
      [ids[1], "AccessDeniedError", "UnauthorizedOperation"],
    ]);
    expect(allowed.deleted).toEqual([...ids]);
    expect(allowed.skipped).toEqual([{ id: neverExisted, reason: "already gone" }]);
  });
});
