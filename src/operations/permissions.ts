import {
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, okAsync, ResultAsync, safeTry } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send, type Ec2Command } from "../ec2/send.js";
import { ValidationError, type AbortedError, type EniError } from "../errors.js";
import {
  checkAbortSignal,
  checkClient,
  checkId,
  checkOneOf,
  anyValue,
  checkOptionsWith,
  idOf,
  checkIndex,
  checkPlacement,
  show,
  type Check,
} from "../validation.js";
import { OWNERSHIP_TAGS, checkOwner, ownershipTags } from "../steps/ownership.js";

/** The EC2 actions {@link checkPermissions} can verify, named as in IAM policies (without `ec2:`). */
export type PermissionAction =
  | "DescribeNetworkInterfaces"
  | "DescribeInstances"
  | "DescribeInstanceTypes"
  | "DetachNetworkInterface"
  | "AttachNetworkInterface"
  | "ModifyNetworkInterfaceAttribute"
  | "DescribeAddresses"
  | "AssociateAddress"
  | "CreateNetworkInterface"
  | "DeleteNetworkInterface";

/** Actions outside a failover that {@link checkPermissions} checks only when asked. */
export type OptionalPermissionAction = "CreateNetworkInterface" | "DeleteNetworkInterface";
const OPTIONAL_ACTIONS: readonly OptionalPermissionAction[] = ["CreateNetworkInterface", "DeleteNetworkInterface"];

/**
 * The real ids of a failover, for {@link checkPermissions} to try without changing anything.
 *
 * @example
 * ```ts
 * const plan: PermissionPlan = {
 *   eniId: "eni-0123456789abcdef0",
 *   expectedFrom: "i-0aaaaaaaaaaaaaaa1",
 *   to: "i-0bbbbbbbbbbbbbbb2",
 *   allocationId: "eipalloc-0123456789abcdef0",
 * };
 * ```
 */
export interface PermissionPlan {
  /** The ENI that moves. */
  readonly eniId: string;
  /** The instance it moves to. */
  readonly to: string;
  /** The instance it moves from; also described, and compared with the ENI's actual attachment. */
  readonly expectedFrom?: string | undefined;
  /** An Elastic IP allocation to associate with the ENI; adds the `DescribeAddresses` and `AssociateAddress` checks. */
  readonly allocationId?: string | undefined;
  /**
   * The device index the attach is tried with.
   * @default 1
   */
  readonly deviceIndex?: number | undefined;
  /** Also check these, e.g. for `Eni.create` and `Eni.reapOrphans`. */
  readonly also?: readonly OptionalPermissionAction[] | undefined;
  /**
   * The owner tag the `CreateNetworkInterface` check sends (tagging on create needs `ec2:CreateTags`).
   * @default "eni-kit"
   */
  readonly owner?: string | undefined;
  /** Stops the check with an `AbortedError`. */
  readonly abortSignal?: AbortSignal | undefined;
}

/**
 * What EC2 said about one action. `allowed` is `true` for `DryRunOperation`, `false` for
 * `UnauthorizedOperation`, and `"unknown"` for any other answer (a wrong id, throttling…), whose
 * typed error is in `error`.
 *
 * @example
 * ```ts
 * const check: PermissionCheck = { action: "AttachNetworkInterface", allowed: true, input: {} };
 * ```
 */
