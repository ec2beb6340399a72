import {
  CreateNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type CreateNetworkInterfaceCommandInput,
  type EC2Client,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, safeTry, type ResultAsync } from "neverthrow";
import { send } from "../ec2/send.js";
import { AwsError, ValidationError, type EniError } from "../errors.js";
import {
  MAX_SECONDARY_IPS,
  anyValue,
  checkBoolean,
  checkClientToken,
  checkDescription,
  checkId,
  checkIds,
  checkInteger,
  checkIpv4,
  checkList,
  checkOneOf,
  checkOptionsWith,
  integerFrom,
  checkTags,
  type Check,
} from "../validation.js";
import {
  DEFAULT_MAX_WAIT,
  WAIT_OPTIONS,
  checkWait,
  readEniWithin,
  retrying,
  timed,
  waitForEni,
  type WaitOptions,
  type WaitPlan,
} from "../waiters.js";
import { OWNERSHIP_TAGS, checkNotOwnershipTags, checkOwner, ownershipTags } from "../steps/ownership.js";

/** The kinds of ENI `Eni.create` makes. */
export type InterfaceType = "interface" | "efa" | "efa-only" | "trunk";
const INTERFACE_TYPES: readonly InterfaceType[] = ["interface", "efa", "efa-only", "trunk"];

/**
 * What `Eni.create` makes. Only `subnetId` is required; everything else has EC2's default.
 *
 * @example
 * ```ts
 * const options: CreateEniOptions = {
 *   subnetId: "subnet-0123456789abcdef0",
 *   name: "db-floating",
 *   securityGroupIds: ["sg-0123456789abcdef0"],
 *   secondaryPrivateIps: 2,
 *   tags: { team: "db" },
 * };
 * ```
 */
export interface CreateEniOptions extends WaitOptions {
  /** The subnet, which fixes the ENI's VPC and Availability Zone. */
  readonly subnetId: string;
  /** The value of the `Name` tag. */
  readonly name?: string | undefined;
  /** A description, up to 255 characters. */
  readonly description?: string | undefined;
  /**
   * Security groups of the subnet's VPC.
   * @default the VPC's default security group
   */
  readonly securityGroupIds?: readonly string[] | undefined;
  /**
   * The primary private IPv4; required when `secondaryPrivateIps` lists addresses.
   * @default an address EC2 picks from the subnet
   */
  readonly privateIp?: string | undefined;
  /** Secondary private IPv4s: how many EC2 should pick, or which ones. */
  readonly secondaryPrivateIps?: number | readonly string[] | undefined;
  /** How many IPv6 addresses EC2 should assign from the subnet's IPv6 range. */
  readonly ipv6AddressCount?: number | undefined;
  /**
   * The kind of interface.
   * @default "interface"
   */
  readonly interfaceType?: InterfaceType | undefined;
  /**
   * Whether EC2 checks source/destination addresses; NAT instances and appliances need `false`.
   * EC2 cannot set it at creation, so `false` costs one more call once the ENI is available.
   * @default true
   */
  readonly sourceDestCheck?: boolean | undefined;
  /** Tags, sent in the same call as the create (at most 50 with `Name` and the ownership tags). */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /**
   * The owner written to the `eni-kit:managed-by` tag, sent with `eni-kit:created-at` (the
   * creation time; EC2 records none) in the same call, so `Eni.findOrphans` can find leftovers.
   * Give each controller its own owner to keep their reapers apart; `false` adds neither tag.
   * With your own `clientToken`, `eni-kit:created-at` is left out: a retry would send another
   * time and EC2 would refuse it as `IdempotentParameterMismatch`. The tag is information only:
   * a reaper's grace period counts from when it first saw the ENI free.
   * @default "eni-kit"
   */
  readonly owner?: string | false | undefined;
  /**
   * Idempotency token: a retried create with the same token returns the same ENI.
   * @default a random UUID per call
   */
  readonly clientToken?: string | undefined;
}

// EC2's per-interface ceiling across instance types; the instance type enforces lower ones on attach.
const MAX_IPV6 = 50;

/** A create's input, parsed: the request to send, whether to turn the check off after, and the wait. */
export interface ParsedCreate {
  readonly input: CreateNetworkInterfaceCommandInput;
  readonly sourceDestCheck: boolean;
  readonly plan: WaitPlan;
}

