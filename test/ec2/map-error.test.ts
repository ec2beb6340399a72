import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { isTransient, mapAwsError } from "../../src/ec2/map-error.js";
import {
  AbortedError,
  AccessDeniedError,
  AttachmentLimitError,
  AwsError,
  AzMismatchError,
  ConflictError,
  EniKitError,
  InvalidStateError,
  LimitExceededError,
  NotFoundError,
  ThrottledError,
  ValidationError,
  WaitTimeoutError,
} from "../../src/errors.js";
import { ec2Error, ids } from "../fixtures.js";

/** An EC2 error as the SDK raises it: an `EC2ServiceException` named after the code. */
function sdkError(name: string, message: string, requestId = "r-1"): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400, requestId }, message });
}

const notInSameAz =
  "You may not attach a network interface to an instance if they are not in the same availability zone";

describe("mapAwsError", () => {
  it("maps InvalidNetworkInterfaceID.NotFound to a NotFoundError naming the ENI, keeping code, request id and cause", () => {
    // Prepare
    const original = sdkError(
      "InvalidNetworkInterfaceID.NotFound",
      `The networkInterface ID '${ids.eni}' does not exist`,
    );

    // Act
    const error = mapAwsError(original);

    // Assess
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      name: "NotFoundError",
      resourceType: "network-interface",
      resourceId: ids.eni,
      code: "InvalidNetworkInterfaceID.NotFound",
      requestId: "r-1",
      message: `The networkInterface ID '${ids.eni}' does not exist`,
    });
    expect(error.cause).toBe(original);
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      "InvalidInstanceID.NotFound",
      `The instance ID '${ids.instance}' does not exist`,
      { resourceType: "instance", resourceId: ids.instance },
    ],
    [
      "InvalidAttachmentID.NotFound",
      `The attachment ID '${ids.attachment}' does not exist`,
      { resourceType: "attachment", resourceId: ids.attachment },
    ],
    [
      "InvalidSubnetID.NotFound",
      `The subnet ID '${ids.subnet}' does not exist`,
      { resourceType: "subnet", resourceId: ids.subnet },
    ],
    [
      "InvalidGroup.NotFound",
      `The security group '${ids.sg}' does not exist`,
      { resourceType: "security-group", resourceId: ids.sg },
    ],
    [
      "InvalidAllocationID.NotFound",
      "The allocation ID 'eipalloc-0123456789abcdef0' does not exist",
      { resourceType: "address", resourceId: "eipalloc-0123456789abcdef0" },
    ],
    [
      "InvalidAssociationID.NotFound",
      "The association ID 'eipassoc-0123456789abcdef0' does not exist",
      { resourceType: "address", resourceId: "eipassoc-0123456789abcdef0" },
    ],
    ["InvalidAddress.NotFound", "Address '203.0.113.7' not found.", { resourceType: "address", resourceId: undefined }],
    [
      "InvalidVpcID.NotFound",
      `The vpc ID '${ids.vpc}' does not exist`,
      { resourceType: "resource", resourceId: ids.vpc },
    ],
    [
      "InvalidNetworkInterfaceID.NotFound",
      "The network interface does not exist",
      { resourceType: "network-interface", resourceId: undefined },
    ],
  ])("maps %s to a NotFoundError", (code, message, fields) => {
    const original = sdkError(code, message);

    const error = mapAwsError(original);

    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ name: "NotFoundError", code, requestId: "r-1", message, ...fields });
    expect(error.cause).toBe(original);
  });

  it.each([
    ["InvalidNetworkInterfaceId.Malformed", 'Invalid id: "x" (expecting "eni-...")', "networkInterfaceId"],
    ["InvalidInstanceID.Malformed", 'Invalid id: "i-x" (expecting "i-...")', "instanceId"],
    [
      "InvalidNetworkInterfaceAttachmentId.Malformed",
      'Invalid id: "a" (expecting "eni-attach-...")',
      "networkInterfaceAttachmentId",
    ],
    ["InvalidSubnetID.Malformed", 'Invalid id: "subnet-x" (expecting "subnet-...")', "subnetId"],
    ["InvalidGroupId.Malformed", 'Invalid id: "sg-x" (expecting "sg-...")', "groupId"],
  ])("maps %s to a ValidationError on field %s", (code, message, field) => {
    const original = sdkError(code, message);

    const error = mapAwsError(original);

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ name: "ValidationError", field, code, requestId: "r-1", message });
    expect(error.cause).toBe(original);
  });

  it.each<[string, string, string, Record<string, unknown>]>([
    ["InvalidParameterCombination", notInSameAz, "AzMismatchError", { eniAz: "unknown", instanceAz: "unknown" }],
    [
      "InvalidParameterCombination",
      "Network interfaces on different network cards cannot be combined",
      "ValidationError",
      { field: "request" },
    ],
    // An availability zone named in a refused value is the caller's input, not a mismatch.
    ["InvalidParameterValue", "Invalid availability zone: [us-east-1z]", "ValidationError", { field: "request" }],
    [
      "AttachmentLimitExceeded",
      "Interface count 4 exceeds the limit for t3.medium",
      "AttachmentLimitError",
      { instanceType: "t3.medium", limit: 3, inUse: 3 },
    ],
    [
      "AttachmentLimitExceeded",
      "Interface count 16 exceeds the limit for c5.4xlarge.",
      "AttachmentLimitError",
      { instanceType: "c5.4xlarge", limit: 15, inUse: 15 },
    ],
    [
      "InvalidNetworkInterface.InUse",
      `Interface: [${ids.eni}] in use.`,
      "InvalidStateError",
      { state: "in-use", resourceId: ids.eni },
    ],
    [
      "InvalidNetworkInterface.InUse",
      `Network interface '${ids.eni}' is currently in use.`,
      "InvalidStateError",
      { state: "in-use", resourceId: ids.eni },
    ],
    // The code alone says it, whatever the message.
    [
      "InvalidNetworkInterface.InUse",
      `The network interface ${ids.eni} is attached to an instance.`,
      "InvalidStateError",
      { state: "in-use", resourceId: ids.eni },
    ],
    [
      "InvalidParameterValue",
      `Network interface '${ids.eni}' is currently in use.`,
      "InvalidStateError",
      { state: "in-use", resourceId: ids.eni },
    ],
    [
      "InvalidParameterValue",
      `Instance '${ids.instance}' already has an interface attached at device index '1'.`,
      "ValidationError",
      { field: "deviceIndex" },
    ],
    [
      "InvalidParameterValue",
      "Value (x) for parameter description is invalid.",
      "ValidationError",
      { field: "request" },
    ],
    ["InvalidParameter", "The parameter Groups is invalid.", "ValidationError", { field: "request" }],
    [
      "MissingParameter",
      "The request must contain the parameter NetworkInterfaceId",
      "ValidationError",
      { field: "request" },
    ],
    [
      "InvalidParameterDependency",
      "The parameter SecondaryPrivateIpAddressCount requires SubnetId",
      "ValidationError",
      { field: "request" },
    ],
    [
      "OperationNotPermitted",
      "The network interface at device index 0 and networkCard index 0 cannot be detached.",
      "InvalidStateError",
      { state: undefined, resourceId: undefined },
    ],
    [
      "IncorrectState",
      `The network interface '${ids.eni}' is not in a valid state for this operation.`,
      "InvalidStateError",
      { state: undefined, resourceId: ids.eni },
    ],
    [
      "IncorrectInstanceState",
      `The instance '${ids.instance}' is not in a state from which it can be attached.`,
      "InvalidStateError",
      { state: undefined, resourceId: ids.instance },
    ],
    ["InternalError", "An internal error has occurred", "AwsError", {}],
    ["DependencyViolation", `resource ${ids.sg} has a dependent object`, "AwsError", {}],
    ["DryRunOperation", "Request would have succeeded, but DryRun flag is set.", "AwsError", {}],
  ])("maps %s (%s) to %s", (code, message, name, fields) => {
    const original = sdkError(code, message);

    const error = mapAwsError(original);

    expect(error).toMatchObject({ name, code, requestId: "r-1", message, ...fields });
    expect(error.cause).toBe(original);
  });

  it("still gives an AttachmentLimitError, with EC2's message, when the message does not name the type", () => {
    const message = "The maximum number of network interfaces has been reached.";

    const error = mapAwsError(sdkError("AttachmentLimitExceeded", message));

    expect(error).toBeInstanceOf(AttachmentLimitError);
    expect(error).toMatchObject({ instanceType: "unknown", message, code: "AttachmentLimitExceeded" });
  });

  it("gives each mapped error its class, not only its name", () => {
    expect(mapAwsError(sdkError("InvalidParameterCombination", notInSameAz))).toBeInstanceOf(AzMismatchError);
    expect(
      mapAwsError(sdkError("AttachmentLimitExceeded", "Interface count 4 exceeds the limit for t3.medium")),
    ).toBeInstanceOf(AttachmentLimitError);
    expect(mapAwsError(sdkError("InvalidNetworkInterface.InUse", "in use"))).toBeInstanceOf(InvalidStateError);
    expect(mapAwsError(sdkError("InternalError", "boom"))).toBeInstanceOf(AwsError);
  });

  // EC2's code, and the codes a throttled STS call (the credential provider's) fails with.
  it.each(["RequestLimitExceededByAccount", "NotRequestLimitExceeded"])(
    "does not take %s, a code that only contains EC2's throttling code, for throttling",
    (code) => {
      expect(mapAwsError(sdkError(code, "Something else."))).toMatchObject({ name: "AwsError", code });
    },
  );

  it.each(["RequestLimitExceeded", "Throttling", "ThrottlingException"])(
    "maps the throttling code %s to a ThrottledError",
    (code) => {
      const original = sdkError(code, "Request limit exceeded.");

      const error = mapAwsError(original);

      expect(error).toBeInstanceOf(ThrottledError);
      expect(error).toMatchObject({
        name: "ThrottledError",
        code,
        requestId: "r-1",
        message: "Request limit exceeded.",
      });
      expect(error.cause).toBe(original);
    },
  );

  it.each(["UnauthorizedOperation", "AuthFailure", "AccessDenied", "Blocked", "OptInRequired"])(
    "maps %s to an AccessDeniedError keeping EC2's message",
    (code) => {
      const message = "You are not authorized to perform this operation.";
      const original = sdkError(code, message);

      const error = mapAwsError(original);

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error).toMatchObject({ name: "AccessDeniedError", code, requestId: "r-1", message });
      expect(error.cause).toBe(original);
    },
  );

  it("maps the idempotency token mismatch to a ConflictError", () => {
    const message = "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).";
    const original = sdkError("IdempotentParameterMismatch", message);

    const error = mapAwsError(original);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      name: "ConflictError",
      code: "IdempotentParameterMismatch",
      expected: undefined,
      actual: undefined,
      message,
    });
    expect(error.cause).toBe(original);
  });

  it("maps an unknown code to an AwsError with EC2's message, code and request id", () => {
    const original = sdkError("SomethingNew.Happened", "Something new happened", "r-42");

    const error = mapAwsError(original);

    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({
      name: "AwsError",
      code: "SomethingNew.Happened",
      requestId: "r-42",
      message: "Something new happened",
    });
    expect(error.cause).toBe(original);
  });

  it("prefers the deserialized `Code` over the exception's name", () => {
    const original = Object.assign(sdkError("Error", "Request limit exceeded."), { Code: "RequestLimitExceeded" });

    expect(mapAwsError(original)).toMatchObject({ name: "ThrottledError", code: "RequestLimitExceeded" });
  });

  it("reads the fixture's SDK-shaped errors the same way", () => {
    const error = mapAwsError(
      ec2Error("InvalidInstanceID.NotFound", `The instance ID '${ids.standby}' does not exist`, "req-9"),
    );

    expect(error).toMatchObject({
      name: "NotFoundError",
      resourceType: "instance",
      resourceId: ids.standby,
      requestId: "req-9",
    });
  });

  describe("AbortError", () => {
    it("maps the HTTP handler's AbortError to an AbortedError", () => {
      const original = Object.assign(new Error("Request aborted"), { name: "AbortError" });

      const error = mapAwsError(original);

      expect(error).toBeInstanceOf(AbortedError);
      expect(error).toMatchObject({
        name: "AbortedError",
        code: "AbortError",
        message: "The operation was aborted.",
        requestId: undefined,
      });
      expect(error.cause).toBe(original);
    });

    it("maps an aborted signal's DOMException reason to an AbortedError", () => {
      const reason: unknown = AbortSignal.abort().reason;

      expect(mapAwsError(reason)).toBeInstanceOf(AbortedError);
    });
  });

  it("returns an eni-kit error unchanged", () => {
    const typed = [
      NotFoundError.of("network-interface", ids.eni),
      new ValidationError("bad", { field: "deviceIndex" }),
      WaitTimeoutError.after("something", 1, "pending"),
      new AbortedError("stopped"),
    ];

    for (const error of typed) expect(mapAwsError(error)).toBe(error);
  });

  describe("values that are not SDK errors", () => {
    it("maps a thrown string to an AwsError carrying the string", () => {
      const error = mapAwsError("socket hang up");

      expect(error).toBeInstanceOf(AwsError);
      expect(error).toMatchObject({
        name: "AwsError",
        code: "Unknown",
        message: "socket hang up",
        requestId: undefined,
      });
      expect(error.cause).toBe("socket hang up");
    });

    it("maps undefined to an AwsError without a cause", () => {
      const error = mapAwsError(undefined);

      expect(error).toBeInstanceOf(AwsError);
      expect(error).toMatchObject({ code: "Unknown", requestId: undefined });
      expect(error.message).not.toBe("");
      expect("cause" in error).toBe(false);
    });

    it("maps null to an AwsError", () => {
      expect(mapAwsError(null)).toMatchObject({ name: "AwsError", code: "Unknown", cause: null });
    });

    it("maps an object without a name by its message", () => {
      const original = { message: "connect ECONNREFUSED 127.0.0.1:443" };

      const error = mapAwsError(original);

      expect(error).toMatchObject({ name: "AwsError", code: "Unknown", message: "connect ECONNREFUSED 127.0.0.1:443" });
      expect(error.cause).toBe(original);
    });

    it("ignores a non-string name, Code, message and request id", () => {
      const original = { name: 42, Code: ["x"], message: 7, $metadata: { requestId: 9 } };

      const error = mapAwsError(original);

      expect(error).toMatchObject({ name: "AwsError", code: "Unknown", requestId: undefined });
      expect(error.cause).toBe(original);
    });

    it("maps a plain TypeError (e.g. a misconfigured client) to an AwsError coded by its name", () => {
      const original = new TypeError("Cannot read properties of undefined (reading 'send')");

      const error = mapAwsError(original);

      expect(error).toMatchObject({
        name: "AwsError",
        code: "TypeError",
        message: "Cannot read properties of undefined (reading 'send')",
      });
      expect(error.cause).toBe(original);
    });

    it("falls back to the error's string form when its message is empty", () => {
      const error = mapAwsError(sdkError("InternalError", ""));

      expect(error).toMatchObject({ name: "AwsError", code: "InternalError" });
      expect(error.message).toContain("InternalError");
    });
  });

  it("always returns an EniKitError", () => {
    const inputs: unknown[] = [sdkError("X", "y"), "s", 1, undefined, null, {}, [], new Error("e"), Symbol("s")];

    for (const input of inputs) expect(mapAwsError(input)).toBeInstanceOf(EniKitError);
  });
});

