import {
  CreateTagsCommand,
  DeleteTagsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type ModifyNetworkInterfaceAttributeCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, safeTry, type Result, type ResultAsync } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { InvalidStateError, ValidationError, type EniError } from "../errors.js";
import { checkBoolean, checkDescription, checkIds, checkKnownKeys, checkOptions, checkTagKey, checkTags, show, type Check } from "../validation.js";
import { WAIT_KEYS, checkWait, waitForEni, type Wait, type WaitOptions } from "../waiters.js";

/**
 * How long a change is read back before giving up: EC2 is eventually consistent, so a
 * change it accepted can take a moment to show in its reads; usually well under a minute.
 */
export const READ_BACK_MAX_WAIT = 60;
// EC2's limits: security groups per ENI (the adjustable quota's maximum) and tags per resource.
const MAX_GROUPS = 16;
const MAX_TAGS = 50;

/** Checks options that are wait options only (every setter's second argument). */
export function parseReadBack(options: unknown): Check<Wait> {
  return safeTry(function* () {
    const o = yield* checkOptions<WaitOptions>("options", options);
    yield* checkKnownKeys("options", o, WAIT_KEYS);
    return checkWait(o, READ_BACK_MAX_WAIT);
  });
}

/**
 * Refuses changes to an ENI another AWS service manages (a load balancer's, a NAT gateway's):
 * that service owns its addresses and attributes, and EC2 refuses most changes anyway.
 */
export function checkManaged(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  if (ni.RequesterManaged !== true) return ok(ni);
  const id = ni.NetworkInterfaceId;
  return err(new InvalidStateError(`Network interface ${id} is managed by another AWS service (${ni.RequesterId ?? "unknown"}); eni-kit leaves it alone.`, id, "requester-managed"));
}

/** A change EC2 has yet to make: the attribute to send, and how to see it done. */
interface AttributeChange {
  readonly waitingFor: string;
  /** The attribute part of the request; EC2 takes one attribute per call. */
  readonly attribute: Omit<ModifyNetworkInterfaceAttributeCommandInput, "NetworkInterfaceId">;
  /** Whether a fresh read shows the change. */
  readonly isSet: (ni: NetworkInterface) => boolean;
}

/** Decides from the ENI as read what to change: `undefined` when it already shows the value. */
type Plan = (ni: NetworkInterface) => Result<AttributeChange | undefined, EniError>;

/** The plan for an attribute that needs nothing but its wanted value. */
function plainChange(change: AttributeChange): Plan {
  return (ni) => ok(change.isSet(ni) ? undefined : change);
}

/**
 * Reads the ENI; when it already shows the value, returns it with no mutating call; else sends
 * one ModifyNetworkInterfaceAttribute and reads back until EC2 shows the value.
 */
function modify(ec2: EC2Client, eniId: string, wait: Wait, plan: Plan): ResultAsync<NetworkInterface, EniError> {
  return describeEni(ec2, eniId, wait)
    .andThen(checkManaged)
    .andThen((ni) =>
      plan(ni).asyncAndThen((change) =>
        change === undefined
          ? okAsync(ni)
          : send(ec2, new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, ...change.attribute }), wait).andThen(() =>
              waitForEni(ec2, eniId, change.waitingFor, wait, (fresh) => ok(change.isSet(fresh))),
            ),
      ),
    );
}

/** Runs an operation only when its input checks passed, so bad input sends nothing. */
function checked<T>(input: Check<T>, run: (value: T) => ResultAsync<NetworkInterface, EniError>): ResultAsync<NetworkInterface, EniError> {
  return input.isErr() ? errAsync(input.error) : run(input.value);
}

/** Replaces the ENI's security groups (1 to 16 `sg-` ids, in its VPC). Same set already: no call. */
export function setEniSecurityGroups(ec2: EC2Client, eniId: string, groupIds: unknown, options: unknown): ResultAsync<NetworkInterface, EniError> {
  const input = safeTry(function* () {
    const groups = yield* checkIds("groupIds", groupIds, "sg", 1);
    if (groups.length > MAX_GROUPS) {
      return err(new ValidationError("groupIds", `Expected at most ${MAX_GROUPS} security groups on one network interface, got ${groups.length}.`));
    }
    return ok({ groups, wait: yield* parseReadBack(options) });
  });
  return checked(input, ({ groups, wait }) => {
    const wanted = new Set(groups);
    return modify(ec2, eniId, wait, plainChange({
      waitingFor: `in security groups ${groups.join(", ")}`,
      attribute: { Groups: groups },
      // Order means nothing to EC2, so the same set in another order is already set.
      isSet: (ni) => {
        const current = (ni.Groups ?? []).map((group) => group.GroupId);
        return current.length === wanted.size && current.every((id) => id !== undefined && wanted.has(id));
      },
    }));
  });
}

/** Turns EC2's source/destination check on or off (off for NAT instances and appliances). */
export function setEniSourceDestCheck(ec2: EC2Client, eniId: string, enabled: unknown, options: unknown): ResultAsync<NetworkInterface, EniError> {
  const input = safeTry(function* () {
    return ok({ value: yield* checkBoolean("enabled", enabled), wait: yield* parseReadBack(options) });
  });
  return checked(input, ({ value, wait }) =>
    modify(ec2, eniId, wait, plainChange({
      waitingFor: `with source/dest check ${value ? "on" : "off"}`,
      attribute: { SourceDestCheck: { Value: value } },
      // A missing field reads as on, EC2's default.
      isSet: (ni) => (ni.SourceDestCheck ?? true) === value,
    })),
  );
}

