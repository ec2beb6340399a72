import type {
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  DescribeInstanceTypesCommandInput,
  DescribeInstanceTypesCommandOutput,
  Instance,
  InstanceStateChange,
  InstanceStateName,
  InstanceTypeInfo,
  Reservation,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  StartInstancesCommandInput,
  StartInstancesCommandOutput,
  StopInstancesCommandInput,
  StopInstancesCommandOutput,
  TerminateInstancesCommandInput,
  TerminateInstancesCommandOutput,
} from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue, malformed, missingParameter } from "../errors.js";
import { applyFilters, paginate } from "../filters.js";
import { isWellFormedId, OWNER_ID } from "../ids.js";
import { INSTANCE_TYPES } from "../instance-types.js";
import { instanceOutput, instanceState } from "../outputs.js";
import { type InstanceState, tagsFromSpecs, type World } from "../world.js";
import { describe, exactIds, STANDARD_PAGING, tagMap } from "./describe.js";
import type { Output } from "./types.js";

const RUN_TAGGABLE = ["instance", "network-interface", "volume"];

/** RunInstances into a subnet: `MaxCount` instances, `pending` for `startMs`, then `running`. */
export function runInstances(world: World, input: RunInstancesCommandInput): Output<RunInstancesCommandOutput> {
  return world.idempotent("RunInstances", input, () => {
    const imageId = input.ImageId;
    if (imageId === undefined) throw missingParameter("ImageId");
    if (!isWellFormedId(imageId, "ami")) throw malformed("ami", imageId);
    const { MinCount: min, MaxCount: max } = input;
    if (min === undefined) throw missingParameter("MinCount");
    if (max === undefined) throw missingParameter("MaxCount");
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw invalidValue(`Invalid values for MinCount (${min}) and MaxCount (${max}).`);
    }
    if (input.SubnetId === undefined) {
      // The simulated region has no default VPC, as after deleting it on EC2.
      throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
    }
    const subnet = world.subnet(input.SubnetId);
    const type = input.InstanceType ?? "m1.small";
    world.limits(type);
    const groupIds = world.resolveGroups(subnet, input.SecurityGroupIds);
    const tags = tagsFromSpecs(input.TagSpecifications, "instance", RUN_TAGGABLE);
    const eniTags = tagsFromSpecs(input.TagSpecifications, "network-interface", RUN_TAGGABLE);
    if (input.PrivateIpAddress !== undefined && max > 1) {
      throw new Ec2Error(
        "InvalidParameterCombination",
        "Cannot specify a private IP address when launching more than one instance.",
      );
    }
    world.dryRun(input);
    const reservationId = world.ids.id("r");
    const instances = Array.from({ length: max }, () =>
      world.launchInstance({
        subnet,
        type,
        imageId,
        reservationId,
        groupIds,
        privateIp: input.PrivateIpAddress,
        state: "pending",
        tags: new Map(tags),
        eniTags: new Map(eniTags),
      }),
    );
    return {
      ReservationId: reservationId,
      OwnerId: OWNER_ID,
      Groups: [],
      Instances: instances.map((i) => instanceOutput(world, i)),
    };
  });
}

function named(world: World, ids: string[] | undefined): InstanceState[] {
  if (ids === undefined || ids.length === 0) throw missingParameter("InstanceId");
  return world.many(world.instances, "i", ids);
}

function refuseUnless(instances: InstanceState[], allowed: readonly InstanceStateName[], verb: string): void {
  const stuck = instances.find((instance) => !allowed.includes(instance.state));
  if (stuck) {
    throw new Ec2Error(
      "IncorrectInstanceState",
      `This instance '${stuck.id}' is not in a state from which it can be ${verb}.`,
    );
  }
}

function changeStates(instances: InstanceState[], transition: (i: InstanceState) => void): InstanceStateChange[] {
  return instances.map((instance) => {
    const previous = instance.state;
    transition(instance);
    return {
      InstanceId: instance.id,
      PreviousState: instanceState(previous),
      CurrentState: instanceState(instance.state),
    };
  });
}

/** TerminateInstances: `shutting-down` for `terminateMs`, then `terminated` and its ENIs released. */
export function terminateInstances(
  world: World,
  input: TerminateInstancesCommandInput,
): Output<TerminateInstancesCommandOutput> {
  const instances = named(world, input.InstanceIds);
  world.dryRun(input);
  const TerminatingInstances = changeStates(instances, (instance) => {
    if (instance.state !== "shutting-down" && instance.state !== "terminated") {
      world.beginInstanceTransition(instance, "shutting-down");
    }
  });
  return { TerminatingInstances };
}

/** StopInstances: `stopping` for `stopMs`, then `stopped`; attachments stay. */
export function stopInstances(world: World, input: StopInstancesCommandInput): Output<StopInstancesCommandOutput> {
  const instances = named(world, input.InstanceIds);
  refuseUnless(instances, ["pending", "running", "stopping", "stopped"], "stopped");
  world.dryRun(input);
  const StoppingInstances = changeStates(instances, (instance) => {
    if (instance.state === "pending" || instance.state === "running") {
      world.beginInstanceTransition(instance, "stopping");
    }
  });
  return { StoppingInstances };
}

