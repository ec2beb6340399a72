import {
  AssignPrivateIpAddressesCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DeleteTagsCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
  type Filter,
  type NetworkInterface,
  UnassignPrivateIpAddressesCommand,
} from "@aws-sdk/client-ec2";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";

afterEach(() => {
  vi.useRealTimers();
});

// The simulator answers a DescribeNetworkInterfaces filtered by subnet, VPC, AZ, instance,
// attachment, private IP or tag key from its indexes, and any other one by reading every ENI.
// These tests hold the indexed answers to the full reads: the same ENIs, in the same order, and,
// with stale reads, the same stale versions (an index must not make a read fresher).

/** What a filter reads from an answer: the reference the simulator's filters are held to. */
const READ: Record<string, (n: NetworkInterface) => (string | undefined)[]> = {
  "subnet-id": (n) => [n.SubnetId],
  "vpc-id": (n) => [n.VpcId],
  "availability-zone": (n) => [n.AvailabilityZone],
  "attachment.instance-id": (n) => [n.Attachment?.InstanceId],
  "attachment.attachment-id": (n) => [n.Attachment?.AttachmentId],
  "attachment.status": (n) => [n.Attachment?.Status],
  "private-ip-address": (n) => (n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress),
  "addresses.private-ip-address": (n) => (n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress),
  "tag:Name": (n) => [n.TagSet?.find((t) => t.Key === "Name")?.Value],
  "tag:team": (n) => [n.TagSet?.find((t) => t.Key === "team")?.Value],
  "tag-key": (n) => (n.TagSet ?? []).map((t) => t.Key),
  status: (n) => [n.Status],
};

function matches(eni: NetworkInterface, filters: readonly Filter[]): boolean {
  return filters.every((filter) => {
    const patterns = (filter.Values ?? []).map(
      (value) => new RegExp(`^${value.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`),
    );
    const read = READ[filter.Name ?? ""] ?? (() => []);
    return read(eni).some((value) => value !== undefined && patterns.some((p) => p.test(value)));
  });
}

/** Two simulators that live the same life: one answers filtered reads, the other full ones. */
function twins(options: Ec2SimulatorOptions) {
  const make = () => {
    const sim = new Ec2Simulator(options);
    const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
    const { vpcId: otherVpc } = sim.addVpc({ cidr: "10.1.0.0/16" });
    const subnets = [
      sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/28" }).subnetId,
      sim.addSubnet({ vpcId, availabilityZone: "us-east-1b", cidr: "10.0.2.0/28" }).subnetId,
      sim.addSubnet({ vpcId: otherVpc, availabilityZone: "us-east-1a", cidr: "10.1.1.0/28" }).subnetId,
    ];
    const instances = subnets.map((subnetId) => sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId);
    return { sim, ec2: sim.client({ maxAttempts: 1 }), vpcs: [vpcId, otherVpc], subnets, instances };
  };
  return [make(), make()] as const;
}

type World = ReturnType<typeof twins>[0];

/** One step of a world's life; every id is picked by position among those the world has. */
type Step =
  | { readonly kind: "create"; readonly subnet: number; readonly name: string; readonly team: string | undefined }
  | { readonly kind: "attach"; readonly eni: number; readonly instance: number; readonly device: number }
  | { readonly kind: "detach"; readonly eni: number }
  | { readonly kind: "delete"; readonly eni: number }
  | { readonly kind: "tag"; readonly eni: number; readonly key: string; readonly value: string }
  | { readonly kind: "untag"; readonly eni: number; readonly key: string }
  | { readonly kind: "assign"; readonly eni: number }
  | { readonly kind: "unassign"; readonly eni: number }
  | { readonly kind: "wait"; readonly ms: number };

const NAMES = ["db", "web", "cache"];
const name = fc.constantFrom(...NAMES);
// Few positions, so that steps keep coming back to the same ENIs.
const index = fc.nat({ max: 3 });
// Weighted towards creating and attaching, so that worlds hold a few ENIs in every phase.
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      subnet: fc.nat({ max: 2 }),
      name,
      team: fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("attach" as const),
      eni: index,
      instance: fc.nat({ max: 2 }),
      device: fc.nat({ max: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("detach" as const), eni: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), eni: index }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ kind: fc.constant("tag" as const), eni: index, key: fc.constant("Name"), value: name }),
      fc.record({
        kind: fc.constant("tag" as const),
        eni: index,
        key: fc.constant("team"),
        value: fc.constantFrom("a", "b"),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("untag" as const), eni: index, key: fc.constantFrom("Name", "team") }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("assign" as const), eni: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("unassign" as const), eni: index }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 1500 }) }) },
);

