/**
 * The orphan reaper: one pass, meant to run on a schedule (every 15 minutes, say) with a role that
 * may describe, tag and delete the owner's ENIs (docs/iam.md). Each pass records what it sees in
 * eni-kit's tags and deletes only ENIs that an earlier pass saw free at least `olderThan` seconds
 * ago, that were never attached, and that no move holds. See docs/failover-runbook.md.
 *
 *   npx tsx examples/reaper.ts 3600
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { Eni } from "eni-kit";
import { fileURLToPath } from "node:url";

/** Which ENIs a reaper may delete. */
export interface ReaperRule {
  /** How long, in seconds, an ENI must have been seen free (counted from the first pass that saw it). */
  readonly olderThan: number;
  /** Whose ENIs: the `owner` given to `Eni.create` (default `eni-kit`). */
  readonly owner?: string;
}

/** One pass: a line per ENI deleted, kept or failed, or the one line saying why the pass failed. */
export async function reapOnce(ec2: EC2Client, rule: ReaperRule): Promise<string[]> {
  // The same rule for the listing and for the check before each delete.
  const report = await Eni.findOrphans(ec2, rule).andThen((orphans) => Eni.reapOrphans(ec2, orphans, rule));
  // A denied ec2:CreateTags fails the pass here: without its tags the reaper could never decide.
  if (report.isErr()) return [`${report.error.name}: ${report.error.message}`];
  const { deleted, skipped, failed } = report.value;
  return [
    ...deleted.map((id) => `deleted ${id}`),
    ...skipped.map(({ id, reason }) => `kept ${id}: ${reason}`),
    ...failed.map(({ id, error }) => `failed ${id}: ${error.name}: ${error.message}`),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lines = await reapOnce(new EC2Client({}), { olderThan: Number(process.argv[2] ?? 3600) });
  for (const line of lines) console.log(line);
  process.exitCode = lines.every((line) => line.startsWith("deleted ") || line.startsWith("kept ")) ? 0 : 1;
}
