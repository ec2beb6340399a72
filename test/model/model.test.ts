/**
 * Model-based tests: random sequences of ENI operations, from one or two concurrent
 * callers, with random faults, run on the EC2 simulator under a virtual clock. After every step
 * the simulator's true state must satisfy the invariants, every call must have resolved to `Ok`
 * or a typed error, and what the call returned must match the simulator at the moment it
 * resolved. The sequence ends with a cleanup that must leave nothing eni-kit created behind.
 *
 * The simulator runs its `realistic` preset (stale reads that can go backwards, new ids unknown
 * for a while, latency, throttling, EC2-like transition times drawn per transition), 50 times
 * faster. A reaper is among the operations, with three invariants: a reaper never deletes
 * an ENI that is attached, leased by a move or (by default) once attached; a result agrees with
 * where EC2 has the ENI; no operation outlives its deadline by more than one poll.
 *
 * CI runs a fixed seed; elsewhere the seed is random and fast-check prints it (and the shrunk
 * sequence) on failure. Each scenario seeds `Math.random` too (its `jitterSeed`), so a seed and
 * path replay a run exactly. Shrunk failures go into `regressions` below, replayed as plain tests.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import fc from "fast-check";
import type { Result } from "neverthrow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Eni, OWNERSHIP_TAGS, type EniError, type MoveOptions, type ReapReport } from "../../src/index.js";
import { Ec2Simulator } from "../../src/testing/index.js";
import { Random } from "../../src/testing/random.js";
import {
  badOutcome,
  couldBecome,
  invariantViolations,
  settle,
  show,
  sleep,
  whereRaw,
  whereSim,
  warmUpSdk,
  whereState,
  type Where,
} from "./harness.js";

// --- the model's vocabulary -------------------------------------------------------------

type Op =
  | { readonly t: "create"; readonly subnet: 0 | 1 }
  | { readonly t: "attach"; readonly eni: number; readonly to: number; readonly deviceIndex?: number }
  | { readonly t: "detach"; readonly eni: number; readonly force: boolean }
  | {
      readonly t: "move";
      readonly eni: number;
      readonly to: number;
      readonly fence: "none" | "source" | "wrong";
      readonly mode: "graceful" | "force" | "forceAfter";
      readonly rollback: boolean;
      readonly sameIndex: boolean;
    }
  | { readonly t: "delete"; readonly eni: number; readonly detachFirst: boolean }
  | { readonly t: "assignIp"; readonly eni: number }
  | { readonly t: "eip"; readonly eni: number; readonly associate: boolean }
  | { readonly t: "reap"; readonly includeOnceAttached: boolean };

type Fault =
  | { readonly t: "throttle"; readonly n: number; readonly action?: string }
  | { readonly t: "fail"; readonly action: string; readonly code: string; readonly n: number }
  | { readonly t: "hang"; readonly eni: number }
  | { readonly t: "clear" };

type Step =
  | { readonly t: "op"; readonly op: Op; readonly client: 0 | 1 }
  | { readonly t: "race"; readonly a: Op; readonly b: Op }
  | { readonly t: "terminate"; readonly inst: number; readonly during?: { readonly op: Op; readonly afterMs: number } }
  | { readonly t: "fault"; readonly fault: Fault };

interface Scenario {
  readonly throttling: boolean;
  readonly consistencyDelayMs: number;
  readonly steps: readonly Step[];
  /**
   * Seeds `Math.random`, which the waiters' and the SDK's retry jitter draw from, so that a
   * scenario (with the seed and path fast-check prints) runs the same every time. 0 when absent.
   */
  readonly jitterSeed?: number;
}

// Four instances in us-east-1a (one a t3.micro that takes only 2 ENIs) and one in us-east-1b.
const INSTANCE_TYPES = ["t3.medium", "t3.medium", "t3.micro", "t3.medium", "t3.medium"] as const;
const INSTANCE_AZ = [0, 0, 0, 0, 1] as const;
/** The simulator runs 50 times faster than EC2: transitions of 20 to 160 ms, terminations of 0.4 to 1.2 s. */
const TIME_SCALE = 0.02;
const WAIT = { minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 3 } as const;
const MOVE_WAIT = { minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 4 } as const;
/**
 * The cleanup's deletes: a careful caller's deadline. The SDK retries a throttled read itself,
 * sleeping a jittered backoff of up to 500 ms × 2^attempt (at most 20 s); one such sleep can
 * outlast a 3 s deadline, and the delete then ends, rightly, in a WaitTimeoutError. The cleanup's
 * timing is not under test; the steps' is, with `WAIT`.
 */