/** StartInstances: a stopped instance is `pending` for `startMs`, then `running`. */
export function startInstances(world: World, input: StartInstancesCommandInput): Output<StartInstancesCommandOutput> {
  const instances = named(world, input.InstanceIds);
  refuseUnless(instances, ["pending", "running", "stopped"], "started");
  world.dryRun(input);
  const StartingInstances = changeStates(instances, (instance) => {
    if (instance.state === "stopped") world.beginInstanceTransition(instance, "pending");
  });
  return { StartingInstances };
}

/**
 * DescribeInstances: instances grouped in their reservations, with EC2's filters and paging;
 * with stale reads, each instance may be answered as it was a moment ago.
 */
export function describeInstances(
  world: World,
  input: DescribeInstancesCommandInput,
): Output<DescribeInstancesCommandOutput> {
  const read = (instance: InstanceState) => world.readInstance(instance.id, instanceOutput(world, instance));
  const reservationOf = (instance: Instance) => world.instances.get(instance.InstanceId ?? "")?.reservationId ?? "";
  const { page, nextToken } = describe<Instance>(world, {
    all: () => {
      const ids = exactIds(input.Filters, "instance-id") ?? world.instances.keys();
      return [...ids].flatMap((id) => {
        const instance = world.instances.get(id);
        return instance ? [read(instance)] : [];
      });
    },
    ids: input.InstanceIds,
    lookup: (ids) => world.many(world.instances, "i", ids).map(read),
    idsParam: "instancesSet",
    filters: input.Filters,
    // Read from the answer itself, so that filters match the version a stale read answers.
    spec: {
      "instance-id": (i) => i.InstanceId,
      "instance-state-name": (i) => i.State?.Name,
      "instance-state-code": (i) => i.State?.Code,
      "instance-type": (i) => i.InstanceType,
      "subnet-id": (i) => i.SubnetId,
      "vpc-id": (i) => i.VpcId,
      "availability-zone": (i) => i.Placement?.AvailabilityZone,
      "image-id": (i) => i.ImageId,
      "reservation-id": reservationOf,
      "private-ip-address": (i) => i.PrivateIpAddress,
      "network-interface.network-interface-id": (i) => i.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
      "network-interface.attachment.attachment-id": (i) => i.NetworkInterfaces?.map((n) => n.Attachment?.AttachmentId),
    },
    tagsOf: (i) => tagMap(i.Tags),
    input,
    paging: STANDARD_PAGING,
  });
  const reservations = new Map<string, Reservation>();
  for (const instance of page) {
    const reservationId = reservationOf(instance);
    const reservation = reservations.get(reservationId) ?? {
      ReservationId: reservationId,
      OwnerId: OWNER_ID,
      Groups: [],
      Instances: [],
    };
    reservation.Instances?.push(instance);
    reservations.set(reservationId, reservation);
  }
  return { Reservations: [...reservations.values()], NextToken: nextToken };
}

function typeInfo(name: string): InstanceTypeInfo {
  const limits = INSTANCE_TYPES[name];
  return {
    InstanceType: name as InstanceTypeInfo["InstanceType"],
    NetworkInfo: limits && {
      MaximumNetworkInterfaces: limits.maxInterfaces,
      Ipv4AddressesPerInterface: limits.ipv4PerInterface,
      Ipv6AddressesPerInterface: limits.ipv6PerInterface,
      Ipv6Supported: limits.ipv6PerInterface > 0,
      MaximumNetworkCards: limits.cards.length,
      DefaultNetworkCardIndex: 0,
      NetworkCards: limits.cards.map((max, index) => ({
        NetworkCardIndex: index,
        MaximumNetworkInterfaces: max,
      })),
      EfaSupported: limits.efa,
      EnaSupport: "required",
    },
  };
}

/** DescribeInstanceTypes for the types the simulator knows (MaxResults 5 to 100). */
export function describeInstanceTypes(
  world: World,
  input: DescribeInstanceTypesCommandInput,
): Output<DescribeInstanceTypesCommandOutput> {
  const known = Object.keys(INSTANCE_TYPES);
  const named = input.InstanceTypes ?? [];
  const unknown = named.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Ec2Error(
      "InvalidInstanceType",
      `The following supplied instance types do not exist: [${unknown.join(", ")}]`,
    );
  }
  const infos = (named.length > 0 ? named : known).map(typeInfo);
  const matching = applyFilters(infos, input.Filters, {
    "instance-type": (t) => t.InstanceType,
    "network-info.maximum-network-interfaces": (t) => t.NetworkInfo?.MaximumNetworkInterfaces,
    "network-info.maximum-network-cards": (t) => t.NetworkInfo?.MaximumNetworkCards,
    "network-info.efa-supported": (t) => t.NetworkInfo?.EfaSupported,
  });
  // Permissive mode, as moto, does not page.
  const { page, nextToken } = world.config.permissive
    ? { page: matching, nextToken: undefined }
    : paginate(matching, input, { min: 5, max: 100 });
  world.dryRun(input);
  return { InstanceTypes: page, NextToken: nextToken };
}
