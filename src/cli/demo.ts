/**
 * The walkthrough eni-kit grew from: launch instances, create an ENI, attach it, be refused a
 * move across Availability Zones, fail over, clean up. Told by `eni-kit demo` on the built-in EC2
 * simulator, and by `npm run demo` (scripts/demo.ts), which can also tell it against real EC2.
 *
 * @module
 */
import type { EC2Client, Instance } from "@aws-sdk/client-ec2";
import type * as Library from "eni-kit";
import type { Eni, EniError, WaitOptions } from "eni-kit";
import type * as Testing from "eni-kit/testing";
import type * as CliSdk from "./sdk.js";

// The SDK warns, in the middle of the story, that its releases after the first week of January
// 2027 need Node.js 22; the story says once, at the end, which Node.js ran it.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

/**
 * What the story runs on, loaded by its teller: the SDK, the library and the simulator (the
 * command from its bundle, `npm run demo` from the source).
 */
export interface DemoModules {
  readonly sdk: typeof CliSdk; // the whole SDK fits too (`npm run demo` passes it)
  readonly lib: typeof Library;
  readonly testing: typeof Testing;
}

/** How the story is told: a step, and a detail under it. */
export interface Voice {
  readonly say: (text: string) => void;
  readonly detail: (text: string) => void;
}

/** The world the story runs in: three instances (two in the subnet's AZ), a subnet, a group. */
export interface Stage {
  readonly modules: DemoModules;
  readonly ec2: EC2Client;
  readonly subnetId: string;
  readonly securityGroupIds: string[];
  readonly first: string;
  readonly second: string;
  readonly otherAz: string;
  /** The wait options of eni-kit's calls (faster polls when the simulator runs faster). */
  readonly wait: WaitOptions;
  /** Ends the story: terminates the instances (simulator) or only cleans up (live). */
  readonly finish: (eni: Eni) => Promise<void>;
}

// Transitions close to what EC2 shows: a few seconds to attach and detach.
const REALISTIC = { createMs: 500, attachMs: 2_000, detachMs: 3_000 };
const INSTANCE_TIMINGS = { startMs: 1_500, stopMs: 1_500, terminateMs: 2_000 };

/** `eni-… in-use on i-… (device 1), 10.0.1.6`. */
export const describeEni = (eni: Eni) =>
  `${eni.id} ${eni.status}${eni.attachment ? ` on ${eni.attachment.instanceId} (device ${eni.attachment.deviceIndex})` : ""}, ${eni.privateIp}`;

