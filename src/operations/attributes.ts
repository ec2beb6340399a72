import {
  CreateTagsCommand,
  DeleteTagsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type ModifyNetworkInterfaceAttributeCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, ok, type ResultAsync } from "neverthrow";
import { send } from "../ec2/send.js";
import { InvalidStateError, type EniError } from "../errors.js";
import {
  MAX_TAGS,
  checkBoolean,
  checkDescription,
  checkIds,
  checkList,
  checkTagKey,
  checkTags,
  refuse,
  show,
  type Check,
} from "../validation.js";
import { type OperationContext } from "../waiters.js";
import { changeEni, parseChange, runChange, unlessManaged, type ChangeRequest } from "../steps/change.js";

// EC2's limit of security groups per ENI (the adjustable quota's maximum).
const MAX_GROUPS = 16;

/** The attribute part of a ModifyNetworkInterfaceAttribute request; EC2 takes one attribute per call. */
type Attribute = Omit<ModifyNetworkInterfaceAttributeCommandInput, "NetworkInterfaceId">;

/** A change's `apply` that sets one attribute. */
function modify(ec2: EC2Client, eniId: string, context: OperationContext, attribute: Attribute) {
  return () =>
    send(ec2, new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, ...attribute }), context);
}

/** An attribute to set: what the read-back waits for, the attribute's wanted value, and how a read shows it. */
interface AttributeChange {
  readonly waitingFor: string;
  readonly attribute: Attribute;
  readonly isSet: (ni: NetworkInterface) => boolean;
}

/** Sets an attribute that needs nothing but its wanted value; a read already showing it: no call. */
function setAttribute(
  ec2: EC2Client,
  eniId: string,
  context: OperationContext,
  { waitingFor, attribute, isSet }: AttributeChange,
): ResultAsync<NetworkInterface, EniError> {
  return changeEni(
    ec2,
    eniId,
    context,
    unlessManaged(() => ok({ waitingFor, apply: modify(ec2, eniId, context, attribute), isSet })),
  );
}

/** Replaces the ENI's security groups (1 to 16 `sg-` ids, in its VPC). Same set already: no call. */
export function setEniSecurityGroups(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<string[]>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (wanted, context) =>
    setAttribute(ec2, eniId, context, {
      waitingFor: `in security groups ${wanted.join(", ")}`,
      attribute: { Groups: wanted },
      // Order means nothing to EC2, so the same set in another order is already set.
      isSet: ({ Groups = [] }) =>
        Groups.length === wanted.length && Groups.every((group) => wanted.includes(group.GroupId ?? "")),
    }),
  );
}

/** Turns EC2's source/destination check on or off (off for NAT instances and appliances). */
export function setEniSourceDestCheck(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<boolean>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (value, context) =>
    setAttribute(ec2, eniId, context, {
      waitingFor: `with source/dest check ${value ? "on" : "off"}`,
      attribute: { SourceDestCheck: { Value: value } },
      // A missing field reads as on, EC2's default.
      isSet: (ni) => (ni.SourceDestCheck ?? true) === value,
    }),
  );
}

/** Sets the description (up to 255 characters; an empty string clears it). */
export function setEniDescription(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<string>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (value, context) =>
    setAttribute(ec2, eniId, context, {
      waitingFor: `described as ${show(value)}`,
      attribute: { Description: { Value: value } },
      isSet: (ni) => (ni.Description ?? "") === value,
    }),
  );
}

