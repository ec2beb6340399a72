import {
  AttachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import type { ResultAsync } from "neverthrow";
import { err, ok, okAsync } from "neverthrow";
import { send } from "../ec2/send.js";
import { attachmentOf } from "../model.js";
import { AzMismatchError, ConflictError, type EniError } from "../errors.js";
import {
  MAX_REFUSALS,
  readEniWithin,
  readInstanceWithin,
  retrying,
  waitUntilInUse,
  type RetryDecision,
  type OperationContext,
} from "../waiters.js";

import { findSlot, type Slot } from "./target.js";

/** What `attachAt` needs besides the ENI and where it goes. */
export interface AttachRequest {
  readonly instanceId: string;
  /**
   * Whether the caller chose the device index: a taken one is then tried again, not swapped for another.
   * @default false
   */
  readonly pinned?: boolean | undefined;
  /** Set `DeleteOnTermination` on the new attachment; left as EC2 makes it when `undefined`. */
  readonly deleteOnTermination?: boolean | undefined;
  /**
   * `false` returns once EC2 accepts the attach, with one read, instead of waiting for `attached`.
   * @default true
   */
  readonly waitForAttached?: boolean | undefined;
}

/**
 * After this many refusals of one device index, an index eni-kit chose is swapped for another free
 * one: after a forced detach, EC2 can keep the old index taken until the instance stops.
 */
const REFUSALS_PER_INDEX = 2;

/** EC2's refusal of a device index that another interface holds. */
function isIndexTaken(error: EniError): boolean {
  return error.name === "ValidationError" && /already has an interface attached at device index/i.test(error.message);
}

/**
 * The mutating part of every attach, once a preflight has chosen `firstSlot`: `attachTo`'s, and
 * `moveTo`'s attach and rollback. Sends the attach again, with backoff and within the deadline,
 * while EC2's answer is transient (throttling, 5xx) or a brief refusal: right after a detach EC2
 * can call the ENI in use for a moment, and a device index can stay taken. Refusals are capped
 * ({@link MAX_REFUSALS}); a taken index eni-kit chose (not `pinned`) is chosen again from a fresh
 * read, another one once it has been refused twice. An ENI found attached elsewhere means someone
 * else won: `ConflictError`. Then sets `DeleteOnTermination` if asked (retrying while EC2 does not
 * yet know the new attachment id), and waits until the ENI is in use on the new attachment.
 *
 * @param ni - the ENI as the preflight read it.
 */
export function attachAt(
  ec2: EC2Client,
  ni: NetworkInterface,
  firstSlot: Slot,
  request: AttachRequest,
  context: OperationContext,
): ResultAsync<NetworkInterface, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const az = ni.AvailabilityZone ?? "unknown";
  const { instanceId } = request;
  // The attachment the preflight saw was just detached (by moveTo, or by the caller): it can linger.
  const previous = attachmentOf(ni)?.AttachmentId;
  let slot = firstSlot;
  let refusals = 0;
  const refusedIndexes = new Map<number, number>();

  const attempt = () =>
    send(
      ec2,
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: instanceId,
        DeviceIndex: slot.deviceIndex,
        NetworkCardIndex: slot.networkCardIndex,
      }),
      context,
    )
      .map((output) => output.AttachmentId ?? "")
      .orElse((error) => {
        // EC2's AZ refusal does not name the zones; the preflight found the instance in the ENI's
        // (and a rollback's source held the ENI).
        if (error.name === "AzMismatchError")
          return err(
            new AzMismatchError(error.message, {
              eniAz: az,
              instanceAz: az,
              code: error.code,
              requestId: error.requestId,
              cause: error.cause,
            }),
          );
        if (error.name !== "InvalidStateError" || error.state !== "in-use") return err(error);
        return readEniWithin(ec2, eniId, context).andThen((now) => {
          const attachment = attachmentOf(now);
          // Ours after all (an earlier try whose answer was lost), or someone else's on the same target.
          if (attachment?.InstanceId === instanceId) return ok(attachment.AttachmentId ?? "");
          if (attachment !== undefined && attachment.AttachmentId !== previous)
            return err(lostRace(eniId, instanceId, attachment.InstanceId));
          return err(error);
        });
      });

  const retryable = async (error: EniError): Promise<RetryDecision> => {
    if (refusals >= MAX_REFUSALS) return { retry: false };
    if (error.name === "InvalidStateError" && error.state === "in-use") {
      refusals += 1;
      return { retry: true, reason: "network interface still in use" };
    }
    if (!isIndexTaken(error)) return { retry: false };
    refusals += 1;
    const refused = slot.deviceIndex;
    refusedIndexes.set(refused, (refusedIndexes.get(refused) ?? 0) + 1);
    if (request.pinned === true) return { retry: true, reason: `device index ${refused} still taken` };
    const avoid = new Set(
      [...refusedIndexes].filter(([, count]) => count >= REFUSALS_PER_INDEX).map(([index]) => index),
    );
    const target = { instanceId, deviceIndex: undefined, networkCardIndex: slot.networkCardIndex, avoid };
    const fresh = await readInstanceWithin(ec2, instanceId, context).andThen((instance) =>
      findSlot(ec2, ni, instance, target, context),
    );
    if (fresh.isErr()) return { retry: false };
    slot = fresh.value;
    return { retry: true, reason: `device index ${refused} still taken; trying ${slot.deviceIndex}` };
  };

  return retrying(context, attempt, retryable)
    .andThrough((attachmentId) =>
      // EC2 always names the new attachment; were it missing, EC2 would refuse this call rather
      // than the setting being skipped unnoticed. Right after the attach, EC2 may not know the
      // new attachment id yet: that NotFound passes.
      request.deleteOnTermination === undefined
        ? okAsync(undefined)
        : retrying(
            context,
            () =>
              send(
                ec2,
                new ModifyNetworkInterfaceAttributeCommand({
                  NetworkInterfaceId: eniId,
                  Attachment: { AttachmentId: attachmentId, DeleteOnTermination: request.deleteOnTermination },
                }),
                context,
              ),
            (error) =>
              error.name === "NotFoundError" && error.resourceType === "attachment"
                ? { retry: true, reason: `attachment ${attachmentId} not visible yet` }
                : { retry: false },
          ),
    )
    .andThen((attachmentId) =>
      request.waitForAttached === false
        ? readEniWithin(ec2, eniId, context)
        : // EC2 names the new attachment; should it not, the wait follows the first one it sees.
          waitUntilInUse(
            ec2,
            eniId,
            context,
            attachmentId === "" ? undefined : { attachmentId, instanceId, previous, justAttached: true },
          ),
    );
}

/** Someone else attached the ENI to another instance while we were attaching or moving it: they won. */
export function lostRace(eniId: string, target: string, winner: string | undefined): ConflictError {
  return new ConflictError(`${eniId} was attached to ${winner} by someone else meanwhile.`, {
    expected: target,
    actual: winner,
  });
}
