import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  UnassignPrivateIpAddressesCommand,
  type Address,
  type EC2Client,
  type NetworkInterface,
  type NetworkInterfacePrivateIpAddress,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, ResultAsync, safeTry, type Result } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import { ConflictError, InvalidStateError, NotFoundError, ValidationError, type EniError } from "../errors.js";
import {
  MAX_SECONDARY_IPS,
  checkBoolean,
  checkId,
  checkInteger,
  checkIpv4,
  checkList,
  checkOptions,
  show,
  type Check,
} from "../validation.js";
import { WAIT_KEYS, checkWait, type Wait, type WaitOptions } from "../waiters.js";
import { READ_BACK_MAX_WAIT, applyChange, changeEni, checkManaged, parseReadBack, type Change } from "./attributes.js";

/**
 * How `assignPrivateIps` assigns.
 *
 * @example
 * ```ts
 * const options: AssignPrivateIpsOptions = { allowReassignment: true, maxWaitTime: 30 };
 * ```
 */
export interface AssignPrivateIpsOptions extends WaitOptions {
  /**
   * Move an address that another ENI in the subnet holds onto this one (EC2's
   * `AllowReassignment`): the lighter failover pattern, where a floating secondary IP moves
   * instead of the whole ENI. Any Elastic IP on that address moves with it. Without it, an
   * address held elsewhere is a `ConflictError` and nothing is sent. Only for explicit addresses.
   * @default false
   */
  readonly allowReassignment?: boolean;
}

/**
 * How `associateAddress` associates.
 *
 * @example
 * ```ts
 * const options: AssociateAddressOptions = { privateIp: "10.0.1.11", allowReassociation: true };
 * ```
 */
export interface AssociateAddressOptions extends WaitOptions {
  /**
   * The private IPv4 of this ENI to map the Elastic IP to; must be one of its addresses.
   * @default the ENI's primary private IP
   */
  readonly privateIp?: string;
  /**
   * Take the Elastic IP even if it is associated elsewhere, and replace an Elastic IP already on
   * `privateIp` (EC2's `AllowReassociation`): "steal it", for failover. Without it, either case is
   * a `ConflictError` and nothing is sent.
   * @default false
   */
  readonly allowReassociation?: boolean;
}

const ASSIGN_KEYS = ["allowReassignment", ...WAIT_KEYS];
const ASSOCIATE_KEYS = ["privateIp", "allowReassociation", ...WAIT_KEYS];

/** A non-empty list of IPv4 addresses without duplicates. */
function checkIpList(field: string, value: unknown): Check<string[]> {
  return checkList(field, value, 1, "a non-empty array of IPv4 addresses", checkIpv4);
}

function privateIps(ni: NetworkInterface): NetworkInterfacePrivateIpAddress[] {
  return ni.PrivateIpAddresses ?? [];
}

function holds(ni: NetworkInterface, address: string): boolean {
  return privateIps(ni).some((entry) => entry.PrivateIpAddress === address);
}

/** `count` free addresses EC2 picks, or these addresses. */
type Wanted = { readonly count: number } | { readonly addresses: string[]; readonly allowReassignment: boolean };

function parseAssign(addresses: unknown, options: unknown): Check<{ wanted: Wanted; wait: Wait }> {
  return safeTry(function* () {
    const o = yield* checkOptions<AssignPrivateIpsOptions>("options", options, ASSIGN_KEYS);
    const allowReassignment =
      o.allowReassignment === undefined ? false : yield* checkBoolean("allowReassignment", o.allowReassignment);
    const wait = yield* checkWait(o, READ_BACK_MAX_WAIT);
    if (typeof addresses === "number") {
      // A count takes free addresses only, so asking to reassign with it is a mistake worth naming.
      if (allowReassignment) {
        return err(
          new ValidationError(
            "allowReassignment",
            "`allowReassignment` applies to explicit addresses; a count always takes free ones.",
          ),
        );
      }
      return ok({ wanted: { count: yield* checkInteger("addresses", addresses, 1, MAX_SECONDARY_IPS) }, wait });
    }
    return ok({ wanted: { addresses: yield* checkIpList("addresses", addresses), allowReassignment }, wait });
  });
}