/** Sets the description (up to 255 characters; an empty string clears it). */
export function setEniDescription(ec2: EC2Client, eniId: string, text: unknown, options: unknown): ResultAsync<NetworkInterface, EniError> {
  const input = safeTry(function* () {
    return ok({ value: yield* checkDescription("text", text), wait: yield* parseReadBack(options) });
  });
  return checked(input, ({ value, wait }) =>
    modify(ec2, eniId, wait, plainChange({
      waitingFor: `described as ${show(value)}`,
      attribute: { Description: { Value: value } },
      isSet: (ni) => (ni.Description ?? "") === value,
    })),
  );
}

/** Sets `DeleteOnTermination` of the ENI's current attachment; an unattached ENI is refused. */
export function setEniDeleteOnTermination(ec2: EC2Client, eniId: string, enabled: unknown, options: unknown): ResultAsync<NetworkInterface, EniError> {
  const input = safeTry(function* () {
    return ok({ value: yield* checkBoolean("enabled", enabled), wait: yield* parseReadBack(options) });
  });
  return checked(input, ({ value, wait }) =>
    modify(ec2, eniId, wait, (ni) => {
      const attachmentId = ni.Attachment?.AttachmentId;
      if (attachmentId === undefined || ni.Status === "available") {
        return err(new InvalidStateError(`Network interface ${eniId} is not attached, so it has no DeleteOnTermination to set.`, eniId, ni.Status));
      }
      // Tied to this attachment: if the ENI moves meanwhile, the new attachment's flag is not ours.
      const isSet = (fresh: NetworkInterface) => fresh.Attachment?.AttachmentId === attachmentId && (fresh.Attachment.DeleteOnTermination ?? false) === value;
      return ok(
        isSet(ni)
          ? undefined
          : { waitingFor: `with deleteOnTermination ${value} on attachment ${attachmentId}`, attribute: { Attachment: { AttachmentId: attachmentId, DeleteOnTermination: value } }, isSet },
      );
    }),
  );
}

/** Keys that count toward EC2's 50-tag limit: `aws:` tags are EC2's own and do not. */
function userTagKeys(ni: NetworkInterface): string[] {
  return (ni.TagSet ?? []).flatMap((tag) => (tag.Key === undefined || tag.Key.toLowerCase().startsWith("aws:") ? [] : [tag.Key]));
}

function tagsOf(ni: NetworkInterface): Map<string, string> {
  return new Map((ni.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
}

/**
 * Adds or overwrites tags, leaving other tags alone. Tags already set to these values send no
 * call. Tagging does not change the ENI's networking, so unlike the other setters it is allowed
 * on requester-managed ENIs (teams tag load balancers' ENIs for cost and ownership).
 */
export function tagEni(ec2: EC2Client, eniId: string, tags: unknown, options: unknown): ResultAsync<NetworkInterface, EniError> {
  const input = safeTry(function* () {
    return ok({ wanted: Object.entries(yield* checkTags("tags", tags)), wait: yield* parseReadBack(options) });
  });
  return checked(input, ({ wanted, wait }) =>
    describeEni(ec2, eniId, wait).andThen((ni) => {
      const current = tagsOf(ni);
      const changed = wanted.filter(([key, value]) => current.get(key) !== value);
      if (changed.length === 0) return okAsync(ni);
      const total = new Set([...userTagKeys(ni), ...wanted.map(([key]) => key)]).size;
      if (total > MAX_TAGS) {
        return errAsync(new ValidationError("tags", `Expected at most ${MAX_TAGS} tags on one resource: ${eniId} has ${userTagKeys(ni).length}, and these would make ${total}.`));
      }
      const request = new CreateTagsCommand({ Resources: [eniId], Tags: changed.map(([Key, Value]) => ({ Key, Value })) });
      return send(ec2, request, wait).andThen(() =>
        waitForEni(ec2, eniId, `tagged ${changed.map(([key]) => key).join(", ")}`, wait, (fresh) => {
          const now = tagsOf(fresh);
          return ok(changed.every(([key, value]) => now.get(key) === value));
        }),
      );
    }),
  );
}

/** Removes tags by key, whatever their values. Keys the ENI does not have send no call. */
export function untagEni(ec2: EC2Client, eniId: string, keys: unknown, options: unknown): ResultAsync<NetworkInterface, EniError> {
  const input = safeTry(function* () {
    if (!Array.isArray(keys) || keys.length === 0) {
      return err(new ValidationError("keys", `Expected \`keys\` to be a non-empty array of tag keys, got ${show(keys)}.`));
    }
    const checkedKeys: string[] = [];
    for (const [index, key] of (keys as unknown[]).entries()) checkedKeys.push(yield* checkTagKey(`keys[${index}]`, key));
    if (new Set(checkedKeys).size !== checkedKeys.length) {
      return err(new ValidationError("keys", "Expected `keys` to be a list without duplicates."));
    }
    return ok({ keys: checkedKeys, wait: yield* parseReadBack(options) });
  });
  return checked(input, ({ keys: wanted, wait }) =>
    describeEni(ec2, eniId, wait).andThen((ni) => {
      const current = tagsOf(ni);
      const present = wanted.filter((key) => current.has(key));
      if (present.length === 0) return okAsync(ni);
      // Without a Value, EC2 deletes the tag whatever its value.
      return send(ec2, new DeleteTagsCommand({ Resources: [eniId], Tags: present.map((Key) => ({ Key })) }), wait).andThen(() =>
        waitForEni(ec2, eniId, `untagged ${present.join(", ")}`, wait, (fresh) => {
          const now = tagsOf(fresh);
          return ok(present.every((key) => !now.has(key)));
        }),
      );
    }),
  );
}