const CLEANUP_WAIT = { ...WAIT, maxWaitTime: 60 } as const;
const REFUSALS = new Set([
  "ValidationError",
  "NotFoundError",
  "AzMismatchError",
  "AttachmentLimitError",
  "InvalidStateError",
  "ConflictError",
]);

// --- arbitraries ----------------------------------------------------------------------------

const eniRef = fc.nat({ max: 5 });
const instRef = fc.nat({ max: INSTANCE_TYPES.length - 1 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("create" as const), subnet: fc.constantFrom(0 as const, 1 as const) }),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      { t: fc.constant("attach" as const), eni: eniRef, to: instRef, deviceIndex: fc.integer({ min: 1, max: 3 }) },
      { requiredKeys: ["t", "eni", "to"] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("detach" as const), eni: eniRef, force: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("move" as const),
      eni: eniRef,
      to: instRef,
      fence: fc.constantFrom("none" as const, "source" as const, "source" as const, "wrong" as const),
      mode: fc.constantFrom("graceful" as const, "force" as const, "forceAfter" as const),
      rollback: fc.constantFrom(true, true, true, false),
      sameIndex: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("delete" as const), eni: eniRef, detachFirst: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("assignIp" as const), eni: eniRef }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("eip" as const), eni: eniRef, associate: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("reap" as const), includeOnceAttached: fc.boolean() }),
  },
);

const ACTIONS = [
  "DescribeNetworkInterfaces",
  "DescribeInstances",
  "AttachNetworkInterface",
  "DetachNetworkInterface",
  "DeleteNetworkInterface",
  "CreateNetworkInterface",
];

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record(
    { t: fc.constant("throttle" as const), n: fc.integer({ min: 1, max: 4 }), action: fc.constantFrom(...ACTIONS) },
    { requiredKeys: ["t", "n"] },
  ),
  // 5xx are retried by the SDK (3 attempts), so 1-2 are absorbed and 3+ surface; the others are final at once.
  fc.record({
    t: fc.constant("fail" as const),
    action: fc.constantFrom(...ACTIONS),
    code: fc.constantFrom(
      "InternalError",
      "Unavailable",
      "InternalError",
      "UnauthorizedOperation",
      "InvalidNetworkInterface.InUse",
    ),
    n: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ t: fc.constant("hang" as const), eni: eniRef }),
  fc.constant({ t: "clear" as const }),
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant("op" as const), op: opArb, client: fc.constantFrom(0 as const, 1 as const) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("race" as const), a: opArb, b: opArb }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        t: fc.constant("terminate" as const),
        inst: instRef,
        during: fc.record({ op: opArb, afterMs: fc.integer({ min: 0, max: 150 }) }),
      },
      { requiredKeys: ["t", "inst"] },
    ),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("fault" as const), fault: faultArb }) },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  throttling: fc.boolean(),
  consistencyDelayMs: fc.constantFrom(0, 0, 40),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 14 }),
  // Last, so the keys before it draw what they drew before it was added.
  jitterSeed: fc.nat(),
});

// --- the system under test, and the checks ----------------------------------------------------

class Run {
  readonly sim: Ec2Simulator;
  readonly clients;
  readonly subnets: string[];
  readonly instances: string[];
  readonly allocationId: string;
  /** Ids of the ENIs Eni.create returned, in order; deleted ones stay listed. */
  readonly created: string[] = [];
  readonly problems: string[] = [];
  readonly log: string[] = [];

  constructor(scenario: Scenario) {
    this.sim = new Ec2Simulator({
      // EC2's behaviour and timings, 50 times faster (the waits below are scaled to match).
      preset: "realistic",
      timeScale: TIME_SCALE,
      // No latency here (the chaos test has it): an answer arrives the moment the call takes
      // effect, so what a call returned can be compared with the simulator in the same tick.
      latencyMs: 0,
      ...(scenario.consistencyDelayMs > 0 && { consistencyDelayMs: scenario.consistencyDelayMs }),
      // Small buckets, so throttling surfaces through the SDK's own retries; otherwise EC2's own.
      ...(scenario.throttling && {
        throttling: {
          DescribeNetworkInterfaces: { capacity: 6, refillPerSecond: 10 },
          AttachNetworkInterface: { capacity: 2, refillPerSecond: 2 },
          DetachNetworkInterface: { capacity: 2, refillPerSecond: 2 },
        },
      }),
      seed: 7,
    });
    const { vpcId } = this.sim.addVpc();
    this.subnets = ["us-east-1a", "us-east-1b"].map(
      (availabilityZone) => this.sim.addSubnet({ vpcId, availabilityZone }).subnetId,
    );
    this.instances = INSTANCE_TYPES.map(
      (instanceType, i) =>
        this.sim.addInstance({ subnetId: this.subnets[INSTANCE_AZ[i] ?? 0] ?? "", instanceType }).instanceId,
    );
    this.allocationId = this.sim.addAddress().allocationId;
    this.clients = [this.sim.client(), this.sim.client()] as const;
  }

