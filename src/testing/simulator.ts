import {
  type Address,
  EC2Client,
  type EC2ClientConfig,
  type Instance,
  type NetworkInterface,
  type NetworkInterfaceType,
  type ServiceOutputTypes,
} from "@aws-sdk/client-ec2";
import { Ec2Error, toServiceException } from "./errors.js";
import { Faults } from "./faults.js";
import { HANDLERS } from "./handlers/index.js";
import { type Ec2SimulatorOptions, resolveOptions } from "./options.js";
import { addressOutput, compact, instanceOutput, networkInterfaceOutput } from "./outputs.js";
import { type Duration, Random } from "./random.js";
import { Throttle } from "./throttle.js";
import { type Tags, World } from "./world.js";

/**
 * One request the simulator answered (each SDK retry is one more).
 *
 * @example
 * ```ts
 * const attaches = sim.calls.filter((call: CallRecord) => call.action === "AttachNetworkInterface");
 * ```
 */
export interface CallRecord {
  /** The EC2 action, e.g. `"AttachNetworkInterface"`. */
  readonly action: string;
  /** A copy of the command input. */
  readonly input: Readonly<Record<string, unknown>>;
  /** `"ok"`, or the EC2 error code it failed with. */
  readonly outcome: string;
  /** When it reached EC2 and took effect (after half the call's latency), from `Date.now()`. */
  readonly time: number;
  /**
   * The call's round trip in milliseconds, as drawn from `latencyMs` for it (0 without latency):
   * it reached EC2 after half of it, its answer arrived after the rest. A benchmark needs it to
   * tell the time a call spent on the wire from the time the caller spent waiting.
   */
  readonly latencyMs: number;
}

/** Tags to give a resource that a setup helper creates. */
type TagOption = {
  /** Tags of the new resource (`Name` names it). @default {} */
  readonly tags?: Readonly<Record<string, string>> | undefined;
};

/**
 * Options of {@link Ec2Simulator.addInstance}.
 *
 * @example
 * ```ts
 * const options: AddInstanceOptions = { subnetId, instanceType: "c5.large", tags: { Name: "standby" } };
 * ```
 */
export interface AddInstanceOptions extends TagOption {
  /** The subnet of its primary ENI, which sets its VPC and AZ. */
  readonly subnetId: string;
  /** @default "t3.medium" */
  readonly instanceType?: string | undefined;
  /** @default "running" */
  readonly state?: "pending" | "running" | "stopped" | undefined;
  /** @default the VPC's default security group */
  readonly securityGroupIds?: readonly string[] | undefined;
  /** @default the lowest free address of the subnet */
  readonly privateIpAddress?: string | undefined;
}

/**
 * Options of {@link Ec2Simulator.addNetworkInterface}.
 *
 * @example
 * ```ts
 * const options: AddNetworkInterfaceOptions = { subnetId, description: "floating", secondaryPrivateIpAddressCount: 2 };
 * ```
 */
export interface AddNetworkInterfaceOptions extends TagOption {
  /** The subnet, which sets the ENI's VPC and AZ. */
  readonly subnetId: string;
  /** Make it managed by another AWS service, which the API then refuses to change. @default false */
  readonly requesterManaged?: boolean | undefined;
  /** Who manages it when `requesterManaged`. @default "amazon-elb" */
  readonly requesterId?: string | undefined;
  /** @default "" */
  readonly description?: string | undefined;
  /** @default the lowest free address of the subnet */
  readonly privateIpAddress?: string | undefined;
  /** @default 0 */
  readonly secondaryPrivateIpAddressCount?: number | undefined;
  /** @default the VPC's default security group */
  readonly securityGroupIds?: readonly string[] | undefined;
  /** How many IPv6 addresses it gets, from its subnet's /64 (in `2001:db8::/32`). @default 0 */
  readonly ipv6AddressCount?: number | undefined;
  /** @default "interface" */
  readonly interfaceType?: NetworkInterfaceType | undefined;
  /**
   * Attached by the service that manages it, as a load balancer's or a NAT gateway's ENI is:
   * `in-use`, with an `ela-attach-` attachment owned by `requesterId` and no instance, which
   * DetachNetworkInterface refuses. Implies `requesterManaged`.
   * @default false
   */
  readonly serviceAttached?: boolean | undefined;
}

