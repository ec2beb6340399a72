import type {
  Instance,
  InstanceStateName,
  NetworkInterface,
  NetworkInterfaceType,
  TagSpecification,
} from "@aws-sdk/client-ec2";
import { type Cidr, cidrContains, cidrsOverlap, parseCidr, parseIp, usableRange } from "./cidr.js";
import { Ec2Error, invalidValue, malformed, missingParameter, notFound } from "./errors.js";
import type { Faults } from "./faults.js";
import { History } from "./history.js";
import { IdFactory, type IdPrefix, isWellFormedId } from "./ids.js";
import { INSTANCE_TYPES, type InstanceTypeLimits } from "./instance-types.js";
import { IpPool } from "./ip-pool.js";
import type { ResolvedOptions } from "./options.js";
import { type Duration, Random } from "./random.js";
import { Schedule } from "./schedule.js";

/** Tags of one resource, key to value. */
export type Tags = Map<string, string>;

/** A VPC. */
export interface VpcState {
  readonly id: string;
  readonly cidr: Cidr;
  readonly tags: Tags;
}

/** A subnet, which pins everything in it to one AZ. */
export interface SubnetState {
  readonly id: string;
  readonly vpcId: string;
  readonly az: string;
  readonly cidr: Cidr;
  /** The first four groups of its IPv6 /64, from the documentation range `2001:db8::/32`. */
  readonly ipv6Prefix: string;
  readonly tags: Tags;
}

/** A security group. */
export interface GroupState {
  readonly id: string;
  readonly vpcId: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
}

/** An internet gateway, attached to at most one VPC. */
export interface GatewayState {
  readonly id: string;
  vpcId: string | undefined;
  readonly tags: Tags;
}

/** An attachment of an ENI to an instance; `until` is when its current phase ends. */
export interface AttachmentState {
  /** `eni-attach-…`, or `ela-attach-…` for an attachment an AWS service made and manages. */
  readonly id: string;
  /** `undefined` for a service's attachment (a load balancer's, a NAT gateway's), which has no instance. */
  readonly instanceId: string | undefined;
  readonly deviceIndex: number;
  readonly cardIndex: number;
  readonly attachTime: number;
  /** Unknown to the calls that take an attachment id until then (eventual consistency). */
  readonly knownAt: number;
  deleteOnTermination: boolean;
  status: "attaching" | "attached" | "detaching";
  /** Set only by `World.attach` and `World.beginDetach`, which schedule the phase's end. */
  until: number | undefined;
  /** A detach stuck by `faults.hangDetach` until forced. */
  hung: boolean;
}

/** One private IPv4 address of an ENI. */
export interface PrivateIp {
  readonly address: string;
  readonly primary: boolean;
}

/** A network interface. */
export interface EniState {
  readonly id: string;
  /** Its place in creation order, which is the order Describe lists ENIs in. */
  readonly serial: number;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly az: string;
  readonly mac: string;
  readonly interfaceType: NetworkInterfaceType;
  readonly requesterId: string | undefined;
  /** Pending until then. */
  readonly availableAt: number;
  /** Invisible to Describe calls until then (eventual consistency). */
  readonly visibleAt: number;
  /** Changed in place; whoever changes them calls `World.tagsChanged`, which keeps the tag index. */
  readonly tags: Tags;
  description: string;
  groupIds: string[];
  /** Changed only by `World.addIps` and `World.removeIp`, which keep the subnet's address index. */
  ips: PrivateIp[];
  ipv6: string[];
  sourceDestCheck: boolean;
  /** Changed only by `World.setAttachment`, which keeps the per-instance index. */
  attachment: AttachmentState | undefined;
}

/** An instance. */
export interface InstanceState {
  readonly id: string;
  /** Its place in launch order. */
  readonly serial: number;
  readonly reservationId: string;
  readonly imageId: string;
  readonly type: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly az: string;
  readonly groupIds: readonly string[];
  readonly launchTime: number;
  readonly primaryEniId: string;
  /** Its primary private IP, kept after termination frees the ENI. */
  readonly privateIp: string;
  readonly tags: Tags;
  state: InstanceStateName;
  /** Set only through `World.beginInstanceTransition` (and at launch), which schedules its end. */
  until: number | undefined;
}

/** An Elastic IP and its association, if any. */
export interface AddressState {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly tags: Tags;
  association: Association | undefined;
}

/** An Elastic IP's association with one private IP of an ENI. */
export interface Association {
  readonly id: string;
  readonly eniId: string;
  readonly privateIp: string;
  /** Unknown to DisassociateAddress until then (eventual consistency). */
  readonly knownAt: number;
}

/**
 * How Describe answers an ENI and an instance. outputs.ts builds them and imports this module,
 * so the simulator passes them in rather than this module importing outputs.ts.
 */
export interface Describers {
  readonly eni: (world: World, eni: EniState) => NetworkInterface;
  readonly instance: (world: World, instance: InstanceState) => Instance;
}