  eniId(ref: number): string | undefined {
    return this.created.length === 0 ? undefined : this.created[ref % this.created.length];
  }

  instanceGone(instanceId: string | undefined): boolean {
    const state = instanceId === undefined ? undefined : this.sim.instance(instanceId)?.State?.Name;
    return state === "shutting-down" || state === "terminated";
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Runs one operation; returns what it returned, and the ENI in the simulator at that moment. */
  async start(op: Op, client: 0 | 1): Promise<Outcome> {
    const ec2 = this.clients[client];
    if (op.t === "create") {
      const started = Date.now();
      const result = await Eni.create(ec2, { subnetId: this.subnets[op.subnet] ?? "", name: "model", ...WAIT });
      return {
        op,
        eniId: result.isOk() ? result.value.id : undefined,
        pre: NONE,
        result,
        post: result.isOk() ? whereSim(this.sim, result.value.id) : NONE,
        tookMs: Date.now() - started,
      };
    }
    if (op.t === "reap") return this.reap(op, ec2);
    const eniId = this.eniId(op.eni);
    if (eniId === undefined) return { op, eniId, pre: NONE, result: undefined, post: NONE };
    const pre = whereSim(this.sim, eniId);
    const target = this.instances[op.t === "attach" || op.t === "move" ? op.to : 0] ?? "";
    const read = await Eni.get(ec2, eniId);
    if (read.isErr()) return { op, eniId, pre, result: read, post: whereSim(this.sim, eniId), target };
    const task = read.value;
    // The operation itself is timed, apart from the read that gave its snapshot.
    const started = Date.now();
    const callsFrom = this.sim.calls.length;
    // Each method has its own Ok type; the checks below narrow by operation.
    let pending: PromiseLike<Result<any, EniError>>;
    switch (op.t) {
      case "attach":
        pending = task.attachTo(target, {
          ...(op.deviceIndex !== undefined && { deviceIndex: op.deviceIndex }),
          ...WAIT,
        });
        break;
      case "detach":
        pending = task.detach({ force: op.force, ...WAIT });
        break;
      case "move": {
        const source = pre.instanceId;
        const options: MoveOptions = {
          ...MOVE_WAIT,
          rollback: op.rollback,
          ...(op.fence === "source" && source !== undefined && { expectedFrom: source }),
          ...(op.fence === "wrong" && {
            expectedFrom: this.instances.find((id) => id !== source && id !== target) ?? "",
          }),
          ...(op.mode === "force" && { force: true }),
          ...(op.mode === "forceAfter" && { forceAfter: 0.5 }),
          ...(op.sameIndex && { deviceIndex: "same" as const }),
        };
        pending = task.moveTo(target, options);
        break;
      }
      case "delete":
        pending = task.delete({ detachFirst: op.detachFirst, ...WAIT });
        break;
      case "assignIp":
        pending = task.assignPrivateIps(1, WAIT);
        break;
      case "eip":
        pending = op.associate
          ? task.associateAddress(this.allocationId, { allowReassociation: true, ...WAIT })
          : task.disassociateAddress(this.allocationId, WAIT);
        break;
    }
    // Read the simulator in the same tick the call resolves: under the fake clock no time has
    // passed since the call's last read, so its answer and the simulator must agree exactly.
    return Promise.resolve(pending).then((result) => ({
      op,
      eniId,
      pre,
      result,
      post: whereSim(this.sim, eniId),
      target,
      tookMs: Date.now() - started,
      callsFrom,
    }));
  }

  /** A reaper pass on its own, as on another host: list, then delete what the rule allows. */
  async reap(op: Extract<Op, { t: "reap" }>, ec2: EC2Client): Promise<Outcome> {
    const before = new Map(this.created.map((id) => [id, this.sim.networkInterface(id)]));
    const startedAt = Date.now();
    const rule = { olderThan: 0, includeOnceAttached: op.includeOnceAttached };
    const result = await Eni.findOrphans(ec2, rule).andThen((found) => Eni.reapOrphans(ec2, found, rule));
    if (result.isOk()) {
      for (const id of result.value.deleted) {
        const was = before.get(id);
        if (was === undefined) continue; // not one of the sequence's
        const tag = (key: string) => was.TagSet?.find((t) => t.Key === key)?.Value;
        const leasedUntil = Date.parse(tag(OWNERSHIP_TAGS.heldUntil) ?? "");
        if (was.Attachment !== undefined && was.Status !== "available")
          this.problem(`the reaper deleted ${id}, attached (${show(whereRaw(was))}) when its pass began`);
        if (leasedUntil > startedAt)
          this.problem(`the reaper deleted ${id}, leased by a move until ${tag(OWNERSHIP_TAGS.heldUntil)}`);
        if (!op.includeOnceAttached && tag(OWNERSHIP_TAGS.attached) !== undefined)
          this.problem(`the reaper deleted ${id}, attached once, without includeOnceAttached`);
      }
    }
    return { op, eniId: undefined, pre: NONE, result, post: NONE };
  }

  /** The checks of one outcome; `alone` when no other call touched the same ENI meanwhile. */
  check(outcome: Outcome, alone: boolean): void {
    const { op, eniId, pre, result, post } = outcome;
    if (result === undefined) return;
    tally(`${op.t}:${summary(result)}`);
    const bad = badOutcome(result);
    if (bad !== undefined) return this.problem(`${describeOp(op)}: ${bad}`);
    // No operation outlives its deadline by more than one poll.
    const limits = op.t === "move" ? MOVE_WAIT : WAIT;
    if (outcome.tookMs !== undefined && outcome.tookMs > (limits.maxWaitTime + limits.maxDelay) * 1000)
      this.problem(
        `${describeOp(op)} took ${outcome.tookMs} ms, past its ${limits.maxWaitTime} s deadline and one poll`,
      );
    if (op.t === "create") {
      if (result.isOk()) {
        if (eniId !== undefined) this.created.push(eniId);
        if (post.status !== "available")
          this.problem(`create returned ${eniId} but the simulator has it ${show(post)}`);
      }
      return;
    }
    if (eniId === undefined || !alone) return;
    const label = `${describeOp(op)} on ${eniId} (was ${show(pre)}, now ${show(post)})`;
    if (result.isOk()) {
      const value = result.value;
      if (op.t === "delete") {
        if (post.exists) this.problem(`${label}: Ok, but the ENI still exists`);
        return;
      }
      const snapshot = whereState(value as Eni);
      // Reads lag: a snapshot may be one transition behind (an instance going away releasing the
      // ENI, say), never anywhere else.
      const released = post.instanceId === undefined && this.instanceGone(snapshot.instanceId);
      if (!couldBecome(snapshot, post, (id) => this.instanceGone(id)))
        this.problem(`${label}: Ok snapshot says ${show(snapshot)}, the simulator ${show(post)}`);
      if (
        (op.t === "attach" || op.t === "move") &&
        !released &&
        (post.instanceId !== outcome.target || post.attachmentStatus !== "attached")
      ) {
        this.problem(`${label}: Ok, but not attached to ${outcome.target ?? "?"}`);
      }
      if (op.t === "move" && !["moved", "already-there"].includes((value as Eni).moveReport?.outcome ?? ""))
        this.problem(`${label}: Ok with report outcome ${(value as Eni).moveReport?.outcome}`);
      if (op.t === "detach" && post.instanceId !== undefined) this.problem(`${label}: Ok, but still attached`);
      if (op.t === "eip") {
        const holder = this.sim.address(this.allocationId)?.NetworkInterfaceId;
        if (op.associate !== (holder === eniId))
          this.problem(`${label}: Ok, but the Elastic IP is on ${holder ?? "nothing"}`);
      }
      return;
    }
    const error = result.error;
    if (error.name === "MoveFailedError") {
      const said = error.eni === undefined ? undefined : whereState(error.eni);
      if (error.eniIsStale) {
        // The final read failed: the error must say the state is unknown, not assert one.
        if (!error.message.includes("its state is unknown"))
          this.problem(`${label}: a stale MoveFailedError that does not say so: ${error.message}`);
      } else if (said === undefined) {
        // Without a state, the error says the ENI is gone; the move's last read is its fallback otherwise.
        if (post.exists || !error.message.includes("no longer exists"))
          this.problem(`${label}: MoveFailedError without a state, the simulator ${show(post)}: ${error.message}`);
      } else if (!couldBecome(said, post, (id) => this.instanceGone(id))) {
        this.problem(`${label}: MoveFailedError says ${show(said)}, the simulator ${show(post)}`);
      }
      if (error.rolledBack && (post.instanceId !== pre.instanceId || post.attachmentStatus !== "attached"))
        this.problem(`${label}: rolledBack, but not back on ${pre.instanceId ?? "?"}`);
      if (error.report.outcome !== (error.rolledBack ? "rolled-back" : "failed"))
        this.problem(`${label}: report outcome ${error.report.outcome}, rolledBack ${error.rolledBack}`);
      return;
    }
    // A refusal (or, for moveTo, any error but MoveFailedError) says nothing was changed; an
    // attach whose request went through and whose wait then failed (its target going away) did change it.
    const attached = this.sim.calls
      .slice(outcome.callsFrom ?? this.sim.calls.length)
      .some(
        (call) =>
          call.action === "AttachNetworkInterface" &&
          call.outcome === "ok" &&
          call.input["NetworkInterfaceId"] === eniId,
      );
    const saysUnchanged =
      op.t === "move" || (((op.t === "attach" && !attached) || op.t === "detach") && REFUSALS.has(error.name));
    if (saysUnchanged && !this.sameHome(pre, post))
      this.problem(`${label}: ${error.name} (${error.message}) says nothing changed, but the ENI moved`);
  }

  /** Whether the ENI is where it was, allowing for transitions already under way before the call. */
  sameHome(pre: Where, post: Where): boolean {
    if (pre.exists !== post.exists) return false;
    if (pre.instanceId === post.instanceId) return true;
    if (post.instanceId !== undefined) return false;
    return pre.attachmentStatus === "detaching" || this.instanceGone(pre.instanceId);
  }

  /** Elastic IP calls at once: the address ends where it was or on an ENI whose associate succeeded. */
  checkAddressExplained(holderBefore: string | undefined, outcomes: readonly Outcome[]): void {
    const holder = this.sim.address(this.allocationId)?.NetworkInterfaceId;
    const associated = outcomes.filter(({ op, result }) => op.t === "eip" && op.associate && result?.isOk() === true);
    if (holder !== undefined && holder !== holderBefore && !associated.some(({ eniId }) => eniId === holder))
      this.problem(`racing Elastic IP calls left the address on ${holder}, which no successful associate named`);
  }

  /** Several calls on one ENI at once: the final state must be one that some call reported. */
  checkExplained(eniId: string, outcomes: readonly Outcome[], pre: Where): void {
    const final = whereSim(this.sim, eniId);
    const possible = new Set<string | undefined>([pre.instanceId]);
    let gone = false;
    for (const { op, result } of outcomes) {
      if (result === undefined) continue;
      if (op.t === "detach" || op.t === "delete") possible.add(undefined);
      if (op.t === "delete") gone = true;
      if (result.isOk() && op.t !== "delete" && op.t !== "create")
        possible.add((result.value as Eni).attachment?.instanceId);
      if (result.isErr() && result.error.name === "MoveFailedError")
        possible.add(result.error.eni?.attachment?.instanceId);
      if (result.isErr() && result.error.name === "MoveFailedError" && result.error.eni === undefined)
        possible.add(undefined);
    }
    if (!final.exists) {
      if (!gone && pre.exists) this.problem(`${eniId} disappeared in a race without a delete`);
      return;
    }
    if (
      !possible.has(final.instanceId) &&
      !(final.instanceId === undefined && (pre.attachmentStatus === "detaching" || this.instanceGone(pre.instanceId)))
    ) {
      this.problem(
        `race on ${eniId}: it ended ${show(final)}, which no call reported (${outcomes.map((o) => `${describeOp(o.op)} → ${summary(o.result)}`).join("; ")})`,
      );
    }
  }

  checkInvariants(when: string): void {
    for (const violation of invariantViolations(this.sim, this.instances, this.created))
      this.problem(`after ${when}: ${violation}`);
    const holder = this.sim.address(this.allocationId)?.NetworkInterfaceId;
    if (holder !== undefined && this.sim.networkInterface(holder) === undefined)
      this.problem(`after ${when}: the Elastic IP is on deleted ${holder}`);
  }
}

interface Outcome {
  readonly op: Op;
  readonly eniId: string | undefined;
  readonly pre: Where;
  readonly result: Result<unknown, EniError> | undefined;
  readonly post: Where;
  readonly target?: string;
  /** How long the operation took, in virtual ms (its snapshot's read apart). */
  readonly tookMs?: number;
  /** Where the simulator's call log stood when the operation started. */
  readonly callsFrom?: number;
}

const NONE: Where = { exists: false, status: undefined, instanceId: undefined, attachmentStatus: undefined };

/** Outcome counts, printed with MODEL_STATS=1 to see what the sequences exercise. */
const stats = new Map<string, number>();
function tally(key: string): void {
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

function describeOp(op: Op): string {
  return JSON.stringify(op);
}

function summary(result: Result<unknown, EniError> | undefined): string {
  if (result === undefined) return "skipped";
  if (result.isOk()) return "Ok";
  return result.error.name === "MoveFailedError"
    ? `MoveFailedError(${result.error.eni?.attachment?.instanceId ?? result.error.eni?.status ?? "?"})`
    : result.error.name;
}

function applyFault(run: Run, fault: Fault): void {
  const faults = run.sim.faults;
  switch (fault.t) {
    case "throttle":
      return faults.throttleNext(fault.n, fault.action);
    case "fail":
      return fault.action === "AttachNetworkInterface"
        ? faults.failAttach(fault.code, fault.n)
        : faults.failNext(fault.action, fault.code, fault.n);
    case "hang": {
      const id = run.eniId(fault.eni);
      return id === undefined ? undefined : faults.hangDetach(id);
    }
    case "clear":
      return faults.clear();
  }
}

async function runStep(run: Run, step: Step, index: number): Promise<void> {
  const when = `step ${index} ${JSON.stringify(step)}`;
  switch (step.t) {
    case "fault":
      applyFault(run, step.fault);
      break;
    case "op": {
      const outcome = await settle(run.start(step.op, step.client));
      run.check(outcome, true);
      break;
    }
    case "race": {
      const holderBefore = run.sim.address(run.allocationId)?.NetworkInterfaceId;
      const [a, b] = await settle(Promise.all([run.start(step.a, 0), run.start(step.b, 1)]));
      const shared = a.eniId !== undefined && a.eniId === b.eniId;
      // Two Elastic IP calls share the one address even on different ENIs: either may take it from the other.
      const sharedAddress = a.op.t === "eip" && b.op.t === "eip";
      // A reaper racing an operation may delete its ENI if the rule allowed it when its pass began
      // (free, seen free before, never attached nor leased): that call is then not alone with its
      // ENI. What the reaper may delete is checked in `reap`.
      const reaped = new Set(
        [a, b].flatMap(({ op, result }) =>
          op.t === "reap" && result?.isOk() === true ? (result.value as ReapReport).deleted : [],
        ),
      );
      const alone = (outcome: Outcome) =>
        !shared && !sharedAddress && (outcome.eniId === undefined || !reaped.has(outcome.eniId));
      run.check(a, alone(a));
      run.check(b, alone(b));
      if (shared && a.eniId !== undefined) run.checkExplained(a.eniId, [a, b], a.pre);
      if (sharedAddress) run.checkAddressExplained(holderBefore, [a, b]);
      // A reaper racing a move of an attached ENI never gets it: the move's lease and the
      // attached marker keep it away.
      for (const [move, other] of [
        [a, b],
        [b, a],
      ] as const) {
        if (
          move.op.t === "move" &&
          other.op.t === "reap" &&
          move.pre.instanceId !== undefined &&
          move.eniId !== undefined
        )
          if (run.sim.networkInterface(move.eniId) === undefined && move.result?.isOk() !== false)
            run.problem(`a reaper deleted ${move.eniId} while a move held it`);
      }
      break;
    }
    case "terminate": {
      const instanceId = run.instances[step.inst] ?? "";
      if (step.during === undefined) {
        run.sim.terminateInstance(instanceId);
        break;
      }
      const { op, afterMs } = step.during;
      const timer = setTimeout(() => run.sim.terminateInstance(instanceId), afterMs);
      const outcome = await settle(run.start(op, 0));
      clearTimeout(timer);
      run.check(outcome, true);
      break;
    }
  }
  run.checkInvariants(when);
}

/** Deletes everything the sequence created, as a careful caller would, and checks nothing is left. */
async function cleanUp(run: Run): Promise<void> {
  run.sim.faults.clear();
  await sleep(5_000); // let terminations finish and throttle buckets refill
  // A careful caller gives the SDK room to ride out throttling (docs/errors.md): the sequence may
  // have left the tiny test buckets empty.
  const ec2 = run.sim.client({ maxAttempts: 10 });
  for (const id of run.created) {
    const deleted = await settle(Eni.get(ec2, id).delete({ detachFirst: true, force: true, ...CLEANUP_WAIT }));
    if (deleted.isErr() && deleted.error.name === "NotFoundError") continue; // deleted during the sequence
    if (deleted.isErr()) run.problem(`cleanup: deleting ${id} failed: ${deleted.error.name} ${deleted.error.message}`);
  }
  // A create that failed after EC2 made the ENI leaves one the caller never saw: the reaper finds
  // it, in two passes or more (the pass that first sees an ENI free only starts its count, and a
  // stale read can hide the start from the next one), as a reaper on a schedule would.
  for (let pass = 0; pass < 5; pass += 1) {
    const reaped = await settle(Eni.findOrphans(ec2, { olderThan: 0 }).andThen((found) => Eni.reapOrphans(ec2, found)));
    if (reaped.isErr()) run.problem(`cleanup: a reaper pass failed: ${reaped.error.message}`);
    else if (reaped.value.failed.length > 0)
      run.problem(`cleanup: reaping failed for ${reaped.value.failed.map((f) => f.id).join(", ")}`);
    await sleep(1_000);
  }
  for (const id of run.created)
    if (run.sim.networkInterface(id) !== undefined) run.problem(`cleanup: ${id} is still there`);
  // (Each pass above ends with a second of quiet, so reads no longer list what was just deleted.)
  const left = await settle(Eni.find(ec2, { tags: { [OWNERSHIP_TAGS.managedBy]: true } }));
  if (left.isErr() || left.value.length > 0)
    run.problem(
      `cleanup: eni-kit ENIs left behind: ${left.isOk() ? left.value.map((eni) => `${eni.id} ${eni.status}`).join(", ") : left.error.message}`,
    );
}

/** Runs a whole scenario and returns every violation found (empty when all held). */
async function runScenario(scenario: Scenario): Promise<string[]> {
  const jitter = new Random(scenario.jitterSeed ?? 0);
  const random = vi.spyOn(Math, "random").mockImplementation(() => jitter.fraction());
  try {
    return await runSeeded(scenario);
  } finally {
    random.mockRestore();
  }
}

async function runSeeded(scenario: Scenario): Promise<string[]> {
  const run = new Run(scenario);
  // Two ENIs to start from: one attached to the first instance, one free.
  const ec2 = run.clients[0];
  for (const attach of [true, false]) {
    const created = await settle(
      attach
        ? Eni.create(ec2, { subnetId: run.subnets[0] ?? "", ...WAIT }).attachTo(run.instances[0] ?? "", WAIT)
        : Eni.create(ec2, { subnetId: run.subnets[0] ?? "", ...WAIT }),
    );
    run.created.push(created._unsafeUnwrap().id);
  }
  for (const [index, step] of scenario.steps.entries()) await runStep(run, step, index);
  await cleanUp(run);
  return run.problems;
}

// --- the tests ------------------------------------------------------------------------------

/** Shrunk failing scenarios (and hand-picked stories), replayed on every run. */
const regressions: { readonly name: string; readonly scenario: Scenario }[] = [
  {
    name: "a disassociate right after the associate: EC2 does not know the new association yet",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        { t: "terminate", inst: 0, during: { op: { t: "attach", eni: 3, to: 0 }, afterMs: 21 } },
        { t: "terminate", inst: 0, during: { op: { t: "eip", eni: 0, associate: true }, afterMs: 0 } },
        { t: "op", op: { t: "eip", eni: 0, associate: false }, client: 0 },
        { t: "op", op: { t: "delete", eni: 0, detachFirst: false }, client: 0 },
      ],
      jitterSeed: 0,
    },
  },
  {
    name: "cleanup after a move, throttled: the SDK's own backoff between throttled reads outlasts a 3 s delete",
    scenario: {
      throttling: true,
      consistencyDelayMs: 0,
      steps: [
        {
          t: "op",
          op: { t: "move", eni: 1, to: 0, fence: "none", mode: "graceful", rollback: true, sameIndex: false },
          client: 1,
        },
      ],
      jitterSeed: 1777116756,
    },
  },
  {
    name: "a detach of a new free ENI whose reads still show it pending (a stale read, one transition behind)",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        {
          t: "op",
          op: { t: "move", eni: 0, to: 1, fence: "none", mode: "graceful", rollback: true, sameIndex: false },
          client: 0,
        },
        { t: "op", op: { t: "create", subnet: 0 }, client: 1 },
        { t: "op", op: { t: "detach", eni: 2, force: false }, client: 1 },
      ],
    },
  },
  {
    name: "an attach whose target starts terminating once the attach is accepted",
    scenario: {
      throttling: true,
      consistencyDelayMs: 0,
      steps: [
        { t: "terminate", inst: 2, during: { op: { t: "attach", eni: 1, to: 2 }, afterMs: 10 } },
        { t: "op", op: { t: "delete", eni: 0, detachFirst: false }, client: 0 },
      ],
    },
  },
  {
    name: "an address assigned while the ENI's instance terminates",
    scenario: {
      throttling: true,
      consistencyDelayMs: 0,
      steps: [
        { t: "terminate", inst: 0, during: { op: { t: "assignIp", eni: 0 }, afterMs: 0 } },
        { t: "terminate", inst: 0 },
      ],
    },
  },
  {
    name: "a reaper racing a move, reads denied, a create racing another move",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        {
          t: "race",
          a: { t: "move", eni: 0, to: 1, fence: "none", mode: "graceful", rollback: true, sameIndex: false },
          b: { t: "reap", includeOnceAttached: false },
        },
        { t: "fault", fault: { t: "fail", action: "DescribeNetworkInterfaces", code: "UnauthorizedOperation", n: 2 } },
        {
          t: "race",
          a: { t: "create", subnet: 0 },
          b: { t: "move", eni: 0, to: 0, fence: "none", mode: "graceful", rollback: true, sameIndex: false },
        },
        {
          t: "op",
          op: { t: "move", eni: 0, to: 0, fence: "none", mode: "graceful", rollback: true, sameIndex: false },
          client: 0,
        },
      ],
    },
  },
  {
    name: "an attach racing a reaper that may take a never-attached ENI",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        {
          t: "race",
          a: { t: "move", eni: 0, to: 0, fence: "none", mode: "graceful", rollback: true, sameIndex: false },
          b: { t: "reap", includeOnceAttached: false },
        },
        { t: "race", a: { t: "attach", eni: 1, to: 0 }, b: { t: "reap", includeOnceAttached: false } },
      ],
    },
  },
  {
    name: "two associates of the one Elastic IP to different ENIs at once",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        {
          t: "race",
          a: { t: "eip", eni: 3, associate: true },
          b: { t: "eip", eni: 0, associate: true },
        },
        { t: "op", op: { t: "assignIp", eni: 0 }, client: 0 },
      ],
    },
  },
  {
    name: "a fenced move whose target terminates mid-move",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        {
          t: "terminate",
          inst: 1,
          during: {
            afterMs: 20,
            op: { t: "move", eni: 0, to: 1, fence: "source", mode: "graceful", rollback: true, sameIndex: false },
          },
        },
      ],
    },
  },
  {
    name: "a hung detach forced after forceAfter, then a failed attach rolled back",
    scenario: {
      throttling: false,
      consistencyDelayMs: 0,
      steps: [
        { t: "fault", fault: { t: "hang", eni: 0 } },
        { t: "fault", fault: { t: "fail", action: "AttachNetworkInterface", code: "UnauthorizedOperation", n: 1 } },
        {
          t: "op",
          client: 0,
          op: { t: "move", eni: 0, to: 1, fence: "source", mode: "forceAfter", rollback: true, sameIndex: false },
        },
      ],
    },
  },
  {
    name: "two controllers race to move the same ENI with the same fence",
    scenario: {
      throttling: true,
      consistencyDelayMs: 40,
      steps: [
        {
          t: "race",
          a: { t: "move", eni: 0, to: 1, fence: "source", mode: "graceful", rollback: true, sameIndex: false },
          b: { t: "move", eni: 0, to: 3, fence: "source", mode: "force", rollback: true, sameIndex: false },
        },
      ],
    },
  },
  {
    name: "a hung detach left without force, then attach, delete without detachFirst, and 5xx on describes",
    scenario: {
      throttling: false,
      consistencyDelayMs: 40,
      steps: [
        { t: "fault", fault: { t: "hang", eni: 0 } },
        { t: "op", client: 0, op: { t: "detach", eni: 0, force: false } },
        { t: "op", client: 1, op: { t: "attach", eni: 0, to: 1 } },
        { t: "op", client: 0, op: { t: "delete", eni: 0, detachFirst: false } },
        { t: "fault", fault: { t: "fail", action: "DescribeNetworkInterfaces", code: "InternalError", n: 4 } },
        {
          t: "op",
          client: 0,
          op: { t: "move", eni: 0, to: 3, fence: "none", mode: "force", rollback: false, sameIndex: false },
        },
      ],
    },
  },
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe("model: random ENI operations, races and faults on the simulator", () => {
  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    await warmUpSdk();
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
    if (process.env["MODEL_STATS"])
      console.log(
        [...stats]
          .sort()
          .map(([key, count]) => `${key} ${count}`)
          .join("\n"),
      );
    expect(unhandled).toEqual([]);
  });
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(regressions)("regression: $name", async ({ scenario }) => {
    expect(await runScenario(scenario)).toEqual([]);
  });

  it("keeps every invariant through random sequences", async () => {
    const seed = process.env["CI"] ? 20261128 : Date.now() % 2_147_483_647;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const problems = await runScenario(scenario);
        if (problems.length > 0) throw new Error(problems.join("\n"));
      }),
      { seed, numRuns: Number(process.env["MODEL_RUNS"] ?? 150), endOnFailure: false },
    );
  }, 120_000);
});