interface ResponseMetadata {
  readonly httpStatusCode: number;
  readonly requestId: string;
  readonly attempts: number;
  readonly totalRetryDelay: number;
}

const FAKE_CREDENTIALS = { accessKeyId: "AKIAEC2SIMULATOR0000", secretAccessKey: "ec2-simulator" };
const DEFAULT_IMAGE = "ami-0123456789abcdef0";

function toTags(tags: Readonly<Record<string, string>> | undefined): Tags {
  return new Map(Object.entries(tags ?? {}));
}

function resourceCount(action: string, input: Readonly<Record<string, unknown>>): number {
  if (action === "RunInstances") return Number(input.MaxCount ?? 1);
  return Array.isArray(input.InstanceIds) ? input.InstanceIds.length : 1;
}

/** Waits `ms` on `setTimeout`; rejects as the SDK does if `signal` aborts first (or already has). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error the SDK's HTTP handlers reject an aborted request with. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error =
    reason instanceof Error
      ? new Error("Request aborted", { cause: reason })
      : new Error(typeof reason === "string" ? reason : "Request aborted");
  error.name = "AbortError";
  return error;
}

/**
 * A stateful, in-memory EC2 for tests: it answers a real `EC2Client` with EC2's
 * state machine, rules, error codes and messages, without a network or an AWS
 * account. Transitions are computed from `Date.now()`, so it runs in real time and
 * deterministically under `vi.useFakeTimers()`.
 *
 * @example
 * ```ts
 * import { AttachNetworkInterfaceCommand } from "@aws-sdk/client-ec2";
 * import { Ec2Simulator } from "eni-kit/testing";
 *
 * const sim = new Ec2Simulator();
 * const { vpcId } = sim.addVpc();
 * const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
 * const { instanceId } = sim.addInstance({ subnetId });
 * const { networkInterfaceId } = sim.addNetworkInterface({ subnetId });
 *
 * const ec2 = sim.client();
 * await ec2.send(new AttachNetworkInterfaceCommand({
 *   NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: 1, NetworkCardIndex: 0,
 * }));
 * ```
 */
export class Ec2Simulator {
  /** Faults to inject into the next requests. */
  readonly faults = new Faults();
  private readonly world: World;
  private readonly throttle: Throttle | undefined;
  /** The latest requests, oldest first; see {@link Ec2Simulator.calls} for its bound. */
  private readonly log: CallRecord[] = [];
  /** How many requests `calls` keeps (`callLog.limit`). */
  private readonly callLimit: number;
  private readonly denied = new Set<string>();
  private readonly latencyMs: Duration;
  /** Draws each call's latency, apart from the world's draws. */
  private readonly latencies: Random;

  /**
   * Creates an empty region (no VPCs) with short, non-zero transition times.
   *
   * @param options - a preset, region, timings, eventual consistency, latency, throttling,
   *   permissive mode, seed and the call log's bound; see {@link Ec2SimulatorOptions}.
   * @throws a `RangeError` for an option out of its range (a negative duration, say).
   * @example
   * ```ts
   * const sim = new Ec2Simulator({ timings: { attachMs: 0 }, throttling: true });
   * const realistic = new Ec2Simulator({ preset: "realistic", timeScale: 0.02, seed: 7 });
   * ```
   */
  constructor(options: Ec2SimulatorOptions = {}) {
    const { latencyMs, throttling, callLog, ...resolved } = resolveOptions(options);
    const letters = resolved.region === "us-east-1" ? "abcdef" : "abc";
    this.world = new World({
      ...resolved,
      zones: [...letters].map((letter) => `${resolved.region}${letter}`),
      faults: this.faults,
      describers: {
        eni: (world, eni) => compact(networkInterfaceOutput(world, eni)),
        instance: (world, instance) => compact(instanceOutput(world, instance)),
      },
    });
    this.latencyMs = latencyMs;
    this.callLimit = callLog.limit;
    this.latencies = Random.stream(resolved.seed, 3);
    this.throttle = throttling === false ? undefined : new Throttle(throttling === true ? {} : throttling);
  }