/** The ENIs a world has made (deleted ones too: requests about them fail alike in both twins). */
const made = new WeakMap<World, string[]>();

async function run(world: World, s: Exclude<Step, { kind: "wait" }>): Promise<void> {
  const enis = made.get(world) ?? [];
  made.set(world, enis);
  const eni = "eni" in s ? (enis[s.eni % Math.max(1, enis.length)] ?? "eni-00000000") : "";
  const { ec2, sim } = world;
  // Refusals (a taken device index, an ENI in use, one already gone) are part of the life.
  const quietly = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      () => undefined,
    );
  switch (s.kind) {
    case "create": {
      const tags = [{ Key: "Name", Value: s.name }, ...(s.team ? [{ Key: "team", Value: s.team }] : [])];
      const out = await ec2
        .send(
          new CreateNetworkInterfaceCommand({
            SubnetId: world.subnets[s.subnet],
            TagSpecifications: [{ ResourceType: "network-interface", Tags: tags }],
          }),
        )
        .catch(() => undefined);
      const id = out?.NetworkInterface?.NetworkInterfaceId;
      if (id) enis.push(id);
      return;
    }
    case "attach":
      return quietly(
        ec2.send(
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: eni,
            InstanceId: world.instances[s.instance],
            DeviceIndex: s.device + 1,
            NetworkCardIndex: 0,
          }),
        ),
      );
    case "detach": {
      const attachmentId = sim.networkInterface(eni)?.Attachment?.AttachmentId;
      return attachmentId === undefined
        ? undefined
        : quietly(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId })));
    }
    case "delete":
      return quietly(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni })));
    case "tag":
      return quietly(ec2.send(new CreateTagsCommand({ Resources: [eni], Tags: [{ Key: s.key, Value: s.value }] })));
    case "untag":
      return quietly(ec2.send(new DeleteTagsCommand({ Resources: [eni], Tags: [{ Key: s.key }] })));
    case "assign":
      return quietly(
        ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: eni, SecondaryPrivateIpAddressCount: 1 })),
      );
    case "unassign": {
      const secondary = sim.networkInterface(eni)?.PrivateIpAddresses?.find((p) => !p.Primary)?.PrivateIpAddress;
      return secondary === undefined
        ? undefined
        : quietly(
            ec2.send(
              new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: eni, PrivateIpAddresses: [secondary] }),
            ),
          );
    }
  }
}

/** Filters to ask about: each a name and values drawn from what the world has, exact or not. */
function filterArb(world: World, attachmentIds: readonly string[], ips: readonly string[]): fc.Arbitrary<Filter[]> {
  const pick = (values: readonly string[]) =>
    fc.uniqueArray(fc.constantFrom(...values, "nothing-like-it"), { minLength: 1, maxLength: 2 });
  const filter = fc.oneof(
    pick(world.subnets).map((Values) => ({ Name: "subnet-id", Values })),
    pick(world.vpcs).map((Values) => ({ Name: "vpc-id", Values })),
    pick(["us-east-1a", "us-east-1b"]).map((Values) => ({ Name: "availability-zone", Values })),
    pick(world.instances).map((Values) => ({ Name: "attachment.instance-id", Values })),
    pick(attachmentIds.length > 0 ? attachmentIds : ["eni-attach-00000000"]).map((Values) => ({
      Name: "attachment.attachment-id",
      Values,
    })),
    pick(ips.length > 0 ? ips : ["10.0.1.4"]).map((Values) => ({ Name: "private-ip-address", Values })),
    pick(ips.length > 0 ? ips : ["10.0.1.4"]).map((Values) => ({ Name: "addresses.private-ip-address", Values })),
    pick(NAMES).map((Values) => ({ Name: "tag:Name", Values })),
    pick(["a", "b"]).map((Values) => ({ Name: "tag:team", Values })),
    pick(["Name", "team"]).map((Values) => ({ Name: "tag-key", Values })),
    // Not indexed, or not exact: these read every ENI.
    pick(["available", "in-use", "pending"]).map((Values) => ({ Name: "status", Values })),
    pick(["attaching", "attached", "detaching"]).map((Values) => ({ Name: "attachment.status", Values })),
    fc.constant<Filter>({ Name: "tag:Name", Values: ["d*"] }),
    fc.constant<Filter>({ Name: "subnet-id", Values: ["subnet-*"] }),
  );
  return fc.array(filter, { minLength: 1, maxLength: 3 });
}

