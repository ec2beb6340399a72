/**
 * Shared by the model and chaos tests: a virtual clock driver, the list of typed errors a
 * caller may see, the simulator-side invariants, and how to compare what a call
 * returned with what the simulator holds.
 */
import { DescribeNetworkInterfacesCommand, type NetworkInterface } from "@aws-sdk/client-ec2";
import type { Result } from "neverthrow";
import { vi } from "vitest";
import { EniKitError, type EniError, type EniState } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";

/** Every `name` an eni-kit error may carry. */
export const KNOWN_ERRORS = new Set([
  "ValidationError",
  "NotFoundError",
  "AzMismatchError",
  "AttachmentLimitError",
  "LimitExceededError",
  "InvalidStateError",
  "ConflictError",
  "WaitTimeoutError",
  "ThrottledError",
  "AccessDeniedError",
  "AbortedError",
  "MoveFailedError",
  "AwsError",
]);

/** ENIs per instance type used by these tests (the simulator's table). */
export const LIMITS: Readonly<Record<string, number>> = {
  "t3.micro": 2,
  "t3.medium": 3,
  "t3.large": 3,
  "m5.large": 3,
  "m5.4xlarge": 8,
  "c5.18xlarge": 15,
};

/**
 * Runs the fake clock until `promise` settles. The simulator computes its transitions from
 * `Date.now()`, and the SDK's retry delays and our waiters use `setTimeout`, so virtual time
 * drives all of them; a 10-minute virtual wait costs milliseconds.
 */
export async function settle<T>(promise: PromiseLike<T>, stepMs = 5, limitMs = 30 * 60_000): Promise<T> {
  let settled = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  void Promise.resolve(promise).then(
    (v) => {
      value = v;
      settled = true;
    },
    (error: unknown) => {
      failure = error;
      failed = true;
      settled = true;
    },
  );
  const start = Date.now();
  while (!settled) {
    await vi.advanceTimersByTimeAsync(stepMs);
    if (Date.now() - start > limitMs) throw new Error(`still pending after ${limitMs} virtual ms`);
  }
  // A rejection is a bug of its own: eni-kit promises never reject.
  if (failed) throw new Error(`an eni-kit call rejected instead of resolving to a Result: ${String(failure)}`);
  return value as T;
}

/**
 * Makes one request on the real clock. A process's first request has the SDK read
 * `~/.aws/config` and `~/.aws/credentials` (real file I/O, then cached); under the fake clock,
 * `settle` would keep advancing virtual time until the disk answered, so the first scenario's
 * timing would depend on the machine. Call it before `vi.useFakeTimers()`.
 */
export async function warmUpSdk(): Promise<void> {
  await new Ec2Simulator().client().send(new DescribeNetworkInterfacesCommand({}));
}

