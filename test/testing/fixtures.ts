import { Ec2Simulator, type Ec2SimulatorOptions } from "../../src/testing/index.js";

/** A simulator with one VPC (and its internet gateway) and a subnet in each of us-east-1a and us-east-1b, and a client. */
export function setup(options: Ec2SimulatorOptions = {}) {
  const sim = new Ec2Simulator(options);
  const { vpcId, internetGatewayId = "" } = sim.addVpc();
  const { subnetId: subnetA } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const { subnetId: subnetB } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1b" });
  const ec2 = sim.client();
  return { sim, ec2, vpcId, internetGatewayId, subnetA, subnetB };
}

/** Instant transitions, for tests that are not about timing. */
export const INSTANT: Ec2SimulatorOptions = {
  timings: { createMs: 0, attachMs: 0, detachMs: 0 },
  instanceTimings: { startMs: 0, stopMs: 0, terminateMs: 0 },
};
