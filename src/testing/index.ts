/**
 * `eni-kit/testing`: a stateful, in-memory EC2 to test ENI code against, without AWS.
 *
 * @packageDocumentation
 */
export {
  Ec2Simulator,
  type AddInstanceOptions,
  type AddNetworkInterfaceOptions,
  type CallRecord,
  type Ec2SimulatorOptions,
} from "./simulator.js";
export { Faults } from "./faults.js";
export type { BucketConfig } from "./throttle.js";