/** What a world is made with. */
export interface WorldConfig extends Omit<ResolvedOptions, "latencyMs" | "throttling" | "callLog"> {
  readonly zones: readonly string[];
  readonly faults: Faults;
  readonly describers: Describers;
}

/** What a new ENI is made of; everything optional takes EC2's default. */
export interface EniSpec {
  readonly subnet: SubnetState;
  readonly groupIds?: readonly string[] | undefined;
  readonly description?: string | undefined;
  readonly privateIps?: readonly string[] | undefined;
  readonly secondaryCount?: number | undefined;
  readonly ipv6Count?: number | undefined;
  readonly interfaceType?: NetworkInterfaceType | undefined;
  readonly requesterId?: string | undefined;
  readonly tags?: Tags | undefined;
  /** Skip the `pending` phase (world setup helpers). */
  readonly settled?: boolean | undefined;
}

/** What a new instance is made of. */
export interface InstanceSpec {
  readonly subnet: SubnetState;
  readonly type: string;
  readonly imageId: string;
  readonly reservationId: string;
  readonly groupIds?: readonly string[] | undefined;
  readonly privateIp?: string | undefined;
  readonly state: "pending" | "running" | "stopped";
  readonly tags?: Tags | undefined;
  readonly eniTags?: Tags | undefined;
}

const MAX_IPS_UNATTACHED = 50;
const MAX_TAGS = 50;
const PUBLIC_RANGES = ["198.51.100", "203.0.113", "192.0.2"];

/**
 * The simulated region: every resource, and the rules that hold between them.
 * Transitions are computed lazily from timestamps by {@link World.advance}, so no
 * timer ever runs and fake clocks work.
 */
export class World {
  /** The time of the request being served. */
  now = Date.now();
  readonly ids: IdFactory;
  readonly vpcs = new Map<string, VpcState>();
  readonly gateways = new Map<string, GatewayState>();
  readonly subnets = new Map<string, SubnetState>();
  readonly groups = new Map<string, GroupState>();
  readonly enis = new Map<string, EniState>();
  readonly instances = new Map<string, InstanceState>();
  readonly addresses = new Map<string, AddressState>();
  private readonly clientTokens = new Map<string, { fingerprint: string; output: object }>();
  private eipCount = 0;
  /** Per instance, the ENIs attached to it, kept by `setAttachment`. */
  private readonly attached = new Map<string, Set<EniState>>();
  /** Per attachment id, the ENI holding it, kept by `setAttachment`. */
  private readonly attachmentHolders = new Map<string, EniState>();
  /** Per subnet, its ENIs, kept by `createEni` and `deleteEni`. */
  private readonly subnetEnis = new Map<string, Set<EniState>>();
  /** Per subnet, who holds each private IPv4 address, kept wherever an ENI's `ips` change. */
  private readonly pools = new Map<string, IpPool<EniState>>();
  /** Per tag key, the ENIs that have it, kept by `tagsChanged`; and per ENI, the keys it is indexed under. */
  private readonly tagged = new Map<string, Set<EniState>>();
  private readonly taggedKeys = new Map<EniState, string[]>();
  /** Transitions to complete when the clock reaches them. */
  private readonly schedule = new Schedule();
  private eniSerial = 0;
  private instanceSerial = 0;
  /** Per subnet, how many IPv6 addresses it handed out. */
  private readonly ipv6Taken = new Map<string, number>();
  /**
   * Ids of internet gateways, apart from the others: `addVpc` makes one, and drawing it from
   * `ids` would change every later id of the worlds tests already build.
   */
  private readonly gatewayIds: IdFactory;
  /** Draws transition times from their ranges. */
  private readonly durations: Random;
  /** Recent versions of ENIs and instances, for stale reads; `undefined` when reads are consistent. */
  private readonly history: { enis: History<NetworkInterface>; instances: History<Instance> } | undefined;
  /** ENIs and instances changed at `now` and not yet recorded in the history. */
  private readonly changed = new Set<string>();

  constructor(readonly config: WorldConfig) {
    this.ids = new IdFactory(config.seed);
    this.gatewayIds = new IdFactory(Random.stream(config.seed, 4).next());
    this.durations = Random.stream(config.seed, 1);
    const stale = config.staleReads;
    if (stale && stale.windowMs > 0 && stale.probability > 0) {
      const reads = Random.stream(config.seed, 2);
      this.history = { enis: new History(stale, reads), instances: new History(stale, reads) };
    }
  }

  /**
   * Moves the clock to `now`, completing every transition that is due, in time order. Only the
   * scheduled transitions are visited, so a request costs the same in a world of ten thousand ENIs
   * as in an empty one.
   */
  advance(now: number): void {
    // What changed since the last advance changed at the old `now`.
    this.flush();
    for (const event of this.schedule.takeDue(now)) {
      this.now = event.at;
      event.apply();
      this.flush();
    }
    this.now = now;
  }

