import { describe, expect, it } from "vitest";
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
  isEniError,
  type EniError,
} from "../src/index.js";

const eniId = "eni-0123456789abcdef0";

/** One instance of every error class, built without details. */
function everyError(): Array<[string, EniError]> {
  return [
    [
      "ValidationError",
      new ValidationError("Expected `deviceIndex` to be an integer from 1 to 31, got -1.", { field: "deviceIndex" }),
    ],
    ["NotFoundError", NotFoundError.of("network-interface", eniId)],
    ["AzMismatchError", AzMismatchError.between("us-east-1a", "us-east-1b")],
    ["AttachmentLimitError", AttachmentLimitError.full("t3.medium", 3, 3)],
    [
      "LimitExceededError",
      new LimitExceededError("The subnet has no free address.", { limit: "free-addresses-in-subnet" }),
    ],
    ["InvalidStateError", new InvalidStateError("The ENI is in use.", { resourceId: eniId, state: "in-use" })],
    [
      "ConflictError",
      new ConflictError("Moved by someone else.", { expected: "i-0aaaaaaaaaaaaaaa1", actual: "i-0ccccccccccccccc3" }),
    ],
    ["WaitTimeoutError", WaitTimeoutError.after(`${eniId} to be available`, 30, "in-use/detaching")],
    ["ThrottledError", new ThrottledError("EC2 throttled the request.")],
    ["AccessDeniedError", new AccessDeniedError("Not authorized.")],
    ["AbortedError", new AbortedError("Aborted.")],
    ["AwsError", new AwsError("Internal error.")],
  ];
}

/** Compile-time proof that `name` narrows the union: adding a class without a case fails `tsc`. */
function describeError(error: EniError): string {
  switch (error.name) {
    case "ValidationError":
      return `field ${error.field}`;
    case "NotFoundError":
      return `missing ${error.resourceType}`;
    case "AzMismatchError":
      return `${error.eniAz} vs ${error.instanceAz}`;
    case "AttachmentLimitError":
      return `${error.instanceType} ${error.kind}: ${error.inUse}/${error.limit}`;
    case "LimitExceededError":
      return `limit ${error.limit}`;
    case "InvalidStateError":
      return `state ${error.state ?? "?"}`;
    case "ConflictError":
      return `expected ${error.expected ?? "?"}, got ${error.actual ?? "?"}`;
    case "WaitTimeoutError":
      return `last ${error.lastState ?? "none"}`;
    case "MoveFailedError":
      return `${error.phase}, rolled back: ${String(error.rolledBack)}`;
    case "ThrottledError":
    case "AccessDeniedError":
    case "AbortedError":
    case "AwsError":
      return error.name;
    default: {
      const unreachable: never = error;
      return unreachable;
    }
  }
}

describe("error classes", () => {
  it.each(everyError())("%s has its literal name and extends EniKitError and Error", (name, error) => {
    // Prepare: everyError() built the instance

    // Act
    const shown = String(error);

    // Assess
    expect(error.name).toBe(name);
    expect(error.constructor.name).toBe(name);
    expect(error).toBeInstanceOf(EniKitError);
    expect(error).toBeInstanceOf(Error);
    expect(shown.startsWith(`${name}: `)).toBe(true);
    expect(error.stack?.startsWith(`${name}: `)).toBe(true);
  });

  it.each(everyError())("%s has no cause, code or request id unless given", (_name, error) => {
    expect("cause" in error).toBe(false);
    expect(error.code).toBeUndefined();
    expect(error.requestId).toBeUndefined();
  });

  it("narrows on name", () => {
    expect(everyError().map(([, error]) => describeError(error))).toEqual([
      "field deviceIndex",
      "missing network-interface",
      "us-east-1a vs us-east-1b",
      "t3.medium network-interfaces: 3/3",
      "limit free-addresses-in-subnet",
      "state in-use",
      "expected i-0aaaaaaaaaaaaaaa1, got i-0ccccccccccccccc3",
      "last in-use/detaching",
      "ThrottledError",
      "AccessDeniedError",
      "AbortedError",
      "AwsError",
    ]);
  });
});

describe("details", () => {
  it("keeps code, request id and cause when given", () => {
    const cause = new Error("original");

    const error = new AwsError("Internal error.", { code: "InternalError", requestId: "r-1", cause });

    expect(error).toMatchObject({ code: "InternalError", requestId: "r-1" });
    expect(error.cause).toBe(cause);
  });

  it("keeps a falsy but defined cause", () => {
    expect(new ThrottledError("t", { cause: null }).cause).toBeNull();
    expect("cause" in new ThrottledError("t", { cause: 0 })).toBe(true);
  });

  it("takes one shape in every class: the message, then the details with code, request id and cause", () => {
    const details = { code: "C", requestId: "r-2", cause: "why" };

    const errors = [
      new ValidationError("m", { field: "f", ...details }),
      new NotFoundError("m", { resourceType: "instance", ...details }),
      new AzMismatchError("m", { eniAz: "a", instanceAz: "b", ...details }),
      new AttachmentLimitError("m", { instanceType: "t", limit: 1, inUse: 1, ...details }),
      new LimitExceededError("m", { limit: "free-addresses-in-subnet", ...details }),
      new InvalidStateError("m", { ...details }),
      new ConflictError("m", { ...details }),
      new WaitTimeoutError("m", { waitingFor: "x", maxWaitTime: 1, ...details }),
      new ThrottledError("m", details),
      new AccessDeniedError("m", details),
      new AbortedError("m", details),
      new AwsError("m", details),
    ];

    for (const error of errors) expect(error).toMatchObject({ message: "m", ...details });
    expect(NotFoundError.of("instance", undefined, details)).toMatchObject(details);
  });
});