  /**
   * A real `EC2Client` whose requests this simulator answers. The hook sits after the
   * SDK's retry middleware, so the SDK retries throttling and 5xx errors by itself. With
   * `latencyMs`, each attempt takes that long and honours `client.send`'s `abortSignal`.
   *
   * @param config - extra client configuration (e.g. `{ maxAttempts: 1 }`); the region and
   *   fake static credentials are preset so no credential chain is read.
   * @returns a new client; create as many as you like.
   * @example
   * ```ts
   * const ec2 = sim.client({ maxAttempts: 1 });
   * ```
   */
  client(config: EC2ClientConfig = {}): EC2Client {
    const client = new EC2Client({ region: this.world.config.region, credentials: FAKE_CREDENTIALS, ...config });
    client.middlewareStack.add(
      (_next, context) => (args) => {
        const serve = (latencyMs: number) => {
          const action = (context.commandName ?? "").replace(/Command$/, "");
          const output = this.handle(action, args.input as Record<string, unknown>, latencyMs);
          const response = { statusCode: 200, headers: { "x-amzn-requestid": output.$metadata.requestId } };
          return { output: output as ServiceOutputTypes, response };
        };
        // No latency: the call takes no time, so nothing can abort it midway.
        if (this.latencyMs === 0) return Promise.resolve().then(() => serve(0));
        // Where the SDK puts `client.send(command, { abortSignal })`'s signal.
        const smithy = (context as { __smithy_context?: { abortSignal?: AbortSignal } }).__smithy_context;
        return this.roundTrip(serve, smithy?.abortSignal);
      },
      // High priority in the deserialize step: inside retries and signing, before the
      // deserializer, so the SDK never parses (or sends) an HTTP message.
      { step: "deserialize", name: "eniKitEc2Simulator", priority: "high", override: true },
    );
    return client;
  }

  /**
   * The requests answered so far, oldest first: the latest `callLog.limit` of them (10,000 by
   * default; see {@link Ec2SimulatorOptions.callLog}). The array is the log itself, trimmed in
   * place: one kept from an earlier read follows it, and may hold up to an eighth more than the
   * limit until `calls` is read again.
   *
   * @returns the log (read-only; see {@link Ec2Simulator.clearCalls}).
   * @example
   * ```ts
   * expect(sim.calls.filter((c) => c.action === "DescribeNetworkInterfaces")).toHaveLength(3);
   * ```
   */
  get calls(): readonly CallRecord[] {
    this.trimLog(this.callLimit);
    return this.log;
  }

  /**
   * Empties {@link Ec2Simulator.calls}.
   *
   * @returns nothing.
   * @example
   * ```ts
   * sim.clearCalls();
   * ```
   */
  clearCalls(): void {
    this.log.length = 0;
  }

  /**
   * Denies actions, as a missing IAM permission would: those calls, DryRun included,
   * fail with `UnauthorizedOperation`.
   *
   * @param actions - EC2 action names, e.g. `["AttachNetworkInterface"]`.
   * @returns nothing.
   * @example
   * ```ts
   * sim.denyActions(["DeleteNetworkInterface"]);
   * ```
   */
  denyActions(actions: readonly string[]): void {
    for (const action of actions) this.denied.add(action);
  }

  /**
   * Allows actions again after {@link Ec2Simulator.denyActions}.
   *
   * @param actions - EC2 action names.
   * @returns nothing.
   * @example
   * ```ts
   * sim.allowActions(["DeleteNetworkInterface"]);
   * ```
   */
  allowActions(actions: readonly string[]): void {
    for (const action of actions) this.denied.delete(action);
  }

