/**
 * The parts of the AWS SDK the command uses itself (the library brings its own): the client it
 * makes from `--profile`, `--region` and `--endpoint`, and what `demo` sends to its simulator.
 * Named one by one, not `import()`ed whole, so that the bin's bundle keeps only these of the
 * SDK's 700 commands. (The one module besides the index files that re-exports: eslint.config.js.)
 *
 * @module
 */
export {
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
