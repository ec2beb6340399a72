/**
 * A failover Lambda: move a floating ENI from a failed primary to its standby, fenced, with
 * every outcome classified and a paging decision made. See docs/failover-runbook.md.
 *
 *   npx tsx examples/failover.ts eni-0123456789abcdef0 i-0aaaaaaaaaaaaaaa1 i-0bbbbbbbbbbbbbbb2
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { checkPermissions, Eni, type MoveReport, type WaitOptions } from "eni-kit";
import { fileURLToPath } from "node:url";

/** The event the Lambda is invoked with (from an alarm, a health checker, or a person). */
export interface FailoverEvent {
  readonly eniId: string;
  /** The primary the ENI should be on now: the fence. */
  readonly expectedFrom: string;
  /** The standby to move it to. */
  readonly to: string;
}

/** Who to wake up: nobody, the owning team in working hours, or the on-call engineer now. */
export type Page = "none" | "ticket" | "now";

/** What happened, in terms an on-call engineer can act on. */
export type FailoverOutcome =
  | { readonly outcome: "moved" | "already-there"; readonly page: Page; readonly report: MoveReport | undefined }
  | { readonly outcome: "not-permitted"; readonly page: Page; readonly denied: readonly string[] }
  | { readonly outcome: "someone-else-moved-it"; readonly page: Page; readonly attachedTo: string | undefined }
  | { readonly outcome: "refused"; readonly page: Page; readonly reason: string }
  | { readonly outcome: "rolled-back"; readonly page: Page; readonly reason: string; readonly report: MoveReport }
  | {
      readonly outcome: "stranded";
      readonly page: Page;
      readonly reason: string;
      readonly where: string;
      readonly report: MoveReport;
    }
  | {
      readonly outcome: "state-unknown";
      readonly page: Page;
      readonly reason: string;
      readonly lastSeen: string;
      readonly report: MoveReport;
    };

/**
 * The failover step. `wait` bounds every wait (tests pass short ones); in production the
 * defaults apply: the whole move may take up to 600 s, so give the Lambda a longer timeout.
 */
export async function failover(ec2: EC2Client, event: FailoverEvent, wait: WaitOptions = {}): Promise<FailoverOutcome> {
  const { eniId, expectedFrom, to } = event;

  // 1. Permissions first: a denied detach or attach found now costs nothing; found halfway
  //    through a move it costs a rollback. Dry runs change nothing and go out in parallel.
  const permissions = await checkPermissions(ec2, { eniId, expectedFrom, to });
  if (permissions.isOk() && permissions.value.denied.length > 0) {
    return { outcome: "not-permitted", page: "now", denied: permissions.value.denied };
  }
  // "unknown" answers (a wrong id, throttling) are not a reason to stop: the move's own preflight
  // reads will refuse it with a precise error if something is really wrong.

  // 2. The move, fenced on the primary: if the ENI is not attached there, nothing changes.
  const moved = await Eni.get(ec2, eniId).moveTo(to, {
    expectedFrom, // the fence
    forceAfter: 30, // a failed primary may never finish a graceful detach
    ...wait,
  });

  // 3. Every outcome, and who needs to know.
  if (moved.isOk()) {
    const report = moved.value.moveReport;
    return { outcome: report?.outcome === "already-there" ? "already-there" : "moved", page: "none", report };
  }
  const error = moved.error;
  switch (error.name) {
    case "ConflictError":
      // Someone else moved it (another controller, a person) or it was never on the primary.
      // Already on our standby: the failover happened, just not by us.
      return {
        outcome: "someone-else-moved-it",
        page: error.actual === to ? "none" : "ticket",
        attachedTo: error.actual,
      };
    case "MoveFailedError": {
      if (error.rolledBack) {
        // Back on the primary, which is what failed: the service is still down.
        return {
          outcome: "rolled-back",
          page: "now",
          reason: `${error.reason.name}: ${error.reason.message}`,
          report: error.report,
        };
      }
      const reason = `${error.reason.name}: ${error.reason.message}`;
      const seen = error.eni && `${error.eni.status} on ${error.eni.attachment?.instanceId ?? "no instance"}`;
      if (error.eniIsStale) {
        // EC2 could not be read at the end: `eni` is only the last state the move saw, and the ENI
        // may have reached the standby since. Look before calling it stranded.
        const lastSeen = `${seen ?? "never read"} at ${error.eniSeenAt?.toISOString() ?? "?"}`;
        return { outcome: "state-unknown", page: "now", reason, lastSeen, report: error.report };
      }
      // Changed and not put back: the ENI may be detached, or stuck detaching. Say where.
      const where = seen ?? "gone (deleted)";
      return { outcome: "stranded", page: "now", reason, where, report: error.report };
    }
    default:
      // Refused before any change: the standby is in another AZ, full, stopped or terminated, or
      // cannot take as many addresses; the ENI is gone; the primary still runs while the ENI is
      // free (someone detached it); EC2 throttled or denied. Nothing moved: the service is still down.
      return { outcome: "refused", page: "now", reason: `${error.name}: ${error.message}` };
  }
}

/** The Lambda entry point. One client per container, reused across invocations. */
const ec2 = new EC2Client({});
export async function handler(event: FailoverEvent): Promise<FailoverOutcome> {
  const result = await failover(ec2, event);
  // One JSON line per failover: a metric filter on `"page":"now"` drives the pager.
  console.log(JSON.stringify({ ...event, ...result }));
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [eniId, expectedFrom, to] = process.argv.slice(2);
  if (eniId === undefined || expectedFrom === undefined || to === undefined) {
    console.error("usage: failover.ts <eni-id> <from-instance-id> <to-instance-id>");
    process.exit(2);
  }
  const result = await handler({ eniId, expectedFrom, to });
  process.exitCode = result.page === "now" ? 1 : 0;
}