  /**
   * Adds a VPC (with its `default` security group) without an API call. Like a default VPC,
   * it has an internet gateway attached, which AssociateAddress needs.
   *
   * @param options - `cidr` (default `10.0.0.0/16`), `internetGateway` (default `true`; `false`
   *   leaves the VPC without one, as CreateVpc does) and `tags`.
   * @returns the new VPC's id, and its internet gateway's.
   * @throws an `Error` with EC2's code and message if the CIDR is not valid.
   * @example
   * ```ts
   * const { vpcId } = sim.addVpc({ cidr: "10.1.0.0/16" });
   * ```
   */
  addVpc(
    options: { readonly cidr?: string | undefined; readonly internetGateway?: boolean | undefined } & TagOption = {},
  ): {
    vpcId: string;
    /** The internet gateway attached to it; `undefined` with `internetGateway: false`. */
    internetGatewayId: string | undefined;
  } {
    this.world.advance(Date.now());
    const vpc = this.world.createVpc(options.cidr ?? "10.0.0.0/16", toTags(options.tags));
    if (options.internetGateway === false) return { vpcId: vpc.id, internetGatewayId: undefined };
    const gateway = this.world.createGateway();
    this.world.attachGateway(gateway, vpc);
    return { vpcId: vpc.id, internetGatewayId: gateway.id };
  }

  /**
   * Adds a subnet in a named AZ without an API call.
   *
   * @param options - `vpcId`, `availabilityZone`, `cidr` (default: the first free /24 of the
   *   VPC after its first one, so `10.0.1.0/24` in a `10.0.0.0/16`) and `tags`.
   * @returns the subnet's id and AZ.
   * @throws an `Error` with EC2's code and message for an unknown VPC, AZ or a bad CIDR, and a plain
   *   `Error` when no `cidr` is given and the VPC has no free /24 left (setup helpers throw: they are
   *   test scaffolding, not requests).
   * @example
   * ```ts
   * const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1b" });
   * ```
   */
  addSubnet(
    options: {
      readonly vpcId: string;
      readonly availabilityZone: string;
      readonly cidr?: string | undefined;
    } & TagOption,
  ): { subnetId: string; availabilityZone: string } {
    this.world.advance(Date.now());
    const vpc = this.world.vpc(options.vpcId);
    const subnet = this.world.createSubnet(
      vpc,
      options.availabilityZone,
      options.cidr ?? this.freeSubnetCidr(vpc.id),
      toTags(options.tags),
    );
    return { subnetId: subnet.id, availabilityZone: subnet.az };
  }

  private freeSubnetCidr(vpcId: string): string {
    const vpc = this.world.vpc(vpcId);
    const siblings = [...this.world.subnets.values()].filter((s) => s.vpcId === vpcId);
    for (let base = vpc.cidr.base + 256; base + 256 <= vpc.cidr.base + vpc.cidr.size; base += 256) {
      if (!siblings.some((s) => base < s.cidr.base + s.cidr.size && s.cidr.base < base + 256)) {
        return `${[24, 16, 8, 0].map((shift) => (base >>> shift) & 255).join(".")}/24`;
      }
    }
    throw new Error(`No free /24 left in ${vpcId}: pass a \`cidr\` to addSubnet.`);
  }

  /**
   * Adds a security group without an API call.
   *
   * @param options - `vpcId`, `name` (default `group-N`), `description` and `tags`.
   * @returns the group's id.
   * @example
   * ```ts
   * const { groupId } = sim.addSecurityGroup({ vpcId, name: "db" });
   * ```
   */
  addSecurityGroup(
    options: {
      readonly vpcId: string;
      readonly name?: string | undefined;
      readonly description?: string | undefined;
    } & TagOption,
  ): { groupId: string } {
    this.world.advance(Date.now());
    const vpc = this.world.vpc(options.vpcId);
    const name = options.name ?? `group-${this.world.groups.size + 1}`;
    const group = this.world.createGroup(vpc, name, options.description ?? name, toTags(options.tags));
    return { groupId: group.id };
  }

