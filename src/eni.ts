import type { EC2Client, NetworkInterface } from "@aws-sdk/client-ec2";
import { err, errAsync, ok, ResultAsync, safeTry, type Result } from "neverthrow";
import { describeEni } from "./ec2/describe.js";
import { ValidationError, type EniError } from "./errors.js";
import { toEniState, type EniAttachment, type EniSecurityGroup, type EniState, type EniStatus } from "./model.js";
import { attachEni, type AttachOptions } from "./operations/attach.js";
import { createEni, type CreateEniOptions } from "./operations/create.js";
import { deleteEni, type DeletedEni, type DeleteOptions } from "./operations/delete.js";
import { detachEni, type DetachOptions } from "./operations/detach.js";
import { findEnis, getEni, type FindQuery } from "./operations/read.js";
import { checkKnownKeys, checkOptions } from "./validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_KEYS,
  checkWait,
  waitUntilAvailable,
  waitUntilInUse,
  type Wait,
  type WaitOptions,
} from "./waiters.js";

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
  readonly id: string;
  readonly name: string | undefined;
  readonly status: EniStatus;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly macAddress: string;
  readonly privateIp: string;
  readonly secondaryPrivateIps: readonly string[];
  readonly ipv6Addresses: readonly string[];
  readonly publicIp: string | undefined;
  readonly securityGroups: readonly EniSecurityGroup[];
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly interfaceType: string;
  readonly sourceDestCheck: boolean;
  readonly requesterManaged: boolean;
  readonly attachment: EniAttachment | undefined;
  readonly raw: NetworkInterface;
  // Private so the client never shows up in logs, JSON or equality checks of a snapshot.
  readonly #ec2: EC2Client;

  private constructor(ec2: EC2Client, state: EniState) {
    this.#ec2 = ec2;
    this.id = state.id;
    this.name = state.name;
    this.status = state.status;
    this.subnetId = state.subnetId;
    this.vpcId = state.vpcId;
    this.availabilityZone = state.availabilityZone;
    this.macAddress = state.macAddress;
    this.privateIp = state.privateIp;
    this.secondaryPrivateIps = Object.freeze([...state.secondaryPrivateIps]);
    this.ipv6Addresses = Object.freeze([...state.ipv6Addresses]);
    this.publicIp = state.publicIp;
    this.securityGroups = Object.freeze(state.securityGroups.map((group) => Object.freeze({ ...group })));
    this.description = state.description;
    this.tags = Object.freeze({ ...state.tags });
    this.interfaceType = state.interfaceType;
    this.sourceDestCheck = state.sourceDestCheck;
    this.requesterManaged = state.requesterManaged;
    this.attachment = state.attachment === undefined ? undefined : Object.freeze({ ...state.attachment });
    this.raw = state.raw;
    Object.freeze(this);
  }

  /** Wraps EC2's description of an ENI in a snapshot bound to the client that read it. */
  static #from(ec2: EC2Client, raw: NetworkInterface): Eni {
    return new Eni(ec2, toEniState(raw));
  }

  /** Turns an operation's raw result into a chainable task of snapshots. */
  static #task(ec2: EC2Client, operation: ResultAsync<NetworkInterface, EniError>): EniTask {
    return new EniTask(operation.map((raw) => Eni.#from(ec2, raw)));
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
    return guarded(ec2, () => Eni.#task(ec2, createEni(ec2, options)));
  }

  /**
   * Reads an ENI by id.
   *
   * @param ec2 - your `EC2Client`.
   * @param id - the ENI id, `eni-` and 8 or 17 hex digits.
   * @returns an {@link EniTask}: `Ok(Eni)`, or `ValidationError`, `NotFoundError`, `ThrottledError`,
   *   `AccessDeniedError`, `AwsError`.
   * @example
   * ```ts
   * const moved = await Eni.get(ec2, "eni-0123456789abcdef0").detach();
   * ```
   */
  static get(ec2: EC2Client, id: string): EniTask {
    return guarded(ec2, () => Eni.#task(ec2, getEni(ec2, id)));
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
    const client = checkClient(ec2);
    if (client.isErr()) return errAsync(client.error);
    return findEnis(ec2, query).map((found) => found.map((raw) => Eni.#from(ec2, raw)));
  }

  /**
   * Reads this ENI again.
   *
   * @returns a task of the fresh snapshot; `NotFoundError` if it has been deleted.
   * @example
   * ```ts
   * const now = await eni.refresh();
   * ```
   */
  refresh(): EniTask {
    return Eni.#task(this.#ec2, describeEni(this.#ec2, this.id));
  }

  /**
   * Attaches this `available` ENI to an instance in its Availability Zone, then (by default)
   * waits until the attachment is `attached`. Everything EC2 would refuse is checked first from
   * reads, so a refusal sends no mutating call. Already attached to that instance: success, no call.
   *
   * @param instanceId - the instance, `running` or `stopped`.
   * @param options - device index, network card, `deleteOnTermination`, and wait options.
   * @returns a task of the attached ENI, or `ValidationError` (bad input, taken device index),
   *   `NotFoundError`, `InvalidStateError` (ENI in use, instance pending/stopping/terminated),
   *   `AzMismatchError`, `AttachmentLimitError`, `WaitTimeoutError`, and the transport errors.
   * @example
   * ```ts
   * const attached = await eni.attachTo("i-0123456789abcdef0", { deviceIndex: 1 });
   * ```
   */
  attachTo(instanceId: string, options?: AttachOptions): EniTask {
    return Eni.#task(this.#ec2, attachEni(this.#ec2, this.id, instanceId, options));
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
    return Eni.#task(this.#ec2, detachEni(this.#ec2, this.id, options));
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
    const wait = parseWait(options, DEFAULT_MAX_WAIT.available);
    if (wait.isErr()) return new EniTask(errAsync(wait.error));
    return Eni.#task(this.#ec2, waitUntilAvailable(this.#ec2, this.id, wait.value));
  }

  /**
   * Waits until this ENI is `in-use` with its attachment `attached`. When this snapshot already
   * shows an attachment, the wait follows that attachment and fails fast if it ends.
   *
   * @param options - wait options.
   * @returns a task of the attached ENI, or `WaitTimeoutError`, `InvalidStateError` (the
   *   attachment ended), `NotFoundError`, `AbortedError`, `ValidationError`, and the transport errors.
   * @example
   * ```ts
   * const ready = await eni.attachTo("i-0123456789abcdef0", { wait: false }).waitUntilInUse();
   * ```
   */
  waitUntilInUse(options?: WaitOptions): EniTask {
    const wait = parseWait(options, DEFAULT_MAX_WAIT.attach);
    if (wait.isErr()) return new EniTask(errAsync(wait.error));
    return Eni.#task(this.#ec2, waitUntilInUse(this.#ec2, this.id, wait.value, this.attachment?.id));
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
    return deleteEni(this.#ec2, this.id, options);
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
    super(Promise.resolve(result.then<Result<Eni, EniError>, never>((settled) => settled)));
  }

  #chain(next: (eni: Eni) => EniTask): EniTask {
    return new EniTask(this.andThen(next));
  }

  /**
   * {@link Eni.refresh} on the resolved ENI.
   * @returns a task of the fresh snapshot.
   * @example
   * ```ts
   * await Eni.get(ec2, "eni-0123456789abcdef0").refresh();
   * ```
   */
  refresh(): EniTask {
    return this.#chain((eni) => eni.refresh());
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
}

function parseWait(options: unknown, defaultMaxWait: number): Result<Wait, ValidationError> {
  return safeTry(function* () {
    const o = yield* checkOptions<WaitOptions>("options", options);
    yield* checkKnownKeys("options", o, WAIT_KEYS);
    return checkWait(o, defaultMaxWait);
  });
}

function checkClient(ec2: unknown): Result<EC2Client, ValidationError> {
  return typeof (ec2 as Partial<EC2Client> | null)?.send === "function"
    ? ok(ec2 as EC2Client)
    : err(new ValidationError("ec2", "Expected `ec2` to be an EC2Client from @aws-sdk/client-ec2."));
}

/** Runs an entry point only with a usable client, so a missing one is a typed error, not a TypeError. */
function guarded(ec2: EC2Client, run: () => EniTask): EniTask {
  const client = checkClient(ec2);
  return client.isErr() ? new EniTask(errAsync(client.error)) : run();
}
