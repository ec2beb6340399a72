import {
  AbortedError,
  AccessDeniedError,
  AttachmentLimitError,
  AwsError,
  AzMismatchError,
  ConflictError,
  InvalidStateError,
  NotFoundError,
  ThrottledError,
  ValidationError,
  isEniError,
  type EniError,
  type EniKitErrorDetails,
  type ResourceType,
} from "../errors.js";

/** The throttling codes the SDK's retry strategy knows; EC2 itself sends `RequestLimitExceeded`. */
const THROTTLING_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "EC2ThrottledException",
  "TooManyRequestsException",
  "SlowDown",
]);

const ACCESS_DENIED_CODES = new Set([
  "UnauthorizedOperation",
  "AuthFailure",
  "AccessDenied",
  "AccessDeniedException",
  "Blocked",
  "OptInRequired",
]);

/** `InvalidNetworkInterfaceID.NotFound` → `network-interface`, and so on. */
const NOT_FOUND_PREFIXES: Record<string, ResourceType> = {
  InvalidNetworkInterfaceID: "network-interface",
  InvalidInstanceID: "instance",
  InvalidAttachmentID: "attachment",
  InvalidSubnetID: "subnet",
  InvalidGroup: "security-group",
  InvalidAllocationID: "address",
  InvalidAssociationID: "address",
  InvalidAddress: "address",
};

const ID_IN_MESSAGE = /\b(?:eni-attach|eni|i|subnet|sg|eipalloc|eipassoc|vpc)-[0-9a-f]+\b/;

interface SdkFailure {
  name?: unknown;
  message?: unknown;
  Code?: unknown;
  $metadata?: { requestId?: unknown };
}

/**
 * Maps anything an SDK call rejected with to the typed error a caller can act on. This is
 * the one place that knows EC2's error codes.
 */
export function mapAwsError(error: unknown): EniError {
  if (isEniError(error)) return error;
  const failure = (typeof error === "object" && error !== null ? error : {}) as SdkFailure;
  const code =
    typeof failure.Code === "string" ? failure.Code : typeof failure.name === "string" ? failure.name : "Unknown";
  const message =
    typeof failure.message === "string" && failure.message !== ""
      ? failure.message
      : typeof error === "string"
        ? error
        : `The EC2 call failed without a message (${code}).`;
  const requestId = typeof failure.$metadata?.requestId === "string" ? failure.$metadata.requestId : undefined;
  const details: EniKitErrorDetails = { code, requestId, cause: error };
  const id = ID_IN_MESSAGE.exec(message)?.[0];

  if (code === "AbortError") return new AbortedError("The operation was aborted.", details);
  if (THROTTLING_CODES.has(code)) return new ThrottledError(`EC2 throttled the request: ${message}`, details);
  if (ACCESS_DENIED_CODES.has(code)) return new AccessDeniedError(message, details);
  if (code.endsWith(".NotFound")) {
    const resourceType = NOT_FOUND_PREFIXES[code.slice(0, -".NotFound".length)] ?? "resource";
    return new NotFoundError(resourceType, id, message, details);
  }
  if (code.endsWith(".Malformed")) return new ValidationError(resourceOf(code), message, details);
  if (code === "InvalidParameterCombination" && /availability zone/i.test(message)) {
    // The preflight checks AZs; reaching this means the world changed under us.
    return new AzMismatchError("unknown", "unknown", message, details);
  }
  if (code === "AttachmentLimitExceeded") {
    const match = /count (\d+) exceeds the limit for (\S+?)\.?$/.exec(message);
    const count = Number(match?.[1] ?? Number.NaN);
    return new AttachmentLimitError(match?.[2] ?? "unknown", count - 1, count - 1, message, details);
  }
  // Before the "in use" message match below: these messages say "in use" too, but another
  // resource holding the address is a conflict the caller can resolve, not a state of this ENI.
  if (
    code === "Resource.AlreadyAssociated" ||
    code === "Resource.AlreadyAssigned" ||
    code === "InvalidIPAddress.InUse"
  ) {
    return new ConflictError(message, undefined, undefined, details);
  }
  if (code === "PrivateIpAddressLimitExceeded") return new ValidationError("privateIpAddresses", message, details);
  if (code === "SecurityGroupsPerInterfaceLimitExceeded") return new ValidationError("groupIds", message, details);
  if (code === "TagLimitExceeded") return new ValidationError("tags", message, details);
  if (code === "InvalidNetworkInterface.InUse" || /currently in use|\bin use\b/i.test(message)) {
    return new InvalidStateError(message, id, "in-use", details);
  }
  if (code === "OperationNotPermitted" || code === "IncorrectState" || code === "IncorrectInstanceState") {
    return new InvalidStateError(message, id, undefined, details);
  }
  if (code === "IdempotentParameterMismatch") {
    return new ConflictError(
      `The client token was already used with other parameters: ${message}`,
      undefined,
      undefined,
      details,
    );
  }
  if (code === "InvalidParameterValue" && /device index/i.test(message)) {
    return new ValidationError("deviceIndex", message, details);
  }
  if (
    code === "InvalidParameterValue" ||
    code === "InvalidParameterCombination" ||
    code === "InvalidParameter" ||
    code === "MissingParameter"
  ) {
    return new ValidationError("request", message, details);
  }
  return new AwsError(message, details);
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "TimeoutError",
  "RequestTimeout",
]);

/**
 * Whether a failure may pass by itself: throttling, a 5xx, a network error. A wait keeps
 * polling through these (its deadline still bounds it) instead of failing a failover over one
 * bad read.
 */
export function isTransient(error: EniError): boolean {
  if (error.name === "ThrottledError") return true;
  if (error.name !== "AwsError") return false;
  const cause = (typeof error.cause === "object" && error.cause !== null ? error.cause : {}) as {
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    code?: unknown;
  };
  const status = cause.$metadata?.httpStatusCode;
  return (
    cause.$fault === "server" ||
    (typeof status === "number" && status >= 500) ||
    NETWORK_CODES.has(typeof cause.code === "string" ? cause.code : (error.code ?? ""))
  );
}

/** `InvalidNetworkInterfaceId.Malformed` → `networkInterfaceId`: the field EC2 refused. */
function resourceOf(code: string): string {
  const resource = code.slice("Invalid".length, -".Malformed".length);
  return resource.charAt(0).toLowerCase() + resource.slice(1).replace(/ID$/, "Id");
}
