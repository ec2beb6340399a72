import {
  CreateTagsCommand,
  DeleteTagsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type ModifyNetworkInterfaceAttributeCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { InvalidStateError, ValidationError, type EniError } from "../errors.js";
import {
  MAX_TAGS,
  checkBoolean,
  checkDescription,
  checkIds,
  checkList,
  checkTagKey,
  checkTags,
  show,
  type Check,
} from "../validation.js";
import { checkWaitOptions, waitForEni, type Wait } from "../waiters.js";

/**
 * How long a change is read back before giving up: EC2 is eventually consistent, so a
 * change it accepted can take a moment to show in its reads; usually well under a minute.
 */
export const READ_BACK_MAX_WAIT = 60;
// EC2's limit of security groups per ENI (the adjustable quota's maximum).
const MAX_GROUPS = 16;

/** Checks a setter's options: wait options only, with the read-back limit. */
export function parseReadBack(options: unknown): Check<Wait> {
  return checkWaitOptions(options, READ_BACK_MAX_WAIT);
}

/**
 * Refuses changes to an ENI another AWS service manages (a load balancer's, a NAT gateway's):
 * that service owns its addresses and attributes, and EC2 refuses most changes anyway.
 */
export function checkManaged(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  if (ni.RequesterManaged !== true) return ok(ni);
  const id = ni.NetworkInterfaceId;
  return err(
    new InvalidStateError(
      `Network interface ${id} is managed by another AWS service (${ni.RequesterId ?? "unknown"}); eni-kit leaves it alone.`,
      id,
      "requester-managed",
    ),
  );
}

/**
 * A change EC2 has yet to make: the request that makes it, and how a fresh read shows it done.
 * `applied` is what the request answered, for changes whose result EC2 picks.
 */
export interface Change<T> {
  /** What the read-back waits for, for a timeout's message. */
  readonly waitingFor: string;
  /** Sends the mutating request. */
  readonly apply: () => ResultAsync<T, EniError>;
  /** Whether a fresh read shows the change. */
  readonly isSet: (ni: NetworkInterface, applied: T) => boolean;
}

/** Applies a change to the ENI as read, and reads back until EC2 shows it; `undefined`: nothing to change, no call. */
export function applyChange<T>(
  ec2: EC2Client,
  ni: NetworkInterface,
  wait: Wait,
  change: Change<T> | undefined,
): ResultAsync<NetworkInterface, EniError> {
  if (change === undefined) return okAsync(ni);
  return change
    .apply()
    .andThen((applied) =>
      waitForEni(ec2, ni.NetworkInterfaceId ?? "", change.waitingFor, wait, (fresh) =>
        ok(change.isSet(fresh, applied)),
      ),
    );
}

/**
 * The flow of every setter: reads the ENI, refuses a requester-managed one (unless the change is
 * allowed there), lets `plan` decide from the read what to change, and applies it.
 */
export function changeEni<T>(
  ec2: EC2Client,
  eniId: string,
  wait: Wait,
  plan: (ni: NetworkInterface) => Result<Change<T> | undefined, EniError>,
  allowRequesterManaged = false,
): ResultAsync<NetworkInterface, EniError> {
  return describeEni(ec2, eniId, wait)
    .andThen((ni) => (allowRequesterManaged ? ok(ni) : checkManaged(ni)))
    .andThen((ni) => plan(ni).asyncAndThen((change) => applyChange(ec2, ni, wait, change)));
}

/** Runs a setter once its value and options passed their checks, so bad input sends nothing. */
function checked<T>(
  value: Check<T>,
  options: unknown,
  run: (value: T, wait: Wait) => ResultAsync<NetworkInterface, EniError>,
): ResultAsync<NetworkInterface, EniError> {
  if (value.isErr()) return errAsync(value.error);
  const wait = parseReadBack(options);
  return wait.isErr() ? errAsync(wait.error) : run(value.value, wait.value);
}

/** The attribute part of a ModifyNetworkInterfaceAttribute request; EC2 takes one attribute per call. */
type Attribute = Omit<ModifyNetworkInterfaceAttributeCommandInput, "NetworkInterfaceId">;

function modifyChange(
  ec2: EC2Client,
  eniId: string,
  wait: Wait,
  waitingFor: string,
  attribute: Attribute,
  isSet: (ni: NetworkInterface) => boolean,
): Change<unknown> {
  return {
    waitingFor,
    apply: () =>
      send(ec2, new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, ...attribute }), wait),
    isSet,
  };
}

/** Sets an attribute that needs nothing but its wanted value; already showing it: no call. */
function setAttribute(
  ec2: EC2Client,
  eniId: string,
  wait: Wait,
  waitingFor: string,
  attribute: Attribute,
  isSet: (ni: NetworkInterface) => boolean,
): ResultAsync<NetworkInterface, EniError> {
  return changeEni(ec2, eniId, wait, (ni) =>
    ok(isSet(ni) ? undefined : modifyChange(ec2, eniId, wait, waitingFor, attribute, isSet)),
  );
}

/** Replaces the ENI's security groups (1 to 16 `sg-` ids, in its VPC). Same set already: no call. */
export function setEniSecurityGroups(
  ec2: EC2Client,
  eniId: string,
  groupIds: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  const groups = checkIds("groupIds", groupIds, "sg", 1).andThen((ids) =>
    ids.length > MAX_GROUPS
      ? err(
          new ValidationError(
            "groupIds",
            `Expected at most ${MAX_GROUPS} security groups on one network interface, got ${ids.length}.`,
          ),
        )
      : ok(ids),
  );
  return checked(groups, options, (wanted, wait) =>
    setAttribute(ec2, eniId, wait, `in security groups ${wanted.join(", ")}`, { Groups: wanted }, (ni) => {
      // Order means nothing to EC2, so the same set in another order is already set.
      const current = (ni.Groups ?? []).map((group) => group.GroupId);
      return current.length === wanted.length && current.every((id) => id !== undefined && wanted.includes(id));
    }),
  );
}

