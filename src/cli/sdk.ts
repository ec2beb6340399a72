/**
 * The parts of the AWS SDK the command uses itself (the library brings its own): the client it
 * makes from `--profile`, `--region` and `--endpoint`, and what `demo` sends to its simulator.
 * Named one by one, not `import()`ed whole, so that the bin's bundle keeps only these of the
 * SDK's 700 commands.
 *
 * @module
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
} from "@aws-sdk/client-ec2";

export const sdk = {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
};

/** {@link sdk}'s type, which the whole SDK namespace fits too (`npm run demo` passes that). */
export type CliSdk = typeof sdk;