describe("Gateway.NotAttached", () => {
  it("maps an Elastic IP refused for want of an internet gateway to an InvalidStateError naming the VPC", () => {
    const message = "Network vpc-0123456789abcdef0 is not attached to any internet gateway";

    const error = mapAwsError(sdkError("Gateway.NotAttached", message));

    expect(error).toMatchObject({
      name: "InvalidStateError",
      state: "no-internet-gateway",
      resourceId: "vpc-0123456789abcdef0",
      code: "Gateway.NotAttached",
      message,
    });
  });
});

describe("limits", () => {
  it("maps an attach over the type's addresses per interface to an AttachmentLimitError of kind ipv4-addresses", () => {
    const message = `Address count 9 on interface ${ids.eni} exceeds the limit for t3.medium`;

    const error = mapAwsError(sdkError("InvalidInterface.IpAddressLimitExceeded", message));

    expect(error).toBeInstanceOf(AttachmentLimitError);
    expect(error).toMatchObject({
      name: "AttachmentLimitError",
      kind: "ipv4-addresses",
      instanceType: "t3.medium",
      inUse: 9,
      code: "InvalidInterface.IpAddressLimitExceeded",
      message,
    });
    // EC2 names the count, not the limit.
    expect((error as AttachmentLimitError).limit).toBeNaN();
  });

  it("tells an IPv6 address limit from an IPv4 one", () => {
    const message = `IPv6 address count 12 on interface ${ids.eni} exceeds the limit for t3.medium`;

    const error = mapAwsError(sdkError("InvalidInterface.IpAddressLimitExceeded", message));

    expect(error).toMatchObject({ name: "AttachmentLimitError", kind: "ipv6-addresses", inUse: 12 });
  });

  it.each([
    [
      "NetworkInterfaceLimitExceeded",
      "You have reached the limit for network interfaces.",
      "network-interfaces-per-region",
    ],
    [
      "InsufficientFreeAddressesInSubnet",
      "The specified subnet subnet-0123456789abcdef0 does not have enough free addresses to satisfy the request.",
      "free-addresses-in-subnet",
    ],
    [
      "PrivateIpAddressLimitExceeded",
      "Number of private addresses will exceed limit.",
      "private-ipv4-addresses-per-interface",
    ],
  ])("maps %s to a LimitExceededError naming the limit", (code, message, limit) => {
    const original = sdkError(code, message);

    const error = mapAwsError(original);

    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ name: "LimitExceededError", limit, code, message, requestId: "r-1" });
    expect(error.cause).toBe(original);
    expect(isTransient(error)).toBe(false);
  });
});

