import { DeleteNetworkInterfaceCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, safeTry } from "neverthrow";
import { pool } from "../async.js";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import type { EniError, ValidationError } from "../errors.js";
import {
  anyValue,
  checkAbortSignal,
  checkId,
  checkList,
  checkOptionsWith,
  integerFrom,
  invalid,
  type Check,
} from "../validation.js";
import { findEnis } from "./read.js";
import { OWNERSHIP_TAGS, checkOwner, createdAt, tagOf } from "./ownership.js";

/**
 * Which leftovers `Eni.findOrphans` looks for.
 *
 * @example
 * ```ts
 * const query: OrphanQuery = { olderThan: 3600, owner: "db-failover" };
 * ```
 */
export interface OrphanQuery {
  /** The grace period, in seconds: only ENIs created at least this long ago are listed. */
  readonly olderThan: number;
  /**
   * The owner, as `Eni.create`'s `owner` option wrote it to the `eni-kit:managed-by` tag.
   * @default "eni-kit"
   */
  readonly owner?: string;
  /** Stops the listing with an `AbortedError`. */
  readonly abortSignal?: AbortSignal;
}

/**
 * How `Eni.reapOrphans` deletes.
 *
 * @example
 * ```ts
 * const options: ReapOptions = { owner: "db-failover", concurrency: 2 };
 * ```
 */
export interface ReapOptions {
  /**
   * Only ENIs still tagged with this owner are deleted.
   * @default "eni-kit"
   */
  readonly owner?: string;
  /**
   * How many ENIs are re-read and deleted at once (EC2 throttles per API).
   * @default 5
   */
  readonly concurrency?: number;
  /** Stops before the next request; ENIs not reached are reported as failed with `AbortedError`. */
  readonly abortSignal?: AbortSignal;
}

/**
 * What a reap did with each ENI, in the order given.
 *
 * @example
 * ```ts
 * const report: ReapReport = { deleted: ["eni-0123456789abcdef0"], skipped: [], failed: [] };
 * ```
 */
export interface ReapReport {
  /** The ENIs deleted. */
  readonly deleted: readonly string[];
  /** The ENIs left alone, and why (attached since the listing, no longer owned, already gone). */
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
  /** The ENIs whose re-read or delete failed. */
  readonly failed: readonly { readonly id: string; readonly error: EniError }[];
}

const DEFAULT_CONCURRENCY = 5;
const MAX_CONCURRENCY = 20;

/** Why an ENI is not (or no longer) an orphan of `owner`; `undefined` when it is one. */
function notOrphan(ni: NetworkInterface, owner: string): string | undefined {
  if (ni.Attachment?.AttachmentId !== undefined) return `attached to ${ni.Attachment.InstanceId ?? "an instance"}`;
  if (ni.Status !== "available") return `status is ${ni.Status ?? "unknown"}, not available`;
  if (tagOf(ni, OWNERSHIP_TAGS.managedBy) !== owner) return `not tagged ${OWNERSHIP_TAGS.managedBy}=${owner}`;
  return undefined;
}

function parseQuery(query: unknown) {
  return checkOptionsWith("query", query, {
    olderThan: [anyValue],
    owner: [checkOwner, OWNERSHIP_TAGS.defaultOwner],
    abortSignal: [checkAbortSignal],
  }).andThen((q) =>
    // Required, so checked here rather than in the spec (which lets an absent option through).
    typeof q.olderThan === "number" && Number.isFinite(q.olderThan) && q.olderThan >= 0
      ? ok({ ...q, olderThanMs: q.olderThan * 1000 })
      : invalid("olderThan", "a number of seconds, 0 or more", q.olderThan),
  );
}

/**
 * Lists `available` ENIs tagged as `owner`'s whose `eni-kit:created-at` tag is at least
 * `olderThan` seconds old: one paginated, filtered DescribeNetworkInterfaces. ENIs without a
 * readable creation time are never listed: their age is unknown.
 */
export function findOrphanEnis(ec2: EC2Client, query: unknown): ResultAsync<NetworkInterface[], EniError> {
  return parseQuery(query).asyncAndThen(({ olderThanMs, owner, abortSignal }) => {
    return findEnis(ec2, { status: "available", tags: { [OWNERSHIP_TAGS.managedBy]: owner }, abortSignal }).map(
      (found) => {
        const now = Date.now();
        // EC2 filtered already; checked again so the rule lives in one place.
        return found.filter((ni) => {
          const created = createdAt(ni);
          return notOrphan(ni, owner) === undefined && created !== undefined && now - created >= olderThanMs;
        });
      },
    );
  });
}

function parseReap(
  orphans: unknown,
  options: unknown,
): Check<{ ids: string[]; owner: string; concurrency: number; abortSignal: AbortSignal | undefined }> {
  return safeTry(function* () {
    const ids = yield* checkList("orphans", orphans, 0, "an array of ENIs or ENI ids", (field, item) =>
      checkId(field, typeof item === "object" && item !== null ? (item as { id?: unknown }).id : item, "eni"),
    );
    const o = yield* checkOptionsWith("options", options, {
      owner: [checkOwner, OWNERSHIP_TAGS.defaultOwner],
      concurrency: [integerFrom(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY],
      abortSignal: [checkAbortSignal],
    });
    return ok({ ...o, ids });
  });
}

/**
 * Re-reads one ENI and deletes it only if it is still an orphan: `Ok(undefined)` once deleted,
 * `Ok(reason)` when skipped, `Err` when the re-read or the delete failed.
 */
function reapOne(
  ec2: EC2Client,
  id: string,
  owner: string,
  abortSignal: AbortSignal | undefined,
): ResultAsync<string | undefined, EniError> {
  return describeEni(ec2, id, { abortSignal })
    .andThen((ni) => {
      const reason = notOrphan(ni, owner);
      return reason === undefined
        ? send(ec2, new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }), { abortSignal }).map(() => undefined)
        : okAsync(`${reason} since the listing`);
    })
    .orElse((error) => {
      if (error.name === "NotFoundError" && error.resourceType === "network-interface") return ok("already gone");
      // Attached between the re-read and the delete: EC2 refused it, which is what we want.
      if (error.name === "InvalidStateError" && error.state === "in-use") {
        return ok(`in use since the listing (${error.message})`);
      }
      return err(error);
    });
}

/**
 * Deletes the given orphans, each only after re-reading it: anything attached, no longer
 * `available` or no longer tagged as `owner`'s since the listing is skipped. One ENI's failure
 * never stops the others.
 */
export function reapOrphanEnis(
  ec2: EC2Client,
  orphans: unknown,
  options: unknown,
): ResultAsync<ReapReport, ValidationError> {
  return parseReap(orphans, options).asyncAndThen(({ ids, owner, concurrency, abortSignal }) => {
    const reaped = pool(ids, concurrency, async (id) => reapOne(ec2, id, owner, abortSignal));
    return ResultAsync.fromSafePromise(reaped).map((results) => {
      const report = {
        deleted: [] as string[],
        skipped: [] as { id: string; reason: string }[],
        failed: [] as { id: string; error: EniError }[],
      };
      results.forEach((result, index) => {
        const id = ids[index] as string;
        if (result.isErr()) report.failed.push({ id, error: result.error });
        else if (result.value === undefined) report.deleted.push(id);
        else report.skipped.push({ id, reason: result.value });
      });
      return report;
    });
  });
}
