import {
  CreateTagsCommand,
  DeleteTagsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type ModifyNetworkInterfaceAttributeCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import { send } from "../ec2/send.js";
import { InvalidStateError, type EniError } from "../errors.js";
import {
  MAX_TAGS,
  checkBoolean,
  checkDescription,
  checkIds,
  checkList,
  checkTagKey,
  checkOptionsWith,
  checkTags,
  refuse,
  show,
  type Check,
  type CheckedOptions,
  type OptionSpec,
} from "../validation.js";
import {
  WAIT_OPTIONS,
  checkWait,
  readEniWithin,
  retrying,
  timed,
  waitForEni,
  type Wait,
  type WaitOptions,
} from "../waiters.js";
import { EVENT_OPTIONS, openEventLog, type EventOptions } from "./events.js";

/**
 * How long a change is read back before giving up: EC2 is eventually consistent, so a
 * change it accepted can take a moment to show in its reads; usually well under a minute.
 */
const READ_BACK_MAX_WAIT = 60;
// EC2's limit of security groups per ENI (the adjustable quota's maximum).
const MAX_GROUPS = 16;

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

/** A change EC2 has yet to make: the request that makes it, and how a read shows it done. */
export interface Change {
  /** What the read-back waits for, for a timeout's message. */
  readonly waitingFor: string;
  /** Sends the mutating request. */
  readonly apply: () => ResultAsync<unknown, EniError>;
  /** Whether a read shows the change. */
  readonly isSet: (ni: NetworkInterface) => boolean;
}

/**
 * The flow of every setter: reads the ENI, refuses a requester-managed one (unless the change is
 * allowed there), lets `plan` decide from the read (and any reads of its own) what to change,
 * applies it, and reads back until EC2 shows it. Nothing to change (`undefined`, or the read
 * already shows it, e.g. every address already there): no call.
 */
export function changeEni(
  ec2: EC2Client,
  eniId: string,
  wait: Wait,
  plan: (ni: NetworkInterface) => Result<Change | undefined, EniError> | ResultAsync<Change | undefined, EniError>,
  allowRequesterManaged = false,
): ResultAsync<NetworkInterface, EniError> {
  // What to change, from one read; `undefined` when that read shows nothing to do.
  const decide = (ni: NetworkInterface) =>
    okAsync(ni)
      .andThen((read) => (allowRequesterManaged ? ok(read) : checkManaged(read)))
      .andThen(plan)
      .map((change) => (change === undefined || change.isSet(ni) ? undefined : change));
  const apply = (change: Change) =>
    // A throttled or failed change is sent again within the deadline: each sets a value, so twice is harmless.
    retrying(wait, change.apply).andThen(() => waitForEni(ec2, eniId, change.waitingFor, wait, change.isSet));
  return readEniWithin(ec2, eniId, wait).andThen((first) =>
    decide(first).andThen((change) =>
      change !== undefined
        ? apply(change)
        : // Nothing to do is decided only when a second read agrees: a stale one can show an older value.
          readEniWithin(ec2, eniId, wait).andThen((fresh) =>
            decide(fresh).andThen((again) => (again === undefined ? okAsync(fresh) : apply(again))),
          ),
    ),
  );
}

/**
 * The options every setter takes: the wait options (the read-back waits up to a minute by default)
 * and `onEvent`.
 *
 * @example
 * ```ts
 * const options: ChangeOptions = { maxWaitTime: 30, onEvent: (event) => console.log(event.type) };
 * ```
 */
export interface ChangeOptions extends WaitOptions, EventOptions {}

/**
 * Runs a setter once its value and options passed their checks, so bad input sends nothing. The
 * options are the {@link ChangeOptions} (reading back for up to `READ_BACK_MAX_WAIT`) plus any the
 * setter takes itself, described by `spec`; `run` gets those checked, beside the value and the
 * wait. The whole setter is one `change` phase of its event log.
 */
export function checked<T, S extends OptionSpec = Record<never, never>>(
  eniId: string,
  value: Check<T>,
  options: unknown,
  run: (value: T, wait: Wait, own: CheckedOptions<S>) => ResultAsync<NetworkInterface, EniError>,
  spec?: S,
): ResultAsync<NetworkInterface, EniError> {
  return value.asyncAndThen((valid) =>
    checkOptionsWith("options", options, { ...spec, ...EVENT_OPTIONS, ...WAIT_OPTIONS }).asyncAndThen((own) =>
      // TypeScript loses `S` when spreading an optional `spec`; the checked object does hold its keys.
      checkWait(own, READ_BACK_MAX_WAIT).asyncAndThen((plan) => {
        const log = openEventLog(eniId, own.onEvent, "change");
        return timed(
          plan,
          "the change to show",
          (wait) => log.step("change", () => run(valid, wait, own as CheckedOptions<S>)),
          log.context,
        );
      }),
    ),
  );
}

/** The attribute part of a ModifyNetworkInterfaceAttribute request; EC2 takes one attribute per call. */
type Attribute = Omit<ModifyNetworkInterfaceAttributeCommandInput, "NetworkInterfaceId">;

/** A change's `apply` that sets one attribute. */
function modify(ec2: EC2Client, eniId: string, wait: Wait, attribute: Attribute) {
  return () => send(ec2, new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, ...attribute }), wait);
}