export async function describeInstances(
  { sdk }: DemoModules,
  ec2: EC2Client,
  instanceIds: string[],
): Promise<Instance[]> {
  const output = await ec2.send(new sdk.DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const instances = output.Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? [];
  return instanceIds.map((id) => instances.find((instance) => instance.InstanceId === id) as Instance);
}

export function showInstances(voice: Voice, instances: Instance[]): void {
  for (const instance of instances) {
    const primary = instance.NetworkInterfaces?.find((ni) => ni.Attachment?.DeviceIndex === 0);
    voice.detail(
      `${instance.InstanceId} ${instance.InstanceType} in ${instance.Placement?.AvailabilityZone} ${instance.State?.Name}, primary ENI ${primary?.NetworkInterfaceId} ${primary?.PrivateIpAddress}`,
    );
  }
}

/** Detaches and deletes the ENI the story created. */
export async function cleanUp(voice: Voice, eni: Eni, wait: WaitOptions = {}): Promise<void> {
  const deleted = await eni.delete({ detachFirst: true, ...wait });
  voice.detail(deleted.isOk() ? `deleted ${eni.id}` : `could not delete ${eni.id}: ${deleted.error.message}`);
}

/**
 * Builds the world through the EC2 API, as a program would against AWS, on the simulator.
 *
 * @param speed - how many times faster than EC2's own pace the simulator's transitions run.
 */
export async function simulatedStage(voice: Voice, modules: DemoModules, speed = 1): Promise<Stage> {
  const { sdk, lib, testing } = modules;
  const scale = (timings: Record<string, number>) =>
    Object.fromEntries(Object.entries(timings).map(([key, ms]) => [key, ms / speed]));
  const sim = new testing.Ec2Simulator({ timings: scale(REALISTIC), instanceTimings: scale(INSTANCE_TIMINGS) });
  const ec2 = sim.client();
  const sdkWait = { client: ec2, maxWaitTime: 60, minDelay: 1 / speed, maxDelay: 2 / speed };
  const wait = speed === 1 ? {} : { minDelay: 0.3 / speed, maxDelay: 1 / speed };
  voice.say(
    `1. Launch two instances in us-east-1a and one in us-east-1b (EC2 simulator, realistic timings${speed === 1 ? "" : ` run ${speed} times faster`})`,
  );
  const vpcId = (await ec2.send(new sdk.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
  const subnet = async (az: string, cidr: string) =>
    (await ec2.send(new sdk.CreateSubnetCommand({ VpcId: vpcId, AvailabilityZone: az, CidrBlock: cidr }))).Subnet
      ?.SubnetId ?? "";
  const subnetA = await subnet("us-east-1a", "10.0.1.0/24");
  const subnetB = await subnet("us-east-1b", "10.0.2.0/24");
  const groupId =
    (await ec2.send(new sdk.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "db", Description: "database" })))
      .GroupId ?? "";
  const launch = async (subnetId: string) =>
    (
      await ec2.send(
        new sdk.RunInstancesCommand({
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "t3.medium",
          SubnetId: subnetId,
          MinCount: 1,
          MaxCount: 1,
        }),
      )
    ).Instances?.[0]?.InstanceId ?? "";
  const ids = [await launch(subnetA), await launch(subnetA), await launch(subnetB)];
  await sdk.waitUntilInstanceRunning(sdkWait, { InstanceIds: ids });
  const instances = await describeInstances(modules, ec2, ids);
  showInstances(voice, instances);
  const [first = "", second = "", otherAz = ""] = ids;
  return {
    modules,
    ec2,
    subnetId: subnetA,
    securityGroupIds: [groupId],
    first,
    second,
    otherAz,
    wait,
    finish: async (eni) => {
      voice.say("6. Terminate the instances");
      await ec2.send(new sdk.TerminateInstancesCommand({ InstanceIds: ids }));
      await sdk.waitUntilInstanceTerminated(sdkWait, { InstanceIds: ids });
      for (const instance of instances) {
        const primaryId = instance.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? "";
        const primary = await lib.Eni.get(ec2, primaryId);
        voice.detail(
          `primary ENI ${primaryId}: ${primary.isErr() ? `gone (${primary.error.name})` : primary.value.status}`,
        );
      }
      const after = await eni.waitUntilAvailable(wait);
      voice.detail(after.isOk() ? `created ENI: ${describeEni(after.value)}` : `created ENI: ${after.error.message}`);
      await cleanUp(voice, eni, wait);
    },
  };
}

/**
 * Unwraps a step's result, or stops the story with its typed error: the throw ends the story's
 * straight-line script and {@link tellStory} catches it, returning the error, so nothing throws
 * out of the command.
 */
function orStop<T>(step: string, result: { isOk(): boolean; value?: T; error?: EniError }): T {
  if (result.isOk()) return result.value as T;
  throw new Error(`${step} failed: ${result.error?.name}: ${result.error?.message}`);
}

/** Tells the story on a stage; resolves to the error that stopped it, if one did. */
export async function tellStory(stage: Stage, voice: Voice): Promise<Error | undefined> {
  const { ec2, wait, modules } = stage;
  const { Eni } = modules.lib;
  try {
    voice.say("2. Create an ENI with a Name tag, a security group and a tag in the instances' subnet");
    let eni = orStop(
      "create",
      await Eni.create(ec2, {
        subnetId: stage.subnetId,
        name: "eni-kit-demo",
        description: "eni-kit demo floating interface",
        ...(stage.securityGroupIds.length > 0 && { securityGroupIds: stage.securityGroupIds }),
        tags: { purpose: "eni-kit-demo" },
        ...wait,
      }),
    );
    voice.detail(describeEni(eni));

    try {
      voice.say(`3. Attach it to the first instance ${stage.first}`);
      const t0 = performance.now();
      eni = orStop("attach", await eni.attachTo(stage.first, wait));
      voice.detail(`${describeEni(eni)} after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      const [onFirst] = await describeInstances(modules, ec2, [stage.first]);
      const carries = onFirst?.NetworkInterfaces?.some((ni) => ni.PrivateIpAddress === eni.privateIp) ?? false;
      voice.detail(`${stage.first} now carries ${eni.privateIp}: ${carries ? "yes" : "no"}`);

      voice.say(`4. Try to move it to ${stage.otherAz}, in another Availability Zone`);
      const refused = await eni.moveTo(stage.otherAz, { expectedFrom: stage.first, ...wait });
      voice.detail(
        refused.isErr()
          ? `refused before any change: ${refused.error.name}: ${refused.error.message}`
          : "unexpectedly moved",
      );

      voice.say(`5. Fail over: move it to the second instance ${stage.second} (detach, wait, attach, wait)`);
      eni = orStop("move", await eni.moveTo(stage.second, { expectedFrom: stage.first, forceAfter: 30, ...wait }));
      voice.detail(describeEni(eni));
      const report = eni.moveReport;
      if (report !== undefined) {
        const phases = report.phases
          .map((phase) => `${phase.phase} ${(phase.durationMs / 1000).toFixed(2)} s`)
          .join(", ");
        voice.detail(
          `moved in ${(report.durationMs / 1000).toFixed(2)} s (${phases}); ${report.apiCalls} API calls, ${report.retries} retries, forced: ${report.forced ? "yes" : "no"}`,
        );
      }
    } catch (error) {
      await cleanUp(voice, eni, wait);
      throw error;
    }
    await stage.finish(eni);
    const major = Number(process.versions.node.split(".")[0]);
    voice.say(
      `Done, on Node.js ${process.versions.node}.${major < 22 ? " AWS SDK releases after the first week of January 2027 need Node.js 22 or later." : ""}`,
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
