import { DetachNetworkInterfaceCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import { describeEni, describeInstance } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { InvalidStateError, type EniError } from "../errors.js";
import { attachmentOf } from "../model.js";
import { confirmNoOp, readEniWithin, retrying, waitUntilDetached, type OperationContext } from "../waiters.js";

import { checkManaged } from "./change.js";

/** How `detachFrom` detaches. */
export interface DetachRequest {
  readonly force: boolean;
  readonly waitForDetached: boolean;
}

/**
 * Refuses what eni-kit must never detach: another service's ENI (a requester-managed one, or one
 * held by a service's `ela-attach-…` attachment, which EC2 refuses to detach), or an instance's
 * primary ENI.
 */
export function checkDetachable(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  return checkManaged(ni).andThen(() => {
    const id = ni.NetworkInterfaceId;
    const attachment = ni.Attachment;
    if (attachment?.AttachmentId?.startsWith("ela-attach-") === true) {
      return err(
        new InvalidStateError(
          `Network interface ${id} is attached by another AWS service (${attachment.AttachmentId}, owner ${attachment.InstanceOwnerId ?? "unknown"}); eni-kit leaves it alone.`,
          { resourceId: id, state: "requester-managed" },
        ),
      );
    }
    if (attachment !== undefined && (attachment.DeviceIndex ?? 0) === 0 && (attachment.NetworkCardIndex ?? 0) === 0) {
      return err(
        new InvalidStateError(
          `Network interface ${id} is the primary interface of ${attachment.InstanceId}; it cannot be detached.`,
          { resourceId: id, state: "primary" },
        ),
      );
    }
    return ok(ni);
  });
}

/** Instance states in which EC2 may refuse a detach for a while, until the instance has stopped or gone. */
const SETTLING = ["stopping", "shutting-down"];

/**
 * The mutating part of a detach, once the ENI is known to be detachable; also `moveTo`'s and
 * `delete`'s. The request is sent again with backoff while EC2's answer is transient, within the
 * deadline. A refusal is looked into with one read: a detach already in progress (another
 * controller's, or an earlier try of ours whose answer was lost) or an attachment already gone is
 * waited out; an instance still stopping or shutting down is given time; any other refusal
 * (another service's attachment, a state EC2 will not detach from) returns at once with EC2's
 * code and message.
 */
export function detachFrom(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: DetachRequest,
  context: OperationContext,
): ResultAsync<NetworkInterface, EniError> {
  const free = (read: NetworkInterface) => attachmentOf(read) === undefined;
  // Already free is a no-op only once reads agree: a stale one can show it before its attach.
  return confirmNoOp(ec2, ni, context, free).andThen((fresh) =>
    free(fresh) ? okAsync(fresh) : detachAttached(ec2, fresh, request, context),
  );
}

/** `detachFrom` for an ENI a read shows attached. */
function detachAttached(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: DetachRequest,
  context: OperationContext,
): ResultAsync<NetworkInterface, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const attachment = attachmentOf(ni);
  const attachmentId = attachment?.AttachmentId ?? "";
  // Why a refusal is worth another try, when it is: EC2 catching up, not saying no.
  let passing: string | undefined;
  const attempt = () =>
    send(ec2, new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: request.force }), context)
      .map(() => undefined)
      .orElse((error) => {
        passing = undefined;
        if (error.name !== "NotFoundError" && error.name !== "InvalidStateError") return err(error);
        return describeEni(ec2, eniId, context).andThen((now) => {
          const current = attachmentOf(now);
          // Gone, replaced or detaching already: the wait below sees it through.
          if (current?.AttachmentId !== attachmentId || current.Status === "detaching") return okAsync(undefined);
          if (error.name === "NotFoundError") {
            // The ENI shows the attachment, but EC2's detach does not know its id yet: a new
            // attachment is unknown to other calls for a while after the attach.
            passing = `attachment ${attachmentId} not known to EC2 yet`;
            return errAsync(error);
          }
          return describeInstance(ec2, current.InstanceId ?? "", context)
            .orElse(() => ok(undefined))
            .andThen((instance) => {
              const state = instance?.State?.Name;
              if (state !== undefined && SETTLING.includes(state))
                passing = `instance ${current.InstanceId} is ${state}`;
              return err(error);
            });
        });
      });
  // A detach already under way needs no second request, unless the caller wants it forced.
  const detach =
    attachment?.Status === "detaching" && !request.force
      ? okAsync(undefined)
      : retrying(context, attempt, () => (passing === undefined ? { retry: false } : { retry: true, reason: passing }));
  return detach.andThen(() =>
    request.waitForDetached
      ? waitUntilDetached(ec2, eniId, context, { id: attachmentId, attachedAt: attachment?.AttachTime })
      : readEniWithin(ec2, eniId, context),
  );
}
