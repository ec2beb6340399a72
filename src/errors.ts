/**
 * The typed errors of eni-kit. Every failure the library reports is an instance of one of
 * these classes; switch on `error.name` to narrow the {@link EniError} union.
 *
 * @module
 */
import type { EniState } from "./model.js";
import type { MoveReport } from "./model.js";

/** What every eni-kit error may carry besides its message. */
export interface EniKitErrorDetails {
  /** The EC2 error code, when EC2 (or the SDK) gave one, e.g. `InvalidNetworkInterfaceID.NotFound`. */
  readonly code?: string | undefined;
  /** The request id EC2 returned with the failure, for AWS support cases. */
  readonly requestId?: string | undefined;
  /** The original exception (usually an `EC2ServiceException`). */
  readonly cause?: unknown;
}

/**
 * Base class of every error eni-kit returns.
 *
 * @example
 * ```ts
 * const result = await Eni.get(ec2, "eni-0123456789abcdef0");
 * if (result.isErr() && result.error instanceof EniKitError) console.error(result.error.code);
 * ```
 */
export abstract class EniKitError extends Error {
  /** The class name as a string literal, so `switch (error.name)` narrows the error type. */
  abstract override readonly name: string;
  // The data fields of these classes are `declare`d and set in their constructors: the same own
  // properties, without a second, redundant class-field definition of each in the bundle.
  /** The EC2 error code, when EC2 gave one. */
  declare readonly code: string | undefined;
  /** The EC2 request id, when EC2 gave one. */
  declare readonly requestId: string | undefined;