export interface PermissionCheck {
  /** The EC2 action, as named in IAM (`ec2:` + this). */
  readonly action: PermissionAction;
  /** Whether EC2 would have let the request through. */
  readonly allowed: boolean | "unknown";
  /** EC2's refusal, when `allowed` is `false` or `"unknown"`. */
  readonly error?: EniError | undefined;
  /** Why it was denied or unknown, or a caveat about how it was checked. */
  readonly message?: string | undefined;
  /** The dry-run request as sent (without `DryRun`). */
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * The answer of {@link checkPermissions}: one check per action, in a fixed order.
 *
 * @example
 * ```ts
 * const report: PermissionReport = { allAllowed: true, checks: [], denied: [], unknown: [], attachment: undefined };
 * ```
 */
export interface PermissionReport {
  /** `true` only when every check came back `allowed: true`. */
  readonly allAllowed: boolean;
  /** One entry per action checked. */
  readonly checks: readonly PermissionCheck[];
  /** The actions EC2 denied. */
  readonly denied: readonly PermissionAction[];
  /** The actions EC2 answered neither way (see each check's `error`). */
  readonly unknown: readonly PermissionAction[];
  /** The ENI's attachment as read before the checks, if any. */
  readonly attachment: { readonly id: string; readonly instanceId: string } | undefined;
}

// Well-formed but unused: an unattached ENI has no real attachment to try the detach on.
const PLACEHOLDER_ATTACHMENT_ID = "eni-attach-00000000000000000";

interface ParsedPlan {
  readonly eniId: string;
  readonly to: string;
  readonly from: string | undefined;
  readonly allocationId: string | undefined;
  readonly deviceIndex: number;
  readonly also: readonly OptionalPermissionAction[];
  readonly owner: string;
  readonly abortSignal: AbortSignal | undefined;
}

function parsePlan(plan: unknown): Check<ParsedPlan> {
  return safeTry(function* () {
    const p = yield* checkOptionsWith("plan", plan, {
      eniId: [anyValue],
      to: [anyValue],
      expectedFrom: [idOf("i")],
      allocationId: [idOf("eipalloc")],
      deviceIndex: [checkIndex, 1],
      also: [anyValue],
      owner: [checkOwner, OWNERSHIP_TAGS.defaultOwner],
      abortSignal: [checkAbortSignal],
    });
    yield* checkPlacement(p.deviceIndex, 0);
    const eniId = yield* checkId("eniId", p.eniId, "eni");
    const to = yield* checkId("to", p.to, "i");
    const also: OptionalPermissionAction[] = [];
    if (p.also !== undefined) {
      if (!Array.isArray(p.also))
        yield* err(
          new ValidationError(`Expected \`also\` to be an array of action names, got ${show(p.also)}.`, {
            field: "also",
          }),
        );
      for (const [index, action] of (p.also as unknown[]).entries()) {
        const checked = yield* checkOneOf(`also[${index}]`, action, OPTIONAL_ACTIONS);
        if (!also.includes(checked)) also.push(checked);
      }
    }
    return ok({ ...p, eniId, to, from: p.expectedFrom, also });
  });
}

interface DryRun {
  readonly action: PermissionAction;
  readonly command: Ec2Command;
  /** A caveat shown with the outcome, e.g. that a placeholder id was used. */
  readonly note?: string | undefined;
  /** Set when the request could not even be built; reported as unknown without sending. */
  readonly unavailable?: EniError | undefined;
}

/** The dry runs of a failover, in report order, built from the ENI as read (when it could be). */
function dryRuns(plan: ParsedPlan, ni: NetworkInterface | undefined, readError: EniError | undefined): DryRun[] {
  const DryRun = true;
  const NetworkInterfaceId = plan.eniId;
  const attachment = ni?.Attachment?.AttachmentId === undefined ? undefined : ni.Attachment;
  const detachNote =
    attachment === undefined
      ? `The ENI is not attached${readError === undefined ? "" : " (or could not be read)"}, so the detach was tried on the placeholder attachment ${PLACEHOLDER_ATTACHMENT_ID}; EC2 may answer NotFound instead of checking permissions.`
      : plan.from !== undefined && attachment.InstanceId !== plan.from
        ? `The ENI is attached to ${attachment.InstanceId ?? "an unknown instance"}, not to expectedFrom ${plan.from}; the detach was tried on its actual attachment.`
        : undefined;
  const runs: DryRun[] = [
    {
      action: "DescribeNetworkInterfaces",
      command: new DescribeNetworkInterfacesCommand({ DryRun, NetworkInterfaceIds: [NetworkInterfaceId] }),
    },
    {
      action: "DescribeInstances",
      command: new DescribeInstancesCommand({
        DryRun,
        InstanceIds: [...new Set([plan.to, ...(plan.from === undefined ? [] : [plan.from])])],
      }),
    },
    { action: "DescribeInstanceTypes", command: new DescribeInstanceTypesCommand({ DryRun }) },
    {
      action: "DetachNetworkInterface",
      command: new DetachNetworkInterfaceCommand({
        DryRun,
        AttachmentId: attachment?.AttachmentId ?? PLACEHOLDER_ATTACHMENT_ID,
      }),
      ...(detachNote !== undefined && { note: detachNote }),
    },
    {
      action: "AttachNetworkInterface",
      command: new AttachNetworkInterfaceCommand({
        DryRun,
        NetworkInterfaceId,
        InstanceId: plan.to,
        DeviceIndex: plan.deviceIndex,
        NetworkCardIndex: 0,
      }),
    },
    // Rewriting the current value: harmless even if DryRun were ignored.
    {
      action: "ModifyNetworkInterfaceAttribute",
      command: new ModifyNetworkInterfaceAttributeCommand({
        DryRun,
        NetworkInterfaceId,
        SourceDestCheck: { Value: ni?.SourceDestCheck ?? true },
      }),
    },
  ];
  if (plan.allocationId !== undefined) {
    // eni-kit reads the address before it associates it, to report where it was.
    runs.push(
      {
        action: "DescribeAddresses",
        command: new DescribeAddressesCommand({ DryRun, AllocationIds: [plan.allocationId] }),
      },
      {
        action: "AssociateAddress",
        command: new AssociateAddressCommand({ DryRun, AllocationId: plan.allocationId, NetworkInterfaceId }),
      },
    );
  }
  if (plan.also.includes("CreateNetworkInterface")) {
    const tags = Object.entries(ownershipTags(plan.owner, new Date())).map(([Key, Value]) => ({ Key, Value }));
    const SubnetId = ni?.SubnetId;
    runs.push({
      action: "CreateNetworkInterface",
      command: new CreateNetworkInterfaceCommand({
        DryRun,
        SubnetId,
        TagSpecifications: [{ ResourceType: "network-interface", Tags: tags }],
      }),
      ...(SubnetId === undefined && {
        unavailable: readError ?? new ValidationError("EC2 reported no subnet for the ENI.", { field: "eniId" }),
      }),
    });
  }
  if (plan.also.includes("DeleteNetworkInterface")) {
    runs.push({
      action: "DeleteNetworkInterface",
      command: new DeleteNetworkInterfaceCommand({ DryRun, NetworkInterfaceId }),
    });
  }
  return runs;
}

/** Turns EC2's answer to one dry run into a check; every answer is a result, none a failure. */
function outcome(run: DryRun, error: EniError | undefined): PermissionCheck {
  const { DryRun: _dryRun, ...input } = run.command.input as Record<string, unknown>;
  const note = run.note === undefined ? {} : { message: run.note };
  // A plain success means EC2 ignored DryRun; it still let the request through.
  if (error === undefined || error.code === "DryRunOperation")
    return { action: run.action, allowed: true, input, ...note };
  const allowed = error.code === "UnauthorizedOperation" ? false : "unknown";
  const message = run.note === undefined ? error.message : `${error.message} (${run.note})`;
  return { action: run.action, allowed, error, message, input };
}

function tryOne(
  ec2: EC2Client,
  run: DryRun,
  abortSignal: AbortSignal | undefined,
): ResultAsync<PermissionCheck, never> {
  if (run.unavailable !== undefined) {
    const error = run.unavailable;
    return okAsync({
      ...outcome(run, error),
      allowed: "unknown",
      message: `Not sent: the ENI's subnet is needed and could not be read (${error.message}).`,
    });
  }
  return send(ec2, run.command, { abortSignal })
    .map(() => outcome(run, undefined))
    .orElse((error) => okAsync(outcome(run, error)));
}

/**
 * Asks EC2, with `DryRun` requests on the real ids, whether these credentials may do what a
 * failover of `plan.eniId` to `plan.to` needs: describe the ENI, the
 * instances and instance types, detach the ENI (from its current attachment, read first), attach
 * it to the target, modify its attributes, and read and associate `plan.allocationId`; `plan.also` adds
 * `CreateNetworkInterface` (with the ownership tags, so tag-on-create is checked) and
 * `DeleteNetworkInterface`. Nothing is changed. The dry runs go out together; the report keeps
 * a fixed order. Run it when you deploy, not on the night you need the failover.
 *
 * @param ec2 - your `EC2Client`, with the credentials the failover will use.
 * @param plan - the ids to check with.
 * @returns `Ok(PermissionReport)`: per action `allowed: true` (`DryRunOperation`), `false`
 *   (`UnauthorizedOperation`) or `"unknown"` (any other answer, e.g. `NotFoundError` for a
 *   wrong id), and `allAllowed`; or `ValidationError` (bad plan, nothing sent) or `AbortedError`.
 * @example
 * ```ts
 * const report = await checkPermissions(ec2, {
 *   eniId: "eni-0123456789abcdef0",
 *   expectedFrom: "i-0aaaaaaaaaaaaaaa1",
 *   to: "i-0bbbbbbbbbbbbbbb2",
 * });
 * report.map((r) => r.checks.filter((c) => c.allowed !== true).map((c) => `${c.action}: ${c.message}`));
 * ```
 */
export function checkPermissions(
  ec2: EC2Client,
  plan: PermissionPlan,
): ResultAsync<PermissionReport, ValidationError | AbortedError> {
  const parsed = checkClient(ec2).andThen(() => parsePlan(plan));
  if (parsed.isErr()) return errAsync(parsed.error);
  const request = parsed.value;
  const { abortSignal } = request;
  // A plain read first: the detach must be tried on the ENI's real attachment id. A failed read
  // is not fatal; its own dry run below reports what is wrong (denied, unknown id…).
  const read: ResultAsync<{ ni?: NetworkInterface; readError?: EniError }, AbortedError> = describeEni(
    ec2,
    request.eniId,
    { abortSignal },
  )
    .map((ni) => ({ ni }))
    .orElse((error) => (error.name === "AbortedError" ? err(error) : ok({ readError: error })));
  return read.andThen(({ ni, readError }) => {
    const runs = dryRuns(request, ni, readError);
    return ResultAsync.combine(runs.map((run) => tryOne(ec2, run, abortSignal))).andThen((checks) => {
      const aborted = checks
        .map((check) => check.error)
        .find((error): error is AbortedError => error?.name === "AbortedError");
      if (aborted !== undefined) return err(aborted);
      const attachment =
        ni?.Attachment?.AttachmentId === undefined
          ? undefined
          : { id: ni.Attachment.AttachmentId, instanceId: ni.Attachment.InstanceId ?? "" };
      return ok({
        allAllowed: checks.every((check) => check.allowed === true),
        checks,
        denied: checks.filter((check) => check.allowed === false).map((check) => check.action),
        unknown: checks.filter((check) => check.allowed === "unknown").map((check) => check.action),
        attachment,
      });
    });
  });
}
