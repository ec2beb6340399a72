import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
  type Instance,
  type InstanceTypeInfo,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { Eni, type EniStatus } from "../src/index.js";

/** Well-formed ids for mocked tests. */
export const ids = {
  eni: "eni-0123456789abcdef0",
  otherEni: "eni-0fedcba9876543210",
  instance: "i-0aaaaaaaaaaaaaaa1",
  standby: "i-0bbbbbbbbbbbbbbb2",
  subnet: "subnet-0123456789abcdef0",
  vpc: "vpc-0123456789abcdef0",
  sg: "sg-0123456789abcdef0",
  attachment: "eni-attach-0123456789abcdef0",
  otherAttachment: "eni-attach-0fedcba9876543210",
} as const;

/** Waits short enough to keep mocked tests fast. */
export const fast = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 2 } as const;

/** A fresh client and its mock; a fresh client also means a fresh instance-type cache. */
export function mockedEc2() {
  const ec2 = new EC2Client({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
  return { ec2, mock: mockClient(ec2) };
}

/** Fields to override; `Status` also takes `pending`, which EC2 reports but the SDK's enum omits. */
type EniOverrides = Partial<Omit<NetworkInterface, "Status">> & { Status?: EniStatus };

/** An available ENI in us-east-1a, with overrides. */
export function eni(overrides: EniOverrides = {}): NetworkInterface {
  return {
    NetworkInterfaceId: ids.eni,
    SubnetId: ids.subnet,
    VpcId: ids.vpc,
    AvailabilityZone: "us-east-1a",
    MacAddress: "0a:1b:2c:3d:4e:5f",
    PrivateIpAddress: "10.0.1.10",
    PrivateIpAddresses: [
      { PrivateIpAddress: "10.0.1.10", Primary: true },
      { PrivateIpAddress: "10.0.1.11", Primary: false },
    ],
    Groups: [{ GroupId: ids.sg, GroupName: "db" }],
    Description: "floating db interface",
    TagSet: [
      { Key: "Name", Value: "db-floating" },
      { Key: "team", Value: "db" },
    ],
    InterfaceType: "interface",
    SourceDestCheck: true,
    RequesterManaged: false,
    ...overrides,
    Status: (overrides.Status ?? "available") as NetworkInterface["Status"],
  };
}

/** The same ENI attached (or attaching, detaching) to an instance. */
export function attachedEni(
  instanceId: string = ids.instance,
  status: "attaching" | "attached" | "detaching" = "attached",
  overrides: EniOverrides = {},
): NetworkInterface {
  return eni({
    Status: status === "attached" ? "in-use" : status,
    Attachment: {
      AttachmentId: ids.attachment,
      InstanceId: instanceId,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
      Status: status,
      DeleteOnTermination: false,
      AttachTime: new Date("2026-11-28T00:00:00Z"),
    },
    ...overrides,
  });
}

/** A running t3.medium in us-east-1a with only its primary ENI. */
export function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: ids.instance,
    InstanceType: "t3.medium",
    State: { Code: 16, Name: "running" },
    Placement: { AvailabilityZone: "us-east-1a" },
    SubnetId: ids.subnet,
    VpcId: ids.vpc,
    NetworkInterfaces: [
      {
        NetworkInterfaceId: "eni-0000000000000000a",
        Attachment: {
          AttachmentId: "eni-attach-0000000000000000a",
          DeviceIndex: 0,
          NetworkCardIndex: 0,
          Status: "attached",
        },
      },
    ],
    ...overrides,
  };
}

/** t3.medium takes 3 ENIs on its one card. */
export const t3medium: InstanceTypeInfo = {
  InstanceType: "t3.medium",
  NetworkInfo: {
    MaximumNetworkInterfaces: 3,
    MaximumNetworkCards: 1,
    NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 3 }],
  },
};

/** An EC2 error as the SDK raises it. */
export function ec2Error(code: string, message = code, requestId = "req-1"): Error {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: "client",
    $metadata: { httpStatusCode: 400, requestId },
  });
}

/** The aws-sdk-client-mock of an EC2 client, as `mockedEc2` returns it. */
export type Mock = ReturnType<typeof mockedEc2>["mock"];

/** A snapshot of `ni`, with the mock's history and behaviours cleared for the act. */
export async function snapshotOf(ni: NetworkInterface = eni()) {
  const { ec2, mock } = mockedEc2();
  mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [ni] });
  const snapshot = (await Eni.get(ec2, ids.eni))._unsafeUnwrap();
  mock.reset();
  return { ec2, mock, snapshot };
}

/** The ENI reads answer these, in order, the last one from then on. */
export function reads(mock: Mock, ...states: NetworkInterface[]) {
  // Any ENI read, whatever its shape (by id or by filter): the tests are about what is sent after it.
  let next = 0;
  mock
    .on(DescribeNetworkInterfacesCommand)
    .callsFake(() => ({ NetworkInterfaces: [states[Math.min(next++, states.length - 1)]] }));
}