/** Advances the virtual clock. */
export async function sleep(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

const JS_BUGS = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * Why a call's outcome is not an acceptable one: it must be a neverthrow Result whose error, if
 * any, is an EniKitError with a known name; an AwsError wrapping a JavaScript TypeError (or
 * the like) is a library bug that the EniTask wrapper turned into a typed error.
 */
export function badOutcome(result: unknown): string | undefined {
  const r = result as Partial<Result<unknown, unknown>> | undefined;
  if (typeof r?.isOk !== "function" || typeof r.isErr !== "function") return `not a Result: ${String(result)}`;
  if (r.isOk()) return undefined;
  const error = (r as { error: unknown }).error;
  if (!(error instanceof EniKitError)) return `error is not an EniKitError: ${String(error)}`;
  if (!KNOWN_ERRORS.has(error.name)) return `unknown error name ${error.name}`;
  if (JS_BUGS.some((kind) => error.cause instanceof kind))
    return `a JavaScript bug surfaced as ${error.name}: ${String(error.cause)}`;
  if (error.name === "MoveFailedError") {
    const reason = (error as EniError & { reason?: unknown }).reason;
    if (!(reason instanceof EniKitError)) return "MoveFailedError without a typed reason";
  }
  return undefined;
}

/** The part of an ENI's state the tests compare: status, and where and how it is attached. */
export interface Where {
  readonly exists: boolean;
  readonly status: string | undefined;
  readonly instanceId: string | undefined;
  readonly attachmentStatus: string | undefined;
}

export function whereSim(sim: Ec2Simulator, eniId: string): Where {
  return whereRaw(sim.networkInterface(eniId));
}

export function whereRaw(ni: NetworkInterface | undefined): Where {
  return {
    exists: ni !== undefined,
    status: ni?.Status,
    instanceId: ni?.Attachment?.InstanceId,
    attachmentStatus: ni?.Attachment?.Status,
  };
}

export function whereState(state: EniState): Where {
  return {
    exists: true,
    status: state.status,
    instanceId: state.attachment?.instanceId,
    attachmentStatus: state.attachment?.status,
  };
}

/**
 * Whether EC2 could have gone from `said` (what a call reported, from its last reads) to `now`
 * (the simulator at that moment) by transitions already under way: an attach completing, a detach
 * completing, a new ENI becoming available, an instance going away releasing the ENI. EC2's reads
 * lag, so a report can be one such step behind; it must never be anywhere else.
 */
export function couldBecome(said: Where, now: Where, goingAway: (instanceId: string | undefined) => boolean): boolean {
  if (show(said) === show(now)) return true;
  if (said.exists !== now.exists) return false;
  const sameInstance = said.instanceId === now.instanceId;
  if (sameInstance && said.attachmentStatus === "attaching" && now.attachmentStatus === "attached") return true;
  // A new ENI that a lagging read still shows pending.
  if (said.instanceId === undefined && said.status === "pending" && now.status === "available") return true;
  return now.instanceId === undefined && (said.attachmentStatus === "detaching" || goingAway(said.instanceId));
}

export const show = (where: Where): string =>
  where.exists
    ? `${where.status ?? "?"}${where.instanceId === undefined ? "" : `@${where.instanceId}/${where.attachmentStatus ?? "?"}`}`
    : "gone";

/**
 * The issue's invariants, checked against the simulator's own state: each ENI attached to at
 * most one instance and only in its AZ, device indexes unique per instance and card, never more
 * ENIs than the type takes. Returns the violations.
 */
export function invariantViolations(
  sim: Ec2Simulator,
  instanceIds: readonly string[],
  eniIds: readonly string[],
): string[] {
  const problems: string[] = [];
  const holders = new Map<string, string[]>();
  for (const instanceId of instanceIds) {
    const instance = sim.instance(instanceId);
    if (instance === undefined) continue;
    const az = instance.Placement?.AvailabilityZone;
    const slots = new Set<string>();
    const attached = instance.NetworkInterfaces ?? [];
    const limit = LIMITS[instance.InstanceType ?? ""];
    if (limit !== undefined && attached.length > limit)
      problems.push(`${instanceId} (${instance.InstanceType}) has ${attached.length} ENIs, limit ${limit}`);
    for (const ni of attached) {
      const id = ni.NetworkInterfaceId ?? "?";
      holders.set(id, [...(holders.get(id) ?? []), instanceId]);
      const slot = `${ni.Attachment?.NetworkCardIndex ?? 0}/${ni.Attachment?.DeviceIndex ?? "?"}`;
      if (slots.has(slot)) problems.push(`${instanceId} has two ENIs at card/device ${slot}`);
      slots.add(slot);
      const full = sim.networkInterface(id);
      if (full !== undefined && full.AvailabilityZone !== az)
        problems.push(`${id} in ${full.AvailabilityZone} is attached to ${instanceId} in ${az}`);
    }
  }
  for (const [id, on] of holders) if (on.length > 1) problems.push(`${id} is attached to ${on.join(" and ")}`);
  for (const id of eniIds) {
    const ni = sim.networkInterface(id);
    const on = ni?.Attachment?.InstanceId;
    if (on === undefined) continue;
    const instance = sim.instance(on);
    if (instance === undefined) problems.push(`${id} is attached to unknown ${on}`);
    else if (instance.Placement?.AvailabilityZone !== ni?.AvailabilityZone)
      problems.push(`${id} attached across AZs to ${on}`);
    else if (!(instance.NetworkInterfaces ?? []).some((n) => n.NetworkInterfaceId === id))
      problems.push(`${id} says ${on}, but ${on} does not list it`);
  }
  return problems;
}
