import { Ec2Error } from "./errors.js";

interface PlannedFailure {
  readonly action: string | undefined;
  readonly code: string;
  readonly message: string;
  remaining: number;
}

const THROTTLE_MESSAGE = "Request limit exceeded.";

/**
 * Faults to inject into an {@link Ec2Simulator}, reached as `sim.faults`. Each one
 * applies to the requests that reach the simulator, so a fault on a call the SDK
 * retries by itself (throttling, 5xx) is spent once per attempt.
 *
 * @example
 * ```ts
 * sim.faults.throttleNext(2, "DescribeNetworkInterfaces");
 * sim.faults.failNext("AttachNetworkInterface", "InvalidParameterValue");
 * sim.faults.hangDetach(eniId);
 * sim.faults.clear();
 * ```
 */
export class Faults {
  private readonly planned: PlannedFailure[] = [];
  private hangAll = false;
  private readonly hangIds = new Set<string>();

  /**
   * Makes the next `count` requests fail with `RequestLimitExceeded`, as EC2's throttle does.
   *
   * @param count - how many requests fail.
   * @param action - only requests of this action (e.g. `"AttachNetworkInterface"`); any action when omitted.
   * @returns nothing.
   * @example
   * ```ts
   * sim.faults.throttleNext(1); // the SDK retries it by itself
   * ```
   */
  throttleNext(count: number, action?: string): void {
    this.plan(action, "RequestLimitExceeded", THROTTLE_MESSAGE, count);
  }

  /**
   * Makes the next `count` requests of `action` fail with the EC2 error `code`.
   *
   * @param action - the API action, e.g. `"DetachNetworkInterface"`.
   * @param code - the EC2 error code, e.g. `"IncorrectState"`; 5xx codes such as `InternalError` are retried by the SDK.
   * @param count - how many requests fail.
   * @param message - the error message; a generic one when omitted.
   * @returns nothing.
   * @example
   * ```ts
   * sim.faults.failNext("CreateNetworkInterface", "InsufficientFreeAddressesInSubnet", 1);
   * ```
   */
  failNext(action: string, code: string, count = 1, message?: string): void {
    this.plan(action, code, message ?? `Simulated ${code} fault.`, count);
  }

  /**
   * Makes attachments fail: shorthand for `failNext("AttachNetworkInterface", code, count)`.
   *
   * @param code - the EC2 error code. Defaults to `InternalError` (a 500, which the SDK retries
   *   up to its `maxAttempts`, so pass a `count` of at least that to see it surface).
   * @param count - how many attach requests fail.
   * @returns nothing.
   * @example
   * ```ts
   * sim.faults.failAttach("InvalidParameterValue");
   * ```
   */
  failAttach(code = "InternalError", count = 1): void {
    this.failNext("AttachNetworkInterface", code, count);
  }

  /**
   * Makes detaches hang in `detaching` until a detach with `Force: true` is sent.
   *
   * @param networkInterfaceId - only this ENI's detaches hang; every ENI's when omitted.
   * @returns nothing.
   * @example
   * ```ts
   * sim.faults.hangDetach("eni-0123456789abcdef0");
   * ```
   */
  hangDetach(networkInterfaceId?: string): void {
    if (networkInterfaceId === undefined) this.hangAll = true;
    else this.hangIds.add(networkInterfaceId);
  }

  /**
   * Removes every planned fault (a detach that already hangs stays hung until forced).
   *
   * @returns nothing.
   * @example
   * ```ts
   * sim.faults.clear();
   * ```
   */
  clear(): void {
    this.planned.length = 0;
    this.hangAll = false;
    this.hangIds.clear();
  }

  private plan(action: string | undefined, code: string, message: string, count: number): void {
    if (count > 0) this.planned.push({ action, code, message, remaining: count });
  }

  /** @internal The planned failure for this request, if any, spending it. */
  take(action: string): Ec2Error | undefined {
    const index = this.planned.findIndex((f) => f.action === undefined || f.action === action);
    const failure = this.planned[index];
    if (!failure) return undefined;
    if (--failure.remaining <= 0) this.planned.splice(index, 1);
    return new Ec2Error(failure.code, failure.message);
  }

  /** @internal Whether a detach of this ENI should hang. */
  detachHangs(networkInterfaceId: string): boolean {
    return this.hangAll || this.hangIds.has(networkInterfaceId);
  }
}