/** Parses {@link CreateEniOptions} into the request to send. */
export function parseCreate(options: unknown): Check<ParsedCreate> {
  return safeTry(function* () {
    const o = yield* checkOptionsWith("options", options, {
      subnetId: [anyValue],
      // The Name tag, checked as one.
      name: [(field, value) => checkTags(field, { Name: value }).map(() => value as string)],
      description: [checkDescription],
      securityGroupIds: [(field, value) => checkIds(field, value, "sg", 1)],
      privateIp: [checkIpv4],
      secondaryPrivateIps: [
        (field, value) =>
          typeof value === "number"
            ? checkInteger(field, value, 1, MAX_SECONDARY_IPS)
            : checkList(field, value, 1, `a count or a list of 1 to ${MAX_SECONDARY_IPS} IPv4 addresses`, checkIpv4),
      ],
      ipv6AddressCount: [integerFrom(0, MAX_IPV6)],
      interfaceType: [(field, value) => checkOneOf(field, value, INTERFACE_TYPES)],
      sourceDestCheck: [checkBoolean, true],
      tags: [anyValue],
      owner: [
        (field, value) => (value === false ? ok(false as const) : checkOwner(field, value)),
        OWNERSHIP_TAGS.defaultOwner,
      ],
      clientToken: [checkClientToken],
      ...WAIT_OPTIONS,
    });
    const { privateIp, secondaryPrivateIps: secondary, sourceDestCheck, owner } = o;
    const input: CreateNetworkInterfaceCommandInput = {
      SubnetId: yield* checkId("subnetId", o.subnetId, "subnet"),
      ClientToken: o.clientToken ?? globalThis.crypto.randomUUID(),
      Description: o.description,
      Groups: o.securityGroupIds,
      PrivateIpAddress: privateIp,
      Ipv6AddressCount: o.ipv6AddressCount,
      // "interface" is EC2's default and not a value its API takes.
      InterfaceType: o.interfaceType === "interface" ? undefined : o.interfaceType,
    };
    if (typeof secondary === "number") {
      input.SecondaryPrivateIpAddressCount = secondary;
    } else if (secondary !== undefined) {
      if (privateIp === undefined) {
        // Without it EC2 would pick which listed address becomes primary; a failover IP must not be left to chance.
        return err(
          new ValidationError("Expected `privateIp` when `secondaryPrivateIps` lists addresses.", {
            field: "privateIp",
          }),
        );
      }
      if (secondary.length > MAX_SECONDARY_IPS || secondary.includes(privateIp)) {
        return err(
          new ValidationError(
            `Expected at most ${MAX_SECONDARY_IPS} \`secondaryPrivateIps\`, none of them \`privateIp\`.`,
            { field: "secondaryPrivateIps" },
          ),
        );
      }
      // The list carries the primary too, marked as such, so `PrivateIpAddress` is not sent beside it.
      input.PrivateIpAddresses = [privateIp, ...secondary].map((address, index) => ({
        PrivateIpAddress: address,
        Primary: index === 0,
      }));
      delete input.PrivateIpAddress;
    }
    // The tags eni-kit adds itself; they count against EC2's 50-tag limit too.
    const added = {
      ...(o.name !== undefined && { Name: o.name }),
      ...(owner !== false && ownershipTags(owner, o.clientToken === undefined ? new Date() : undefined)),
    };
    const tags = o.tags === undefined ? {} : yield* checkTags("tags", o.tags, Object.keys(added).length);
    if (owner !== false) yield* checkNotOwnershipTags("tags", tags);
    if (o.name !== undefined && "Name" in tags) {
      yield* err(
        new ValidationError("Give the Name tag either as `name` or in `tags`, not both.", { field: "tags.Name" }),
      );
    }
    const allTags = { ...tags, ...added };
    if (Object.keys(allTags).length > 0) {
      input.TagSpecifications = [
        { ResourceType: "network-interface", Tags: Object.entries(allTags).map(([Key, Value]) => ({ Key, Value })) },
      ];
    }
    const plan = yield* checkWait(o, DEFAULT_MAX_WAIT.create);
    return ok({ input, sourceDestCheck, plan });
  });
}

/**
 * Creates an ENI and returns it once EC2 shows it `available`. The create carries a client token,
 * so a throttled or failed request is sent again safely, within the deadline. A just-created id
 * can be briefly unknown to Describe calls; that NotFound is retried within the wait, for this id only.
 */
export function createEni(
  ec2: EC2Client,
  { input, sourceDestCheck, plan }: ParsedCreate,
): ResultAsync<NetworkInterface, EniError> {
  return timed(plan, "a new network interface", (context) =>
    retrying(context, () => send(ec2, new CreateNetworkInterfaceCommand(input), context)).andThen((output) => {
      const id = output.NetworkInterface?.NetworkInterfaceId;
      if (id === undefined) {
        return errAsync(new AwsError("EC2 returned no network interface id from CreateNetworkInterface."));
      }
      const available = waitForEni(ec2, id, "available", context, (ni) => ni.Status === "available", {
        visibleSoon: true,
      });
      // EC2 cannot turn the check off at creation: one modify once the ENI is available.
      if (sourceDestCheck) return available;
      const modify = () =>
        send(
          ec2,
          new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, SourceDestCheck: { Value: false } }),
          context,
        );
      return available.andThen(() => retrying(context, modify)).andThen(() => readEniWithin(ec2, id, context));
    }),
  );
}
