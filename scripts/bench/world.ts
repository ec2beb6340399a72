/**
 * The worlds the benchmark measures in, and the SDK-only move it measures eni-kit against. Runs on
 * the virtual clock of ./clock.ts.
 */
import {
  AttachNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
  waitUntilNetworkInterfaceAvailable,
} from "@aws-sdk/client-ec2";
import { createWaiter, WaiterState } from "@smithy/core/client";
import { TICK_MS } from "../../src/ec2/reader.js";
import { Ec2Simulator, type CallRecord, type Ec2SimulatorOptions } from "../../src/testing/index.js";
import { clock, settle } from "./clock.js";

/** The AZ every world lives in: an ENI moves only between instances of one AZ. */
const AZ = "us-east-1a";
/** ENIs per subnet at most (instances' primaries included): the simulator looks for a free address among a subnet's. */
const PER_SUBNET = 256;
/** Attaches per second in the setup, and at once: under EC2's mutating bucket (50 at 5/s). */
const SETUP_BURST = 45;
const SETUP_PER_SECOND = 4.5;

/**
 * A simulator with `count` ENIs, each attached to its own primary at device index 1, and a standby
 * per ENI, all in one AZ (over as many subnets as keep each small). Returns a fresh client for
 * the measured run, and the setup's calls apart. `turns`: see `settle`.
 */
export async function world(count: number, options: Ec2SimulatorOptions, turns?: number) {
  const sim = new Ec2Simulator(options);
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const subnets = Array.from(
    { length: Math.ceil((3 * count) / PER_SUBNET) },
    (_, index) => sim.addSubnet({ vpcId, availabilityZone: AZ, cidr: `10.0.${4 * index}.0/22` }).subnetId,
  );
  const subnetId = (index: number) => subnets[index % subnets.length] ?? "";
  const primaries = Array.from(
    { length: count },
    (_, index) => sim.addInstance({ subnetId: subnetId(index) }).instanceId,
  );
  const standbys = Array.from(
    { length: count },
    (_, index) => sim.addInstance({ subnetId: subnetId(index) }).instanceId,
  );
  const enis = Array.from(
    { length: count },
    (_, index) => sim.addNetworkInterface({ subnetId: subnetId(index) }).networkInterfaceId,
  );
  // The setup is not measured: plain attaches, paced under EC2's bucket in one-second groups (few
  // timers for the virtual clock to step through), and no waits of their own.
  const setup = sim.client();
  const attaches = enis.map(async (eniId, index) => {
    const second = Math.ceil(Math.max(0, index + 1 - SETUP_BURST) / SETUP_PER_SECOND);
    await new Promise((resolve) => setTimeout(resolve, second * 1000));
    await setup.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: primaries[index],
        DeviceIndex: 1,
        NetworkCardIndex: 0,
      }),
    );
  });
  await settle(Promise.all(attaches), turns);
  // A minute of quiet: the attaches finish, and EC2's buckets are full again when the measured run starts.
  await clock.tickAsync(60_000);
  if (enis.some((eniId) => sim.networkInterface(eniId)?.Attachment?.Status !== "attached")) {
    throw new Error("setup failed");
  }
  const setupCalls = [...sim.calls];
  sim.clearCalls();
  // A fresh client, so nothing (rate-limit tokens, cached reads) carries over from the setup.
  return { sim, ec2: sim.client(), primaries, standbys, enis, setupCalls };
}

/** The id of the ENI's current attachment, as the simulator knows it (no call is logged). */
export const attachmentOf = (sim: Ec2Simulator, eniId: string) =>
  sim.networkInterface(eniId)?.Attachment?.AttachmentId ?? "";

/** The straightforward move with the SDK alone: detach, its ENI waiter at defaults, attach, wait on the same delays. */
export async function sdkOnlyMove(
  ec2: EC2Client,
  eniId: string,
  attachmentId: string,
  to: string,
  waits: { minDelay: number; maxDelay: number },
): Promise<void> {
  await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
  await waitUntilNetworkInterfaceAvailable(
    { client: ec2, maxWaitTime: 900, ...waits },
    { NetworkInterfaceIds: [eniId] },
  );
  await ec2.send(
    new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: eniId,
      InstanceId: to,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    }),
  );
  const attached = await createWaiter({ client: ec2, maxWaitTime: 900, ...waits }, eniId, async () => {
    const output = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    return {
      state: output.NetworkInterfaces?.[0]?.Attachment?.Status === "attached" ? WaiterState.SUCCESS : WaiterState.RETRY,
    };
  });
  if (attached.state !== WaiterState.SUCCESS) throw new Error(`in-use wait ended ${attached.state}`);
}

/** How many of `calls` are of `action`. */
export const countBy = (calls: readonly CallRecord[], action: string) =>
  calls.filter((call) => call.action === action).length;

/**
 * The requests a client sends, each attempt with its action and when it left (not when it reached
 * EC2: a call's latency varies, so two calls a tick apart can reach EC2 within one tick).
 */
export function recordSends(ec2: EC2Client): { readonly action: string; readonly time: number }[] {
  const sends: { action: string; time: number }[] = [];
  ec2.middlewareStack.add(
    (next, context) => (args) => {
      sends.push({ action: (context.commandName ?? "").replace(/Command$/, ""), time: Date.now() });
      return next(args);
    },
    // Inside the SDK's retries (finalizeRequest, high priority), so each attempt counts.
    { step: "finalizeRequest", priority: "low", name: "benchSendTimes" },
  );
  return sends;
}

/** DescribeNetworkInterfaces calls per poll tick, by the time they were sent: the most in any one tick. */
export function describesPerTick(calls: readonly { readonly action: string; readonly time: number }[]): number {
  const perTick = new Map<number, number>();
  for (const call of calls)
    if (call.action === "DescribeNetworkInterfaces")
      perTick.set(Math.floor(call.time / TICK_MS), (perTick.get(Math.floor(call.time / TICK_MS)) ?? 0) + 1);
  return Math.max(0, ...perTick.values());
}