  /** Schedules the end of an attachment's current phase (`attachment.until`). */
  private scheduleAttachment(eni: EniState, attachment: AttachmentState): void {
    const at = attachment.until;
    if (at === undefined) return;
    this.schedule.add({
      at,
      rank: [0, eni.serial, 1],
      subject: attachment,
      // A hung detach waits for a forced one, which schedules anew.
      due: () =>
        this.enis.get(eni.id) === eni && eni.attachment === attachment && attachment.until === at && !attachment.hung,
      apply: () => this.completeAttachmentPhase(eni, attachment),
    });
  }

  /** Schedules the end of an instance's current transition (`instance.until`). */
  private scheduleInstance(instance: InstanceState): void {
    const at = instance.until;
    if (at === undefined) return;
    this.schedule.add({
      at,
      rank: [1, instance.serial, 0],
      subject: instance,
      due: () => instance.until === at,
      apply: () => this.completeInstancePhase(instance),
    });
  }

  private completeAttachmentPhase(eni: EniState, attachment: AttachmentState): void {
    if (attachment.status === "detaching") {
      // EC2 drops a completed detach from DescribeNetworkInterfaces rather than showing `detached`.
      this.setAttachment(eni, undefined);
    } else {
      this.touch(eni.id);
      attachment.status = "attached";
      attachment.until = undefined;
    }
  }

  private completeInstancePhase(instance: InstanceState): void {
    this.touch(instance.id);
    instance.until = undefined;
    if (instance.state === "pending") instance.state = "running";
    else if (instance.state === "stopping") instance.state = "stopped";
    else {
      instance.state = "terminated";
      // moto leaves a terminated instance's ENIs attached; permissive mode does too.
      if (this.config.permissive) return;
      for (const eni of this.attachedTo(instance.id)) {
        if (eni.attachment?.deleteOnTermination) this.deleteEni(eni);
        else this.setAttachment(eni, undefined);
      }
    }
  }

  /** Starts an instance state change; it completes after the matching timing. */
  beginInstanceTransition(instance: InstanceState, next: "pending" | "stopping" | "shutting-down"): void {
    const { startMs, stopMs, terminateMs } = this.config.timings;
    this.touch(instance.id);
    instance.state = next;
    instance.until = this.now + this.draw(next === "pending" ? startMs : next === "stopping" ? stopMs : terminateMs);
    this.scheduleInstance(instance);
  }

  /** Milliseconds a transition takes this time: the timing, or a draw from its range. */
  draw(duration: Duration): number {
    return this.durations.duration(duration);
  }

  // --- eventual consistency of reads -----------------------------------------

  /**
   * Notes that an ENI or an instance (by id) changed at `now`, so that stale reads can keep
   * answering its previous version for a while.
   */
  touch(id: string): void {
    if (this.history) this.changed.add(id);
  }

  /** Records what the resources changed at `now` look like now. */
  private flush(): void {
    const history = this.history;
    if (!history || this.changed.size === 0) return;
    const { describers } = this.config;
    const ids = [...this.changed];
    this.changed.clear();
    const instances = new Set(ids.filter((id) => id.startsWith("i-")));
    for (const id of ids.filter((i) => i.startsWith("eni-"))) {
      const eni = this.enis.get(id);
      // An instance's description lists its ENIs: it changes with those it gains and loses.
      for (const instanceId of [history.enis.latest(id)?.Attachment?.InstanceId, eni?.attachment?.instanceId]) {
        if (instanceId !== undefined) instances.add(instanceId);
      }
      history.enis.record(id, this.now, eni && describers.eni(this, eni));
    }
    for (const id of instances) {
      const instance = this.instances.get(id);
      if (instance) history.instances.record(id, this.now, describers.instance(this, instance));
    }
  }

  /** What one Describe read answers for an ENI: `current`, or, with stale reads, maybe an earlier version. */
  readEni(id: string, current: NetworkInterface | undefined): NetworkInterface | undefined {
    return this.history ? this.history.enis.read(id, this.now, current) : current;
  }

  /** @see World.readEni */
  readInstance(id: string, current: Instance): Instance {
    return this.history?.instances.read(id, this.now, current) ?? current;
  }

  /** ENIs deleted so recently that a stale read may still list them. */
  recentlyDeletedEnis(): string[] {
    return this.history?.enis.recentlyDeleted(this.now) ?? [];
  }

  /** The ENI's status as EC2 reports it. */
  eniStatus(eni: EniState): "pending" | "available" | "in-use" {
    // EC2 keeps an attaching or detaching ENI `in-use`; only the attachment status moves.
    if (this.now < eni.availableAt) return "pending";
    return eni.attachment ? "in-use" : "available";
  }

  /** Throws DryRunOperation when the request only asks whether it would succeed. */
  dryRun(input: { DryRun?: boolean | undefined }): void {
    if (input.DryRun) {
      throw new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    }
  }

  // --- lookups -------------------------------------------------------------

  /** The resource with this id, failing like EC2 on a missing, malformed or unknown id. */
  vpc(id: string | undefined, param = "VpcId"): VpcState {
    return this.lookup(this.vpcs, "vpc", id, param);
  }