  /**
   * Adds an instance, already in its state, with its primary ENI at device index 0 on
   * network card 0 (`DeleteOnTermination: true`), without an API call.
   *
   * @param options - see {@link AddInstanceOptions}.
   * @returns the instance's id, its primary ENI's id and its AZ.
   * @example
   * ```ts
   * const { instanceId, primaryEniId } = sim.addInstance({ subnetId, instanceType: "m5.large" });
   * ```
   */
  addInstance(options: AddInstanceOptions): { instanceId: string; primaryEniId: string; availabilityZone: string } {
    this.world.advance(Date.now());
    const instance = this.world.launchInstance({
      subnet: this.world.subnet(options.subnetId),
      type: options.instanceType ?? "t3.medium",
      imageId: DEFAULT_IMAGE,
      reservationId: this.world.ids.id("r"),
      groupIds: options.securityGroupIds,
      privateIp: options.privateIpAddress,
      state: options.state ?? "running",
      tags: toTags(options.tags),
    });
    return { instanceId: instance.id, primaryEniId: instance.primaryEniId, availabilityZone: instance.az };
  }

  /**
   * Adds an unassociated Elastic IP without an API call.
   *
   * @param options - `tags`.
   * @returns its allocation id and public IP.
   * @example
   * ```ts
   * const { allocationId, publicIp } = sim.addAddress();
   * ```
   */
  addAddress(options: TagOption = {}): { allocationId: string; publicIp: string } {
    const address = this.world.allocateAddress(toTags(options.tags));
    return { allocationId: address.allocationId, publicIp: address.publicIp };
  }

  /**
   * Adds an `available` ENI without an API call, for instance one managed by another
   * AWS service (`requesterManaged: true`), or one that service has attached (`serviceAttached: true`).
   *
   * @param options - see {@link AddNetworkInterfaceOptions}.
   * @returns the ENI's id.
   * @example
   * ```ts
   * const { networkInterfaceId } = sim.addNetworkInterface({ subnetId, requesterManaged: true });
   * const loadBalancers = sim.addNetworkInterface({ subnetId, serviceAttached: true }).networkInterfaceId;
   * ```
   */
  addNetworkInterface(options: AddNetworkInterfaceOptions): { networkInterfaceId: string } {
    this.world.advance(Date.now());
    const eni = this.world.createEni({
      subnet: this.world.subnet(options.subnetId),
      groupIds: options.securityGroupIds,
      description: options.description,
      privateIps: options.privateIpAddress === undefined ? undefined : [options.privateIpAddress],
      secondaryCount: options.secondaryPrivateIpAddressCount,
      interfaceType: options.interfaceType,
      requesterId:
        options.requesterManaged || options.serviceAttached ? (options.requesterId ?? "amazon-elb") : undefined,
      ipv6Count: options.ipv6AddressCount,
      tags: toTags(options.tags),
      settled: true,
    });
    if (options.serviceAttached) this.world.attachForService(eni);
    return { networkInterfaceId: eni.id };
  }

  /**
   * Starts terminating an instance, as if it failed or someone terminated it: it is
   * `shutting-down` for `terminateMs`, then `terminated`, its `DeleteOnTermination` ENIs
   * deleted and the others `available` again.
   *
   * @param instanceId - the instance.
   * @returns nothing.
   * @throws an `Error` with EC2's code and message for an unknown instance.
   * @example
   * ```ts
   * sim.terminateInstance(primaryInstanceId);
   * ```
   */
  terminateInstance(instanceId: string): void {
    this.world.advance(Date.now());
    const instance = this.world.instance(instanceId);
    if (instance.state !== "shutting-down" && instance.state !== "terminated") {
      this.world.beginInstanceTransition(instance, "shutting-down");
    }
  }