  constructor(message: string, details: EniKitErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

/**
 * Bad input, rejected before any request is sent (or, rarely, a parameter EC2 itself refused).
 *
 * @example
 * ```ts
 * // Expected `deviceIndex` to be an integer from 1 to 31, got -1.
 * const result = await eni.attachTo("i-0123456789abcdef0", { deviceIndex: -1 });
 * if (result.isErr() && result.error.name === "ValidationError") console.log(result.error.field);
 * ```
 */
export class ValidationError extends EniKitError {
  override readonly name = "ValidationError" as const;
  /** The option or argument that was wrong, e.g. `deviceIndex` or `tags.team`. */
  declare readonly field: string;

  /**
   * @param message - what was expected and what was given.
   * @param details - the option or argument that was wrong (`field`), and EC2's code, request id and cause.
   */
  constructor(message: string, details: EniKitErrorDetails & { readonly field: string }) {
    super(message, details);
    this.field = details.field;
  }
}

/** The kinds of EC2 resource a {@link NotFoundError} can name. */
export type ResourceType =
  "network-interface" | "instance" | "attachment" | "subnet" | "security-group" | "address" | "resource";

/**
 * The ENI, instance, attachment or other resource does not exist (or is not visible yet).
 *
 * @example
 * ```ts
 * const result = await Eni.get(ec2, "eni-0123456789abcdef0");
 * if (result.isErr() && result.error.name === "NotFoundError") console.log(result.error.resourceId);
 * ```
 */
export class NotFoundError extends EniKitError {
  override readonly name = "NotFoundError" as const;
  /** What kind of resource was missing. */
  declare readonly resourceType: ResourceType;
  /** Its id, when known. */
  declare readonly resourceId: string | undefined;

  /**
   * @param message - what was missing (EC2's own message when EC2 said so).
   * @param details - the kind of resource and its id, and EC2's code, request id and cause.
   */
  constructor(
    message: string,
    details: EniKitErrorDetails & { readonly resourceType: ResourceType; readonly resourceId?: string | undefined },
  ) {
    super(message, details);
    this.resourceType = details.resourceType;
    this.resourceId = details.resourceId;
  }

  /**
   * The error for a resource that does not exist, with the standard message.
   *
   * @example
   * ```ts
   * const missing = NotFoundError.of("instance", "i-0123456789abcdef0"); // "The instance 'i-…' does not exist."
   * ```
   */
  static of(resourceType: ResourceType, resourceId: string | undefined, details?: EniKitErrorDetails): NotFoundError {
    const named = resourceId === undefined ? "" : ` '${resourceId}'`;
    return new NotFoundError(`The ${resourceType}${named} does not exist.`, { ...details, resourceType, resourceId });
  }
}

/**
 * The ENI and the instance are in different Availability Zones; EC2 only attaches within one AZ.
 *
 * @example
 * ```ts
 * const result = await eni.attachTo("i-0123456789abcdef0");
 * if (result.isErr() && result.error.name === "AzMismatchError") {
 *   console.log(result.error.eniAz, result.error.instanceAz);
 * }
 * ```
 */
export class AzMismatchError extends EniKitError {
  override readonly name = "AzMismatchError" as const;
  /** The ENI's Availability Zone (from its subnet). */
  declare readonly eniAz: string;
  /** The instance's Availability Zone. */
  declare readonly instanceAz: string;

  /**
   * @param message - what was refused (EC2's own message when EC2 refused).
   * @param details - both AZs, and EC2's code, request id and cause.
   */
  constructor(message: string, details: EniKitErrorDetails & { readonly eniAz: string; readonly instanceAz: string }) {
    super(message, details);
    this.eniAz = details.eniAz;
    this.instanceAz = details.instanceAz;
  }

  /**
   * The error for an ENI in `eniAz` and an instance in `instanceAz`, with the standard message.
   *
   * @example
   * ```ts
   * const mismatch = AzMismatchError.between("us-east-1a", "us-east-1b");
   * ```
   */
  static between(eniAz: string, instanceAz: string): AzMismatchError {
    return new AzMismatchError(
      `Cannot attach a network interface in ${eniAz} to an instance in ${instanceAz}: both must be in the same Availability Zone.`,
      { eniAz, instanceAz },
    );
  }
}

/** Which attach-time limit of an instance type an {@link AttachmentLimitError} is about. */
export type AttachmentLimitKind =
  /** ENIs on the instance (`NetworkInfo.MaximumNetworkInterfaces`). */
  | "network-interfaces"
  /** ENIs on one network card (`NetworkInfo.NetworkCards[].MaximumNetworkInterfaces`). */
  | "network-card"
  /** Private IPv4 addresses and IPv4 prefixes on one interface (`Ipv4AddressesPerInterface`). */
  | "ipv4-addresses"
  /** IPv6 addresses and IPv6 prefixes on one interface (`Ipv6AddressesPerInterface`). */
  | "ipv6-addresses";

/**
 * The instance cannot take the ENI: it already has as many ENIs as its type (or network card)
 * takes, or the ENI has more addresses than the type allows on one interface. `kind` says which.
 *
 * @example
 * ```ts
 * const result = await eni.attachTo("i-0123456789abcdef0");
 * if (result.isErr() && result.error.name === "AttachmentLimitError") {
 *   console.log(`${result.error.kind}: ${result.error.instanceType} takes ${result.error.limit}, needs ${result.error.inUse + 1}`);
 * }
 * ```
 */
export class AttachmentLimitError extends EniKitError {
  override readonly name = "AttachmentLimitError" as const;
  /** The instance type, e.g. `t3.medium`. */
  declare readonly instanceType: string;
  /** Which limit: ENIs per instance or per card, or addresses per interface. */
  declare readonly kind: AttachmentLimitKind;
  /** The limit (`NaN` when EC2 refused without saying it). */
  declare readonly limit: number;
  /** What it counts now: ENIs attached (to the instance or card), or the ENI's addresses. */
  declare readonly inUse: number;

  /**
   * @param message - what was exceeded.
   * @param details - the instance type, the limit, what it counts now, `kind` (default
   *   `network-interfaces`), and EC2's code, request id and cause.
   */
  constructor(
    message: string,
    details: EniKitErrorDetails & {
      readonly instanceType: string;
      readonly limit: number;
      readonly inUse: number;
      readonly kind?: AttachmentLimitKind | undefined;
    },
  ) {
    super(message, details);
    this.instanceType = details.instanceType;
    this.kind = details.kind ?? "network-interfaces";
    this.limit = details.limit;
    this.inUse = details.inUse;
  }

  /**
   * The error for an instance that already has as many ENIs as its type takes, with the standard message.
   *
   * @example
   * ```ts
   * const full = AttachmentLimitError.full("t3.medium", 3, 3);
   * ```
   */
  static full(instanceType: string, limit: number, inUse: number): AttachmentLimitError {
    return new AttachmentLimitError(
      `Instance type ${instanceType} takes at most ${limit} network interfaces and already has ${inUse}.`,
      { instanceType, limit, inUse },
    );
  }
}

/** Which limit a {@link LimitExceededError} is about. */
export type LimitName =
  /** The account's network interfaces in the Region (`NetworkInterfaceLimitExceeded`). */
  | "network-interfaces-per-region"
  /** The subnet has no free address left (`InsufficientFreeAddressesInSubnet`). */
  | "free-addresses-in-subnet"
  /** Private IPv4 addresses on one interface (`PrivateIpAddressLimitExceeded`). */
  | "private-ipv4-addresses-per-interface";

/**
 * EC2 refused because a quota or a capacity limit would be exceeded: the account's ENIs in the
 * Region, the subnet's free addresses, the addresses an interface may hold. `limit` says which.
 *
 * @example
 * ```ts
 * const result = await eni.assignPrivateIps(5);
 * if (result.isErr() && result.error.name === "LimitExceededError") console.log(result.error.limit);
 * ```
 */
export class LimitExceededError extends EniKitError {
  override readonly name = "LimitExceededError" as const;
  /** Which limit. */
  declare readonly limit: LimitName;

  /**
   * @param message - what was exceeded (EC2's own message when EC2 refused).
   * @param details - the limit, and EC2's code, request id and cause.
   */
  constructor(message: string, details: EniKitErrorDetails & { readonly limit: LimitName }) {
    super(message, details);
    this.limit = details.limit;
  }
}

/**
 * The resource is in a state that does not allow the operation (an attached ENI for
 * `attachTo`, the primary ENI for `detach`, an instance that is `pending` or `terminated`...).
 *
 * @example
 * ```ts
 * const result = await eni.detach();
 * if (result.isErr() && result.error.name === "InvalidStateError") console.log(result.error.state);
 * ```
 */
export class InvalidStateError extends EniKitError {
  override readonly name = "InvalidStateError" as const;
  /** The resource whose state was wrong, when known. */
  declare readonly resourceId: string | undefined;
  /** The state it was in, when known (e.g. `in-use`, `terminated`, `primary`). */
  declare readonly state: string | undefined;

  /**
   * @param message - what was wrong.
   * @param details - the resource and its state, when known, and EC2's code, request id and cause.
   */
  constructor(
    message: string,
    details: EniKitErrorDetails & {
      readonly resourceId?: string | undefined;
      readonly state?: string | undefined;
    } = {},
  ) {
    super(message, details);
    this.resourceId = details.resourceId;
    this.state = details.state;
  }
}

/**
 * The world was not as the caller expected: another controller changed the ENI, or a
 * fence (`expectedFrom`) or idempotency token did not match.
 *
 * @example
 * ```ts
 * const moved = await eni.moveTo("i-0bbb", { expectedFrom: "i-0aaa" });
 * if (moved.isErr() && moved.error.name === "ConflictError") console.log(moved.error.actual);
 * ```
 */
export class ConflictError extends EniKitError {
  override readonly name = "ConflictError" as const;
  /** What the caller expected. */
  declare readonly expected: string | undefined;
  /** What was actually there. */
  declare readonly actual: string | undefined;

  /**
   * @param message - what conflicted.
   * @param details - what the caller expected and what was there (ids or states), and EC2's code,
   *   request id and cause.
   */
  constructor(
    message: string,
    details: EniKitErrorDetails & {
      readonly expected?: string | undefined;
      readonly actual?: string | undefined;
    } = {},
  ) {
    super(message, details);
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/**
 * A wait ran out of time. `lastState` is the last thing the waiter saw, so you know where
 * the ENI was left.
 *
 * @example
 * ```ts
 * const result = await eni.waitUntilInUse({ maxWaitTime: 30 });
 * if (result.isErr() && result.error.name === "WaitTimeoutError") console.log(result.error.lastState);
 * ```
 */
export class WaitTimeoutError extends EniKitError {
  override readonly name = "WaitTimeoutError" as const;
  /** What the waiter waited for, e.g. `attachment eni-attach-… attached`. */
  declare readonly waitingFor: string;
  /** The last state seen, e.g. `attaching`, or `undefined` if nothing was seen. */
  declare readonly lastState: string | undefined;
  /** How long it waited, in seconds. */
  declare readonly maxWaitTime: number;

  /**
   * @param message - what timed out.
   * @param details - what was waited for, for how long, and the last state seen.
   */
  constructor(
    message: string,
    details: EniKitErrorDetails & {
      readonly waitingFor: string;
      readonly maxWaitTime: number;
      readonly lastState?: string | undefined;
    },
  ) {
    super(message, details);
    this.waitingFor = details.waitingFor;
    this.lastState = details.lastState;
    this.maxWaitTime = details.maxWaitTime;
  }

  /**
   * The error for a wait for `waitingFor` that ran out after `maxWaitTime` seconds, with the standard message.
   *
   * @example
   * ```ts
   * const timedOut = WaitTimeoutError.after("eni-0123456789abcdef0 to be available", 60, "detaching");
   * ```
   */
  static after(waitingFor: string, maxWaitTime: number, lastState: string | undefined): WaitTimeoutError {
    return new WaitTimeoutError(
      `Timed out after ${maxWaitTime} s waiting for ${waitingFor}; last state seen: ${lastState ?? "none"}.`,
      { waitingFor, maxWaitTime, lastState },
    );
  }
}

/**
 * EC2 throttled the request (`RequestLimitExceeded`), or STS the credential provider's call
 * (`Throttling`), and the SDK's own retries ran out. The message is the service's own.
 *
 * @example
 * ```ts
 * const result = await Eni.find(ec2, { vpcId: "vpc-0123456789abcdef0" });
 * if (result.isErr() && result.error.name === "ThrottledError") console.warn("slow down");
 * ```
 */
export class ThrottledError extends EniKitError {
  override readonly name = "ThrottledError" as const;
}

/**
 * The credentials may not perform the operation (`UnauthorizedOperation` and the like).
 *
 * @example
 * ```ts
 * const result = await eni.detach();
 * if (result.isErr() && result.error.name === "AccessDeniedError") console.error(result.error.message);
 * ```
 */
export class AccessDeniedError extends EniKitError {
  override readonly name = "AccessDeniedError" as const;
}

/**
 * The caller's `abortSignal` fired; the operation stopped between steps.
 *
 * @example
 * ```ts
 * const result = await eni.waitUntilAvailable({ abortSignal: AbortSignal.timeout(1000) });
 * if (result.isErr() && result.error.name === "AbortedError") console.log("gave up");
 * ```
 */
export class AbortedError extends EniKitError {
  override readonly name = "AbortedError" as const;
}

/**
 * Any other EC2 or SDK failure (a 5xx after retries, a network error, an unmapped code).
 * Read `code` and `cause` for the details.
 *
 * @example
 * ```ts
 * const result = await Eni.get(ec2, "eni-0123456789abcdef0");
 * if (result.isErr() && result.error.name === "AwsError") console.error(result.error.code);
 * ```
 */
export class AwsError extends EniKitError {
  override readonly name = "AwsError" as const;
}

/**
 * A move changed something and then failed: the ENI may no longer be where it was. The error
 * says where it ended up (`eni`), whether it was put back on its source (`rolledBack`), in
 * which phase the move failed, why (`reason`, also the `cause`), and the move's report.
 *
 * @example
 * ```ts
 * const moved = await eni.moveTo("i-0bbbbbbbbbbbbbbb2", { expectedFrom: "i-0aaaaaaaaaaaaaaa1" });
 * if (moved.isErr() && moved.error.name === "MoveFailedError") {
 *   const { phase, rolledBack, eni: where } = moved.error;
 *   console.error(`failed in ${phase}; rolled back: ${rolledBack}; now ${where?.status} on ${where?.attachment?.instanceId}`);
 * }
 * ```
 */
export class MoveFailedError extends EniKitError {
  override readonly name = "MoveFailedError" as const;
  /** The phase that failed: the detach from the source, or the attach to the target. */
  declare readonly phase: "detach" | "attach";
  /** Whether the ENI was re-attached to its source. */
  declare readonly rolledBack: boolean;
  /** Where the ENI ended up, as last read (`undefined` if it was never read, or is gone). */
  declare readonly eni: EniState | undefined;
  /**
   * `true` when the final read failed: `eni` is then only the last state the move saw, at
   * `eniSeenAt`, and the ENI may since have moved on (to the target, say). Check it before paging
   * "stranded".
   */
  declare readonly eniIsStale: boolean;
  /** When `eni` was read. */
  declare readonly eniSeenAt: Date | undefined;
  /** What made the move fail. */
  declare readonly reason: EniError;
  /** Why the rollback failed, when one was tried and failed. */
  declare readonly rollbackError: EniError | undefined;
  /** The move's report: phases, durations, API calls, retries, force. */
  declare readonly report: MoveReport;

  /**
   * @param message - what happened and where the ENI is.
   * @param details - the phase, the rollback, the final state, the reason and the report.
   */
  constructor(
    message: string,
    details: {
      phase: "detach" | "attach";
      rolledBack: boolean;
      eni: EniState | undefined;
      eniIsStale?: boolean;
      eniSeenAt?: Date | undefined;
      reason: EniError;
      rollbackError?: EniError | undefined;
      report: MoveReport;
    },
  ) {
    super(message, { code: details.reason.code, requestId: details.reason.requestId, cause: details.reason });
    this.phase = details.phase;
    this.rolledBack = details.rolledBack;
    this.eni = details.eni;
    this.eniIsStale = details.eniIsStale ?? false;
    this.eniSeenAt = details.eniSeenAt;
    this.reason = details.reason;
    this.rollbackError = details.rollbackError;
    this.report = details.report;
  }
}

/**
 * Every error an eni-kit operation can return. Narrow it with `error.name`.
 *
 * @example
 * ```ts
 * function explain(error: EniError): string {
 *   switch (error.name) {
 *     case "AzMismatchError": return `wrong AZ: ${error.eniAz} vs ${error.instanceAz}`;
 *     case "NotFoundError": return `missing ${error.resourceType}`;
 *     default: return error.message;
 *   }
 * }
 * ```
 */
export type EniError =
  | ValidationError
  | NotFoundError
  | AzMismatchError
  | AttachmentLimitError
  | LimitExceededError
  | InvalidStateError
  | ConflictError
  | WaitTimeoutError
  | ThrottledError
  | AccessDeniedError
  | AbortedError
  | MoveFailedError
  | AwsError;

/**
 * Whether a value is one of eni-kit's errors.
 *
 * @param value - anything, e.g. a caught value.
 * @returns `true` when `value` is an {@link EniKitError}.
 * @example
 * ```ts
 * if (isEniError(value)) console.log(value.name);
 * ```
 */
export function isEniError(value: unknown): value is EniError {
  return value instanceof EniKitError;
}
