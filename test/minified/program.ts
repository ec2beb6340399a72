/**
 * A failover program as a Lambda author ships it: bundled with esbuild `--minify`, the AWS SDK
 * bundled too, so every SDK class is renamed. `minified.test.ts` builds and runs it, and checks
 * what it prints: eni-kit must still know which EC2 action each request is.
 */
import { Eni, configureRateLimits } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";

// Its own short polls: the program is bundled alone, so it imports nothing of the test fixtures.
const wait = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 10 } as const;

async function main() {
  const sim = new Ec2Simulator({ timings: { createMs: 5, attachMs: 10, detachMs: 10 } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const primary = sim.addInstance({ subnetId }).instanceId;
  const standby = sim.addInstance({ subnetId }).instanceId;
  const ec2 = sim.client({ maxAttempts: 1 });
  const eni = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(primary, wait))._unsafeUnwrap();

  // A move: its report counts requests per EC2 action.
  const moved = await eni.moveTo(standby, { expectedFrom: primary, ...wait });
  const callsByAction = moved.isOk() ? moved.value.moveReport?.callsByAction : moved.error.message;

  // A move whose detach is denied changed nothing: the plain AccessDeniedError.
  sim.denyActions(["DetachNetworkInterface"]);
  const denied = await Eni.get(ec2, eni.id).moveTo(primary, { expectedFrom: standby, ...wait });
  sim.allowActions(["DetachNetworkInterface"]);

  // A throttled read is a ThrottledError.
  sim.faults.throttleNext(1, "DescribeNetworkInterfaces");
  const throttled = await Eni.get(ec2, eni.id);

  // Reads take tokens from the Describe bucket: 60 listings at once fit in its burst (90), but
  // would wait seconds in the mutating bucket (45, refilled at 4.5 a second).
  const fresh = sim.client();
  configureRateLimits(fresh, {});
  const started = Date.now();
  await Promise.all(Array.from({ length: 60 }, () => Eni.find(fresh, { subnetId })));
  const burstMs = Date.now() - started;

  console.log(
    JSON.stringify({
      callsByAction,
      denied: denied.isErr() ? denied.error.name : "ok",
      throttled: throttled.isErr() ? throttled.error.name : "ok",
      burstMs,
    }),
  );
}

void main();
