import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { err, ResultAsync, type Result } from "neverthrow";
import { mapAwsError } from "./ec2/map-error.js";
import type { ValidationError } from "./errors.js";
import { type EniError } from "./errors.js";
import { checkClient, checkId, type Check } from "./validation.js";
import {
  toEniState,
  type EniAttachment,
  type EniPrivateIp,
  type EniSecurityGroup,
  type EniState,
  type EniStatus,
} from "./model.js";
import {
  assignIps,
  associateEip,
  disassociateEip,
  parseAssign,
  parseAssociate,
  parseDisassociate,
  parseUnassign,
  unassignIps,
  type AssignPrivateIpsOptions,
  type AssociateAddressOptions,
} from "./operations/addresses.js";
import { attachEni, parseAttach, type AttachOptions } from "./operations/attach.js";
import {
  parseDescription,
  parseEnabled,
  parseSecurityGroups,
  parseTagKeys,
  parseTags,
  setEniDeleteOnTermination,
  setEniDescription,
  setEniSecurityGroups,
  setEniSourceDestCheck,
  tagEni,
  untagEni,
} from "./operations/attributes.js";
import { createEni, parseCreate, type CreateEniOptions } from "./operations/create.js";
import { deleteEni, parseDelete, type DeletedEni, type DeleteOptions } from "./operations/delete.js";
import { detachEni, parseDetach, type DetachOptions } from "./operations/detach.js";
import { moveEni, parseMove, type MoveOptions } from "./operations/move.js";
import {
  attachMany,
  detachMany,
  moveMany,
  type BulkAttach,
  type BulkDetach,
  type BulkMove,
  type BulkOptions,
  type BulkReport,
} from "./bulk.js";
import {
  findOrphanEnis,
  parseOrphanQuery,
  parseReap,
  reapOrphanEnis,
  type OrphanQuery,
  type ReapOptions,
  type ReapReport,
} from "./operations/orphans.js";
import { findEnis, getEni, parseQuery, parseRead, type FindQuery, type ReadOptions } from "./steps/read.js";
import {
  DEFAULT_MAX_WAIT,
  checkWaitOptions,
  timed,
  waitUntilAvailable,
  waitUntilInUse,
  type WaitOptions,
} from "./waiters.js";
import type { ChangeOptions } from "./steps/change.js";
import type { MoveReport } from "./model.js";

/**
 * An ENI as EC2 described it at one moment: an immutable snapshot. Its methods act on EC2
 * and return a new snapshot; they never change this one. Get one from {@link Eni.create},
 * {@link Eni.get} or {@link Eni.find}.
 *
 * @example
 * ```ts
 * const result = await Eni.get(ec2, "eni-0123456789abcdef0");
 * if (result.isOk()) {
 *   const eni = result.value;
 *   console.log(eni.id, eni.status, eni.privateIp, eni.attachment?.instanceId);
 * }
 * ```
 */
export class Eni implements EniState {
  declare readonly id: string;
  declare readonly name: string | undefined;
  declare readonly status: EniStatus;
  declare readonly subnetId: string;
  declare readonly vpcId: string;
  declare readonly availabilityZone: string;
  declare readonly macAddress: string;
  declare readonly privateIp: string;
  declare readonly secondaryPrivateIps: readonly string[];
  declare readonly privateIpAddresses: readonly EniPrivateIp[];
  declare readonly ipv6Addresses: readonly string[];
  declare readonly publicIp: string | undefined;
  declare readonly securityGroups: readonly EniSecurityGroup[];
  declare readonly description: string;
  declare readonly tags: Readonly<Record<string, string>>;
  declare readonly interfaceType: string;
  declare readonly sourceDestCheck: boolean;
  declare readonly requesterManaged: boolean;
  declare readonly attachment: EniAttachment | undefined;
  declare readonly raw: NetworkInterface;
  /** On the snapshot a `moveTo` returns: what the move did. `undefined` on every other snapshot. */
  declare readonly moveReport: MoveReport | undefined;
  // Private so the client never shows up in logs, JSON or equality checks of a snapshot.
  readonly #ec2: EC2Client;

  private constructor(ec2: EC2Client, state: EniState, moveReport?: MoveReport) {
    this.#ec2 = ec2;
    // toEniState builds fresh arrays and objects for each snapshot, so they are frozen where they are.
    const nested = [
      ...state.privateIpAddresses,
      ...state.securityGroups,
      state.privateIpAddresses,
      state.securityGroups,
      state.secondaryPrivateIps,
      state.ipv6Addresses,
      state.tags,
      state.attachment,
    ];
    for (const value of nested) Object.freeze(value);
    Object.assign(this, state, { moveReport });
    Object.freeze(this);
  }

