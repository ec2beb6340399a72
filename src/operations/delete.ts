import { DeleteNetworkInterfaceCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, Result, type ResultAsync } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { InvalidStateError, type EniError } from "../errors.js";
import { checkBoolean, checkOptionsWith } from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  done,
  notYet,
  pollUntil,
  waitUntilGone,
  type Wait,
  type WaitOptions,
} from "../waiters.js";
import { checkDetachable, detachFrom } from "./detach.js";

/**
 * How `delete` deletes.
 *
 * @example
 * ```ts
 * const options: DeleteOptions = { detachFirst: true, maxWaitTime: 300 };
 * ```
 */
export interface DeleteOptions extends WaitOptions {
  /**
   * Detach the ENI first when it is attached; otherwise an attached ENI is refused.
   * @default false
   */
  readonly detachFirst?: boolean;
  /**
   * With `detachFirst`, force that detach.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Wait until EC2 no longer lists the ENI.
   * @default true
   */
  readonly wait?: boolean;
}

/**
 * The outcome of a delete.
 *
 * @example
 * ```ts
 * const deleted: DeletedEni = { id: "eni-0123456789abcdef0", alreadyGone: false };
 * ```
 */
export interface DeletedEni {
  /** The ENI's id. */
  readonly id: string;
  /** `true` when EC2 had no such ENI to begin with (a repeated cleanup, say). */
  readonly alreadyGone: boolean;
}

function parseDelete(options: unknown) {
  return checkOptionsWith("options", options, {
    detachFirst: [checkBoolean, false],
    force: [checkBoolean, false],
    wait: [checkBoolean, true],
    ...WAIT_OPTIONS,
  }).andThen((o) =>
    Result.combine([
      checkWait(o, DEFAULT_MAX_WAIT.delete),
      // The same options, but a detach is given its own, longer default limit.
      checkWait(o, DEFAULT_MAX_WAIT.detach),
    ]).map(([wait, detachWait]) => ({ ...o, waitForGone: o.wait, wait, detachWait })),
  );
}

/**
 * Deletes an ENI. A missing ENI counts as deleted. EC2 can call an ENI "in use" for a moment
 * after its detach completes, so that refusal is retried within the wait's time limit.
 */
export function deleteEni(ec2: EC2Client, eniId: string, options: unknown): ResultAsync<DeletedEni, EniError> {
  return parseDelete(options).asyncAndThen((request) => {
    const { wait } = request;
    return describeEni(ec2, eniId, wait)
      .andThen(checkDetachable)
      .andThen((ni) => detachIfAsked(ec2, ni, request))
      .andThen(() =>
        pollUntil(`${eniId} to be deletable`, wait, () =>
          send(ec2, new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }), wait)
            .map(() => done({ id: eniId, alreadyGone: false }))
            .orElse((error) =>
              error.name === "InvalidStateError" && error.state === "in-use"
                ? ok(notYet<DeletedEni>("in-use"))
                : err(error),
            ),
        ),
      )
      .andThen((deleted) => (request.waitForGone ? waitUntilGone(ec2, eniId, wait).map(() => deleted) : ok(deleted)))
      .orElse((error) =>
        error.name === "NotFoundError" && error.resourceType === "network-interface"
          ? ok({ id: eniId, alreadyGone: true })
          : err(error),
      );
  });
}

function detachIfAsked(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: { detachFirst: boolean; force: boolean; detachWait: Wait },
): ResultAsync<NetworkInterface, EniError> {
  if (ni.Attachment === undefined || ni.Status === "available") return okAsync(ni);
  if (!request.detachFirst) {
    const id = ni.NetworkInterfaceId;
    return errAsync(
      new InvalidStateError(
        `Network interface ${id} is attached to ${ni.Attachment.InstanceId}; pass \`detachFirst: true\` to detach and delete it.`,
        id,
        ni.Status,
      ),
    );
  }
  return detachFrom(ec2, ni, { force: request.force, wait: request.detachWait, waitForDetached: true });
}
