import type {
  Address,
  AttachmentStatus,
  AvailabilityZone,
  GroupIdentifier,
  Instance,
  InstanceStateName,
  InternetGateway,
  NetworkInterface,
  NetworkInterfaceIpv6Address,
  NetworkInterfaceAssociation,
  NetworkInterfaceStatus,
  SecurityGroup,
  Subnet,
  Tag,
  Vpc,
} from "@aws-sdk/client-ec2";
import { OWNER_ID } from "./ids.js";
import type {
  AddressState,
  EniState,
  GatewayState,
  GroupState,
  InstanceState,
  SubnetState,
  Tags,
  VpcState,
  World,
} from "./world.js";

// Builders of the SDK's deserialized shapes: PascalCase fields, Date timestamps,
// empty lists where EC2 sends empty sets.

/**
 * Drops `undefined` fields recursively: the SDK's deserializer only sets the fields
 * EC2 sent, so `"Attachment" in eni` must be false for an unattached ENI.
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, compact(v)])) as T;
}

/** Tags as EC2's `TagSet` / `Tags` lists. */
export function tagList(tags: Tags): Tag[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** EC2's `{ Code, Name }` for an instance state. */
export function instanceState(name: InstanceStateName): { Code: number; Name: InstanceStateName } {
  return { Code: STATE_CODES[name], Name: name };
}

function groupIdentifiers(world: World, groupIds: readonly string[]): GroupIdentifier[] {
  return groupIds.map((id) => ({ GroupId: id, GroupName: world.groups.get(id)?.name }));
}

function association(world: World, eni: EniState, privateIp: string): NetworkInterfaceAssociation | undefined {
  const address = [...world.addresses.values()].find(
    (a) => a.association?.eniId === eni.id && a.association.privateIp === privateIp,
  );
  if (!address?.association) return undefined;
  return {
    AllocationId: address.allocationId,
    AssociationId: address.association.id,
    IpOwnerId: OWNER_ID,
    PublicDnsName: `ec2-${address.publicIp.replaceAll(".", "-")}.compute-1.amazonaws.com`,
    PublicIp: address.publicIp,
  };
}

/** An ENI as DescribeNetworkInterfaces returns it. */
export function networkInterfaceOutput(world: World, eni: EniState): NetworkInterface {
  const primary = eni.ips.find((ip) => ip.primary)?.address ?? "";
  const a = eni.attachment;
  const instance = a?.instanceId === undefined ? undefined : world.instances.get(a.instanceId);
  return {
    Association: association(world, eni, primary),
    Attachment: a && {
      AttachTime: new Date(a.attachTime),
      AttachmentId: a.id,
      DeleteOnTermination: a.deleteOnTermination,
      DeviceIndex: a.deviceIndex,
      NetworkCardIndex: a.cardIndex,
      InstanceId: instance?.id,
      // A service's own attachment names the service (`amazon-elb`) as the instance owner.
      InstanceOwnerId: a.instanceId === undefined ? eni.requesterId : OWNER_ID,
      Status: a.status,
    },
    AvailabilityZone: eni.az,
    Description: eni.description,
    Groups: groupIdentifiers(world, eni.groupIds),
    InterfaceType: eni.interfaceType,
    Ipv6Addresses: ipv6Addresses(eni),
    MacAddress: eni.mac,
    NetworkInterfaceId: eni.id,
    OwnerId: OWNER_ID,
    PrivateDnsName: privateDnsName(primary),
    PrivateIpAddress: primary,
    PrivateIpAddresses: eni.ips.map((ip) => ({
      Association: association(world, eni, ip.address),
      Primary: ip.primary,
      PrivateDnsName: privateDnsName(ip.address),
      PrivateIpAddress: ip.address,
    })),
    RequesterId: eni.requesterId,
    RequesterManaged: eni.requesterId !== undefined,
    SourceDestCheck: eni.sourceDestCheck,
    // EC2 reports `pending` right after create although the SDK's enum omits it.
    Status: world.eniStatus(eni) as NetworkInterfaceStatus,
    SubnetId: eni.subnetId,
    TagSet: tagList(eni.tags),
    VpcId: eni.vpcId,
  };
}

function ipv6Addresses(eni: EniState): NetworkInterfaceIpv6Address[] {
  return eni.ipv6.map((address) => ({ Ipv6Address: address, IsPrimaryIpv6: false }));
}

function privateDnsName(ip: string): string {
  return `ip-${ip.replaceAll(".", "-")}.ec2.internal`;
}

/** An instance as DescribeInstances returns it. */
export function instanceOutput(world: World, instance: InstanceState): Instance {
  const enis = world.attachedTo(instance.id);
  const gone = instance.state === "terminated";
  const primaryEni = world.enis.get(instance.primaryEniId);
  return {
    AmiLaunchIndex: 0,
    Architecture: "x86_64",
    ImageId: instance.imageId,
    InstanceId: instance.id,
    InstanceType: instance.type as Instance["InstanceType"],
    LaunchTime: new Date(instance.launchTime),
    NetworkInterfaces: enis.map((eni) => {
      const full = networkInterfaceOutput(world, eni);
      return {
        Association: full.Association,
        Attachment: full.Attachment && {
          AttachTime: full.Attachment.AttachTime,
          AttachmentId: full.Attachment.AttachmentId,
          DeleteOnTermination: full.Attachment.DeleteOnTermination,
          DeviceIndex: full.Attachment.DeviceIndex,
          NetworkCardIndex: full.Attachment.NetworkCardIndex,
          Status: full.Attachment.Status,
        },
        Description: full.Description,
        Groups: full.Groups,
        InterfaceType: full.InterfaceType,
        Ipv6Addresses: ipv6Addresses(eni),
        MacAddress: full.MacAddress,
        NetworkInterfaceId: full.NetworkInterfaceId,
        OwnerId: OWNER_ID,
        PrivateIpAddress: full.PrivateIpAddress,
        PrivateIpAddresses: full.PrivateIpAddresses,
        SourceDestCheck: full.SourceDestCheck,
        Status: full.Status,
        SubnetId: full.SubnetId,
        VpcId: full.VpcId,
      };
    }),
    Placement: { AvailabilityZone: instance.az, GroupName: "", Tenancy: "default" },
    PrivateDnsName: gone ? "" : privateDnsName(instance.privateIp),
    PrivateIpAddress: gone ? undefined : instance.privateIp,
    PublicIpAddress: primaryEni && association(world, primaryEni, instance.privateIp)?.PublicIp,
    RootDeviceName: "/dev/xvda",
    RootDeviceType: "ebs",
    SecurityGroups: gone ? [] : groupIdentifiers(world, instance.groupIds),
    SourceDestCheck: true,
    State: instanceState(instance.state),
    StateTransitionReason: "",
    SubnetId: gone ? undefined : instance.subnetId,
    Tags: tagList(instance.tags),
    VpcId: gone ? undefined : instance.vpcId,
  };
}

/** An Elastic IP as DescribeAddresses returns it. */
export function addressOutput(world: World, address: AddressState): Address {
  const a = address.association;
  const eni = a ? world.enis.get(a.eniId) : undefined;
  return {
    AllocationId: address.allocationId,
    AssociationId: a?.id,
    Domain: "vpc",
    InstanceId: eni?.attachment?.instanceId,
    NetworkBorderGroup: world.config.region,
    NetworkInterfaceId: a?.eniId,
    NetworkInterfaceOwnerId: a && OWNER_ID,
    PrivateIpAddress: a?.privateIp,
    PublicIp: address.publicIp,
    PublicIpv4Pool: "amazon",
    Tags: tagList(address.tags),
  };
}

/** A VPC as DescribeVpcs returns it. */
export function vpcOutput(vpc: VpcState): Vpc {
  return {
    CidrBlock: vpc.cidr.text,
    CidrBlockAssociationSet: [
      {
        AssociationId: `vpc-cidr-assoc-${vpc.id.slice(4)}`,
        CidrBlock: vpc.cidr.text,
        CidrBlockState: { State: "associated" },
      },
    ],
    DhcpOptionsId: "default",
    InstanceTenancy: "default",
    IsDefault: false,
    OwnerId: OWNER_ID,
    State: "available",
    Tags: tagList(vpc.tags),
    VpcId: vpc.id,
  };
}

/** An internet gateway as DescribeInternetGateways returns it. */
export function internetGatewayOutput(gateway: GatewayState): InternetGateway {
  return {
    // EC2 reports an attached internet gateway's attachment as `available`, a state the SDK's enum omits.
    Attachments: gateway.vpcId === undefined ? [] : [{ State: "available" as AttachmentStatus, VpcId: gateway.vpcId }],
    InternetGatewayId: gateway.id,
    OwnerId: OWNER_ID,
    Tags: tagList(gateway.tags),
  };
}

/** A subnet as DescribeSubnets returns it. */
export function subnetOutput(world: World, subnet: SubnetState): Subnet {
  return {
    AvailabilityZone: subnet.az,
    AvailabilityZoneId: zoneId(world.config.region, subnet.az),
    AvailableIpAddressCount: world.freeIpCount(subnet),
    CidrBlock: subnet.cidr.text,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    OwnerId: OWNER_ID,
    State: "available",
    SubnetArn: `arn:aws:ec2:${world.config.region}:${OWNER_ID}:subnet/${subnet.id}`,
    SubnetId: subnet.id,
    Tags: tagList(subnet.tags),
    VpcId: subnet.vpcId,
  };
}

/** A security group as DescribeSecurityGroups returns it. */
export function securityGroupOutput(group: GroupState): SecurityGroup {
  return {
    Description: group.description,
    GroupId: group.id,
    GroupName: group.name,
    IpPermissions: [],
    IpPermissionsEgress: [
      {
        IpProtocol: "-1",
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ],
    OwnerId: OWNER_ID,
    Tags: tagList(group.tags),
    VpcId: group.vpcId,
  };
}

/** An AZ as DescribeAvailabilityZones returns it. */
export function zoneOutput(region: string, zone: string): AvailabilityZone {
  return {
    GroupName: region,
    Messages: [],
    NetworkBorderGroup: region,
    OptInStatus: "opt-in-not-required",
    RegionName: region,
    State: "available",
    ZoneId: zoneId(region, zone),
    ZoneName: zone,
    ZoneType: "availability-zone",
  };
}

// AZ ids are per account on EC2; a fixed mapping ("use1-az1" for us-east-1a) is enough here.
function zoneId(region: string, zone: string): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  const letter = zone.slice(region.length);
  return `${area}${direction.charAt(0)}${number}-az${letter.charCodeAt(0) - 96}`;
}