  /** Wraps EC2's description of an ENI in a snapshot bound to the client that read it. */
  static #from(ec2: EC2Client, raw: NetworkInterface): Eni {
    return new Eni(ec2, toEniState(raw));
  }

  /** Wraps a listing's ENIs in snapshots. */
  static #all(ec2: EC2Client, found: ResultAsync<NetworkInterface[], EniError>): ResultAsync<Eni[], EniError> {
    return found.map((list) => list.map((raw) => Eni.#from(ec2, raw)));
  }

  /** Turns an operation's raw result into a chainable task of snapshots. */
  static #task(ec2: EC2Client, operation: ResultAsync<NetworkInterface, EniError>): EniTask {
    return new EniTask(operation.map((raw) => Eni.#from(ec2, raw)));
  }

  /** Runs an operation on this ENI, as a task of the snapshot it returns. */
  /** Runs an operation on this ENI with its parsed request; input that failed to parse sends nothing. */
  #run<R>(
    operation: (ec2: EC2Client, id: string, request: R) => ResultAsync<NetworkInterface, EniError>,
    request: Check<R>,
  ): EniTask {
    return Eni.#task(
      this.#ec2,
      request.asyncAndThen((parsed) => operation(this.#ec2, this.id, parsed)),
    );
  }

  /**
   * Creates an ENI and resolves once EC2 shows it `available`.
   *
   * @param ec2 - your `EC2Client`; eni-kit never creates one or reads credentials.
   * @param options - the subnet and everything else about the new ENI.
   * @returns an {@link EniTask}: `Ok(Eni)`, or `ValidationError` (bad input, nothing sent),
   *   `NotFoundError` (subnet or security group), `ConflictError` (client token reused with
   *   other options), `WaitTimeoutError`, `ThrottledError`, `AccessDeniedError`, `AbortedError`, `AwsError`.
   * @example
   * ```ts
   * const result = await Eni.create(ec2, {
   *   subnetId: "subnet-0123456789abcdef0",
   *   name: "db-floating",
   *   securityGroupIds: ["sg-0123456789abcdef0"],
   *   tags: { team: "db" },
   * }).attachTo("i-0123456789abcdef0");
   * ```
   */
  static create(ec2: EC2Client, options: CreateEniOptions): EniTask {
    return Eni.#task(
      ec2,
      withClient(ec2, () => parseCreate(options).asyncAndThen((request) => createEni(ec2, request))),
    );
  }

  /**
   * Reads an ENI by id.
   *
   * @param ec2 - your `EC2Client`.
   * @param id - the ENI id, `eni-` and 8 or 17 hex digits.
   * @param options - `abortSignal`.
   * @returns an {@link EniTask}: `Ok(Eni)`, or `ValidationError`, `NotFoundError`, `ThrottledError`,
   *   `AccessDeniedError`, `AbortedError`, `AwsError`.
   * @example
   * ```ts
   * const moved = await Eni.get(ec2, "eni-0123456789abcdef0").detach();
   * ```
   */
  static get(ec2: EC2Client, id: string, options?: ReadOptions): EniTask {
    return Eni.#task(
      ec2,
      withClient(ec2, () =>
        checkId("id", id, "eni").asyncAndThen((eniId) =>
          parseRead(options).asyncAndThen((request) => getEni(ec2, eniId, request)),
        ),
      ),
    );
  }

  /**
   * Deletes an ENI by id, without reading a snapshot first: for cleanups that only kept the id.
   * An id EC2 no longer knows counts as deleted (`alreadyGone: true`), as {@link Eni#delete} on a
   * snapshot treats it, so a retried cleanup succeeds.
   *
   * @param ec2 - your `EC2Client`.
   * @param id - the ENI id, `eni-` and 8 or 17 hex digits.
   * @param options - as {@link Eni#delete}: `detachFirst`, `force`, and wait options.
   * @returns `Ok({ id, alreadyGone })`, or `ValidationError`, `InvalidStateError` (attached, without
   *   `detachFirst`), `WaitTimeoutError`, `ThrottledError`, `AccessDeniedError`, `AbortedError`,
   *   `AwsError`.
   * @example
   * ```ts
   * const deleted = await Eni.delete(ec2, "eni-0123456789abcdef0", { detachFirst: true });
   * ```
   */
  static delete(ec2: EC2Client, id: string, options?: DeleteOptions): ResultAsync<DeletedEni, EniError> {
    return withClient(ec2, () =>
      checkId("id", id, "eni").asyncAndThen((eniId) =>
        parseDelete(options).asyncAndThen((request) => deleteEni(ec2, eniId, request)),
      ),
    );
  }

  /**
   * Lists every ENI matching a query, across all of EC2's pages.
   *
   * @param ec2 - your `EC2Client`.
   * @param query - criteria, combined with AND; `{}` lists every ENI in the region.
   * @returns `Ok(Eni[])` (possibly empty), or `ValidationError`, `ThrottledError`,
   *   `AccessDeniedError`, `AbortedError`, `AwsError`.
   * @example
   * ```ts
   * const spare = await Eni.find(ec2, { tags: { team: "db" }, status: "available" });
   * spare.map((enis) => enis.map((eni) => eni.id));
   * ```
   */
  static find(ec2: EC2Client, query: FindQuery = {}): ResultAsync<Eni[], EniError> {
    return withClient(ec2, () => parseQuery(query).asyncAndThen((parsed) => Eni.#all(ec2, findEnis(ec2, parsed))));
  }

  /**
   * Looks for leftovers, and records what it sees so that later passes can decide safely. It lists
   * `owner`'s ENIs (`eni-kit:managed-by`, every status: one paginated, filtered
   * DescribeNetworkInterfaces), **writes tags** on some of them, and returns those reapable now:
   * `available`, not attached, under no unexpired move lease (`eni-kit:held-until`), never attached
   * (`eni-kit:attached`) unless `includeOnceAttached`, and first seen free by a pass at least
   * `olderThan` seconds ago (`eni-kit:free-since`; the creation time does not count).
   *
   * What it writes, with one CreateTags per distinct tag set (and per 1000 ENIs): on an ENI it sees
   * attached, the `eni-kit:attached` marker and an empty `eni-kit:free-since`; on an ENI it sees
   * free for the first time, `eni-kit:free-since` = now. So an ENI is never listed by the pass that
   * first sees it free, even with `olderThan: 0`: run passes on a schedule and reap what a later one
   * lists. It needs `ec2:CreateTags` on those two keys (docs/iam.md). If a write fails, the pass
   * fails with that error (after trying the other writes): nothing unobserved is ever listed, and a
   * reaper that may not tag does not go unnoticed. An ENI deleted meanwhile is simply left out of
   * the write.
   *
   * @param ec2 - your `EC2Client`.
   * @param query - the grace period `olderThan` (seconds), `owner` (default `eni-kit`),
   *   `includeOnceAttached` (default `false`), `abortSignal`.
   * @returns `Ok(Eni[])` (possibly empty), or `ValidationError` (bad input, nothing sent),
   *   `ThrottledError`, `AccessDeniedError`, `AbortedError`, `AwsError`.
   * @example
   * ```ts
   * // Every 15 minutes: delete what has been seen free for an hour, then report.
   * const rule = { olderThan: 3600 } as const;
   * const report = await Eni.findOrphans(ec2, rule).andThen((orphans) => Eni.reapOrphans(ec2, orphans, rule));
   * ```
   */
  static findOrphans(ec2: EC2Client, query: OrphanQuery): ResultAsync<Eni[], EniError> {
    return withClient(ec2, () =>
      parseOrphanQuery(query).asyncAndThen((parsed) => Eni.#all(ec2, findOrphanEnis(ec2, parsed))),
    );
  }

  /**
   * Deletes orphans found by {@link Eni.findOrphans}. Right before each delete the ENI is re-read
   * and the same rule applied again with these options: anything attached, no longer `available`,
   * no longer `owner`'s, held by a move's lease, marked `eni-kit:attached` (unless
   * `includeOnceAttached`) or not seen free for `olderThan` seconds is skipped, with the reason.
   * Pass the listing's `olderThan` and `includeOnceAttached`. At most `concurrency` (default 5) at a
   * time; one failure never hides the others. Writes no tags.
   *
   * @param ec2 - your `EC2Client`.
   * @param orphans - the ENIs (or their ids) to delete.
   * @param options - `olderThan` (default 0: seen free by an earlier pass, for any time),
   *   `includeOnceAttached` (default `false`), `owner` (default `eni-kit`), `concurrency`, `abortSignal`.
   * @returns `Ok({ deleted, skipped: [{ id, reason }], failed: [{ id, error }] })`, or
   *   `ValidationError` (bad input, nothing sent).
   * @example
   * ```ts
   * const rule = { olderThan: 3600, owner: "db-failover" } as const;
   * const report = await Eni.findOrphans(ec2, rule).andThen((orphans) => Eni.reapOrphans(ec2, orphans, rule));
   * ```
   */
  static reapOrphans(
    ec2: EC2Client,
    orphans: readonly (Eni | string)[],
    options?: ReapOptions,
  ): ResultAsync<ReapReport, ValidationError> {
    return withClient(ec2, () => parseReap(orphans, options).asyncAndThen((request) => reapOrphanEnis(ec2, request)));
  }

  /**
   * Moves many ENIs at once, as in an AZ evacuation: each item is a `moveTo` with its own fence,
   * force and rollback, at most `concurrency` at a time. Their waits share one
   * DescribeNetworkInterfaces per batch of 200 ids per poll tick, and requests stay under the
   * client's rate limits (see {@link configureRateLimits}), so a thousand moves do not drown in
   * `RequestLimitExceeded`.
   *
   * @param ec2 - your `EC2Client` (use one client for the whole fleet: batching and limits are per client).
   * @param moves - `{ eniId, to, ...moveOptions }` per ENI; each ENI once.
   * @param options - `concurrency` (default 50).
   * @returns `Ok` with every item's own `Result` in input order, and counts; `ValidationError`
   *   (nothing sent) when any item is malformed.
   * @example
   * ```ts
   * const report = await Eni.moveAll(ec2, [
   *   { eniId: "eni-0123456789abcdef0", to: "i-0bbbbbbbbbbbbbbb2", expectedFrom: "i-0aaaaaaaaaaaaaaa1" },
   *   { eniId: "eni-0fedcba9876543210", to: "i-0bbbbbbbbbbbbbbb2", expectedFrom: "i-0aaaaaaaaaaaaaaa1" },
   * ]);
   * report.map(({ succeeded, failed }) => console.log(`${succeeded} moved, ${failed} failed`));
   * ```
   */
  static moveAll(
    ec2: EC2Client,
    moves: readonly BulkMove[],
    options?: BulkOptions,
  ): ResultAsync<BulkReport<Eni>, ValidationError> {
    return withClient(ec2, () =>
      moveMany(moves, options, (eniId, request) =>
        moveEni(ec2, eniId, request).map(({ ni, report }) => new Eni(ec2, toEniState(ni), report)),
      ),
    );
  }

  /**
   * Attaches many ENIs at once: each item is an `attachTo`, sharing waits and rate limits like
   * {@link Eni.moveAll}.
   *
   * @param ec2 - your `EC2Client`.
   * @param attaches - `{ eniId, instanceId, ...attachOptions }` per ENI; each ENI once.
   * @param options - `concurrency` (default 50).
   * @returns `Ok` with every item's own `Result` in input order; `ValidationError` (nothing sent)
   *   when any item is malformed.
   * @example
   * ```ts
   * const report = await Eni.attachAll(ec2, [{ eniId: "eni-0123456789abcdef0", instanceId: "i-0aaaaaaaaaaaaaaa1" }]);
   * ```
   */
  static attachAll(
    ec2: EC2Client,
    attaches: readonly BulkAttach[],
    options?: BulkOptions,
  ): ResultAsync<BulkReport<Eni>, ValidationError> {
    return withClient(ec2, () =>
      attachMany(attaches, options, (eniId, request) => attachEni(ec2, eniId, request).map((ni) => Eni.#from(ec2, ni))),
    );
  }

  /**
   * Detaches many ENIs at once: each item is a `detach`, sharing waits and rate limits like
   * {@link Eni.moveAll}.
   *
   * @param ec2 - your `EC2Client`.
   * @param detaches - `{ eniId, ...detachOptions }` per ENI; each ENI once.
   * @param options - `concurrency` (default 50).
   * @returns `Ok` with every item's own `Result` in input order; `ValidationError` (nothing sent)
   *   when any item is malformed.
   * @example
   * ```ts
   * const report = await Eni.detachAll(ec2, [{ eniId: "eni-0123456789abcdef0", force: true }]);
   * ```
   */
  static detachAll(
    ec2: EC2Client,
    detaches: readonly BulkDetach[],
    options?: BulkOptions,
  ): ResultAsync<BulkReport<Eni>, ValidationError> {
    return withClient(ec2, () =>
      detachMany(detaches, options, (eniId, request) => detachEni(ec2, eniId, request).map((ni) => Eni.#from(ec2, ni))),
    );
  }

  /**
   * Reads this ENI again.
   *
   * @param options - `abortSignal`.
   * @returns a task of the fresh snapshot; `NotFoundError` if it has been deleted.
   * @example
   * ```ts
   * const now = await eni.refresh();
   * ```
   */
  refresh(options?: ReadOptions): EniTask {
    return this.#run(getEni, parseRead(options));
  }

  /**
   * Attaches this `available` ENI to an instance in its Availability Zone, then (by default)
   * waits until the attachment is `attached`. Everything EC2 would refuse is checked first from
   * reads, so a refusal sends no mutating call. Already attached to that instance: success, no call.
   * EC2's brief "in use" right after a detach, and a device index still taken, are retried until
   * `maxWaitTime` (an index eni-kit chose is chosen again from a fresh read).
   *
   * @param instanceId - the instance, `running` or `stopped`.
   * @param options - device index, network card, `deleteOnTermination`, and wait options.
   * @returns a task of the attached ENI, or `ValidationError` (bad input, taken device index),
   *   `NotFoundError`, `InvalidStateError` (ENI in use, instance pending/stopping/terminated),
   *   `AzMismatchError`, `AttachmentLimitError`, `ConflictError` (another controller attached it
   *   elsewhere meanwhile), `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const attached = await eni.attachTo("i-0123456789abcdef0", { deviceIndex: 1 });
   * ```
   */
  attachTo(instanceId: string, options?: AttachOptions): EniTask {
    return this.#run(attachEni, parseAttach(instanceId, options));
  }

  /**
   * Detaches this ENI, then (by default) waits until it is `available`. Refuses the primary
   * interface and ENIs another service manages. An ENI already detached counts as done.
   *
   * @param options - `force`, `wait` and wait options.
   * @returns a task of the detached ENI, or `InvalidStateError`, `NotFoundError`,
   *   `WaitTimeoutError`, `ValidationError`, and the transport errors.
   * @example
   * ```ts
   * const detached = await eni.detach({ maxWaitTime: 120 });
   * ```
   */
  detach(options?: DetachOptions): EniTask {
    return this.#run(detachEni, parseDetach(options));
  }

  /**
   * Moves this ENI to another instance in its Availability Zone: the failover step. Everything
   * EC2 would refuse is checked from reads first; `expectedFrom` fences against a second
   * controller; the detach is graceful, forced (`force`), or forced only after `forceAfter`
   * seconds; the attach retries EC2's brief "in use"; and if it fails for good the ENI is put back
   * on its source (unless `rollback: false`). Already on the target: success, no call.
   *
   * @param instanceId - the target instance, `running` or `stopped`, in the ENI's AZ.
   * @param options - fence, force, device index, rollback, `onEvent`, and wait options
   *   (`maxWaitTime` bounds the whole move; default 600 s).
   * @returns a task of the moved ENI, whose `moveReport` says what the move did; or, with nothing
   *   changed, `ValidationError`, `NotFoundError`, `InvalidStateError`, `AzMismatchError`,
   *   `AttachmentLimitError`, `ConflictError` (the fence, or another controller won);
   *   or `MoveFailedError` when the move changed something and then failed, saying where the ENI
   *   ended up and whether it was rolled back.
   * @example
   * ```ts
   * const moved = await Eni.get(ec2, "eni-0123456789abcdef0").moveTo("i-0bbbbbbbbbbbbbbb2", {
   *   expectedFrom: "i-0aaaaaaaaaaaaaaa1",
   *   forceAfter: 30,
   * });
   * moved.match(
   *   (eni) => console.log(`moved in ${eni.moveReport?.durationMs} ms`),
   *   (error) => console.error(error.name, error.message),
   * );
   * ```
   */
  moveTo(instanceId: string, options?: MoveOptions): EniTask {
    const ec2 = this.#ec2;
    return new EniTask(
      parseMove(instanceId, options)
        .asyncAndThen((request) => moveEni(ec2, this.id, request))
        .map(({ ni, report }) => new Eni(ec2, toEniState(ni), report)),
    );
  }

  /**
   * Waits until this ENI's status is `available`.
   *
   * @param options - wait options.
   * @returns a task of the available ENI, or `WaitTimeoutError` (with the last state seen),
   *   `NotFoundError`, `AbortedError`, `ValidationError`, and the transport errors.
   * @example
   * ```ts
   * const free = await eni.waitUntilAvailable({ maxWaitTime: 60 });
   * ```
   */
  waitUntilAvailable(options?: WaitOptions): EniTask {
    return this.#run(
      (ec2, id, plan) => timed(plan, `${id} to be available`, (context) => waitUntilAvailable(ec2, id, context)),
      checkWaitOptions(options, DEFAULT_MAX_WAIT.available),
    );
  }

  /**
   * Waits until this ENI is `in-use` with its attachment `attached`. It follows the attachment this
   * snapshot shows (or the first one it sees) and fails fast, once reads agree, if that attachment
   * ends, starts detaching or is replaced, or if its instance is shutting down or terminated.
   *
   * @param options - wait options.
   * @returns a task of the attached ENI, or `WaitTimeoutError`, `InvalidStateError` (the
   *   attachment ended, or its instance is going away), `ConflictError` (another attachment
   *   replaced it), `NotFoundError`, `AbortedError`, `ValidationError`, and the transport errors.
   * @example
   * ```ts
   * const ready = await eni.attachTo("i-0123456789abcdef0", { wait: false }).waitUntilInUse();
   * ```
   */
  waitUntilInUse(options?: WaitOptions): EniTask {
    const attachment = this.attachment;
    const following = attachment && { attachmentId: attachment.id, instanceId: attachment.instanceId };
    return this.#run(
      (ec2, id, plan) => timed(plan, `${id} to be in use`, (context) => waitUntilInUse(ec2, id, context, following)),
      checkWaitOptions(options, DEFAULT_MAX_WAIT.attach),
    );
  }

  /**
   * Deletes this ENI. An attached ENI is refused unless `detachFirst` is set; an ENI that is
   * already gone counts as deleted.
   *
   * @param options - `detachFirst`, `force`, `wait` and wait options.
   * @returns `Ok({ id, alreadyGone })`, or `InvalidStateError`, `WaitTimeoutError`,
   *   `ValidationError`, and the transport errors.
   * @example
   * ```ts
   * const deleted = await eni.delete({ detachFirst: true });
   * ```
   */
  delete(options?: DeleteOptions): ResultAsync<DeletedEni, EniError> {
    return parseDelete(options).asyncAndThen((request) => deleteEni(this.#ec2, this.id, request));
  }

  /**
   * A plain-object copy of the snapshot (without `raw`), for logs and JSON.
   *
   * @returns the snapshot's fields.
   * @example
   * ```ts
   * console.log(JSON.stringify(eni));
   * ```
   */
  toJSON(): Omit<EniState, "raw"> {
    const { raw: _raw, ...fields } = { ...this };
    return fields;
  }

  /**
   * Assigns secondary private IPv4 addresses: a count of new ones EC2 picks from the subnet, or
   * the given addresses (those the ENI already has are skipped). An address another ENI holds is
   * refused before any change, unless `allowReassignment` moves it here (the lighter failover
   * pattern; its Elastic IP moves with it). Resolves once EC2's reads show the addresses.
   *
   * @param addresses - how many to add (1 to 49), or which addresses (in the ENI's subnet).
   * @param options - `allowReassignment`, and wait options for the read-back (default 60 s).
   * @returns a task of the ENI showing the addresses, or `ValidationError` (bad input, nothing
   *   sent; or EC2's `PrivateIpAddressLimitExceeded`), `ConflictError` (an address held by another
   *   ENI without `allowReassignment`), `InvalidStateError` (a requester-managed ENI, or another
   *   ENI's primary address), `NotFoundError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const more = await eni.assignPrivateIps(2);
   * // Failover without moving the ENI: take the floating address from the failed node's ENI.
   * const taken = await standbyEni.assignPrivateIps(["10.0.1.50"], { allowReassignment: true });
   * ```
   */
  assignPrivateIps(addresses: number | readonly string[], options?: AssignPrivateIpsOptions): EniTask {
    return this.#run(assignIps, parseAssign(addresses, options));
  }

  /**
   * Unassigns secondary private IPv4 addresses; EC2 disassociates any Elastic IP on them.
   * Addresses the ENI does not have are skipped (none left: no call). Resolves once EC2's reads
   * no longer show them.
   *
   * @param addresses - the secondary addresses; the primary private IP is refused.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI without the addresses, or `ValidationError` (bad input or the
   *   primary IP, nothing sent), `InvalidStateError` (requester-managed), `NotFoundError`,
   *   `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const fewer = await eni.unassignPrivateIps(["10.0.1.50"]);
   * ```
   */
  unassignPrivateIps(addresses: readonly string[], options?: ChangeOptions): EniTask {
    // The primary IP is fixed for an ENI's life, so this snapshot's is current.
    return this.#run(unassignIps, parseUnassign(this.id, this.privateIp, addresses, options));
  }

  /**
   * Associates an Elastic IP with one private IP of this ENI (the primary by default; one Elastic
   * IP per private IP). The association belongs to the ENI, so the Elastic IP follows it when it
   * moves to another instance. An Elastic IP associated elsewhere, or a private IP that already has
   * one, is a `ConflictError` before any change, unless `allowReassociation` takes it. Already
   * there: no call. Resolves once EC2's reads show the association.
   *
   * @param allocationId - the Elastic IP's allocation id, `eipalloc-…`.
   * @param options - `privateIp`, `allowReassociation`, and wait options (default 60 s).
   * @returns a task of the ENI showing the Elastic IP in `privateIpAddresses`, or `ValidationError`
   *   (bad input, or `privateIp` not on this ENI), `ConflictError` (with `expected`/`actual`),
   *   `NotFoundError` (ENI or Elastic IP), `InvalidStateError` (requester-managed),
   *   `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const withEip = await eni.associateAddress("eipalloc-0123456789abcdef0", { privateIp: "10.0.1.50" });
   * withEip.map((e) => e.privateIpAddresses.find((a) => a.privateIp === "10.0.1.50")?.publicIp);
   * ```
   */
  associateAddress(allocationId: string, options?: AssociateAddressOptions): EniTask {
    return this.#run(associateEip, parseAssociate(allocationId, options));
  }

  /**
   * Disassociates an Elastic IP from this ENI: the given one, or the one on the primary private IP.
   * None there (or associated with another ENI): success, no call. Resolves once EC2's reads no
   * longer show the association. The Elastic IP stays allocated to your account.
   *
   * @param address - the allocation id (`eipalloc-…`) or the public IP; omitted: the primary IP's.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI without it, or `ValidationError` (bad input, nothing sent),
   *   `InvalidStateError` (requester-managed), `NotFoundError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const without = await eni.disassociateAddress("eipalloc-0123456789abcdef0");
   * ```
   */
  disassociateAddress(address?: string, options?: ChangeOptions): EniTask {
    return this.#run(disassociateEip, parseDisassociate(address, options));
  }

  /**
   * Replaces this ENI's security groups. The same set already (in any order): no call.
   *
   * @param groupIds - 1 to 16 security group ids in the ENI's VPC.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI showing the groups, or `ValidationError` (bad input, nothing sent),
   *   `NotFoundError` (a group), `InvalidStateError` (requester-managed), `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const secured = await eni.setSecurityGroups(["sg-0123456789abcdef0", "sg-0fedcba9876543210"]);
   * ```
   */
  setSecurityGroups(groupIds: readonly string[], options?: ChangeOptions): EniTask {
    return this.#run(setEniSecurityGroups, parseSecurityGroups(groupIds, options));
  }

  /**
   * Turns EC2's source/destination check on or off; NAT instances, firewalls and other network
   * appliances forward traffic not addressed to them and need it off. Already so: no call.
   *
   * @param enabled - `false` to let the ENI forward traffic.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI showing the setting, or `ValidationError`, `InvalidStateError`
   *   (requester-managed), `NotFoundError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const appliance = await eni.setSourceDestCheck(false);
   * ```
   */
  setSourceDestCheck(enabled: boolean, options?: ChangeOptions): EniTask {
    return this.#run(setEniSourceDestCheck, parseEnabled(enabled, options));
  }

  /**
   * Sets this ENI's description. Already so: no call.
   *
   * @param text - up to 255 characters; `""` clears it.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI showing the description, or `ValidationError`, `InvalidStateError`
   *   (requester-managed), `NotFoundError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const described = await eni.setDescription("floating db interface");
   * ```
   */
  setDescription(text: string, options?: ChangeOptions): EniTask {
    return this.#run(setEniDescription, parseDescription(text, options));
  }

  /**
   * Sets whether EC2 deletes this ENI when the instance it is attached to terminates. It belongs
   * to the current attachment: a later attach starts again from `false`. Already so: no call.
   *
   * @param enabled - `true` to delete the ENI with its instance.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI showing the setting, or `InvalidStateError` (not attached, or
   *   requester-managed), `ValidationError`, `NotFoundError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const disposable = await eni.setDeleteOnTermination(true);
   * ```
   */
  setDeleteOnTermination(enabled: boolean, options?: ChangeOptions): EniTask {
    return this.#run(setEniDeleteOnTermination, parseEnabled(enabled, options));
  }

  /**
   * Adds tags or overwrites their values, leaving other tags alone (`Name` renames the ENI).
   * Tags already set to these values send no call. Allowed on requester-managed ENIs: tags do not
   * change their networking.
   *
   * @param tags - keys to values; no `aws:` keys; at most 50 tags on the ENI in all.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI showing the tags, or `ValidationError` (bad tags, or more than 50
   *   with the existing ones; nothing changed), `NotFoundError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const tagged = await eni.setTags({ team: "db", role: "floating" });
   * ```
   */
  setTags(tags: Readonly<Record<string, string>>, options?: ChangeOptions): EniTask {
    return this.#run(tagEni, parseTags(tags, options));
  }

  /**
   * Removes tags by key, whatever their values. Keys the ENI does not have send no call.
   *
   * @param keys - the tag keys; no `aws:` keys.
   * @param options - wait options for the read-back (default 60 s).
   * @returns a task of the ENI without the tags, or `ValidationError`, `NotFoundError`,
   *   `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const untagged = await eni.removeTags(["role"]);
   * ```
   */
  removeTags(keys: readonly string[], options?: ChangeOptions): EniTask {
    return this.#run(untagEni, parseTagKeys(keys, options));
  }
}

/**
 * A pending ENI operation: a neverthrow `ResultAsync<Eni, EniError>` you can `await`, `match`,
 * `andThen`, and chain further ENI operations on. Each chained step runs only if the one
 * before it succeeded, on the snapshot it produced.
 *
 * @example
 * ```ts
 * const result = await Eni.create(ec2, { subnetId: "subnet-0123456789abcdef0" })
 *   .attachTo("i-0123456789abcdef0")
 *   .waitUntilInUse();
 * result.match(
 *   (eni) => console.log(eni.id, eni.status),
 *   (error) => console.error(error.name, error.message),
 * );
 * ```
 */
export class EniTask extends ResultAsync<Eni, EniError> {
  /**
   * @param result - the pending result to wrap.
   */
  constructor(result: ResultAsync<Eni, EniError>) {
    // A bug that throws inside a step must still reach the caller as a typed error, not a rejection.
    super(
      Promise.resolve(
        result.then<Result<Eni, EniError>, Result<Eni, EniError>>(
          (settled) => settled,
          (thrown) => err(mapAwsError(thrown)),
        ),
      ),
    );
  }

  #chain(next: (eni: Eni) => EniTask): EniTask {
    return new EniTask(this.andThen(next));
  }

  /**
   * {@link Eni.refresh} on the resolved ENI.
   * @param options - `abortSignal`.
   * @returns a task of the fresh snapshot.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").refresh();
   * ```
   */
  refresh(options?: ReadOptions): EniTask {
    return this.#chain((eni) => eni.refresh(options));
  }

  /**
   * {@link Eni.attachTo} on the resolved ENI.
   * @param instanceId - the instance.
   * @param options - attach options.
   * @returns a task of the attached ENI.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").attachTo("i-0123456789abcdef0");
   * ```
   */
  attachTo(instanceId: string, options?: AttachOptions): EniTask {
    return this.#chain((eni) => eni.attachTo(instanceId, options));
  }

  /**
   * {@link Eni.detach} on the resolved ENI.
   * @param options - detach options.
   * @returns a task of the detached ENI.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").detach();
   * ```
   */
  detach(options?: DetachOptions): EniTask {
    return this.#chain((eni) => eni.detach(options));
  }

  /**
   * {@link Eni.moveTo} on the resolved ENI.
   * @param instanceId - the target instance.
   * @param options - move options.
   * @returns a task of the moved ENI.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").moveTo("i-0bbbbbbbbbbbbbbb2", { expectedFrom: "i-0aaaaaaaaaaaaaaa1" });
   * ```
   */
  moveTo(instanceId: string, options?: MoveOptions): EniTask {
    return this.#chain((eni) => eni.moveTo(instanceId, options));
  }

  /**
   * {@link Eni.waitUntilAvailable} on the resolved ENI.
   * @param options - wait options.
   * @returns a task of the available ENI.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").waitUntilAvailable();
   * ```
   */
  waitUntilAvailable(options?: WaitOptions): EniTask {
    return this.#chain((eni) => eni.waitUntilAvailable(options));
  }

  /**
   * {@link Eni.waitUntilInUse} on the resolved ENI.
   * @param options - wait options.
   * @returns a task of the attached ENI.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").waitUntilInUse();
   * ```
   */
  waitUntilInUse(options?: WaitOptions): EniTask {
    return this.#chain((eni) => eni.waitUntilInUse(options));
  }

  /**
   * {@link Eni.delete} on the resolved ENI.
   * @param options - delete options.
   * @returns `Ok({ id, alreadyGone })` or the error.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").delete({ detachFirst: true });
   * ```
   */
  delete(options?: DeleteOptions): ResultAsync<DeletedEni, EniError> {
    return this.andThen((eni) => eni.delete(options));
  }

  /**
   * {@link Eni.assignPrivateIps} on the resolved ENI.
   * @param addresses - a count, or the addresses.
   * @param options - `allowReassignment` and wait options.
   * @returns a task of the ENI showing the addresses.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").assignPrivateIps(["10.0.1.50"], { allowReassignment: true });
   * ```
   */
  assignPrivateIps(addresses: number | readonly string[], options?: AssignPrivateIpsOptions): EniTask {
    return this.#chain((eni) => eni.assignPrivateIps(addresses, options));
  }

  /**
   * {@link Eni.unassignPrivateIps} on the resolved ENI.
   * @param addresses - the secondary addresses.
   * @param options - wait options.
   * @returns a task of the ENI without the addresses.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").unassignPrivateIps(["10.0.1.50"]);
   * ```
   */
  unassignPrivateIps(addresses: readonly string[], options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.unassignPrivateIps(addresses, options));
  }

  /**
   * {@link Eni.associateAddress} on the resolved ENI.
   * @param allocationId - the Elastic IP's allocation id.
   * @param options - `privateIp`, `allowReassociation` and wait options.
   * @returns a task of the ENI showing the Elastic IP.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").associateAddress("eipalloc-0123456789abcdef0");
   * ```
   */
  associateAddress(allocationId: string, options?: AssociateAddressOptions): EniTask {
    return this.#chain((eni) => eni.associateAddress(allocationId, options));
  }

  /**
   * {@link Eni.disassociateAddress} on the resolved ENI.
   * @param address - allocation id or public IP; omitted: the primary IP's Elastic IP.
   * @param options - wait options.
   * @returns a task of the ENI without it.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").disassociateAddress();
   * ```
   */
  disassociateAddress(address?: string, options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.disassociateAddress(address, options));
  }

  /**
   * {@link Eni.setSecurityGroups} on the resolved ENI.
   * @param groupIds - 1 to 16 security group ids.
   * @param options - wait options.
   * @returns a task of the ENI showing the groups.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").setSecurityGroups(["sg-0123456789abcdef0"]);
   * ```
   */
  setSecurityGroups(groupIds: readonly string[], options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.setSecurityGroups(groupIds, options));
  }

  /**
   * {@link Eni.setSourceDestCheck} on the resolved ENI.
   * @param enabled - `false` for appliances.
   * @param options - wait options.
   * @returns a task of the ENI showing the setting.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").setSourceDestCheck(false);
   * ```
   */
  setSourceDestCheck(enabled: boolean, options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.setSourceDestCheck(enabled, options));
  }

  /**
   * {@link Eni.setDescription} on the resolved ENI.
   * @param text - up to 255 characters.
   * @param options - wait options.
   * @returns a task of the ENI showing the description.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").setDescription("floating db interface");
   * ```
   */
  setDescription(text: string, options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.setDescription(text, options));
  }

  /**
   * {@link Eni.setDeleteOnTermination} on the resolved ENI.
   * @param enabled - whether the ENI goes with its instance.
   * @param options - wait options.
   * @returns a task of the ENI showing the setting.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").attachTo("i-0123456789abcdef0").setDeleteOnTermination(true);
   * ```
   */
  setDeleteOnTermination(enabled: boolean, options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.setDeleteOnTermination(enabled, options));
  }

  /**
   * {@link Eni.setTags} on the resolved ENI.
   * @param tags - keys to values.
   * @param options - wait options.
   * @returns a task of the ENI showing the tags.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").setTags({ team: "db" });
   * ```
   */
  setTags(tags: Readonly<Record<string, string>>, options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.setTags(tags, options));
  }

  /**
   * {@link Eni.removeTags} on the resolved ENI.
   * @param keys - the tag keys.
   * @param options - wait options.
   * @returns a task of the ENI without the tags.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").removeTags(["role"]);
   * ```
   */
  removeTags(keys: readonly string[], options?: ChangeOptions): EniTask {
    return this.#chain((eni) => eni.removeTags(keys, options));
  }
}

/** Runs an entry point only with a usable client, so a missing one is a typed error (nothing sent), not a TypeError. */
function withClient<T, E>(ec2: unknown, run: () => ResultAsync<T, E>): ResultAsync<T, E | ValidationError> {
  return checkClient(ec2).asyncAndThen(run);
}
