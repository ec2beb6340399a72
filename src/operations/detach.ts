import { DetachNetworkInterfaceCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { InvalidStateError, type EniError } from "../errors.js";
import { checkBoolean, checkOptionsWith, type Check } from "../validation.js";
import { checkManaged } from "./attributes.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  waitUntilDetached,
  type Wait,
  type WaitOptions,
} from "../waiters.js";

/**
 * How `detach` detaches.
 *
 * @example
 * ```ts
 * const options: DetachOptions = { force: false, maxWaitTime: 120 };
 * ```
 */
export interface DetachOptions extends WaitOptions {
  /**
   * Force the detach. Use it only when a graceful detach hangs: the instance's OS may not
   * notice, and EC2 warns the device index may not be reusable until the instance stops.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Wait until the ENI is detached; `false` returns right after EC2 accepts the detach.
   * @default true
   */
  readonly wait?: boolean;
}

/** A checked detach request. */
export interface ParsedDetach {
  readonly force: boolean;
  readonly wait: Wait;
  readonly waitForDetached: boolean;
}

/** Checks `detach`'s options. */
export function parseDetach(options: unknown): Check<ParsedDetach> {
  return checkOptionsWith("options", options, {
    force: [checkBoolean, false],
    wait: [checkBoolean, true],
    ...WAIT_OPTIONS,
  }).andThen((o) =>
    checkWait(o, DEFAULT_MAX_WAIT.detach).map((wait) => ({ force: o.force, wait, waitForDetached: o.wait })),
  );
}

/** Refuses what eni-kit must never detach: another service's ENI, or an instance's primary ENI. */
export function checkDetachable(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  return checkManaged(ni).andThen(() => {
    const id = ni.NetworkInterfaceId;
    const attachment = ni.Attachment;
    if (attachment !== undefined && (attachment.DeviceIndex ?? 0) === 0 && (attachment.NetworkCardIndex ?? 0) === 0) {
      return err(
        new InvalidStateError(
          `Network interface ${id} is the primary interface of ${attachment.InstanceId}; it cannot be detached.`,
          id,
          "primary",
        ),
      );
    }
    return ok(ni);
  });
}

/**
 * Detaches an ENI from whatever it is attached to. An ENI that is already detached, or an
 * attachment EC2 no longer knows, counts as detached.
 */
export function detachEni(ec2: EC2Client, eniId: string, options: unknown): ResultAsync<NetworkInterface, EniError> {
  return parseDetach(options).asyncAndThen((request) =>
    describeEni(ec2, eniId, request.wait)
      .andThen(checkDetachable)
      .andThen((ni) => detachFrom(ec2, ni, request)),
  );
}

/** The mutating part of a detach, once the ENI is known to be detachable. Also used by `moveTo` and `delete`. */
export function detachFrom(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: ParsedDetach,
): ResultAsync<NetworkInterface, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const attachmentId = ni.Attachment?.AttachmentId;
  const context = request.wait;
  if (attachmentId === undefined || ni.Status === "available") return okAsync(ni);
  // A detach already under way needs no second request, unless the caller wants it forced.
  const alreadyDetaching = ni.Attachment?.Status === "detaching" && !request.force;
  const detach = alreadyDetaching
    ? okAsync(undefined)
    : send(ec2, new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: request.force }), context)
        // Gone or already detaching (another controller, or an earlier call of ours): the wait decides.
        .orElse((error) =>
          error.name === "NotFoundError" || error.name === "InvalidStateError" ? ok(undefined) : err(error),
        );
  return detach.andThen(() =>
    request.waitForDetached
      ? waitUntilDetached(ec2, eniId, request.wait, attachmentId)
      : describeEni(ec2, eniId, context),
  );
}
