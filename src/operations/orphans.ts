import {
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  type EC2Client,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, safeTry } from "neverthrow";
import { pool } from "../async.js";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import type { EniError } from "../errors.js";
import {
  checkAbortSignal,
  checkBoolean,
  checkId,
  checkList,
  checkOptionsWith,
  integerFrom,
  invalid,
  type Check,
} from "../validation.js";
import { findEnis } from "../steps/read.js";
import { OWNERSHIP_TAGS, checkOwner, holdTags, tagOf } from "../steps/ownership.js";

/**
 * Which leftovers `Eni.findOrphans` looks for, and which ENIs it may consider at all.
 *
 * An ENI is an orphan when it is tagged as `owner`'s, `available` with no attachment, under no
 * unexpired lease (`eni-kit:held-until`), has never been attached (`eni-kit:attached`) unless
 * `includeOnceAttached`, and was first seen free by a pass at least `olderThan` seconds ago
 * (`eni-kit:free-since`). See {@link OWNERSHIP_TAGS}.
 *
 * @example
 * ```ts
 * const query: OrphanQuery = { olderThan: 3600, owner: "db-failover" };
 * ```
 */
export interface OrphanQuery {
  /**
   * The grace period, in seconds, counted from when a pass first saw the ENI free (the
   * `eni-kit:free-since` tag), never from its creation. An ENI first seen free by this pass is
   * tagged and not listed, even with `0`: only a later pass can list it.
   */
  readonly olderThan: number;
  /**
   * The owner, as `Eni.create`'s `owner` option wrote it to the `eni-kit:managed-by` tag.
   * @default "eni-kit"
   */
  readonly owner?: string | undefined;
  /**
   * Also consider ENIs that have been attached before (the `eni-kit:attached` tag). Off by default,
   * because a floating ENI is free only for the moments of a failover. Turn it on to clean up ENIs
   * left `available` when their instance was terminated (an ENI attached with
   * `deleteOnTermination: false` outlives its instance), knowing that a floating ENI whose
   * instances are all gone is reaped too. Such ENIs still wait out the grace period from when a
   * pass first saw them free, and a lease still protects them.
   * @default false
   */
  readonly includeOnceAttached?: boolean | undefined;
  /** Stops the listing (and its tag writes) with an `AbortedError`. */
  readonly abortSignal?: AbortSignal | undefined;
}

/**
 * How `Eni.reapOrphans` decides, again, right before each delete, and how it deletes.
 *
 * @example
 * ```ts
 * const options: ReapOptions = { olderThan: 3600, owner: "db-failover", concurrency: 2 };
 * ```
 */
export interface ReapOptions {
  /**
   * The grace period, in seconds, checked again on the re-read: pass the listing's. With `0` an
   * ENI still needs a `findOrphans` pass to have seen it free (the `eni-kit:free-since` tag).
   * @default 0
   */
  readonly olderThan?: number | undefined;
  /**
   * Only ENIs still tagged with this owner are deleted.
   * @default "eni-kit"
   */
  readonly owner?: string | undefined;
  /**
   * Also delete ENIs attached before (see {@link OrphanQuery.includeOnceAttached}); pass the listing's.
   * @default false
   */
  readonly includeOnceAttached?: boolean | undefined;
  /**
   * How many ENIs are re-read and deleted at once (EC2 throttles per API).
   * @default 5
   */
  readonly concurrency?: number | undefined;
  /** Stops before the next request; ENIs not reached are reported as failed with `AbortedError`. */
  readonly abortSignal?: AbortSignal | undefined;
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
  /**
   * The ENIs left alone, and why: attached or not `available`, no longer owned, `held by a move
   * until …`, `attached before …`, `seen free only since …`, `not seen free yet …`, already gone.
   */
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
  /** The ENIs whose re-read or delete failed. */
  readonly failed: readonly { readonly id: string; readonly error: EniError }[];
}

const DEFAULT_CONCURRENCY = 5;
const MAX_CONCURRENCY = 20;
// EC2's most resources in one CreateTags.
const TAG_BATCH = 1000;
const { managedBy, attached, freeSince, heldUntil } = OWNERSHIP_TAGS;

