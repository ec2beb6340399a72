/** The networking limits of one instance type, as DescribeInstanceTypes reports them. */
export interface InstanceTypeLimits {
  readonly maxInterfaces: number;
  readonly ipv4PerInterface: number;
  readonly ipv6PerInterface: number;
  /** Maximum interfaces per network card, indexed by card. */
  readonly cards: readonly number[];
  readonly efa: boolean;
}

function type(
  maxInterfaces: number,
  ipv4: number,
  cards = [maxInterfaces],
  efa = false,
  ipv6 = ipv4,
): InstanceTypeLimits {
  return { maxInterfaces, ipv4PerInterface: ipv4, ipv6PerInterface: ipv6, cards, efa };
}

/**
 * The instance types the simulator knows, with real limits (EC2 user guide "Maximum
 * IP addresses per network interface" and DescribeInstanceTypes), cross-checked
 * against the tables shipped by the AWS VPC CNI and Cilium.
 */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeLimits>> = {
  // RunInstances' default type; previous generation, so no IPv6.
  "m1.small": type(2, 4, [2], false, 0),
  "t3.nano": type(2, 2),
  "t3.micro": type(2, 2),
  "t3.small": type(3, 4),
  "t3.medium": type(3, 6),
  "t3.large": type(3, 12),
  "t3.xlarge": type(4, 15),
  "t3.2xlarge": type(4, 15),
  "m5.large": type(3, 10),
  "m5.xlarge": type(4, 15),
  "m5.2xlarge": type(4, 15),
  "m5.4xlarge": type(8, 30),
  "m6i.large": type(3, 10),
  "m6i.xlarge": type(4, 15),
  "c5.large": type(3, 10),
  "c5.xlarge": type(4, 15),
  "c5.18xlarge": type(15, 50),
  "r5.large": type(3, 10),
  "r5.xlarge": type(4, 15),
  "c6gn.16xlarge": type(15, 50, [15], true),
  // Four network cards of 15 interfaces each.
  "p4d.24xlarge": type(60, 50, [15, 15, 15, 15], true),
  // 32 network cards of 2 interfaces each (the AWS VPC CNI's vpc_ip_resource_limit.go).
  "p5.48xlarge": type(64, 50, new Array<number>(32).fill(2), true),
};