describe("messages", () => {
  it("ValidationError keeps the field and the message it was given", () => {
    const error = new ValidationError("Expected `tags.team` to be a tag value of at most 256 characters, got 1.", {
      field: "tags.team",
    });

    expect(error.field).toBe("tags.team");
    expect(error.message).toBe("Expected `tags.team` to be a tag value of at most 256 characters, got 1.");
  });

  it("NotFoundError names the resource and its id", () => {
    const error = NotFoundError.of("network-interface", eniId);

    expect(error.message).toBe(`The network-interface '${eniId}' does not exist.`);
    expect(error).toMatchObject({ resourceType: "network-interface", resourceId: eniId });
  });

  it("NotFoundError reads well without an id", () => {
    const error = NotFoundError.of("attachment", undefined);

    expect(error.message).toBe("The attachment does not exist.");
    expect(error.resourceId).toBeUndefined();
  });

  it("NotFoundError keeps a given message", () => {
    expect(
      new NotFoundError("EC2 says no.", { resourceType: "instance", resourceId: "i-0aaaaaaaaaaaaaaa1" }).message,
    ).toBe("EC2 says no.");
  });

  it("AzMismatchError names both Availability Zones", () => {
    const error = AzMismatchError.between("us-east-1a", "us-east-1c");

    expect(error.message).toBe(
      "Cannot attach a network interface in us-east-1a to an instance in us-east-1c: both must be in the same Availability Zone.",
    );
    expect(error).toMatchObject({ eniAz: "us-east-1a", instanceAz: "us-east-1c" });
    expect(new AzMismatchError("custom", { eniAz: "a", instanceAz: "b" }).message).toBe("custom");
  });

  it("AttachmentLimitError names the type, the limit and the count", () => {
    const error = AttachmentLimitError.full("t3.medium", 3, 3);

    expect(error.message).toBe("Instance type t3.medium takes at most 3 network interfaces and already has 3.");
    expect(error).toMatchObject({ instanceType: "t3.medium", limit: 3, inUse: 3 });
    expect(new AttachmentLimitError("custom", { instanceType: "t3.medium", limit: 3, inUse: 3 }).message).toBe(
      "custom",
    );
  });

  it("InvalidStateError and ConflictError keep what they were given", () => {
    expect(new InvalidStateError("m", { resourceId: eniId, state: "in-use" })).toMatchObject({
      message: "m",
      resourceId: eniId,
      state: "in-use",
    });
    expect(new InvalidStateError("m")).toMatchObject({ resourceId: undefined, state: undefined });
    expect(new ConflictError("m", { expected: "i-a", actual: "i-b" })).toMatchObject({
      message: "m",
      expected: "i-a",
      actual: "i-b",
    });
    expect(new ConflictError("m")).toMatchObject({ expected: undefined, actual: undefined });
  });

  it("WaitTimeoutError says how long, for what, and the last state", () => {
    const error = WaitTimeoutError.after(`${eniId} to be in-use`, 300, "in-use/attaching");

    expect(error.message).toBe(
      `Timed out after 300 s waiting for ${eniId} to be in-use; last state seen: in-use/attaching.`,
    );
    expect(error).toMatchObject({
      waitingFor: `${eniId} to be in-use`,
      maxWaitTime: 300,
      lastState: "in-use/attaching",
    });
  });

  it("WaitTimeoutError says none when nothing was seen", () => {
    const error = WaitTimeoutError.after("x", 1, undefined);

    expect(error.message).toBe("Timed out after 1 s waiting for x; last state seen: none.");
    expect(error.lastState).toBeUndefined();
  });
});

describe("isEniError", () => {
  it.each(everyError())("is true for %s", (_name, error) => {
    expect(isEniError(error)).toBe(true);
  });

  it.each([
    ["a plain Error", new Error("x")],
    ["an Error named like ours", Object.assign(new Error("x"), { name: "ValidationError", field: "f" })],
    ["a look-alike object", { name: "NotFoundError", message: "x", resourceType: "instance" }],
    ["a string", "NotFoundError"],
    ["null", null],
    ["undefined", undefined],
  ])("is false for %s", (_case, value) => {
    expect(isEniError(value)).toBe(false);
  });
});
