/**
 * The walkthrough eni-kit grew from, as a readable step log.
 *
 *   npm run demo                      against the built-in EC2 simulator (no AWS account)
 *   npm run demo -- --live --subnet subnet-… --instances i-…,i-… --other-az-instance i-… [--security-group sg-…]
 *                                     against real EC2 (default credential chain, AWS_REGION,
 *                                     AWS_ENDPOINT_URL_EC2); launches and terminates nothing,
 *                                     and deletes the ENI it created even when a step fails.
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
  type Instance,
} from "@aws-sdk/client-ec2";
import { parseArgs } from "node:util";
import { Eni, type Eni as EniSnapshot, type EniError } from "../src/index.js";
import { Ec2Simulator } from "../src/testing/index.js";

// The SDK warns, in the middle of the story, that its releases after the first week of January
// 2027 need Node.js 22; the demo says once, at the end, which Node.js ran it.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

// Transitions close to what EC2 shows: a few seconds to attach and detach.
const REALISTIC = { createMs: 500, attachMs: 2_000, detachMs: 3_000 };
const INSTANCE_TIMINGS = { startMs: 1_500, stopMs: 1_500, terminateMs: 2_000 };

const started = performance.now();
const clock = () => `${((performance.now() - started) / 1000).toFixed(2).padStart(6)} s`;
const say = (text: string) => console.log(`[${clock()}] ${text}`);
const detail = (text: string) => console.log(`${" ".repeat(12)}${text}`);
const describeEni = (eni: EniSnapshot) =>
  `${eni.id} ${eni.status}${eni.attachment ? ` on ${eni.attachment.instanceId} (device ${eni.attachment.deviceIndex})` : ""}, ${eni.privateIp}`;

/** The world the story runs in: three instances (two in the subnet's AZ), a subnet, a group. */
interface Stage {
  readonly ec2: EC2Client;
  readonly subnetId: string;
  readonly securityGroupIds: string[];
  readonly first: string;
  readonly second: string;
  readonly otherAz: string;
  /** Ends the story: terminates the instances (simulator) or only reports (live). */
  readonly finish: (eni: EniSnapshot) => Promise<void>;
}

async function describeInstances(ec2: EC2Client, instanceIds: string[]): Promise<Instance[]> {
  const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const instances = output.Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? [];
  return instanceIds.map((id) => instances.find((instance) => instance.InstanceId === id) as Instance);
}

function showInstances(instances: Instance[]): void {
  for (const instance of instances) {
    const primary = instance.NetworkInterfaces?.find((ni) => ni.Attachment?.DeviceIndex === 0);
    detail(
      `${instance.InstanceId} ${instance.InstanceType} in ${instance.Placement?.AvailabilityZone} ${instance.State?.Name}, primary ENI ${primary?.NetworkInterfaceId} ${primary?.PrivateIpAddress}`,
    );
  }
}