async function describeAll(ec2: EC2Client, filters?: Filter[]): Promise<NetworkInterface[]> {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand(filters ? { Filters: filters } : {}));
  return out.NetworkInterfaces ?? [];
}

const OPTIONS: Record<string, Ec2SimulatorOptions> = {
  consistent: {
    timings: { createMs: [0, 300], attachMs: [100, 1000], detachMs: [100, 1000] },
    consistencyDelayMs: 300,
  },
  stale: {
    timings: { createMs: [0, 300], attachMs: [100, 1000], detachMs: [100, 1000] },
    consistencyDelayMs: 300,
    staleReads: { windowMs: 2000, probability: 0.5 },
  },
};

describe.each(Object.entries(OPTIONS))("an indexed DescribeNetworkInterfaces, %s reads", (_, options) => {
  it("answers a filtered read as the full read, filtered, answers it", async () => {
    const seed = process.env["CI"] ? 20261130 : Date.now() % 2_147_483_647;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 10, maxLength: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.infiniteStream(fc.nat()),
        async (steps, simSeed, choices) => {
          vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
          try {
            const [indexed, full] = twins({ ...options, seed: simSeed });
            for (const s of steps) {
              if (s.kind === "wait") {
                vi.advanceTimersByTime(s.ms);
                continue;
              }
              await run(indexed, s);
              await run(full, s);
            }
            // Queries about what the world holds now, and about ids and addresses no longer held.
            const current = (await describeAll(full.ec2)).concat(await describeAll(indexed.ec2));
            const attachmentIds = current.flatMap((n) => n.Attachment?.AttachmentId ?? []);
            const ips = current.flatMap((n) => (n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress ?? ""));
            const queries = fc.sample(filterArb(indexed, attachmentIds, ips), {
              numRuns: 4,
              seed: choices.next().value as number,
            });
            for (const filters of queries) {
              const answer = await describeAll(indexed.ec2, filters);
              const reference = (await describeAll(full.ec2)).filter((n) => matches(n, filters));
              expect(answer, JSON.stringify(filters)).toEqual(reference);
            }
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { seed, numRuns: 15 },
    );
  }, 120_000);
});

describe("an indexed DescribeNetworkInterfaces with stale reads", () => {
  it("still lists, now and then, an ENI that just left the instance or lost the tag it filters on", async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    const [world] = twins({
      timings: { createMs: 0, attachMs: 0, detachMs: 0 },
      staleReads: { windowMs: 2000, probability: 0.5 },
    });
    const { ec2, sim } = world;
    const instanceId = world.instances[0] ?? "";
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId: world.subnets[0] ?? "", tags: { Name: "db" } });
    vi.advanceTimersByTime(10_000);
    const { AttachmentId } = await ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: networkInterfaceId,
        InstanceId: instanceId,
        DeviceIndex: 1,
      }),
    );
    vi.advanceTimersByTime(10_000);

    await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId }));
    await ec2.send(new DeleteTagsCommand({ Resources: [networkInterfaceId], Tags: [{ Key: "Name" }] }));
    vi.advanceTimersByTime(1);
    const byInstance: boolean[] = [];
    const byName: boolean[] = [];
    for (let i = 0; i < 30; i++) {
      const onInstance = await describeAll(ec2, [{ Name: "attachment.instance-id", Values: [instanceId] }]);
      byInstance.push(onInstance.some((n) => n.NetworkInterfaceId === networkInterfaceId));
      const named = await describeAll(ec2, [{ Name: "tag:Name", Values: ["db"] }]);
      byName.push(named.some((n) => n.NetworkInterfaceId === networkInterfaceId));
    }
    vi.advanceTimersByTime(2000);
    const later = await describeAll(ec2, [{ Name: "attachment.instance-id", Values: [instanceId] }]);

    expect(new Set(byInstance)).toEqual(new Set([true, false]));
    expect(new Set(byName)).toEqual(new Set([true, false]));
    expect(later.map((n) => n.NetworkInterfaceId)).not.toContain(networkInterfaceId);
  });
});
