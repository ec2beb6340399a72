import { DeleteNetworkInterfaceCommand, type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, type ResultAsync } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { InvalidStateError, type EniError } from "../errors.js";
import { attachmentOf, liveAttachment } from "../model.js";
import { checkBoolean, checkOptionsWith, type Check } from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  MAX_REFUSALS,
  WAIT_OPTIONS,
  checkWait,
  done,
  failing,
  pollUntil,
  readEniWithin,
  retrying,
  timed,
  waitUntilGone,
  type RetryDecision,
  type OperationContext,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";

import { EVENT_OPTIONS, openEventLog, type EventOptions } from "../steps/events.js";
import { checkDetachable, detachFrom } from "../steps/detach-from.js";

/**
 * How `delete` deletes.
 *
 * @example
 * ```ts
 * const options: DeleteOptions = { detachFirst: true, maxWaitTime: 300 };
 * ```
 */
export interface DeleteOptions extends WaitOptions, EventOptions {
  /**
   * Detach the ENI first when it is attached; otherwise an attached ENI is refused.
   * @default false
   */
  readonly detachFirst?: boolean | undefined;
  /**
   * With `detachFirst`, force that detach.
   * @default false
   */
  readonly force?: boolean | undefined;
  /**
   * Wait until EC2 no longer lists the ENI.
   * @default true
   */
  readonly wait?: boolean | undefined;
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

/** A delete's input, parsed. */
export interface ParsedDelete {
  readonly detachFirst: boolean;
  readonly force: boolean;
  readonly waitForGone: boolean;
  readonly onEvent: EventOptions["onEvent"];
  readonly plan: WaitPlan;
}

/** Parses {@link DeleteOptions}. */
export function parseDelete(options: unknown): Check<ParsedDelete> {
  return checkOptionsWith("options", options, {
    detachFirst: [checkBoolean, false],
    force: [checkBoolean, false],
    wait: [checkBoolean, true],
    ...EVENT_OPTIONS,
    ...WAIT_OPTIONS,
  }).andThen((o) =>
    // A delete that may detach first gets a detach's longer default limit.
    checkWait(o, o.detachFirst ? DEFAULT_MAX_WAIT.detach : DEFAULT_MAX_WAIT.delete).map((plan) => ({
      ...o,
      waitForGone: o.wait,
      plan,
    })),
  );
}

/**
 * Deletes an ENI. A missing ENI counts as deleted. A throttled or failed request is sent again
 * within the deadline, and so is EC2's "in use" for a moment after a detach completes (at most
 * {@link MAX_REFUSALS} times); an ENI someone attached meanwhile is refused at once.
 */
export function deleteEni(ec2: EC2Client, eniId: string, request: ParsedDelete): ResultAsync<DeletedEni, EniError> {
  const log = openEventLog<"preflight" | "detach" | "delete">(eniId, request.onEvent, "preflight");
  return timed(
    request.plan,
    `${eniId} to be deleted`,
    (context) => {
      let refusals = 0;
      const stillInUse = async (error: EniError): Promise<RetryDecision> => {
        if (error.name !== "InvalidStateError" || error.state !== "in-use" || refusals >= MAX_REFUSALS) {
          return { retry: false };
        }
        refusals += 1;
        // Still attached (someone attached it meanwhile) is a refusal; otherwise EC2 is catching up.
        const now = await describeEni(ec2, eniId, context);
        return now.isOk() && liveAttachment(now.value) !== undefined
          ? { retry: false }
          : { retry: true, reason: "network interface still in use" };
      };
      const remove = () =>
        retrying(
          context,
          () => send(ec2, new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }), context),
          stillInUse,
        ).andThen(() => (request.waitForGone ? waitUntilGone(ec2, eniId, context) : okAsync(undefined)));
      return log
        .step("preflight", () => readEniWithin(ec2, eniId, context).andThen(checkDetachable))
        .andThen((ni) =>
          attachmentOf(ni) === undefined
            ? okAsync(ni)
            : log.step("detach", () => detachIfAsked(ec2, ni, request, context)),
        )
        .andThen(() => log.step("delete", remove))
        .map(() => ({ id: eniId, alreadyGone: false }))
        .orElse((error) =>
          error.name === "NotFoundError" && error.resourceType === "network-interface"
            ? ok({ id: eniId, alreadyGone: true })
            : err(error),
        );
    },
    log.context,
  );
}

/** For an attached ENI: detaches it with `detachFirst`, or refuses once reads agree that it is attached. */
function detachIfAsked(
  ec2: EC2Client,
  ni: NetworkInterface,
  request: { detachFirst: boolean; force: boolean },
  context: OperationContext,
): ResultAsync<NetworkInterface, EniError> {
  if (!request.detachFirst) {
    const id = ni.NetworkInterfaceId ?? "";
    // Refused only once reads agree: lagging ones can show an attachment that just ended.
    return pollUntil(`${id} to be free or shown attached`, context, () =>
      describeEni(ec2, id, context).map((fresh) => {
        const still = attachmentOf(fresh);
        if (still === undefined) return done(fresh);
        const refusal = new InvalidStateError(
          `Network interface ${id} is attached to ${still.InstanceId}; pass \`detachFirst: true\` to detach and delete it.`,
          { resourceId: id, state: fresh.Status },
        );
        return failing<NetworkInterface>(refusal, `attached to ${still.InstanceId}`);
      }),
    );
  }
  return detachFrom(ec2, ni, { force: request.force, waitForDetached: true }, context);
}
