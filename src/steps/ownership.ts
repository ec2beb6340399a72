import { CreateTagsCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, type ResultAsync } from "neverthrow";
import { send, type CallContext } from "../ec2/send.js";
import { ValidationError, type EniError } from "../errors.js";
import { MAX_TAG_VALUE, checkString, type Check } from "../validation.js";

/**
 * The tags eni-kit puts on ENIs: `Eni.create` marks every ENI it makes as its owner's
 * (`managedBy`, `createdAt`), so eni-kit can later tell its own ENIs from everyone else's; the
 * other three keep the orphan reaper away from ENIs in use. Use these keys in IAM conditions, e.g.
 * `ec2:ResourceTag/eni-kit:managed-by`.
 *
 * The reaper's rule (`Eni.findOrphans`, checked again by `Eni.reapOrphans` before each delete): an
 * ENI is an orphan when it is tagged `managedBy` = the owner, is `available` with no attachment,
 * has no unexpired `heldUntil` lease, has no `attached` marker (unless the reaper passes
 * `includeOnceAttached`), and a reaper pass first saw it free (`freeSince`) at least the grace
 * period `olderThan` ago. The pass that first sees it free only writes `freeSince`: no ENI is
 * listed by the pass that first sees it free, whatever `olderThan`. A pass that sees an owned ENI
 * attached writes the `attached` marker (when missing) and empties `freeSince` (when set), in one
 * CreateTags. Nothing is written on an ENI under a lease; if a write fails, the pass fails.
 *
 * @example
 * ```ts
 * const mine = await Eni.find(ec2, { tags: { [OWNERSHIP_TAGS.managedBy]: OWNERSHIP_TAGS.defaultOwner } });
 * ```
 */
export const OWNERSHIP_TAGS = {
  /** Key of the tag naming the owner; its value is `owner` (default `eni-kit`). */
  managedBy: "eni-kit:managed-by",
  /**
   * Key of the tag holding the creation time, as an ISO 8601 UTC timestamp. Information only: the
   * reaper's grace period counts from `freeSince`, since a months-old ENI may be free only now.
   */
  createdAt: "eni-kit:created-at",
  /** The owner value used when none is given. */
  defaultOwner: "eni-kit",
  /**
   * Key of the tag that says the ENI has been attached at least once (its value: when eni-kit first
   * saw that, ISO 8601 UTC). Written by eni-kit's attaches and moves, and by a reaper that sees the
   * ENI attached. Reapers leave such ENIs alone unless told otherwise (`includeOnceAttached`): a
   * floating ENI is free only for the moment of a failover. Its presence counts, whatever its value.
   */
  attached: "eni-kit:attached",
  /**
   * Key of the tag holding when a reaper first saw the ENI free (ISO 8601 UTC). A reaper's grace
   * period counts from here, never from creation. eni-kit's attaches and moves clear it (to an
   * empty value), and so does a reaper that sees the ENI attached, so a later look starts counting
   * afresh. Empty or unreadable means not seen free yet.
   */
  freeSince: "eni-kit:free-since",
  /**
   * Key of the lease tag: until when (ISO 8601 UTC) a move holds the ENI. A reaper in any process
   * skips an ENI whose lease has not expired, whatever its options, and writes nothing on it; an
   * unreadable lease counts as unexpired. The lease outlives the move's deadline, and an expired
   * one means nothing, so it is left in place rather than removed with another call.
   */
  heldUntil: "eni-kit:held-until",
} as const;

/** An owner value: what the `eni-kit:managed-by` tag says. */
export function checkOwner(field: string, value: unknown): Check<string> {
  return checkString(field, value, MAX_TAG_VALUE);
}

/** The ownership tags of an ENI created by `owner`; without a creation time, only the owner tag. */
export function ownershipTags(owner: string, now: Date | undefined): Record<string, string> {
  return {
    [OWNERSHIP_TAGS.managedBy]: owner,
    ...(now !== undefined && { [OWNERSHIP_TAGS.createdAt]: now.toISOString() }),
  };
}

/** Refuses user tags that would overwrite (or forge) the ownership tags. */
export function checkNotOwnershipTags(field: string, tags: Readonly<Record<string, string>>): Check<void> {
  const clash = Object.keys(tags).find((key) => key === OWNERSHIP_TAGS.managedBy || key === OWNERSHIP_TAGS.createdAt);
  return clash === undefined
    ? ok(undefined)
    : err(
        new ValidationError(
          `eni-kit sets the \`${clash}\` tag itself (see \`owner\`); pass \`owner: false\` to set it yourself.`,
          { field: `${field}.${clash}` },
        ),
      );
}

/** The tag value of an ENI, or `undefined`. */
export function tagOf(ni: NetworkInterface, key: string): string | undefined {
  return ni.TagSet?.find((tag) => tag.Key === key)?.Value;
}

/** Whether an eni-kit reaper could ever list this ENI: it carries an owner tag. */
function isManaged(ni: NetworkInterface): boolean {
  return tagOf(ni, OWNERSHIP_TAGS.managedBy) !== undefined;
}

/**
 * The tags an attach or a move writes on an ENI eni-kit manages before it changes it: the
 * `attached` marker (when missing), an empty `free-since` (when set), and the lease until `until`
 * (a move's). `undefined` when there is nothing to write: the ENI has no owner tag (no eni-kit
 * reaper would touch it), or it already carries all of them.
 */
export function holdTags(ni: NetworkInterface, now: Date, until?: Date): Record<string, string> | undefined {
  if (!isManaged(ni)) return undefined;
  const tags: Record<string, string> = {
    ...(tagOf(ni, OWNERSHIP_TAGS.attached) === undefined && { [OWNERSHIP_TAGS.attached]: now.toISOString() }),
    ...(Boolean(tagOf(ni, OWNERSHIP_TAGS.freeSince)) && { [OWNERSHIP_TAGS.freeSince]: "" }),
    ...(until !== undefined && { [OWNERSHIP_TAGS.heldUntil]: until.toISOString() }),
  };
  return Object.keys(tags).length === 0 ? undefined : tags;
}

/**
 * Marks an ENI as held by an attach or a move (see {@link holdTags}) with one CreateTags call, or
 * none when there is nothing to mark. `Ok(true)` once marked, `Ok(false)` when nothing was needed.
 */
export function holdEni(
  ec2: EC2Client,
  ni: NetworkInterface,
  context: CallContext,
  until?: Date,
): ResultAsync<boolean, EniError> {
  const tags = holdTags(ni, new Date(), until);
  if (tags === undefined) return okAsync(false);
  const command = new CreateTagsCommand({
    Resources: [ni.NetworkInterfaceId ?? ""],
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
  return send(ec2, command, context).map(() => true);
}
