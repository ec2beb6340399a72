import { type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ok, okAsync, ResultAsync, safeTry, type Result } from "neverthrow";
import { attachmentOf } from "../model.js";
import { InvalidStateError, type EniError } from "../errors.js";
import { checkBoolean, checkId, checkIndex, checkOptionsWith, checkPlacement, type Check } from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  timed,
  waitUntilAvailable,
  waitUntilInUse,
  type OperationContext,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";
import { EVENT_OPTIONS, openEventLog, type EventOptions } from "../steps/events.js";
import { holdEni } from "../steps/ownership.js";
import type { EniEvent } from "../model.js";
import { PLACEMENT_OPTIONS, preflight, type Preflight } from "../steps/target.js";
import { attachAt } from "../steps/attach-at.js";

/**
 * How `attachTo` attaches.
 *
 * @example
 * ```ts
 * const options: AttachOptions = { deviceIndex: 1, deleteOnTermination: false, maxWaitTime: 120 };
 * ```
 */
export interface AttachOptions extends WaitOptions, EventOptions {
  /**
   * The device index on the instance's network card (the OS sees it as eth1, eth2…). Device index
   * 0 on network card 0 is the primary interface's; on other cards 0 is valid.
   * @default the lowest free index from 1 on the chosen network card
   */
  readonly deviceIndex?: number | undefined;
  /**
   * The network card, for instance types with several (a p5.48xlarge has 32).
   * @default 0
   */
  readonly networkCardIndex?: number | undefined;
  /**
   * Whether EC2 deletes the ENI when the instance terminates. Set with one extra call.
   * @default false (EC2's default for an ENI you attach)
   */
  readonly deleteOnTermination?: boolean | undefined;
  /**
   * Wait until the attachment is `attached`; `false` returns right after EC2 accepts the attach.
   * @default true
   */
  readonly wait?: boolean | undefined;
}

/** A checked `attachTo` request. */
export interface ParsedAttach {
  readonly instanceId: string;
  readonly deviceIndex: number | undefined;
  /** Whether the caller chose the device index. */
  readonly pinned: boolean;
  readonly networkCardIndex: number;
  readonly deleteOnTermination: boolean | undefined;
  readonly plan: WaitPlan;
  /** `false` when the caller asked not to wait for `attached`. */
  readonly waitForAttached: boolean;
  readonly onEvent: ((event: EniEvent) => void) | undefined;
}

/** Checks `attachTo`'s instance id and options. */
export function parseAttach(instanceId: unknown, options: unknown): Check<ParsedAttach> {
  return safeTry(function* () {
    const o = yield* checkOptionsWith("options", options, {
      deviceIndex: [checkIndex],
      ...PLACEMENT_OPTIONS,
      wait: [checkBoolean, true],
      ...EVENT_OPTIONS,
      ...WAIT_OPTIONS,
    });
    yield* checkPlacement(o.deviceIndex, o.networkCardIndex);
    return ok({
      ...o,
      instanceId: yield* checkId("instanceId", instanceId, "i"),
      pinned: o.deviceIndex !== undefined,
      plan: yield* checkWait(o, DEFAULT_MAX_WAIT.attach),
      waitForAttached: o.wait,
    });
  });
}

/** `attachTo` takes only an available ENI; moving one that is attached is `moveTo`'s job. */
function checkAvailable(ni: NetworkInterface): Result<NetworkInterface, EniError> {
  if (ni.Status === "available") return ok(ni);
  const where =
    ni.Attachment?.InstanceId === undefined ? "" : ` (attached to ${ni.Attachment.InstanceId}; use moveTo to move it)`;
  return err(
    new InvalidStateError(`Network interface ${ni.NetworkInterfaceId} is ${ni.Status}${where}.`, {
      resourceId: ni.NetworkInterfaceId,
      state: ni.Status,
    }),
  );
}

/**
 * Attaches an available ENI to an instance after checking, from reads alone, everything EC2
 * would refuse. Attaching to the instance it is already on succeeds without a call. An ENI eni-kit
 * created is marked as attached once (see `OWNERSHIP_TAGS.attached`), in parallel with the attach.
 */
export function attachEni(
  ec2: EC2Client,
  eniId: string,
  request: ParsedAttach,
): ResultAsync<NetworkInterface, EniError> {
  const log = openEventLog<"preflight" | "attach">(eniId, request.onEvent, "preflight");
  const attach = ({ ni, slot }: Preflight, context: OperationContext): ResultAsync<NetworkInterface, EniError> => {
    if (slot !== undefined) {
      // The marker is information for reapers: its failure must not fail the attach.
      const marked = holdEni(ec2, ni, context).orElse(() => ok(false));
      return ResultAsync.combine([attachAt(ec2, ni, slot, request, context), marked]).map(([attached]) => attached);
    }
    // Already there (or on its way): nothing to send, at most something to wait for.
    const current = attachmentOf(ni);
    return !request.waitForAttached || current?.Status === "attached"
      ? okAsync(ni)
      : waitUntilInUse(
          ec2,
          eniId,
          context,
          current && { attachmentId: current.AttachmentId ?? "", instanceId: request.instanceId },
        );
  };
  return timed(
    request.plan,
    `${eniId} to attach to ${request.instanceId}`,
    (context) => {
      // A new ENI is `pending` for a moment, and lagging reads can still show it so after
      // `Eni.create` saw it available: it becomes available by itself, so wait (reads agreeing
      // across a `maxDelay`), then check again, until the deadline.
      const check = (): ResultAsync<Preflight, EniError> =>
        preflight(ec2, eniId, request, context, (ni) => checkAvailable(ni).map(() => request.deviceIndex)).orElse(
          (error) =>
            error.name === "InvalidStateError" && error.state === "pending" && error.resourceId === eniId
              ? waitUntilAvailable(ec2, eniId, context).andThen(check)
              : err(error),
        );
      return log.step("preflight", check).andThen((found) => log.step("attach", () => attach(found, context)));
    },
    log.context,
  );
}