/** Turns EC2's source/destination check on or off (off for NAT instances and appliances). */
export function setEniSourceDestCheck(
  ec2: EC2Client,
  eniId: string,
  enabled: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return checked(checkBoolean("enabled", enabled), options, (value, wait) =>
    // A missing field reads as on, EC2's default.
    setAttribute(
      ec2,
      eniId,
      wait,
      `with source/dest check ${value ? "on" : "off"}`,
      { SourceDestCheck: { Value: value } },
      (ni) => (ni.SourceDestCheck ?? true) === value,
    ),
  );
}

/** Sets the description (up to 255 characters; an empty string clears it). */
export function setEniDescription(
  ec2: EC2Client,
  eniId: string,
  text: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return checked(checkDescription("text", text), options, (value, wait) =>
    setAttribute(
      ec2,
      eniId,
      wait,
      `described as ${show(value)}`,
      { Description: { Value: value } },
      (ni) => (ni.Description ?? "") === value,
    ),
  );
}

/** Sets `DeleteOnTermination` of the ENI's current attachment; an unattached ENI is refused. */
export function setEniDeleteOnTermination(
  ec2: EC2Client,
  eniId: string,
  enabled: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return checked(checkBoolean("enabled", enabled), options, (value, wait) =>
    changeEni(ec2, eniId, wait, (ni) => {
      const attachmentId = ni.Attachment?.AttachmentId;
      if (attachmentId === undefined || ni.Status === "available") {
        return err(
          new InvalidStateError(
            `Network interface ${eniId} is not attached, so it has no DeleteOnTermination to set.`,
            eniId,
            ni.Status,
          ),
        );
      }
      // Tied to this attachment: if the ENI moves meanwhile, the new attachment's flag is not ours.
      const isSet = (fresh: NetworkInterface) =>
        fresh.Attachment?.AttachmentId === attachmentId && (fresh.Attachment.DeleteOnTermination ?? false) === value;
      const attribute = { Attachment: { AttachmentId: attachmentId, DeleteOnTermination: value } };
      return ok(
        isSet(ni)
          ? undefined
          : modifyChange(
              ec2,
              eniId,
              wait,
              `with deleteOnTermination ${value} on attachment ${attachmentId}`,
              attribute,
              isSet,
            ),
      );
    }),
  );
}

/** Keys that count toward EC2's 50-tag limit: `aws:` tags are EC2's own and do not. */
function userTagKeys(ni: NetworkInterface): string[] {
  return (ni.TagSet ?? []).flatMap((tag) =>
    tag.Key === undefined || tag.Key.toLowerCase().startsWith("aws:") ? [] : [tag.Key],
  );
}

function tagsOf(ni: NetworkInterface): Map<string, string> {
  return new Map((ni.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
}

/**
 * Adds or overwrites tags, leaving other tags alone. Tags already set to these values send no
 * call. Tagging does not change the ENI's networking, so unlike the other setters it is allowed
 * on requester-managed ENIs (teams tag load balancers' ENIs for cost and ownership).
 */
export function tagEni(
  ec2: EC2Client,
  eniId: string,
  tags: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return checked(checkTags("tags", tags), options, (checkedTags, wait) => {
    const wanted = Object.entries(checkedTags);
    return changeEni(
      ec2,
      eniId,
      wait,
      (ni) => {
        const current = tagsOf(ni);
        const changed = wanted.filter(([key, value]) => current.get(key) !== value);
        if (changed.length === 0) return ok(undefined);
        const total = new Set([...userTagKeys(ni), ...wanted.map(([key]) => key)]).size;
        if (total > MAX_TAGS) {
          return err(
            new ValidationError(
              "tags",
              `Expected at most ${MAX_TAGS} tags on one resource: ${eniId} has ${userTagKeys(ni).length}, and these would make ${total}.`,
            ),
          );
        }
        return ok({
          waitingFor: `tagged ${changed.map(([key]) => key).join(", ")}`,
          apply: () =>
            send(
              ec2,
              new CreateTagsCommand({ Resources: [eniId], Tags: changed.map(([Key, Value]) => ({ Key, Value })) }),
              wait,
            ),
          isSet: (fresh: NetworkInterface) => {
            const now = tagsOf(fresh);
            return changed.every(([key, value]) => now.get(key) === value);
          },
        });
      },
      true,
    );
  });
}

/** Removes tags by key, whatever their values. Keys the ENI does not have send no call. */
export function untagEni(
  ec2: EC2Client,
  eniId: string,
  keys: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return checked(checkList("keys", keys, 1, "a non-empty array of tag keys", checkTagKey), options, (wanted, wait) =>
    changeEni(
      ec2,
      eniId,
      wait,
      (ni) => {
        const current = tagsOf(ni);
        const present = wanted.filter((key) => current.has(key));
        return ok(
          present.length === 0
            ? undefined
            : {
                waitingFor: `untagged ${present.join(", ")}`,
                // Without a Value, EC2 deletes the tag whatever its value.
                apply: () =>
                  send(ec2, new DeleteTagsCommand({ Resources: [eniId], Tags: present.map((Key) => ({ Key })) }), wait),
                isSet: (fresh: NetworkInterface) => {
                  const now = tagsOf(fresh);
                  return present.every((key) => !now.has(key));
                },
              },
        );
      },
      true,
    ),
  );
}