/** Sets `DeleteOnTermination` of the ENI's current attachment; an unattached ENI is refused. */
export function setEniDeleteOnTermination(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<boolean>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (value, context) =>
    changeEni(
      ec2,
      eniId,
      context,
      unlessManaged((ni) => {
        const attachmentId = ni.Attachment?.AttachmentId;
        if (attachmentId === undefined || ni.Status === "available") {
          return err(
            new InvalidStateError(
              `Network interface ${eniId} is not attached, so it has no DeleteOnTermination to set.`,
              { resourceId: eniId, state: ni.Status },
            ),
          );
        }
        return ok({
          waitingFor: `with deleteOnTermination ${value} on attachment ${attachmentId}`,
          apply: modify(ec2, eniId, context, {
            Attachment: { AttachmentId: attachmentId, DeleteOnTermination: value },
          }),
          // Tied to this attachment: if the ENI moves meanwhile, the new attachment's flag is not ours.
          isSet: ({ Attachment }: NetworkInterface) =>
            Attachment?.AttachmentId === attachmentId && (Attachment.DeleteOnTermination ?? false) === value,
        });
      }),
    ),
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
  request: ChangeRequest<Record<string, string>>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (checkedTags, context) => {
    const wanted = Object.entries(checkedTags);
    return changeEni(ec2, eniId, context, (ni) => {
      const current = tagsOf(ni);
      const changed = wanted.filter(([key, value]) => current.get(key) !== value);
      // EC2's 50-tag limit counts the ENI's tags but not `aws:` ones (EC2's own), plus the new keys.
      const own = [...current.keys()].filter((key) => !/^aws:/i.test(key)).length;
      const total = own + changed.filter(([key]) => !current.has(key)).length;
      if (total > MAX_TAGS) {
        return refuse(
          "tags",
          `Expected at most ${MAX_TAGS} tags on one resource, got ${total} (${eniId} has ${own} already).`,
        );
      }
      return ok({
        waitingFor: `tagged ${changed.map(([key]) => key).join(", ")}`,
        apply: () =>
          send(
            ec2,
            new CreateTagsCommand({ Resources: [eniId], Tags: changed.map(([Key, Value]) => ({ Key, Value })) }),
            context,
          ),
        isSet: (fresh: NetworkInterface) => {
          const now = tagsOf(fresh);
          return changed.every(([key, value]) => now.get(key) === value);
        },
      });
    });
  });
}

/** Removes tags by key, whatever their values. Keys the ENI does not have send no call. */
export function untagEni(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<string[]>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (wanted, context) =>
    changeEni(ec2, eniId, context, (ni) => {
      const current = tagsOf(ni);
      const present = wanted.filter((key) => current.has(key));
      return ok({
        waitingFor: `untagged ${present.join(", ")}`,
        // Without a Value, EC2 deletes the tag whatever its value.
        apply: () =>
          send(ec2, new DeleteTagsCommand({ Resources: [eniId], Tags: present.map((Key) => ({ Key })) }), context),
        isSet: (fresh: NetworkInterface) => {
          const now = tagsOf(fresh);
          return present.every((key) => !now.has(key));
        },
      });
    }),
  );
}

/** Parses {@link setEniSecurityGroups}' input: 1 to 16 `sg-` ids, and the {@link ChangeOptions}. */
export function parseSecurityGroups(groupIds: unknown, options: unknown): Check<ChangeRequest<string[]>> {
  const groups = checkIds("groupIds", groupIds, "sg", 1).andThen((ids) =>
    ids.length > MAX_GROUPS
      ? refuse(
          "groupIds",
          `Expected at most ${MAX_GROUPS} security groups on one network interface, got ${ids.length}.`,
        )
      : ok(ids),
  );
  return parseChange(groups, options);
}

/** Parses the input of the setters that take a boolean (`enabled`) and the {@link ChangeOptions}. */
export function parseEnabled(enabled: unknown, options: unknown): Check<ChangeRequest<boolean>> {
  return parseChange(checkBoolean("enabled", enabled), options);
}

/** Parses {@link setEniDescription}'s input: up to 255 characters, and the {@link ChangeOptions}. */
export function parseDescription(text: unknown, options: unknown): Check<ChangeRequest<string>> {
  return parseChange(checkDescription("text", text), options);
}

/** Parses {@link tagEni}'s input: the tags, and the {@link ChangeOptions}. */
export function parseTags(tags: unknown, options: unknown): Check<ChangeRequest<Record<string, string>>> {
  return parseChange(checkTags("tags", tags), options);
}

/** Parses {@link untagEni}'s input: a non-empty list of tag keys, and the {@link ChangeOptions}. */
export function parseTagKeys(keys: unknown, options: unknown): Check<ChangeRequest<string[]>> {
  return parseChange(checkList("keys", keys, 1, "a non-empty array of tag keys", checkTagKey), options);
}
