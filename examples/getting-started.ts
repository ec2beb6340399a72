/**
 * The getting-started walkthrough: create an ENI, attach it, find it, detach it, delete it.
 * See docs/getting-started.md.
 *
 *   AWS_REGION=us-east-1 npx tsx examples/getting-started.ts subnet-0123456789abcdef0 sg-0123456789abcdef0 i-0123456789abcdef0
 */
import { fileURLToPath } from "node:url";
import { EC2Client } from "@aws-sdk/client-ec2";
import { Eni, type EniError, type WaitOptions } from "eni-kit";

/** Where the walkthrough runs: a subnet, a security group of its VPC, and an instance in the subnet's AZ. */
export interface Sandbox {
  readonly subnetId: string;
  readonly securityGroupId: string;
  readonly instanceId: string;
}

/** Explains an error for a person; `switch (error.name)` narrows it to its class and fields. */
export function explain(error: EniError): string {
  switch (error.name) {
    case "AzMismatchError":
      return `The ENI is in ${error.eniAz} and the instance in ${error.instanceAz}; an ENI attaches only in its own AZ.`;
    case "AttachmentLimitError":
      return `${error.instanceType} takes ${error.limit} ENIs and already has ${error.inUse}.`;
    case "NotFoundError":
      return `No such ${error.resourceType}: ${error.resourceId ?? "?"}.`;
    case "ValidationError":
      return `Bad input (nothing was sent): ${error.message}`;
    default:
      return `${error.name}: ${error.message} (EC2 code ${error.code ?? "-"}, request ${error.requestId ?? "-"})`;
  }
}

/** Runs the walkthrough and returns what it has to say, line by line. `wait` shortens the waits in tests. */
export async function gettingStarted(ec2: EC2Client, sandbox: Sandbox, wait: WaitOptions = {}): Promise<string[]> {
  const lines: string[] = []; // what the walkthrough reports, returned at the end

  // Create an ENI and attach it; each step runs only if the one before succeeded.
  const created = await Eni.create(ec2, {
    subnetId: sandbox.subnetId,
    name: "getting-started", // becomes the Name tag
    securityGroupIds: [sandbox.securityGroupId],
    description: "eni-kit getting started",
    tags: { team: "docs" },
    ...wait,
  })
    .attachTo(sandbox.instanceId, wait)
    .waitUntilInUse(wait);

  if (created.isErr()) return [explain(created.error)];
  const eni = created.value;
  lines.push(
    `${eni.id} is ${eni.status} on ${eni.attachment?.instanceId} at device index ${eni.attachment?.deviceIndex}`,
  );

  // Find it again by tag; Eni.find reads every page for you.
  const found = await Eni.find(ec2, { tags: { team: "docs" }, subnetId: sandbox.subnetId });
  found.match(
    (enis) => lines.push(`found ${enis.map((e) => e.name ?? e.id).join(", ")}`),
    (error) => lines.push(explain(error)),
  );

  // Detach and delete in one chain. An Eni is a snapshot: `eni` still shows it attached.
  const deleted = await eni.detach(wait).delete(wait);
  lines.push(deleted.match((gone) => `deleted ${gone.id}`, explain));
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [subnetId, securityGroupId, instanceId] = process.argv.slice(2);
  if (subnetId === undefined || securityGroupId === undefined || instanceId === undefined) {
    console.error("usage: getting-started.ts <subnet-id> <security-group-id> <instance-id>");
    process.exit(2);
  }
  const ec2 = new EC2Client({}); // region and credentials from the environment, as usual
  for (const line of await gettingStarted(ec2, { subnetId, securityGroupId, instanceId })) console.log(line);
}
