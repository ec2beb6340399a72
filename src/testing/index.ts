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
} from "./simulator.js";
export type { Ec2SimulatorOptions, StaleReadOptions } from "./options.js";
export type { Duration } from "./random.js";
export { Faults } from "./faults.js";
export type { BucketConfig } from "./throttle.js";
