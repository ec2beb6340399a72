import type { NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok } from "neverthrow";
import { ValidationError } from "../errors.js";
import { MAX_TAG_VALUE, checkString, type Check } from "../validation.js";

/**
 * The tags `Eni.create` puts on every ENI it makes, so eni-kit can later tell its own ENIs
 * from everyone else's. EC2 reports no creation time for an ENI, so `createdAt` is what makes
 * `Eni.findOrphans({ olderThan })` possible. Use these keys in IAM conditions, e.g.
 * `ec2:ResourceTag/eni-kit:managed-by`.
 *
 * @example
 * ```ts
 * const mine = await Eni.find(ec2, { tags: { [OWNERSHIP_TAGS.managedBy]: OWNERSHIP_TAGS.defaultOwner } });
 * ```
 */
export const OWNERSHIP_TAGS = {
  /** Key of the tag naming the owner; its value is `owner` (default `eni-kit`). */
  managedBy: "eni-kit:managed-by",
  /** Key of the tag holding the creation time, as an ISO 8601 UTC timestamp. */
  createdAt: "eni-kit:created-at",
  /** The owner value used when none is given. */
  defaultOwner: "eni-kit",
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
          `${field}.${clash}`,
          `eni-kit sets the \`${clash}\` tag itself (see \`owner\`); pass \`owner: false\` to set it yourself.`,
        ),
      );
}

/** The tag value of an ENI, or `undefined`. */
export function tagOf(ni: NetworkInterface, key: string): string | undefined {
  return ni.TagSet?.find((tag) => tag.Key === key)?.Value;
}

/** When the ENI was created (epoch ms) according to its `eni-kit:created-at` tag; `undefined` if absent or unreadable. */
export function createdAt(ni: NetworkInterface): number | undefined {
  // An absent tag parses as "", which is as unreadable as a malformed one.
  const time = Date.parse(tagOf(ni, OWNERSHIP_TAGS.createdAt) ?? "");
  return Number.isNaN(time) ? undefined : time;
}