/** Builds the world through the EC2 API, as a program would against AWS, on the simulator. */
async function simulatedStage(): Promise<Stage> {
  const sim = new Ec2Simulator({ timings: REALISTIC, instanceTimings: INSTANCE_TIMINGS });
  const ec2 = sim.client();
  say("1. Launch two instances in us-east-1a and one in us-east-1b (EC2 simulator, realistic timings)");
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
  const subnet = async (az: string, cidr: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, AvailabilityZone: az, CidrBlock: cidr }))).Subnet
      ?.SubnetId ?? "";
  const subnetA = await subnet("us-east-1a", "10.0.1.0/24");
  const subnetB = await subnet("us-east-1b", "10.0.2.0/24");
  const groupId =
    (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "db", Description: "database" })))
      .GroupId ?? "";
  const launch = async (subnetId: string) =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "t3.medium",
          SubnetId: subnetId,
          MinCount: 1,
          MaxCount: 1,
        }),
      )
    ).Instances?.[0]?.InstanceId ?? "";
  const ids = [await launch(subnetA), await launch(subnetA), await launch(subnetB)];
  await waitUntilInstanceRunning({ client: ec2, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { InstanceIds: ids });
  const instances = await describeInstances(ec2, ids);
  showInstances(instances);
  const [first = "", second = "", otherAz = ""] = ids;
  return {
    ec2,
    subnetId: subnetA,
    securityGroupIds: [groupId],
    first,
    second,
    otherAz,
    finish: async (eni) => {
      say("6. Terminate the instances");
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
      await waitUntilInstanceTerminated(
        { client: ec2, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
        { InstanceIds: ids },
      );
      for (const instance of instances) {
        const primaryId = instance.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? "";
        const primary = await Eni.get(ec2, primaryId);
        detail(`primary ENI ${primaryId}: ${primary.isErr() ? `gone (${primary.error.name})` : primary.value.status}`);
      }
      const after = await eni.waitUntilAvailable();
      detail(after.isOk() ? `created ENI: ${describeEni(after.value)}` : `created ENI: ${after.error.message}`);
      await cleanUp(eni);
    },
  };
}

/** Uses the instances and subnet given on the command line; changes nothing but the ENI it creates. */
async function liveStage(args: Record<string, string | boolean | undefined>): Promise<Stage> {
  const [first, second] = String(args.instances ?? "").split(",");
  const otherAz = args["other-az-instance"];
  if (typeof args.subnet !== "string" || !first || !second || typeof otherAz !== "string") {
    throw new Error("--live needs --subnet subnet-…, --instances i-first,i-second and --other-az-instance i-…");
  }
  const ec2 = new EC2Client({}); // default credential chain; AWS_REGION and AWS_ENDPOINT_URL_EC2 are honoured by the SDK
  say(`1. Use the given instances (live EC2, region ${await ec2.config.region()})`);
  showInstances(await describeInstances(ec2, [first, second, otherAz]));
  return {
    ec2,
    subnetId: args.subnet,
    securityGroupIds: typeof args["security-group"] === "string" ? [args["security-group"]] : [],
    first,
    second,
    otherAz,
    finish: async (eni) => {
      say("6. Live run: no instance is terminated; detach and delete the demo ENI instead");
      await cleanUp(eni);
    },
  };
}

async function cleanUp(eni: EniSnapshot): Promise<void> {
  const deleted = await eni.delete({ detachFirst: true });
  detail(deleted.isOk() ? `deleted ${eni.id}` : `could not delete ${eni.id}: ${deleted.error.message}`);
}

/** Unwraps a step's result, or logs its typed error and stops the story. */
function orStop<T>(step: string, result: { isOk(): boolean; value?: T; error?: EniError }): T {
  if (result.isOk()) return result.value as T;
  throw new Error(`${step} failed: ${result.error?.name}: ${result.error?.message}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      live: { type: "boolean" },
      subnet: { type: "string" },
      instances: { type: "string" },
      "other-az-instance": { type: "string" },
      "security-group": { type: "string" },
    },
  });
  const stage = values.live ? await liveStage(values) : await simulatedStage();
  const { ec2 } = stage;

  say("2. Create an ENI with a Name tag, a security group and a tag in the instances' subnet");
  let eni = orStop(
    "create",
    await Eni.create(ec2, {
      subnetId: stage.subnetId,
      name: "eni-kit-demo",
      description: "eni-kit demo floating interface",
      ...(stage.securityGroupIds.length > 0 && { securityGroupIds: stage.securityGroupIds }),
      tags: { purpose: "eni-kit-demo" },
    }),
  );
  detail(describeEni(eni));

  try {
    say(`3. Attach it to the first instance ${stage.first}`);
    const t0 = performance.now();
    eni = orStop("attach", await eni.attachTo(stage.first));
    detail(`${describeEni(eni)} after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const [onFirst] = await describeInstances(ec2, [stage.first]);
    const carries = onFirst?.NetworkInterfaces?.some((ni) => ni.PrivateIpAddress === eni.privateIp) ?? false;
    detail(`${stage.first} now carries ${eni.privateIp}: ${carries ? "yes" : "no"}`);

    say(`4. Try to move it to ${stage.otherAz}, in another Availability Zone`);
    const refused = await eni.moveTo(stage.otherAz, { expectedFrom: stage.first });
    detail(
      refused.isErr()
        ? `refused before any change: ${refused.error.name}: ${refused.error.message}`
        : "unexpectedly moved",
    );

    say(`5. Fail over: move it to the second instance ${stage.second} (detach, wait, attach, wait)`);
    eni = orStop("move", await eni.moveTo(stage.second, { expectedFrom: stage.first, forceAfter: 30 }));
    detail(describeEni(eni));
    const report = eni.moveReport;
    if (report !== undefined) {
      const phases = report.phases
        .map((phase) => `${phase.phase} ${(phase.durationMs / 1000).toFixed(2)} s`)
        .join(", ");
      detail(
        `moved in ${(report.durationMs / 1000).toFixed(2)} s (${phases}); ${report.apiCalls} API calls, ${report.retries} retries, forced: ${report.forced ? "yes" : "no"}`,
      );
    }
  } catch (error) {
    await cleanUp(eni);
    throw error;
  }
  await stage.finish(eni);
  const major = Number(process.versions.node.split(".")[0]);
  say(
    `Done, on Node.js ${process.versions.node}.${major < 22 ? " AWS SDK releases after the first week of January 2027 need Node.js 22 or later." : ""}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
