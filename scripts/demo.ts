/**
 * The walkthrough eni-kit grew from, as a readable step log (the story is src/cli/demo.ts, which
 * `eni-kit demo` tells too).
 *
 *   npm run demo                      against the built-in EC2 simulator (no AWS account)
 *   npm run demo -- --live --subnet subnet-… --instances i-…,i-… --other-az-instance i-… [--security-group sg-…]
 *                                     against real EC2 (default credential chain, AWS_REGION,
 *                                     AWS_ENDPOINT_URL_EC2); launches and terminates nothing,
 *                                     and deletes the ENI it created even when a step fails.
 */
import * as sdk from "@aws-sdk/client-ec2";
import { parseArgs } from "node:util";
import * as lib from "../src/index.js";
import * as testing from "../src/testing/index.js";
import {
  cleanUp,
  describeInstances,
  showInstances,
  simulatedStage,
  tellStory,
  type DemoModules,
  type Stage,
  type Voice,
} from "../src/cli/demo.js";

const modules: DemoModules = { sdk, lib, testing };

const started = performance.now();
const clock = () => `${((performance.now() - started) / 1000).toFixed(2).padStart(6)} s`;
const voice: Voice = {
  say: (text) => console.log(`[${clock()}] ${text}`),
  detail: (text) => console.log(`${" ".repeat(12)}${text}`),
};

/** Uses the instances and subnet given on the command line; changes nothing but the ENI it creates. */
async function liveStage(args: Record<string, string | boolean | undefined>): Promise<Stage> {
  const [first, second] = String(args.instances ?? "").split(",");
  const otherAz = args["other-az-instance"];
  if (typeof args.subnet !== "string" || !first || !second || typeof otherAz !== "string") {
    throw new Error("--live needs --subnet subnet-…, --instances i-first,i-second and --other-az-instance i-…");
  }
  const ec2 = new sdk.EC2Client({}); // default credential chain; AWS_REGION and AWS_ENDPOINT_URL_EC2 are honoured by the SDK
  voice.say(`1. Use the given instances (live EC2, region ${await ec2.config.region()})`);
  showInstances(voice, await describeInstances(modules, ec2, [first, second, otherAz]));
  return {
    modules,
    ec2,
    subnetId: args.subnet,
    securityGroupIds: typeof args["security-group"] === "string" ? [args["security-group"]] : [],
    first,
    second,
    otherAz,
    wait: {},
    finish: async (eni) => {
      voice.say("6. Live run: no instance is terminated; detach and delete the demo ENI instead");
      await cleanUp(voice, eni);
    },
  };
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
  const stage = values.live ? await liveStage(values) : await simulatedStage(voice, modules);
  const stopped = await tellStory(stage, voice);
  if (stopped !== undefined) throw stopped;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