/**
 * Assigns secondary private IPv4s: `count` new ones EC2 picks, or the given addresses (those the
 * ENI already has are skipped; all of them: no call). Addresses another ENI holds are refused
 * from a read before any change, unless `allowReassignment` moves them. Confirmed by reading back.
 */
export function assignIps(
  ec2: EC2Client,
  eniId: string,
  addresses: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return parseAssign(addresses, options).asyncAndThen(({ wanted, wait }) => {
    if ("count" in wanted) return changeEni(ec2, eniId, wait, (ni) => ok(assignCount(ec2, ni, wanted.count, wait)));
    return changeEni(ec2, eniId, wait, (ni) => {
      const missing = wanted.addresses.filter((address) => !holds(ni, address));
      return ok(
        missing.length === 0
          ? undefined
          : {
              waitingFor: `assigned ${missing.join(", ")}`,
              apply: () =>
                checkHolders(ec2, ni, missing, wanted.allowReassignment, wait).andThen(() =>
                  send(
                    ec2,
                    new AssignPrivateIpAddressesCommand({
                      NetworkInterfaceId: eniId,
                      PrivateIpAddresses: missing,
                      AllowReassignment: wanted.allowReassignment,
                    }),
                    wait,
                  ),
                ),
              isSet: (fresh: NetworkInterface) => missing.every((address) => holds(fresh, address)),
            },
      );
    });
  });
}

/** The change that assigns `count` more secondary IPs; it answers with the addresses EC2 picked. */
function assignCount(ec2: EC2Client, ni: NetworkInterface, count: number, wait: Wait): Change<string[]> {
  const secondaries = (fresh: NetworkInterface) => privateIps(fresh).filter((entry) => entry.Primary !== true).length;
  const atLeast = secondaries(ni) + count;
  return {
    waitingFor: `given ${count} more secondary IPs`,
    apply: () =>
      send(
        ec2,
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: ni.NetworkInterfaceId ?? "",
          SecondaryPrivateIpAddressCount: count,
        }),
        wait,
      ).map((output) =>
        (output.AssignedPrivateIpAddresses ?? []).flatMap((entry) =>
          entry.PrivateIpAddress === undefined ? [] : [entry.PrivateIpAddress],
        ),
      ),
    // EC2 names the addresses it picked; the count covers a response that does not.
    isSet: (fresh, assigned) => assigned.every((address) => holds(fresh, address)) && secondaries(fresh) >= atLeast,
  };
}

/**
 * Finds which other ENIs in the subnet hold the addresses, and refuses before any change what
 * EC2 would refuse or the caller did not allow: a primary address, or reassignment not asked for.
 */
function checkHolders(
  ec2: EC2Client,
  ni: NetworkInterface,
  addresses: string[],
  allowReassignment: boolean,
  wait: Wait,
): ResultAsync<void, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const filters = [
    { Name: "subnet-id", Values: [ni.SubnetId ?? ""] },
    { Name: "addresses.private-ip-address", Values: addresses },
  ];
  return send(ec2, new DescribeNetworkInterfacesCommand({ Filters: filters }), wait).andThen((output) => {
    for (const holder of output.NetworkInterfaces ?? []) {
      const holderId = holder.NetworkInterfaceId ?? "unknown";
      if (holderId === eniId) continue;
      for (const entry of privateIps(holder).filter(
        (e) => e.PrivateIpAddress !== undefined && addresses.includes(e.PrivateIpAddress),
      )) {
        const address = entry.PrivateIpAddress;
        if (entry.Primary === true) {
          return err(
            new InvalidStateError(
              `Address ${address} is the primary private IP of ${holderId}; EC2 cannot move a primary address.`,
              holderId,
              "primary",
            ),
          );
        }
        if (!allowReassignment) {
          return err(
            new ConflictError(
              `Address ${address} is assigned to ${holderId}; pass allowReassignment: true to move it to ${eniId}.`,
              "unassigned",
              holderId,
            ),
          );
        }
      }
    }
    return ok(undefined);
  });
}