  /** @see World.vpc */
  gateway(id: string | undefined, param = "InternetGatewayId"): GatewayState {
    return this.lookup(this.gateways, "igw", id, param);
  }

  /** @see World.vpc */
  subnet(id: string | undefined, param = "SubnetId"): SubnetState {
    return this.lookup(this.subnets, "subnet", id, param);
  }

  /** @see World.vpc */
  eni(id: string | undefined, param = "NetworkInterfaceId"): EniState {
    return this.lookup(this.enis, "eni", id, param);
  }

  /** @see World.vpc */
  instance(id: string | undefined, param = "InstanceId"): InstanceState {
    return this.lookup(this.instances, "i", id, param);
  }

  /** @see World.vpc */
  address(id: string | undefined, param = "AllocationId"): AddressState {
    return this.lookup(this.addresses, "eipalloc", id, param);
  }

  /**
   * Every id in `ids` looked up in a map (or by a function), with one NotFound naming all
   * unknown ones, as EC2 does.
   */
  many<T>(
    source: ReadonlyMap<string, T> | ((id: string) => T | undefined),
    prefix: IdPrefix,
    ids: readonly string[],
  ): T[] {
    for (const id of ids) if (!isWellFormedId(id, prefix)) throw malformed(prefix, id);
    const found = ids.map(typeof source === "function" ? source : (id) => source.get(id));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length > 0) throw notFound(prefix, missing);
    return found as T[];
  }

  private lookup<T>(map: ReadonlyMap<string, T>, prefix: IdPrefix, id: string | undefined, param: string): T {
    if (id === undefined) throw missingParameter(param);
    const [found] = this.many(map, prefix, [id]);
    return found as T;
  }

  /** The ENI holding the attachment `id` (an `eni-attach-` or a service's `ela-attach-` one), once known. */
  attachment(id: string | undefined): { eni: EniState; attachment: AttachmentState } {
    if (id === undefined) throw missingParameter("AttachmentId");
    if (!isWellFormedId(id, "eni-attach") && !isWellFormedId(id, "ela-attach")) throw malformed("eni-attach", id);
    const eni = this.attachmentHolders.get(id);
    const attachment = eni?.attachment;
    if (eni && attachment?.id === id && this.isKnown(attachment)) return { eni, attachment };
    throw notFound("eni-attach", [id]);
  }

  /** Whether calls know a new id yet: for `consistencyDelayMs` after its creation they do not. */
  isKnown(created: { readonly knownAt: number }): boolean {
    return created.knownAt <= this.now;
  }

  /** The internet gateway attached to a VPC, if any. */
  gatewayOf(vpcId: string): GatewayState | undefined {
    return [...this.gateways.values()].find((gateway) => gateway.vpcId === vpcId);
  }

  /** The ENIs attached (in any phase) to an instance, in the order they were attached. */
  attachedTo(instanceId: string): EniState[] {
    return [...(this.attached.get(instanceId) ?? [])];
  }

  /** The networking limits of an instance type. */
  limits(type: string): InstanceTypeLimits {
    const limits = INSTANCE_TYPES[type];
    if (!limits) throw invalidValue(`Invalid value '${type}' for InstanceType.`);
    return limits;
  }

  /** The ENI in a subnet that holds `ip`, if any. */
  ipOwner(subnetId: string, ip: string): EniState | undefined {
    return this.pools.get(subnetId)?.owner(ip);
  }

  /** The ENIs in a subnet, in no particular order. */
  enisIn(subnetId: string): ReadonlySet<EniState> {
    return this.subnetEnis.get(subnetId) ?? new Set<EniState>();
  }

  /** The ENIs with a tag `key` (whatever its value), in no particular order. */
  enisTagged(key: string): ReadonlySet<EniState> {
    return this.tagged.get(key) ?? new Set<EniState>();
  }

  /** The ENI holding the attachment `id` (known yet or not), if any. */
  attachmentHolder(id: string): EniState | undefined {
    const eni = this.attachmentHolders.get(id);
    return eni?.attachment?.id === id ? eni : undefined;
  }

  /**
   * The ids a Describe must read to answer a query whose matches, as of now, are among `found`:
   * those, and the ENIs a stale read may answer differently (changed or deleted within the
   * window), in the order a full listing reads them: existing ENIs in creation order, then the
   * recently deleted ones.
   */
  eniIdsToRead(found: Iterable<EniState>): string[] {
    const existing = new Set(found);
    for (const id of this.history?.enis.recentlyChanged(this.now) ?? []) {
      const eni = this.enis.get(id);
      if (eni) existing.add(eni);
    }
    const ordered = [...existing].filter((eni) => this.enis.get(eni.id) === eni).sort((a, b) => a.serial - b.serial);
    return [...ordered.map((eni) => eni.id), ...this.recentlyDeletedEnis()];
  }

  /** How many private IPv4 addresses an ENI may hold where it is now. */
  ipLimit(eni: EniState): number {
    const instanceId = eni.attachment?.instanceId;
    if (instanceId === undefined) return MAX_IPS_UNATTACHED;
    return this.limits(this.instance(instanceId).type).ipv4PerInterface;
  }

  /** Subnet addresses not taken by any ENI. */
  freeIpCount(subnet: SubnetState): number {
    const { first, last } = usableRange(subnet.cidr);
    return last - first + 1 - this.pool(subnet).used;
  }

  /** The subnet's address index, made on first use. */
  private pool(subnet: SubnetState): IpPool<EniState> {
    let pool = this.pools.get(subnet.id);
    if (!pool) {
      const { first, last } = usableRange(subnet.cidr);
      pool = new IpPool<EniState>(first, last);
      this.pools.set(subnet.id, pool);
    }
    return pool;
  }

  /**
   * Takes private IPs in `subnet`: the `requested` ones (checked) and then `count`
   * more, the lowest free addresses, as EC2's allocator tends to.
   */
  takeIps(subnet: SubnetState, requested: readonly string[], count: number): string[] {
    const { first, last } = usableRange(subnet.cidr);
    const pool = this.pool(subnet);
    // Addresses this request names: taken for the count that follows, though not yet held.
    const named = new Set<number>();
    for (const ip of requested) {
      const value = parseIp(ip);
      if (value === undefined) throw invalidValue(`Invalid value '${ip}' for privateIpAddress.`);
      if (value < first || value > last) {
        throw invalidValue(`Address ${ip} does not fall within the subnet's address range`);
      }
      if (pool.has(value) || named.has(value)) throw new Ec2Error("InvalidIPAddress.InUse", `Address ${ip} is in use.`);
      named.add(value);
    }
    const picked = pool.lowestFree(count, named);
    if (picked.length < count) {
      throw new Ec2Error(
        "InsufficientFreeAddressesInSubnet",
        `The specified subnet ${subnet.id} does not have enough free addresses to satisfy the request.`,
      );
    }
    return [...requested, ...picked];
  }

  /** The resource an id names, for tagging; fails like EC2 for unknown ids. */
  taggable(id: string): { tags: Tags } {
    const prefix = (["vpc", "igw", "subnet", "sg", "eni", "i", "eipalloc"] as const).find((p) =>
      id.startsWith(`${p}-`),
    );
    const maps = {
      vpc: this.vpcs,
      igw: this.gateways,
      subnet: this.subnets,
      sg: this.groups,
      eni: this.enis,
      i: this.instances,
      eipalloc: this.addresses,
    };
    if (!prefix) throw new Ec2Error("InvalidID", `The ID '${id}' is not valid`);
    const [resource] = this.many<{ tags: Tags }>(maps[prefix], prefix, [id]);
    return resource as { tags: Tags };
  }

  /**
   * Replays a request made with the same `ClientToken`: the first answer again for
   * identical parameters, IdempotentParameterMismatch otherwise.
   */
  idempotent<T extends object>(action: string, input: { ClientToken?: string | undefined }, run: () => T): T {
    const token = input.ClientToken;
    if (token === undefined) return run();
    const key = `${action}\u0000${token}`;
    const fingerprint = stableJson({ ...input, ClientToken: undefined, DryRun: undefined });
    const previous = this.clientTokens.get(key);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw new Ec2Error(
          "IdempotentParameterMismatch",
          `Client token '${token}' was already used with different parameters.`,
        );
      }
      return structuredClone(previous.output) as T;
    }
    const output = run();
    this.clientTokens.set(key, { fingerprint, output: structuredClone(output) });
    return output;
  }

  // --- creation ------------------------------------------------------------

  /** A new VPC with its `default` security group, as EC2 creates it. */
  createVpc(cidrText: string, tags: Tags = new Map<string, string>()): VpcState {
    const cidr = parseCidr(cidrText);
    if (!cidr) {
      throw invalidValue(`Value (${cidrText}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    }
    if (cidr.prefix < 16 || cidr.prefix > 28) {
      throw new Ec2Error("InvalidVpc.Range", `The CIDR '${cidrText}' is invalid.`);
    }
    const vpc: VpcState = { id: this.ids.id("vpc"), cidr, tags };
    this.vpcs.set(vpc.id, vpc);
    this.createGroup(vpc, "default", "default VPC security group");
    return vpc;
  }

  /** A new, detached internet gateway. */
  createGateway(tags: Tags = new Map<string, string>()): GatewayState {
    const gateway: GatewayState = { id: this.gatewayIds.id("igw"), vpcId: undefined, tags };
    this.gateways.set(gateway.id, gateway);
    return gateway;
  }

  /** Attaches an internet gateway to a VPC: one gateway per VPC, one VPC per gateway. */
  attachGateway(gateway: GatewayState, vpc: VpcState): void {
    if (gateway.vpcId !== undefined) {
      throw new Ec2Error(
        "Resource.AlreadyAssociated",
        `resource ${gateway.id} is already attached to network ${gateway.vpcId}`,
      );
    }
    if (this.gatewayOf(vpc.id)) {
      throw new Ec2Error("Resource.AlreadyAssociated", `Network ${vpc.id} already has an internet gateway attached`);
    }
    gateway.vpcId = vpc.id;
  }

  /** A new subnet inside `vpc`, in one of the region's AZs, not overlapping its siblings. */
  createSubnet(
    vpc: VpcState,
    az: string | undefined,
    cidrText: string,
    tags: Tags = new Map<string, string>(),
  ): SubnetState {
    const zone = az ?? this.config.zones[0] ?? "";
    if (!this.config.zones.includes(zone)) {
      throw invalidValue(
        `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${this.config.zones.join(", ")}.`,
      );
    }
    const cidr = parseCidr(cidrText);
    if (!cidr) {
      throw invalidValue(`Value (${cidrText}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    }
    if (cidr.prefix < 16 || cidr.prefix > 28 || !cidrContains(vpc.cidr, cidr)) {
      throw new Ec2Error("InvalidSubnet.Range", `The CIDR '${cidrText}' is invalid.`);
    }
    const sibling = [...this.subnets.values()].find((s) => s.vpcId === vpc.id && cidrsOverlap(s.cidr, cidr));
    if (sibling) {
      throw new Ec2Error("InvalidSubnet.Conflict", `The CIDR '${cidrText}' conflicts with another subnet`);
    }
    const subnet: SubnetState = {
      id: this.ids.id("subnet"),
      vpcId: vpc.id,
      az: zone,
      cidr,
      ipv6Prefix: `2001:db8:0:${(this.subnets.size + 1).toString(16)}`,
      tags,
    };
    this.subnets.set(subnet.id, subnet);
    return subnet;
  }

  /** A new security group, unique by name within its VPC. */
  createGroup(vpc: VpcState, name: string, description: string, tags: Tags = new Map<string, string>()): GroupState {
    const duplicate = [...this.groups.values()].some((g) => g.vpcId === vpc.id && g.name === name);
    if (duplicate) {
      throw new Ec2Error("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpc.id}'`);
    }
    const group: GroupState = { id: this.ids.id("sg"), vpcId: vpc.id, name, description, tags };
    this.groups.set(group.id, group);
    return group;
  }

  /** The security groups an ENI in `subnet` gets: the given ones (checked) or the VPC's default. */
  resolveGroups(subnet: SubnetState, groupIds: readonly string[] | undefined): string[] {
    if (groupIds === undefined || groupIds.length === 0) {
      const fallback = [...this.groups.values()].find((g) => g.vpcId === subnet.vpcId && g.name === "default");
      return fallback ? [fallback.id] : [];
    }
    for (const group of this.many(this.groups, "sg", groupIds)) {
      if (group.vpcId !== subnet.vpcId) {
        throw new Ec2Error(
          "InvalidParameter",
          `Security group ${group.id} and subnet ${subnet.id} belong to different networks.`,
        );
      }
    }
    return [...groupIds];
  }

  /** A new, unattached ENI. */
  createEni(spec: EniSpec): EniState {
    const { subnet } = spec;
    const groupIds = this.resolveGroups(subnet, spec.groupIds);
    const requested = spec.privateIps ?? [];
    const addresses = this.takeIps(subnet, requested, (requested.length === 0 ? 1 : 0) + (spec.secondaryCount ?? 0));
    if (addresses.length > MAX_IPS_UNATTACHED) {
      throw new Ec2Error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.");
    }
    const createdAt = this.now;
    const eni: EniState = {
      id: this.ids.id("eni"),
      serial: this.eniSerial++,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      az: subnet.az,
      mac: this.ids.mac(),
      interfaceType: spec.interfaceType ?? "interface",
      requesterId: spec.requesterId,
      availableAt: spec.settled ? createdAt : createdAt + this.draw(this.config.timings.createMs),
      visibleAt: spec.settled ? createdAt : createdAt + this.config.consistencyDelayMs,
      tags: spec.tags ?? new Map<string, string>(),
      description: spec.description ?? "",
      groupIds,
      ips: [],
      ipv6: Array.from({ length: spec.ipv6Count ?? 0 }, () => this.takeIpv6(subnet)),
      sourceDestCheck: true,
      attachment: undefined,
    };
    this.enis.set(eni.id, eni);
    const inSubnet = this.subnetEnis.get(subnet.id) ?? new Set<EniState>();
    this.subnetEnis.set(subnet.id, inSubnet.add(eni));
    this.addIps(eni, addresses, true);
    this.tagsChanged(eni.id);
    if (this.history && eni.availableAt > this.now) {
      // Turning `available` changes what reads answer, though no call changed the ENI.
      this.schedule.add({
        at: eni.availableAt,
        rank: [0, eni.serial, 0],
        subject: eni,
        due: () => this.enis.get(eni.id) === eni,
        apply: () => this.touch(eni.id),
      });
    }
    return eni;
  }

  /**
   * Gives an ENI more private IPv4 addresses (already checked free, or freed from their owner),
   * secondary unless `firstIsPrimary`.
   */
  addIps(eni: EniState, addresses: readonly string[], firstIsPrimary = false): void {
    this.touch(eni.id);
    const pool = this.pool(this.subnet(eni.subnetId));
    for (const [i, address] of addresses.entries()) {
      eni.ips.push({ address, primary: firstIsPrimary && i === 0 });
      pool.take(address, eni);
    }
  }

  /** Takes a private IPv4 address off an ENI. */
  removeIp(eni: EniState, ip: string): void {
    this.touch(eni.id);
    eni.ips = eni.ips.filter((p) => p.address !== ip);
    this.pools.get(eni.subnetId)?.release(ip, eni);
  }

  /**
   * Notes that a resource's tags changed (after the change): it changed, and for an ENI the tag
   * index follows.
   */
  tagsChanged(id: string): void {
    this.touch(id);
    const eni = this.enis.get(id);
    if (eni) this.indexTags(eni, [...eni.tags.keys()]);
  }

  /** Files an ENI under the tag keys it has now (none, to drop it). */
  private indexTags(eni: EniState, keys: readonly string[]): void {
    for (const key of this.taggedKeys.get(eni) ?? []) {
      const enis = this.tagged.get(key);
      enis?.delete(eni);
      if (enis?.size === 0) this.tagged.delete(key);
    }
    for (const key of keys) {
      const enis = this.tagged.get(key) ?? new Set<EniState>();
      this.tagged.set(key, enis.add(eni));
    }
    if (keys.length > 0) this.taggedKeys.set(eni, [...keys]);
    else this.taggedKeys.delete(eni);
  }

  /** The next IPv6 address of the subnet's /64; addresses are never reused. */
  private takeIpv6(subnet: SubnetState): string {
    const host = (this.ipv6Taken.get(subnet.id) ?? 0) + 1;
    this.ipv6Taken.set(subnet.id, host);
    return `${subnet.ipv6Prefix}::${host.toString(16)}`;
  }

  /**
   * Attaches `eni` (rules already checked, or waived in permissive mode, where an attachment it
   * already has is replaced); the attachment completes after `attachMs`, or at once if `settled`.
   */
  attach(
    eni: EniState,
    instance: InstanceState,
    deviceIndex: number,
    cardIndex: number,
    settled = false,
  ): AttachmentState {
    const attachment: AttachmentState = {
      id: this.ids.id("eni-attach"),
      instanceId: instance.id,
      deviceIndex,
      cardIndex,
      attachTime: this.now,
      knownAt: settled ? this.now : this.now + this.config.consistencyDelayMs,
      deleteOnTermination: false,
      status: settled ? "attached" : "attaching",
      until: settled ? undefined : this.now + this.draw(this.config.timings.attachMs),
      hung: false,
    };
    this.setAttachment(eni, attachment);
    this.scheduleAttachment(eni, attachment);
    return attachment;
  }

  /**
   * Attaches `eni` the way an AWS service attaches its own (a load balancer's, a NAT gateway's):
   * an `ela-attach-` attachment with the service as its owner and no instance, which the API
   * refuses to detach.
   */
  attachForService(eni: EniState): void {
    this.setAttachment(eni, {
      id: this.ids.id("ela-attach"),
      instanceId: undefined,
      deviceIndex: 1,
      cardIndex: 0,
      attachTime: this.now,
      knownAt: this.now,
      deleteOnTermination: false,
      status: "attached",
      until: undefined,
      hung: false,
    });
  }

  /**
   * Sets or clears an ENI's attachment, the one place it changes, so that the index of each
   * instance's ENIs (reads list them often) and the stale-read history follow.
   */
  private setAttachment(eni: EniState, attachment: AttachmentState | undefined): void {
    this.touch(eni.id);
    const previous = eni.attachment;
    if (previous && this.attachmentHolders.get(previous.id) === eni) this.attachmentHolders.delete(previous.id);
    if (attachment) this.attachmentHolders.set(attachment.id, eni);
    const before = previous?.instanceId;
    if (before !== undefined) this.attached.get(before)?.delete(eni);
    eni.attachment = attachment;
    const after = attachment?.instanceId;
    if (after === undefined) return;
    const enis = this.attached.get(after) ?? new Set<EniState>();
    this.attached.set(after, enis.add(eni));
  }

  /** Starts a detach; it completes after `detachMs`, unless a hang fault holds it. */
  beginDetach(eni: EniState, attachment: AttachmentState, force: boolean): void {
    if (attachment.status === "detaching" && !attachment.hung) return;
    this.touch(eni.id);
    attachment.status = "detaching";
    attachment.until = this.now + this.draw(this.config.timings.detachMs);
    attachment.hung = !force && this.config.faults.detachHangs(eni.id);
    this.scheduleAttachment(eni, attachment);
  }

  /** Deletes an ENI, releasing its addresses and Elastic IP associations. */
  deleteEni(eni: EniState): void {
    for (const address of this.addresses.values()) {
      if (address.association?.eniId === eni.id) this.associate(address, undefined);
    }
    this.setAttachment(eni, undefined);
    this.enis.delete(eni.id);
    this.subnetEnis.get(eni.subnetId)?.delete(eni);
    const pool = this.pools.get(eni.subnetId);
    for (const ip of eni.ips) pool?.release(ip.address, eni);
    this.indexTags(eni, []);
  }

  /** Sets or clears an Elastic IP's association; the ENIs it leaves and joins change with it. */
  associate(address: AddressState, association: Association | undefined): void {
    for (const changed of [address.association, association]) if (changed) this.touch(changed.eniId);
    address.association = association;
  }

  /** A new association of an Elastic IP with one private IP of an ENI. */
  newAssociation(eniId: string, privateIp: string): Association {
    return { id: this.ids.id("eipassoc"), eniId, privateIp, knownAt: this.now + this.config.consistencyDelayMs };
  }

  /** A new instance with its primary ENI at device 0 on card 0, deleted with the instance. */
  launchInstance(spec: InstanceSpec): InstanceState {
    this.limits(spec.type);
    const eni = this.createEni({
      subnet: spec.subnet,
      groupIds: spec.groupIds,
      privateIps: spec.privateIp === undefined ? undefined : [spec.privateIp],
      description: "",
      tags: spec.eniTags,
      settled: true,
    });
    const instance: InstanceState = {
      id: this.ids.id("i"),
      serial: this.instanceSerial++,
      reservationId: spec.reservationId,
      imageId: spec.imageId,
      type: spec.type,
      subnetId: spec.subnet.id,
      vpcId: spec.subnet.vpcId,
      az: spec.subnet.az,
      groupIds: eni.groupIds,
      launchTime: this.now,
      primaryEniId: eni.id,
      privateIp: eni.ips[0]?.address ?? "",
      tags: spec.tags ?? new Map<string, string>(),
      state: spec.state,
      until: spec.state === "pending" ? this.now + this.draw(this.config.timings.startMs) : undefined,
    };
    this.instances.set(instance.id, instance);
    this.touch(instance.id);
    this.scheduleInstance(instance);
    this.attach(eni, instance, 0, 0, true).deleteOnTermination = true;
    return instance;
  }

  /** A new Elastic IP from the documentation address ranges. */
  allocateAddress(tags: Tags = new Map<string, string>()): AddressState {
    const n = this.eipCount++;
    const range = PUBLIC_RANGES[Math.floor(n / 254)];
    if (range === undefined) {
      throw new Ec2Error("AddressLimitExceeded", "The maximum number of addresses has been reached.");
    }
    const address: AddressState = {
      allocationId: this.ids.id("eipalloc"),
      publicIp: `${range}.${(n % 254) + 1}`,
      tags,
      association: undefined,
    };
    this.addresses.set(address.allocationId, address);
    return address;
  }
}

/** JSON with sorted keys, so equal requests compare equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Checks a tag key and value the way EC2 does. */
export function checkTag(key: string | undefined, value: string | undefined): void {
  if (!key || key.startsWith("aws:")) {
    throw new Ec2Error("InvalidTagKey.Malformed", "Tag keys cannot be empty or null, and cannot start with aws:.");
  }
  if (key.length > 128 || (value ?? "").length > 256) {
    throw invalidValue(`Tag key or value for '${key}' is too long.`);
  }
}

/** Sets tags on a resource, refusing to go past EC2's 50 tags. */
export function setTags(resourceId: string, tags: Tags, entries: Iterable<readonly [string, string]>): void {
  const merged = new Map(tags);
  for (const [key, value] of entries) {
    checkTag(key, value);
    merged.set(key, value);
  }
  if (merged.size > MAX_TAGS) {
    throw new Ec2Error(
      "TagLimitExceeded",
      `The maximum number of tags (${MAX_TAGS}) for resource '${resourceId}' has been reached.`,
    );
  }
  for (const [key, value] of merged) tags.set(key, value);
}

/**
 * The tags that `TagSpecifications` give a resource of `resourceType`; a
 * specification for a type the call cannot create fails as on EC2.
 */
export function tagsFromSpecs(
  specs: readonly TagSpecification[] | undefined,
  resourceType: string,
  accepted: readonly string[] = [resourceType],
): Tags {
  const tags: Tags = new Map<string, string>();
  for (const spec of specs ?? []) {
    const type = spec.ResourceType ?? "";
    if (!accepted.includes(type)) {
      throw invalidValue(`'${type}' is not a valid taggable resource type for this operation.`);
    }
    if (type !== resourceType) continue;
    for (const tag of spec.Tags ?? []) {
      checkTag(tag.Key, tag.Value);
      tags.set(tag.Key ?? "", tag.Value ?? "");
    }
  }
  if (tags.size > MAX_TAGS) {
    throw new Ec2Error("TagLimitExceeded", `The maximum number of tags (${MAX_TAGS}) has been reached.`);
  }
  return tags;
}
