/**
 * Deploy-time check: may these credentials do everything a failover of this ENI needs?
 * Run it from the same role the failover Lambda uses, every time you deploy it.
 *
 *   npx tsx examples/check-permissions.ts eni-0123456789abcdef0 i-0aaaaaaaaaaaaaaa1 i-0bbbbbbbbbbbbbbb2
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { checkPermissions, type PermissionPlan } from "eni-kit";
import { fileURLToPath } from "node:url";

/** What is wrong with the failover's permissions: empty when everything is allowed. */
export async function verifyFailoverPermissions(ec2: EC2Client, plan: PermissionPlan): Promise<string[]> {
  const report = await checkPermissions(ec2, plan);
  if (report.isErr()) return [`${report.error.name}: ${report.error.message}`];
  const problems: string[] = [];
  for (const check of report.value.checks) {
    if (check.allowed === false) problems.push(`ec2:${check.action} is denied: ${check.message ?? ""}`);
    // "unknown": EC2 answered something else (a wrong id, throttling…); read the message.
    if (check.allowed === "unknown") problems.push(`ec2:${check.action} could not be checked: ${check.message ?? ""}`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [eniId, expectedFrom, to] = process.argv.slice(2);
  if (eniId === undefined || expectedFrom === undefined || to === undefined) {
    console.error("usage: check-permissions.ts <eni-id> <from-instance-id> <to-instance-id>");
    process.exit(2);
  }
  const problems = await verifyFailoverPermissions(new EC2Client({}), {
    eniId,
    expectedFrom,
    to,
  });
  for (const problem of problems) console.error(problem);
  console.log(problems.length === 0 ? "All failover permissions are allowed." : `${problems.length} problem(s).`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
