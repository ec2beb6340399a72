import {
  AbortedError,
  AccessDeniedError,
  AttachmentLimitError,
  AwsError,
  AzMismatchError,
  ConflictError,
  InvalidStateError,
  LimitExceededError,
  NotFoundError,
  ThrottledError,
  ValidationError,
  isEniError,
  type EniError,
  type EniKitErrorDetails,
  type LimitName,
  type ResourceType,
} from "../errors.js";

/**
 * EC2 throttles with `RequestLimitExceeded`. The credential provider's STS call runs inside `send`
 * too, and fails unwrapped: its throttling codes (`Throttling`, `ThrottlingException`) say so.
 */
const THROTTLING = /^RequestLimitExceeded$|Throttl/;

/** `InvalidNetworkInterfaceID.NotFound` → `network-interface`, and so on. */
const NOT_FOUND: Readonly<Record<string, ResourceType>> = {
  InvalidNetworkInterfaceID: "network-interface",
  InvalidInstanceID: "instance",
  InvalidAttachmentID: "attachment",
  InvalidSubnetID: "subnet",
  InvalidGroup: "security-group",
  InvalidAllocationID: "address",
  InvalidAssociationID: "address",
  InvalidAddress: "address",
};

/** The quota and capacity refusals, by EC2 code. */
const LIMITS: Readonly<Record<string, LimitName>> = {
  NetworkInterfaceLimitExceeded: "network-interfaces-per-region",
  InsufficientFreeAddressesInSubnet: "free-addresses-in-subnet",
  PrivateIpAddressLimitExceeded: "private-ipv4-addresses-per-interface",
};

/** An EC2 id: a prefix (`eni`, `eni-attach`, `i`, `sg`, `eipalloc`...), then 8 or 17 hex digits. */
const ID_IN_MESSAGE = /\b[a-z]+(?:-attach)?-[0-9a-f]{8,17}\b/;

/** A non-empty string, or `undefined`: SDK failures are untyped, and an empty field says nothing. */
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Maps anything an SDK call rejected with to the typed error a caller can act on. This is
 * the one place that knows EC2's error codes.
 */