describe("isTransient", () => {
  /** A Node system error: a plain `Error` with an errno `code`. */
  const systemError = (code: string) => Object.assign(new Error(`${code}: the system call failed`), { code });

  it.each<[string, unknown]>([
    ["a throttled request", sdkError("RequestLimitExceeded", "Request limit exceeded.")],
    [
      "a 5xx",
      new EC2ServiceException({
        name: "InternalError",
        $fault: "client",
        $metadata: { httpStatusCode: 500 },
        message: "An internal error has occurred",
      }),
    ],
    [
      "a server fault",
      new EC2ServiceException({ name: "Unavailable", $fault: "server", $metadata: {}, message: "Try again" }),
    ],
    ["a reset connection", systemError("ECONNRESET")],
    ["a refused connection", systemError("ECONNREFUSED")],
    ["a broken pipe", systemError("EPIPE")],
    ["a connect timeout", systemError("ETIMEDOUT")],
    ["an unreachable host", systemError("EHOSTUNREACH")],
    ["an unreachable network", systemError("ENETUNREACH")],
    ["a DNS failure", systemError("ENOTFOUND")],
    ["a DNS server that did not answer in time", systemError("EAI_AGAIN")],
    ["a request EC2 saw after it expired", sdkError("RequestExpired", "Request has expired.")],
    ["a request expired, as older APIs name it", sdkError("Client.RequestExpired", "Request has expired.")],
    ["the HTTP handler's timeout", Object.assign(new Error("socket timed out"), { name: "TimeoutError" })],
    [
      "a timeout as a DOMException (its numeric code aside)",
      new DOMException("The operation timed out.", "TimeoutError"),
    ],
  ])("is true for %s", (_case, thrown) => {
    expect(isTransient(mapAwsError(thrown))).toBe(true);
  });

  it.each<[string, unknown]>([
    ["a client error", sdkError("InvalidParameterValue", "Value (x) for parameter description is invalid.")],
    [
      "an unknown ENI",
      sdkError("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${ids.eni}' does not exist`),
    ],
    ["a denied call", sdkError("UnauthorizedOperation", "You are not authorized to perform this operation.")],
    ["a local bug", new TypeError("Cannot read properties of undefined (reading 'send')")],
    ["a file the credential provider cannot read", systemError("ENOENT")],
    // Only an untyped failure is judged by its status: a refusal eni-kit knows is never sent again.
    [
      "a typed refusal that came with a 5xx status",
      Object.assign(sdkError("InvalidNetworkInterfaceID.NotFound", "not found"), {
        $fault: "server",
        $metadata: { httpStatusCode: 503 },
      }),
    ],
  ])("is false for %s", (_case, thrown) => {
    expect(isTransient(mapAwsError(thrown))).toBe(false);
  });
});
