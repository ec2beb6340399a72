import type { EC2Client } from "@aws-sdk/client-ec2";
import type { Result, ResultAsync } from "neverthrow";
import { describe, expectTypeOf, it } from "vitest";
import type { EniTask } from "../src/index.js";
import { Eni, type DeletedEni, type EniError } from "../src/index.js";

declare const ec2: EC2Client;

describe("public types", () => {
  it("Eni.create is a ResultAsync<Eni, EniError> and awaits to a Result", () => {
    const task = Eni.create(ec2, { subnetId: "subnet-0123456789abcdef0" });
    expectTypeOf(task).toEqualTypeOf<EniTask>();
    expectTypeOf(task).toMatchTypeOf<ResultAsync<Eni, EniError>>();
    expectTypeOf<Awaited<typeof task>>().toEqualTypeOf<Result<Eni, EniError>>();
  });

  it("chains fluently and ends in the right result types", () => {
    const chain = Eni.create(ec2, { subnetId: "subnet-0123456789abcdef0" })
      .attachTo("i-0123456789abcdef0", { deviceIndex: 1 })
      .waitUntilInUse({ maxWaitTime: 60 })
      .detach({ force: true })
      .waitUntilAvailable()
      .refresh();
    expectTypeOf(chain).toEqualTypeOf<EniTask>();
    expectTypeOf(chain.delete({ detachFirst: true })).toEqualTypeOf<ResultAsync<DeletedEni, EniError>>();
    expectTypeOf(Eni.find(ec2, { status: "available" })).toEqualTypeOf<ResultAsync<Eni[], EniError>>();
    expectTypeOf(chain.map((eni) => eni.attachment?.instanceId)).toEqualTypeOf<
      ResultAsync<string | undefined, EniError>
    >();
  });

  it("narrows the error union on error.name", () => {
    const explain = (error: EniError) => {
      switch (error.name) {
        case "AzMismatchError":
          expectTypeOf(error.eniAz).toEqualTypeOf<string>();
          return error.instanceAz;
        case "AttachmentLimitError":
          expectTypeOf(error.limit).toEqualTypeOf<number>();
          return error.instanceType;
        case "ValidationError":
          return error.field;
        case "NotFoundError":
          expectTypeOf(error.resourceType).toEqualTypeOf<
            "network-interface" | "instance" | "attachment" | "subnet" | "security-group" | "address" | "resource"
          >();
          return error.resourceId;
        case "WaitTimeoutError":
          return error.lastState;
        case "ConflictError":
          return error.actual;
        case "MoveFailedError":
          expectTypeOf(error.rolledBack).toEqualTypeOf<boolean>();
          return error.eni?.attachment?.instanceId;
        default:
          expectTypeOf(error.name).toEqualTypeOf<
            | "LimitExceededError"
            | "InvalidStateError"
            | "ThrottledError"
            | "AccessDeniedError"
            | "AbortedError"
            | "AwsError"
          >();
          return error.message;
      }
    };
    expectTypeOf(explain).returns.toEqualTypeOf<string | undefined>();
  });

  it("rejects wrong option types at compile time", () => {
    // @ts-expect-error deviceIndex is a number
    void Eni.get(ec2, "eni-0123456789abcdef0").attachTo("i-0123456789abcdef0", { deviceIndex: "1" });
    // @ts-expect-error subnetId is required
    void Eni.create(ec2, { name: "x" });
    // @ts-expect-error status must be an ENI status
    void Eni.find(ec2, { status: "up" });
  });
});