export function mapAwsError(error: unknown): EniError {
  if (isEniError(error)) return error;
  // Any value may arrive here; reading a property is safe on all but null and undefined.
  const failure = error as
    { name?: unknown; message?: unknown; Code?: unknown; $metadata?: { requestId?: unknown } } | null | undefined;
  const code = text(failure?.Code) ?? text(failure?.name) ?? "Unknown";
  const message = text(failure?.message) ?? text(error) ?? `The EC2 call failed without a message (${code}).`;
  const details: EniKitErrorDetails = { code, requestId: text(failure?.$metadata?.requestId), cause: error };
  const id = ID_IN_MESSAGE.exec(message)?.[0];
  const is = (...codes: string[]) => codes.includes(code);

  if (code === "AbortError") return new AbortedError("The operation was aborted.", details);
  // The service's own message: the throttled call may be STS's rather than EC2's.
  if (THROTTLING.test(code)) return new ThrottledError(message, details);
  // EC2's codes, and STS's `AccessDenied` when the credential provider may not assume its role.
  if (is("UnauthorizedOperation", "AuthFailure", "Blocked", "OptInRequired", "AccessDenied")) {
    return new AccessDeniedError(message, details);
  }
  // `InvalidNetworkInterfaceID.NotFound`, `InvalidNetworkInterfaceId.Malformed`, and so on.
  const [subject = "", problem] = code.split(".");
  if (problem === "NotFound")
    return new NotFoundError(message, { resourceType: NOT_FOUND[subject] ?? "resource", resourceId: id, ...details });
  if (problem === "Malformed") return new ValidationError(message, { field: fieldOf(subject), ...details });
  if (code === "InvalidParameterCombination" && /availability zone/i.test(message)) {
    // The preflight checks AZs; reaching this means the world changed under us.
    return new AzMismatchError(message, { eniAz: "unknown", instanceAz: "unknown", ...details });
  }
  if (code === "AttachmentLimitExceeded") {
    const match = /count (\d+) exceeds the limit for (\S+?)\.?$/.exec(message);
    // EC2 names the count the attach would have made: one over the limit (NaN if it does not say).
    const limit = Number(match?.[1]) - 1;
    return new AttachmentLimitError(message, {
      instanceType: match?.[2] ?? "unknown",
      limit,
      inUse: limit,
      ...details,
    });
  }
  if (code === "InvalidInterface.IpAddressLimitExceeded") {
    // "Address count 9 on interface eni-… exceeds the limit for t3.medium": the count, not the limit.
    const match = /count (\d+) .*limit for (\S+?)\.?$/.exec(message);
    const kind = /ipv6/i.test(message) ? "ipv6-addresses" : "ipv4-addresses";
    return new AttachmentLimitError(message, {
      instanceType: match?.[2] ?? "unknown",
      limit: Number.NaN,
      inUse: Number(match?.[1]),
      ...details,
      kind,
    });
  }
  const limit = LIMITS[code];
  if (limit !== undefined) return new LimitExceededError(message, { ...details, limit });
  // Conflicts the caller can resolve: another resource holds the address, or the client token
  // was used for another request (EC2's message says so). Before the "in use" match below: the
  // address messages say "in use" too, but that is not a state of this ENI.
  if (
    is(
      "Resource.AlreadyAssociated",
      "Resource.AlreadyAssigned",
      "InvalidIPAddress.InUse",
      "IdempotentParameterMismatch",
    )
  ) {
    return new ConflictError(message, { ...details });
  }
  if (code === "SecurityGroupsPerInterfaceLimitExceeded")
    return new ValidationError(message, { field: "groupIds", ...details });
  if (code === "TagLimitExceeded") return new ValidationError(message, { field: "tags", ...details });
  if (code === "InvalidNetworkInterface.InUse" || /\bin use\b/i.test(message)) {
    return new InvalidStateError(message, { resourceId: id, state: "in-use", ...details });
  }
  if (is("OperationNotPermitted", "IncorrectState", "IncorrectInstanceState")) {
    return new InvalidStateError(message, { resourceId: id, ...details });
  }
  // An Elastic IP needs an internet gateway on the ENI's VPC: a state of the VPC, not of the input.
  if (code === "Gateway.NotAttached")
    return new InvalidStateError(message, { resourceId: id, state: "no-internet-gateway", ...details });
  // `InvalidParameter`, `InvalidParameterValue`, `InvalidParameterCombination`, `MissingParameter`...
  if (/^(Invalid|Missing)Parameter/.test(code)) {
    return new ValidationError(message, {
      field: /device index/i.test(message) ? "deviceIndex" : "request",
      ...details,
    });
  }
  return new AwsError(message, details);
}

/**
 * Node's network errors, and the HTTP handler's `TimeoutError`: those the SDK's retry strategy
 * retries as transient, less the codes other services send (S3's `RequestTimeout`).
 */
const NETWORK_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "TimeoutError",
];

/**
 * Whether a failure may pass by itself: throttling, a 5xx, a network error, or a request EC2 saw
 * too late (`RequestExpired`: a signed request delayed past its validity, as under a stalled
 * connection). A wait keeps polling through these, and a mutating call is sent again, within the
 * operation's deadline, instead of failing a failover over one bad answer.
 */
export function isTransient(error: EniError): boolean {
  const cause = error.cause as { $fault?: unknown; $metadata?: { httpStatusCode?: number }; code?: unknown } | null;
  return (
    error.name === "ThrottledError" ||
    (error.name === "AwsError" &&
      (cause?.$fault === "server" ||
        (cause?.$metadata?.httpStatusCode ?? 0) >= 500 ||
        EXPIRED_CODES.includes(error.code ?? "") ||
        NETWORK_CODES.includes(text(cause?.code) ?? error.code ?? "")))
  );
}

/** EC2's codes for a request that arrived after its signature's validity. */
const EXPIRED_CODES = ["RequestExpired", "Client.RequestExpired"];

/** `InvalidNetworkInterfaceId` → `networkInterfaceId`: the field EC2 refused. */
function fieldOf(subject: string): string {
  const resource = subject.replace(/^Invalid/, "").replace(/ID$/, "Id");
  return resource.charAt(0).toLowerCase() + resource.slice(1);
}