/** Sets an attribute that needs nothing but its wanted value; a read already showing it: no call. */
function setAttribute(
  ec2: EC2Client,
  eniId: string,
  wait: Wait,
  waitingFor: string,
  attribute: Attribute,
  isSet: (ni: NetworkInterface) => boolean,
): ResultAsync<NetworkInterface, EniError> {
  return changeEni(ec2, eniId, wait, () => ok({ waitingFor, apply: modify(ec2, eniId, wait, attribute), isSet }));
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
      ? refuse(
          "groupIds",
          `Expected at most ${MAX_GROUPS} security groups on one network interface, got ${ids.length}.`,
        )
      : ok(ids),
  );
  return checked(eniId, groups, options, (wanted, wait) =>
    setAttribute(
      ec2,
      eniId,
      wait,
      `in security groups ${wanted.join(", ")}`,
      { Groups: wanted },
      // Order means nothing to EC2, so the same set in another order is already set.
      ({ Groups = [] }) =>
        Groups.length === wanted.length && Groups.every((group) => wanted.includes(group.GroupId ?? "")),
    ),
  );
}

/** Turns EC2's source/destination check on or off (off for NAT instances and appliances). */
export function setEniSourceDestCheck(
  ec2: EC2Client,
  eniId: string,
  enabled: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return checked(eniId, checkBoolean("enabled", enabled), options, (value, wait) =>
    setAttribute(
      ec2,
      eniId,
      wait,
      `with source/dest check ${value ? "on" : "off"}`,
      { SourceDestCheck: { Value: value } },
      // A missing field reads as on, EC2's default.
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
  return checked(eniId, checkDescription("text", text), options, (value, wait) =>
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
  return checked(eniId, checkBoolean("enabled", enabled), options, (value, wait) =>
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
      return ok({
        waitingFor: `with deleteOnTermination ${value} on attachment ${attachmentId}`,
        apply: modify(ec2, eniId, wait, { Attachment: { AttachmentId: attachmentId, DeleteOnTermination: value } }),
        // Tied to this attachment: if the ENI moves meanwhile, the new attachment's flag is not ours.
        isSet: ({ Attachment }: NetworkInterface) =>
          Attachment?.AttachmentId === attachmentId && (Attachment.DeleteOnTermination ?? false) === value,
      });
    }),
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
  return checked(eniId, checkTags("tags", tags), options, (checkedTags, wait) => {
    const wanted = Object.entries(checkedTags);
    return changeEni(
      ec2,
      eniId,
      wait,
      (ni) => {
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
  return checked(
    eniId,
    checkList("keys", keys, 1, "a non-empty array of tag keys", checkTagKey),
    options,
    (wanted, wait) =>
      changeEni(
        ec2,
        eniId,
        wait,
        (ni) => {
          const current = tagsOf(ni);
          const present = wanted.filter((key) => current.has(key));
          return ok({
            waitingFor: `untagged ${present.join(", ")}`,
            // Without a Value, EC2 deletes the tag whatever its value.
            apply: () =>
              send(ec2, new DeleteTagsCommand({ Resources: [eniId], Tags: present.map((Key) => ({ Key })) }), wait),
            isSet: (fresh: NetworkInterface) => {
              const now = tagsOf(fresh);
              return present.every((key) => !now.has(key));
            },
          });
        },
        true,
      ),
  );
}