/** Why an ENI may not be reaped (none: it may), and the tags a pass should write on it. */
interface Verdict {
  readonly reason?: string | undefined;
  readonly observe?: Record<string, string> | undefined;
}

interface Rule {
  readonly owner: string;
  readonly olderThan: number;
  readonly includeOnceAttached: boolean;
}

/**
 * Why `ni` may not be reaped now (`undefined` when it may), and what a pass should write on it
 * (`observe`): the `attached` marker and a reset count when it is seen attached, the start of the
 * count when it is first seen free. Nothing is written on an ENI under a lease or not considered.
 */
function judge(ni: NetworkInterface, rule: Rule, now: Date): Verdict {
  if (tagOf(ni, managedBy) !== rule.owner) return { reason: `not tagged ${managedBy}=${rule.owner}` };
  // An unreadable lease is kept as a lease: only eni-kit writes it, so someone meant to hold the ENI.
  const lease = tagOf(ni, heldUntil);
  if (lease && !(Date.parse(lease) <= now.getTime())) return { reason: `held by a move until ${lease}` };
  if (ni.Attachment?.AttachmentId !== undefined || ni.Status !== "available") {
    return {
      reason:
        ni.Attachment?.AttachmentId === undefined
          ? `status is ${ni.Status ?? "unknown"}, not available`
          : `attached to ${ni.Attachment.InstanceId ?? "an instance"}`,
      // A pending ENI is a new one, not a used one (EC2 reports the status; the SDK's enum omits it).
      ...((ni.Status as string) !== "pending" && { observe: holdTags(ni, now) }),
    };
  }
  const marker = tagOf(ni, attached);
  if (marker !== undefined && !rule.includeOnceAttached) {
    return { reason: `attached before (${attached}=${marker}); see includeOnceAttached` };
  }
  const since = tagOf(ni, freeSince) ?? "";
  const seen = Date.parse(since);
  if (Number.isNaN(seen)) {
    return { reason: `not seen free yet (no ${freeSince} time)`, observe: { [freeSince]: now.toISOString() } };
  }
  return now.getTime() - seen < rule.olderThan * 1000 ? { reason: `seen free only since ${since}` } : {};
}

/** A grace period: seconds, 0 or more. */
function checkSeconds(field: string, value: unknown): Check<number> {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? ok(value)
    : invalid(field, "a number of seconds, 0 or more", value);
}

const RULE_SPEC = {
  owner: [checkOwner, OWNERSHIP_TAGS.defaultOwner],
  includeOnceAttached: [checkBoolean, false],
  abortSignal: [checkAbortSignal],
} as const;

/**
 * Writes `tags` on `ids` with one CreateTags. An ENI deleted since the listing makes EC2 refuse the
 * whole call: it is dropped and the call sent again for the others.
 */
