import {
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeNetworkInterfacesCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { INSTANT, setup } from "./fixtures.js";

describe("CreateTags and DeleteTags", () => {
  it("tag every kind of resource, and filters see the tags", async () => {
    const { ec2, sim, subnetA, vpcId } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const { instanceId } = sim.addInstance({ subnetId: subnetA });
    const { groupId } = sim.addSecurityGroup({ vpcId });
    const { allocationId } = sim.addAddress();
    const resources = [networkInterfaceId, instanceId, groupId, allocationId, vpcId, subnetA];

    await ec2.send(
      new CreateTagsCommand({
        Resources: resources,
        Tags: [
          { Key: "team", Value: "db" },
          { Key: "Name", Value: "x" },
        ],
      }),
    );

    expect(sim.networkInterface(networkInterfaceId)?.TagSet).toEqual([
      { Key: "team", Value: "db" },
      { Key: "Name", Value: "x" },
    ]);
    expect(sim.instance(instanceId)?.Tags).toHaveLength(2);
    expect(sim.address(allocationId)?.Tags).toHaveLength(2);
    const found = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "tag:team", Values: ["db"] }] }),
    );
    expect(found.NetworkInterfaces?.map((e) => e.NetworkInterfaceId)).toEqual([networkInterfaceId]);
  });

  it("delete all tags, tags by key, or only tags whose value matches", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const tags = { a: "1", b: "2", c: "3" };
    const first = sim.addNetworkInterface({ subnetId: subnetA, tags }).networkInterfaceId;
    const second = sim.addNetworkInterface({ subnetId: subnetA, tags }).networkInterfaceId;

    await ec2.send(
      new DeleteTagsCommand({
        Resources: [first],
        Tags: [{ Key: "a" }, { Key: "b", Value: "wrong" }, { Key: "c", Value: "3" }],
      }),
    );
    await ec2.send(new DeleteTagsCommand({ Resources: [second] }));

    expect(sim.networkInterface(first)?.TagSet).toEqual([{ Key: "b", Value: "2" }]);
    expect(sim.networkInterface(second)?.TagSet).toEqual([]);
  });

  it("fail like EC2 on bad ids, bad keys, too many tags and DryRun", async () => {
    const { ec2, sim, subnetA } = setup(INSTANT);
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: subnetA });
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));

    const cases: [Promise<unknown>, string][] = [
      [
        ec2.send(new CreateTagsCommand({ Resources: ["eni-0123456789abcdef0"], Tags: [] })),
        "InvalidNetworkInterfaceID.NotFound",
      ],
      [ec2.send(new CreateTagsCommand({ Resources: ["ami-12345678"], Tags: [] })), "InvalidID"],
      [ec2.send(new CreateTagsCommand({ Resources: [], Tags: [] })), "MissingParameter"],
      [ec2.send(new CreateTagsCommand({ Resources: [networkInterfaceId] } as never)), "MissingParameter"],
      [
        ec2.send(new CreateTagsCommand({ Resources: [networkInterfaceId], Tags: [{ Key: "aws:x", Value: "v" }] })),
        "InvalidTagKey.Malformed",
      ],
      [
        ec2.send(
          new CreateTagsCommand({ Resources: [networkInterfaceId], Tags: [{ Key: "k", Value: "v".repeat(257) }] }),
        ),
        "InvalidParameterValue",
      ],
      [ec2.send(new CreateTagsCommand({ Resources: [networkInterfaceId], Tags: many })), "TagLimitExceeded"],
      [
        ec2.send(
          new CreateTagsCommand({ Resources: [networkInterfaceId], Tags: [{ Key: "k", Value: "v" }], DryRun: true }),
        ),
        "DryRunOperation",
      ],
      [ec2.send(new DeleteTagsCommand({ Resources: [] })), "MissingParameter"],
      [ec2.send(new DeleteTagsCommand({ Resources: [networkInterfaceId], DryRun: true })), "DryRunOperation"],
    ];
    for (const [sent, name] of cases) await expect(sent, name).rejects.toMatchObject({ name });
    expect(sim.networkInterface(networkInterfaceId)?.TagSet).toEqual([]);
  });

  it("refuse more than 50 tags in a TagSpecification", async () => {
    const { ec2, subnetA } = setup(INSTANT);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));

    await expect(
      ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: subnetA,
          TagSpecifications: [{ ResourceType: "network-interface", Tags: many }],
        }),
      ),
    ).rejects.toMatchObject({ name: "TagLimitExceeded" });
  });
});
