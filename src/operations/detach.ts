import { type EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { type ResultAsync } from "neverthrow";
import { type EniError } from "../errors.js";
import { checkBoolean, checkOptionsWith, type Check } from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  readEniWithin,
  timed,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";

import { EVENT_OPTIONS, openEventLog, type EventOptions } from "../steps/events.js";
import type { EniEvent } from "../model.js";
import { checkDetachable, detachFrom } from "../steps/detach-from.js";
/**
 * How `detach` detaches.
 *
 * @example
 * ```ts
 * const options: DetachOptions = { force: false, maxWaitTime: 120 };
 * ```
 */
export interface DetachOptions extends WaitOptions, EventOptions {
  /**
   * Force the detach. Use it only when a graceful detach hangs: the instance's OS may not
   * notice, and EC2 warns the device index may not be reusable until the instance stops.
   * @default false
   */
  readonly force?: boolean | undefined;
  /**
   * Wait until the ENI is detached; `false` returns right after EC2 accepts the detach.
   * @default true
   */
  readonly wait?: boolean | undefined;
}

/** A checked detach request. */
export interface ParsedDetach {
  readonly force: boolean;
  readonly plan: WaitPlan;
  readonly waitForDetached: boolean;
  readonly onEvent: ((event: EniEvent) => void) | undefined;
}

/** Checks `detach`'s options. */
export function parseDetach(options: unknown): Check<ParsedDetach> {
  return checkOptionsWith("options", options, {
    force: [checkBoolean, false],
    wait: [checkBoolean, true],
    ...EVENT_OPTIONS,
    ...WAIT_OPTIONS,
  }).andThen((o) =>
    checkWait(o, DEFAULT_MAX_WAIT.detach).map((plan) => ({
      force: o.force,
      plan,
      waitForDetached: o.wait,
      onEvent: o.onEvent,
    })),
  );
}

/**
 * Detaches an ENI from whatever it is attached to. An ENI that is already detached, or an
 * attachment EC2 no longer knows, counts as detached.
 */
export function detachEni(
  ec2: EC2Client,
  eniId: string,
  request: ParsedDetach,
): ResultAsync<NetworkInterface, EniError> {
  {
    const log = openEventLog(eniId, request.onEvent, "detach");
    return timed(
      request.plan,
      `${eniId} to detach`,
      (context) =>
        log.step("detach", () =>
          readEniWithin(ec2, eniId, context)
            .andThen(checkDetachable)
            .andThen((ni) => detachFrom(ec2, ni, request, context)),
        ),
      log.context,
    );
  }
}