function tagAll(
  ec2: EC2Client,
  ids: readonly string[],
  tags: Record<string, string>,
  abortSignal: AbortSignal | undefined,
): ResultAsync<unknown, EniError> {
  if (ids.length === 0) return okAsync(undefined);
  const command = new CreateTagsCommand({
    Resources: [...ids],
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
  return send(ec2, command, { abortSignal }).orElse((error) =>
    error.name === "NotFoundError" && ids.includes(error.resourceId ?? "")
      ? tagAll(
          ec2,
          ids.filter((id) => id !== error.resourceId),
          tags,
          abortSignal,
        )
      : err(error),
  );
}

/**
 * Lists `owner`'s ENIs (one paginated, filtered DescribeNetworkInterfaces), writes what it observed
 * on them (one CreateTags per distinct tag set and 1000 ENIs), and returns those reapable now. If a
 * write fails, the pass fails with its error (after trying the others): an ENI it could not observe
 * is never listed, and a reaper that may not tag must not go unnoticed.
 */
export function findOrphanEnis(
  ec2: EC2Client,
  { abortSignal, ...rule }: ParsedOrphanQuery,
): ResultAsync<NetworkInterface[], EniError> {
  const owned = { ids: undefined, filters: [{ Name: `tag:${managedBy}`, Values: [rule.owner] }], abortSignal };
  return findEnis(ec2, owned).andThen((found) => {
    const now = new Date();
    // The observations, one entry per distinct tag set (keyed by its JSON): the tags and the ENIs.
    const writes = new Map<string, [Record<string, string>, string[]]>();
    const orphans = found.filter((ni) => {
      const { reason, observe } = judge(ni, rule, now);
      if (observe) {
        const key = JSON.stringify(observe);
        const write = writes.get(key) ?? [observe, []];
        write[1].push(ni.NetworkInterfaceId ?? "");
        writes.set(key, write);
      }
      return reason === undefined;
    });
    const calls: ResultAsync<unknown, EniError>[] = [];
    for (const [tags, ids] of writes.values()) {
      for (let i = 0; i < ids.length; i += TAG_BATCH)
        calls.push(tagAll(ec2, ids.slice(i, i + TAG_BATCH), tags, abortSignal));
    }
    return ResultAsync.combine(calls).map(() => orphans);
  });
}

/** An {@link OrphanQuery}, parsed: the rule and the abort signal. */
export type ParsedOrphanQuery = Rule & { readonly abortSignal: AbortSignal | undefined };

/** Parses an {@link OrphanQuery}. */
export function parseOrphanQuery(query: unknown): Check<ParsedOrphanQuery> {
  return checkOptionsWith("query", query, { olderThan: [checkSeconds], ...RULE_SPEC }).andThen((q) =>
    // Required, so checked here rather than in the spec (which lets an absent option through).
    q.olderThan === undefined
      ? invalid("olderThan", "a number of seconds, 0 or more", undefined)
      : ok({ ...q, olderThan: q.olderThan }),
  );
}

/** A reap's input, parsed: the ENI ids, the rule, and how to run. */
export type ParsedReap = Rule & { ids: string[]; concurrency: number; abortSignal: AbortSignal | undefined };

/** Parses {@link reapOrphanEnis}' input: the orphans (ENIs or ids) and the {@link ReapOptions}. */
export function parseReap(orphans: unknown, options: unknown): Check<ParsedReap> {
  return safeTry(function* () {
    const ids = yield* checkList("orphans", orphans, 0, "an array of ENIs or ENI ids", (field, item) =>
      checkId(field, typeof item === "object" && item !== null ? (item as { id?: unknown }).id : item, "eni"),
    );
    const o = yield* checkOptionsWith("options", options, {
      olderThan: [checkSeconds, 0],
      ...RULE_SPEC,
      concurrency: [integerFrom(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY],
    });
    return ok({ ...o, ids });
  });
}

/**
 * Re-reads one ENI and deletes it only if the rule still allows it: `Ok(undefined)` once deleted,
 * `Ok(reason)` when skipped, `Err` when the re-read or the delete failed.
 */
function reapOne(
  ec2: EC2Client,
  id: string,
  rule: Rule,
  abortSignal: AbortSignal | undefined,
): ResultAsync<string | undefined, EniError> {
  return describeEni(ec2, id, { abortSignal })
    .andThen((ni) => {
      const { reason } = judge(ni, rule, new Date());
      return reason === undefined
        ? send(ec2, new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }), { abortSignal }).map(() => undefined)
        : okAsync(reason);
    })
    .orElse((error) => {
      if (error.name === "NotFoundError" && error.resourceType === "network-interface") return ok("already gone");
      // Attached between the re-read and the delete: EC2 refused it, which is what we want.
      if (error.name === "InvalidStateError" && error.state === "in-use") return ok(`in use (${error.message})`);
      return err(error);
    });
}

/**
 * Deletes the given orphans, each only after re-reading it and applying the rule again (see
 * {@link judge}): whatever was attached, leased, marked or otherwise changed since the listing is
 * skipped. One ENI's failure never stops the others. Writes no tags.
 */
export function reapOrphanEnis(
  ec2: EC2Client,
  { ids, concurrency, abortSignal, ...rule }: ParsedReap,
): ResultAsync<ReapReport, never> {
  const reaped = pool(ids, concurrency, async (id) => reapOne(ec2, id, rule, abortSignal));
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
}