/**
 * Unassigns secondary private IPv4s (EC2 disassociates their Elastic IPs). The primary IP is
 * refused: it is fixed for the ENI's life, so the snapshot's `primaryIp` settles it before any
 * request. Addresses the ENI does not have are skipped; none left: no call.
 */
export function unassignIps(
  ec2: EC2Client,
  eniId: string,
  primaryIp: string,
  addresses: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  const parsed = safeTry(function* () {
    const list = yield* checkIpList("addresses", addresses);
    const index = list.indexOf(primaryIp);
    if (index >= 0) {
      return err(
        new ValidationError(
          `addresses[${index}]`,
          `${primaryIp} is the primary private IP of ${eniId}; only secondary addresses can be unassigned.`,
        ),
      );
    }
    return ok({ list, wait: yield* parseReadBack(options) });
  });
  if (parsed.isErr()) return errAsync(parsed.error);
  const { list, wait } = parsed.value;
  return changeEni(ec2, eniId, wait, (ni) => {
    const present = list.filter((address) => holds(ni, address));
    return ok(
      present.length === 0
        ? undefined
        : {
            waitingFor: `without ${present.join(", ")}`,
            apply: () =>
              send(
                ec2,
                new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: eniId, PrivateIpAddresses: present }),
                wait,
              ),
            isSet: (fresh: NetworkInterface) => !present.some((address) => holds(fresh, address)),
          },
    );
  });
}

function parseAssociate(allocationId: unknown, options: unknown) {
  return safeTry(function* () {
    const o = yield* checkOptions<AssociateAddressOptions>("options", options, ASSOCIATE_KEYS);
    return ok({
      allocationId: yield* checkId("allocationId", allocationId, "eipalloc"),
      privateIp: o.privateIp === undefined ? undefined : yield* checkIpv4("privateIp", o.privateIp),
      allowReassociation:
        o.allowReassociation === undefined ? false : yield* checkBoolean("allowReassociation", o.allowReassociation),
      wait: yield* checkWait(o, READ_BACK_MAX_WAIT),
    });
  });
}

/** Reads one Elastic IP by allocation id. */
function describeAddress(ec2: EC2Client, allocationId: string, wait: Wait): ResultAsync<Address, EniError> {
  return send(ec2, new DescribeAddressesCommand({ AllocationIds: [allocationId] }), wait).andThen((output) => {
    const found = output.Addresses?.find((address) => address.AllocationId === allocationId);
    return found === undefined ? err(new NotFoundError("address", allocationId)) : ok(found);
  });
}

/** Where an Elastic IP is associated, for messages: `eni-…/10.0.1.5` or an instance id. */
function whereAssociated(address: Address): string {
  const target = address.NetworkInterfaceId ?? address.InstanceId ?? "unknown";
  return address.PrivateIpAddress === undefined ? target : `${target}/${address.PrivateIpAddress}`;
}

/**
 * Associates an Elastic IP with one private IP of the ENI (the primary by default). Associated
 * elsewhere, or the private IP already holding another Elastic IP: `ConflictError` from reads,
 * before any change, unless `allowReassociation`. Already there: no call. Confirmed by reading back.
 */
export function associateEip(
  ec2: EC2Client,
  eniId: string,
  allocationId: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return parseAssociate(allocationId, options).asyncAndThen((request) => {
    const { wait } = request;
    return ResultAsync.combine([
      describeEni(ec2, eniId, wait).andThen(checkManaged),
      describeAddress(ec2, request.allocationId, wait),
    ]).andThen(([ni, address]) =>
      planAssociate(ec2, ni, address, request).asyncAndThen((change) => applyChange(ec2, ni, wait, change)),
    );
  });
}

