// The command's pure parts: the exit-code mapping and the human rendering of snapshots and reports.
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  AccessDeniedError,
  AttachmentLimitError,
  AwsError,
  AzMismatchError,
  ConflictError,
  InvalidStateError,
  LimitExceededError,
  MoveFailedError,
  NotFoundError,
  ThrottledError,
  ValidationError,
  WaitTimeoutError,
  type EniError,
  type EniState,
  type MoveReport,
} from "../../src/index.js";
import { exitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import { describeEni, describeReport, errorJson, whereIs } from "../../src/cli/output.js";

const report = (overrides: Partial<MoveReport> = {}): MoveReport => ({
  eniId: "eni-0123456789abcdef0",
  from: undefined,
  to: "i-0bbbbbbbbbbbbbbb2",
  outcome: "failed",
  phases: [],
  apiCalls: 0,
  callsByAction: {},
  retries: 0,
  forced: false,
  leased: false,
  durationMs: 0,
  ...overrides,
});

const moveFailed = (reason: EniError, rolledBack: boolean) =>
  new MoveFailedError("failed", { phase: "attach", rolledBack, eni: undefined, reason, report: report() });

describe("exitCodeOf", () => {
  it.each([
    [new ValidationError("x", { field: "id" }), 2],
    [NotFoundError.of("instance", "i-1"), 3],
    [AzMismatchError.between("us-east-1a", "us-east-1b"), 4],
    [AttachmentLimitError.full("t3.nano", 2, 2), 5],
    [new LimitExceededError("x", { limit: "free-addresses-in-subnet" }), 5],
    [new ConflictError("x"), 6],
    [new InvalidStateError("x"), 7],
    [WaitTimeoutError.after("x", 1, undefined), 8],
    [new ThrottledError("x"), 9],
    [new AccessDeniedError("x"), 10],
    [moveFailed(new AccessDeniedError("x"), true), 11],
    [moveFailed(new AccessDeniedError("x"), false), 12],
    [new AwsError("x"), 13],
    [new AbortedError("x"), 130],
    [moveFailed(new AbortedError("x"), false), 130],
  ] as const)("%s exits %i", (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });

  it("an unknown name is a bug of the table's callers, refused by the type checker", () => {
    // @ts-expect-error: not a name in EXIT_CODES (checked by `tsc` and `vitest --typecheck`).
    expect(exitCode("nope")).toBe(1);
    expect(exitCodeOf({ name: "SomethingElse" } as unknown as EniError)).toBe(1);
  });
});

const state = (overrides: Partial<EniState> = {}): EniState => ({
  id: "eni-0123456789abcdef0",
  name: undefined,
  status: "available",
  subnetId: "subnet-1",
  vpcId: "vpc-1",
  availabilityZone: "us-east-1a",
  macAddress: "02:00:00:00:00:01",
  privateIp: "10.0.1.5",
  secondaryPrivateIps: [],
  privateIpAddresses: [],
  ipv6Addresses: [],
  publicIp: undefined,
  securityGroups: [],
  description: "",
  tags: {},
  interfaceType: "interface",
  sourceDestCheck: true,
  requesterManaged: false,
  attachment: undefined,
  raw: {},
  ...overrides,
});

describe("the human rendering", () => {
  it("says where an ENI is, with the card when it is not 0", () => {
    expect(whereIs(state())).toBe("available, not attached");
    expect(
      whereIs(
        state({
          status: "in-use",
          attachment: {
            id: "eni-attach-1",
            instanceId: "i-1",
            deviceIndex: 1,
            networkCardIndex: 2,
            status: "attached",
            deleteOnTermination: true,
            attachedAt: undefined,
          },
        }),
      ),
    ).toBe("in-use on i-1 (device 1, card 2, attached)");
  });

  it("shows an ENI without name, groups or tags, and one with them", () => {
    const bare = describeEni(state({ sourceDestCheck: false }));
    const full = describeEni(
      state({
        name: "db",
        publicIp: "203.0.113.1",
        ipv6Addresses: ["2001:db8::1"],
        securityGroups: [
          { id: "sg-1", name: "db" },
          { id: "sg-2", name: undefined },
        ],
        description: "floating",
        tags: { Name: "db", team: "x" },
        privateIpAddresses: [
          {
            privateIp: "10.0.1.5",
            primary: true,
            publicIp: undefined,
            allocationId: undefined,
            associationId: undefined,
          },
          {
            privateIp: "10.0.1.6",
            primary: false,
            publicIp: undefined,
            allocationId: undefined,
            associationId: undefined,
          },
        ],
      }),
    );

    expect(bare.split("\n")[0]).toBe("eni-0123456789abcdef0");
    expect(bare).toMatch(/private IPs\s+10\.0\.1\.5$/m);
    expect(bare).toMatch(/security groups\s+none$/m);
    expect(bare).toMatch(/source\/dest check\s+off$/m);
    expect(full).toMatch(/private IPs\s+10\.0\.1\.5 \(primary\), 10\.0\.1\.6$/m);
    expect(full).toMatch(/security groups\s+sg-1 \(db\), sg-2$/m);
    expect(full).toMatch(/tags\s+Name=db, team=x$/m);
    expect(full).toMatch(/IPv6\s+2001:db8::1$/m);
  });

  it("tells where a move came from: free, attached, or released by a dead instance", () => {
    expect(describeReport(report())).toContain("from free to i-0bbbbbbbbbbbbbbb2");
    expect(
      describeReport(
        report({
          from: { kind: "released", instanceId: "i-0aaaaaaaaaaaaaaa1", instanceState: "terminated" },
          forced: true,
        }),
      ),
    ).toContain("from i-0aaaaaaaaaaaaaaa1 (terminated, the ENI was free)");
    expect(describeReport(report({ phases: [{ phase: "attach", ok: false, durationMs: 1500 }] }))).toContain(
      "took 0.00 s: attach 1.50 s (failed)",
    );
  });

  it("turns anything thrown into JSON", () => {
    expect(errorJson("boom")).toEqual({ name: "Error", message: "boom" });
    expect(errorJson(new ValidationError("bad", { field: "id", cause: new Error("x") }))).toEqual({
      name: "ValidationError",
      message: "bad",
      field: "id",
    });
  });
});