  /**
   * The ENI as DescribeNetworkInterfaces would return it now, ignoring the
   * eventual-consistency window; nothing is logged.
   *
   * @param networkInterfaceId - the ENI.
   * @returns its SDK-shaped description, or `undefined` once it is deleted (or never existed).
   * @example
   * ```ts
   * expect(sim.networkInterface(eniId)?.Attachment?.Status).toBe("attached");
   * ```
   */
  networkInterface(networkInterfaceId: string): NetworkInterface | undefined {
    this.world.advance(Date.now());
    const eni = this.world.enis.get(networkInterfaceId);
    return eni && compact(networkInterfaceOutput(this.world, eni));
  }

  /**
   * The instance as DescribeInstances would return it now; nothing is logged.
   *
   * @param instanceId - the instance.
   * @returns its SDK-shaped description, or `undefined` if it never existed.
   * @example
   * ```ts
   * expect(sim.instance(instanceId)?.State?.Name).toBe("terminated");
   * ```
   */
  instance(instanceId: string): Instance | undefined {
    this.world.advance(Date.now());
    const instance = this.world.instances.get(instanceId);
    return instance && compact(instanceOutput(this.world, instance));
  }

  /**
   * The Elastic IP as DescribeAddresses would return it now; nothing is logged.
   *
   * @param allocationId - the Elastic IP's allocation id.
   * @returns its SDK-shaped description, or `undefined` once released (or never allocated).
   * @example
   * ```ts
   * expect(sim.address(allocationId)?.NetworkInterfaceId).toBe(eniId);
   * ```
   */
  address(allocationId: string): Address | undefined {
    this.world.advance(Date.now());
    const address = this.world.addresses.get(allocationId);
    return address && compact(addressOutput(this.world, address));
  }

  /**
   * Serves a request as the network would: it reaches EC2 (and takes effect) after half the
   * call's latency, and its answer, or error, arrives after the other half. An abort before it
   * reaches EC2 cancels it; one after loses only the answer.
   */
  private async roundTrip<T>(serve: (latencyMs: number) => T, signal: AbortSignal | undefined): Promise<T> {
    const latency = this.latencies.duration(this.latencyMs);
    await sleep(Math.floor(latency / 2), signal);
    let answer: () => T;
    try {
      const output = serve(latency);
      answer = () => output;
    } catch (error) {
      answer = () => {
        throw error;
      };
    }
    await sleep(latency - Math.floor(latency / 2), signal);
    return answer();
  }

  private handle(action: string, input: Record<string, unknown>, latencyMs: number): { $metadata: ResponseMetadata } {
    const time = Date.now();
    const requestId = this.world.ids.requestId();
    const record = (outcome: string) => {
      // A log of none copies nothing.
      if (this.callLimit === 0) return;
      this.log.push({ action, input: structuredClone(input), outcome, time, latencyMs });
      // Trimmed in batches of an eighth of the limit: dropping the oldest record one by one
      // moves the whole array each time, and `calls` trims to the exact limit when read.
      if (this.log.length - this.callLimit >= Math.max(1, this.callLimit / 8)) this.trimLog(this.callLimit);
    };
    try {
      const output = this.answer(action, input, time);
      record("ok");
      // `attempts` and `totalRetryDelay` are overwritten by the SDK's retry middleware.
      return { ...compact(output), $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 } };
    } catch (error) {
      if (!(error instanceof Ec2Error)) throw error;
      record(error.code);
      throw toServiceException(error, requestId);
    }
  }

  /** Drops the oldest records beyond `limit`, in place, so the array `calls` returned stays the log. */
  private trimLog(limit: number): void {
    if (this.log.length > limit) this.log.splice(0, this.log.length - limit);
  }

  private answer(action: string, input: Record<string, unknown>, now: number): object {
    const fault = this.faults.take(action);
    if (fault) throw fault;
    if (this.throttle && !this.throttle.take({ action, input, resources: resourceCount(action, input) }, now)) {
      throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.");
    }
    const handler = HANDLERS[action];
    if (!handler) {
      throw new Ec2Error(
        "InvalidAction",
        `The action ${action} is not valid for this web service (the eni-kit EC2 simulator does not implement it).`,
      );
    }
    if (this.denied.has(action)) {
      throw new Ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.");
    }
    this.world.advance(now);
    return handler(this.world, input as never);
  }
}