function planAssociate(
  ec2: EC2Client,
  ni: NetworkInterface,
  address: Address,
  request: { allocationId: string; privateIp: string | undefined; allowReassociation: boolean; wait: Wait },
): Result<Change<unknown> | undefined, EniError> {
  const eniId = ni.NetworkInterfaceId ?? "";
  const privateIp = request.privateIp ?? ni.PrivateIpAddress ?? "";
  const entry = privateIps(ni).find((e) => e.PrivateIpAddress === privateIp);
  if (entry === undefined) {
    const own = privateIps(ni)
      .map((e) => e.PrivateIpAddress)
      .join(", ");
    return err(new ValidationError("privateIp", `${privateIp} is not a private IP of ${eniId} (it has ${own}).`));
  }
  if (address.NetworkInterfaceId === eniId && address.PrivateIpAddress === privateIp) return ok(undefined);
  const name = `Elastic IP ${request.allocationId} (${address.PublicIp ?? "unknown"})`;
  if (address.AssociationId !== undefined && !request.allowReassociation) {
    const where = whereAssociated(address);
    return err(
      new ConflictError(
        `${name} is associated with ${where}; pass allowReassociation: true to move it to ${eniId}/${privateIp}.`,
        "not associated",
        where,
      ),
    );
  }
  const occupant = entry.Association?.AllocationId;
  if (occupant !== undefined && !request.allowReassociation) {
    return err(
      new ConflictError(
        `${privateIp} of ${eniId} already has Elastic IP ${occupant} (one per private IP); pass allowReassociation: true to replace it with ${name}.`,
        "no Elastic IP",
        occupant,
      ),
    );
  }
  const command = new AssociateAddressCommand({
    AllocationId: request.allocationId,
    NetworkInterfaceId: eniId,
    PrivateIpAddress: privateIp,
    AllowReassociation: request.allowReassociation,
  });
  return ok({
    waitingFor: `associated with ${request.allocationId} on ${privateIp}`,
    apply: () => send(ec2, command, request.wait),
    isSet: (fresh) =>
      privateIps(fresh).some(
        (e) => e.PrivateIpAddress === privateIp && e.Association?.AllocationId === request.allocationId,
      ),
  });
}

function parseDisassociate(address: unknown, options: unknown) {
  return safeTry(function* () {
    const wait = yield* parseReadBack(options);
    if (address === undefined)
      return ok({ match: (entry: NetworkInterfacePrivateIpAddress) => entry.Primary === true, wait });
    if (typeof address === "string" && address.startsWith("eipalloc-")) {
      const allocationId = yield* checkId("address", address, "eipalloc");
      return ok({
        match: (entry: NetworkInterfacePrivateIpAddress) => entry.Association?.AllocationId === allocationId,
        wait,
      });
    }
    if (checkIpv4("address", address).isErr()) {
      return err(
        new ValidationError(
          "address",
          `Expected \`address\` to be an allocation id like "eipalloc-0123456789abcdef0" or a public IPv4 address, got ${show(address)}.`,
        ),
      );
    }
    return ok({ match: (entry: NetworkInterfacePrivateIpAddress) => entry.Association?.PublicIp === address, wait });
  });
}

/**
 * Disassociates an Elastic IP from the ENI: the given one (by allocation id or public IP), or the
 * one on the primary private IP. None there (or associated elsewhere): no call. Confirmed by reading back.
 */
export function disassociateEip(
  ec2: EC2Client,
  eniId: string,
  address: unknown,
  options: unknown,
): ResultAsync<NetworkInterface, EniError> {
  return parseDisassociate(address, options).asyncAndThen(({ match, wait }) => {
    return changeEni(ec2, eniId, wait, (ni) => {
      // Only Elastic IPs carry an association id; an auto-assigned public IP cannot be disassociated.
      const associationId = privateIps(ni).find(
        (entry) => match(entry) && entry.Association?.AssociationId !== undefined,
      )?.Association?.AssociationId;
      return ok(
        associationId === undefined
          ? undefined
          : {
              waitingFor: `without association ${associationId}`,
              apply: () =>
                send(ec2, new DisassociateAddressCommand({ AssociationId: associationId }), wait)
                  .map(() => undefined)
                  // Gone already (disassociated meanwhile): the goal holds.
                  .orElse((error) => (error.name === "NotFoundError" ? ok(undefined) : err(error))),
              isSet: (fresh: NetworkInterface) =>
                !privateIps(fresh).some((e) => e.Association?.AssociationId === associationId),
            },
      );
    });
  });
}
