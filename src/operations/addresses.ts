import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  UnassignPrivateIpAddressesCommand,
  type EC2Client,
  type NetworkInterface,
  type NetworkInterfacePrivateIpAddress,
} from "@aws-sdk/client-ec2";
import { err, ok, okAsync, type ResultAsync } from "neverthrow";
import { send } from "../ec2/send.js";
import { ConflictError, InvalidStateError, NotFoundError, type EniError } from "../errors.js";
import { privateIpsOf } from "../model.js";
import {
  MAX_SECONDARY_IPS,
  checkBoolean,
  checkId,
  checkInteger,
  checkIpv4,
  checkList,
  invalid,
  refuse,
  type Check,
} from "../validation.js";
import { agreeNothingToDo, retrying, type OperationContext } from "../waiters.js";
import {
  changeEni,
  parseChange,
  runChange,
  unlessManaged,
  type ChangeOptions,
  type ChangeRequest,
} from "../steps/change.js";

/**
 * How `assignPrivateIps` assigns.
 *
 * @example
 * ```ts
 * const options: AssignPrivateIpsOptions = { allowReassignment: true, maxWaitTime: 30 };
 * ```
 */
export interface AssignPrivateIpsOptions extends ChangeOptions {
  /**
   * Move an address that another ENI in the subnet holds onto this one (EC2's
   * `AllowReassignment`): the lighter failover pattern, where a floating secondary IP moves
   * instead of the whole ENI. Any Elastic IP on that address moves with it. Without it, an
   * address held elsewhere is a `ConflictError` and nothing is sent. Only for explicit addresses.
   * @default false
   */
  readonly allowReassignment?: boolean | undefined;
}

/**
 * How `associateAddress` associates.
 *
 * @example
 * ```ts
 * const options: AssociateAddressOptions = { privateIp: "10.0.1.11", allowReassociation: true };
 * ```
 */
export interface AssociateAddressOptions extends ChangeOptions {
  /**
   * The private IPv4 of this ENI to map the Elastic IP to; must be one of its addresses.
   * @default the ENI's primary private IP
   */
  readonly privateIp?: string | undefined;
  /**
   * Take the Elastic IP even if it is associated elsewhere, and replace an Elastic IP already on
   * `privateIp` (EC2's `AllowReassociation`): "steal it", for failover. Without it, either case is
   * a `ConflictError` and nothing is sent.
   * @default false
   */
  readonly allowReassociation?: boolean | undefined;
}

/** A non-empty list of IPv4 addresses without duplicates. */
function checkIpList(field: string, value: unknown): Check<string[]> {
  return checkList(field, value, 1, "a non-empty array of IPv4 addresses", checkIpv4);
}

function holds(ni: NetworkInterface, address: string): boolean {
  return privateIpsOf(ni).some((entry) => entry.PrivateIpAddress === address);
}

/** A count of free addresses for EC2 to pick, or a list of addresses. */
function checkWanted(addresses: unknown): Check<number | string[]> {
  return typeof addresses === "number"
    ? checkInteger("addresses", addresses, 1, MAX_SECONDARY_IPS)
    : checkIpList("addresses", addresses);
}

/**
 * Assigns secondary private IPv4s: `count` new ones EC2 picks, or the given addresses (those the
 * ENI already has are skipped; all of them: no call). Addresses another ENI holds are refused
 * from a read before any change, unless `allowReassignment` moves them. Confirmed by reading back.
 */
export function assignIps(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<number | string[], typeof ASSIGN_OPTIONS>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (wanted, context, { allowReassignment }) =>
    changeEni(
      ec2,
      eniId,
      context,
      unlessManaged((ni) => {
        if (typeof wanted === "number") {
          // EC2 names the addresses it picked (`apply` keeps them); the count covers a response that
          // does not. There is one primary address throughout, so counting all counts the secondaries.
          const atLeast = privateIpsOf(ni).length + wanted;
          let picked: string[] = [];
          return ok({
            waitingFor: `given ${wanted} more secondary IPs`,
            apply: () =>
              send(
                ec2,
                new AssignPrivateIpAddressesCommand({
                  NetworkInterfaceId: eniId,
                  SecondaryPrivateIpAddressCount: wanted,
                }),
                context,
              ).map((output) => {
                picked = (output.AssignedPrivateIpAddresses ?? []).flatMap((entry) => entry.PrivateIpAddress ?? []);
              }),
            isSet: (fresh: NetworkInterface) =>
              privateIpsOf(fresh).length >= atLeast && picked.every((address) => holds(fresh, address)),
          });
        }
        const missing = wanted.filter((address) => !holds(ni, address));
        return ok({
          waitingFor: `assigned ${missing.join(", ")}`,
          apply: () =>
            checkHolders(ec2, ni, missing, allowReassignment, context).andThen(() =>
              send(
                ec2,
                new AssignPrivateIpAddressesCommand({
                  NetworkInterfaceId: eniId,
                  PrivateIpAddresses: missing,
                  AllowReassignment: allowReassignment,
                }),
                context,
              ),
            ),
          isSet: (fresh: NetworkInterface) => missing.every((address) => holds(fresh, address)),
        });
      }),
    ),
  );
}

// The options `assignIps` takes beside the {@link ChangeOptions}.
const ASSIGN_OPTIONS = { allowReassignment: [checkBoolean, false] } as const;

/** Parses {@link assignIps}' input: a count or a list of addresses, `allowReassignment` and the {@link ChangeOptions}. */
export function parseAssign(
  addresses: unknown,
  options: unknown,
): Check<ChangeRequest<number | string[], typeof ASSIGN_OPTIONS>> {
  return parseChange(checkWanted(addresses), options, ASSIGN_OPTIONS).andThen((request) =>
    // A count takes free addresses only, so asking to reassign with it is a mistake worth naming.
    typeof request.value === "number" && request.options.allowReassignment
      ? refuse(
          "allowReassignment",
          "`allowReassignment` applies to explicit addresses; a count always takes free ones.",
        )
      : ok(request),
  );
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
  context: OperationContext,
): ResultAsync<void, EniError> {
  const eniId = ni.NetworkInterfaceId;
  const filters = [
    { Name: "subnet-id", Values: [ni.SubnetId ?? ""] },
    { Name: "addresses.private-ip-address", Values: addresses },
  ];
  return send(ec2, new DescribeNetworkInterfacesCommand({ Filters: filters }), context).andThen((output) => {
    for (const holder of output.NetworkInterfaces ?? []) {
      const holderId = holder.NetworkInterfaceId ?? "unknown";
      for (const { PrivateIpAddress: address = "", Primary } of privateIpsOf(holder)) {
        if (holderId === eniId || !addresses.includes(address)) continue;
        if (Primary === true) {
          return err(
            new InvalidStateError(`${address} is the primary private IP of ${holderId}, which EC2 cannot move.`, {
              resourceId: holderId,
              state: "primary",
            }),
          );
        }
        if (!allowReassignment) {
          return err(
            new ConflictError(
              `${address} is assigned to ${holderId}; pass allowReassignment: true to move it to ${eniId}.`,
              { expected: "unassigned", actual: holderId },
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
  request: ChangeRequest<string[]>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (wanted, context) =>
    changeEni(
      ec2,
      eniId,
      context,
      unlessManaged((ni) => {
        const present = wanted.filter((address) => holds(ni, address));
        return ok({
          waitingFor: `without ${present.join(", ")}`,
          apply: () =>
            send(
              ec2,
              new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: eniId, PrivateIpAddresses: present }),
              context,
            ),
          isSet: (fresh: NetworkInterface) => !present.some((address) => holds(fresh, address)),
        });
      }),
    ),
  );
}

/**
 * Parses {@link unassignIps}' input: a list of addresses, none of them the ENI's primary IP (fixed
 * for the ENI's life, so the snapshot's settles it), and the {@link ChangeOptions}.
 */
export function parseUnassign(
  eniId: string,
  primaryIp: string,
  addresses: unknown,
  options: unknown,
): Check<ChangeRequest<string[]>> {
  const list = checkIpList("addresses", addresses).andThen((checkedList) => {
    const index = checkedList.indexOf(primaryIp);
    return index < 0
      ? ok(checkedList)
      : refuse(
          `addresses[${index}]`,
          `${primaryIp} is the primary private IP of ${eniId}; only secondary addresses can be unassigned.`,
        );
  });
  return parseChange(list, options);
}

/**
 * Associates an Elastic IP with one private IP of the ENI (the primary by default). Associated
 * elsewhere, or the private IP already holding another Elastic IP: `ConflictError` from reads,
 * before any change, unless `allowReassociation`. Already there: no call. Confirmed by reading back.
 */
export function associateEip(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<string, typeof ASSOCIATE_OPTIONS>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (id, context, { privateIp: wantedIp, allowReassociation }) => {
    // Sent before `changeEni` reads the ENI, so the two reads run at once.
    const readAddress = send(ec2, new DescribeAddressesCommand({ AllocationIds: [id] }), context).andThen((output) => {
      const found = output.Addresses?.find((entry) => entry.AllocationId === id);
      return found === undefined ? err(NotFoundError.of("address", id)) : ok(found);
    });
    return changeEni(
      ec2,
      eniId,
      context,
      unlessManaged((ni) =>
        readAddress.andThen((address) => {
          const privateIp = wantedIp ?? ni.PrivateIpAddress ?? "";
          // The Elastic IP on `privateIp` of the ENI as read.
          const allocationOn = (eni: NetworkInterface) =>
            privateIpsOf(eni).find((entry) => entry.PrivateIpAddress === privateIp)?.Association?.AllocationId;
          if (!holds(ni, privateIp)) {
            const own = privateIpsOf(ni).map((entry) => entry.PrivateIpAddress);
            return refuse("privateIp", `${privateIp} is not a private IP of ${eniId} (it has ${own.join(", ")}).`);
          }
          const occupant = allocationOn(ni);
          // Already there: nothing to change, and no conflict with itself.
          if (occupant === id) return ok(undefined);
          if (!allowReassociation) {
            const name = `Elastic IP ${id} (${address.PublicIp ?? "unknown"})`;
            if (address.AssociationId !== undefined) {
              // `eni-…/10.0.1.5`, or an instance id.
              const target = address.NetworkInterfaceId ?? address.InstanceId ?? "unknown";
              const where = address.PrivateIpAddress === undefined ? target : `${target}/${address.PrivateIpAddress}`;
              return err(
                new ConflictError(
                  `${name} is associated with ${where}; pass allowReassociation: true to move it to ${eniId}/${privateIp}.`,
                  { expected: "unassociated", actual: where },
                ),
              );
            }
            if (occupant !== undefined) {
              return err(
                new ConflictError(
                  `${eniId}/${privateIp} already has Elastic IP ${occupant} (one per private IP); pass allowReassociation: true to replace it with ${name}.`,
                  { expected: "unassociated", actual: occupant },
                ),
              );
            }
          }
          return ok({
            waitingFor: `associated with ${id} on ${privateIp}`,
            apply: () =>
              send(
                ec2,
                new AssociateAddressCommand({
                  AllocationId: id,
                  NetworkInterfaceId: eniId,
                  PrivateIpAddress: privateIp,
                  AllowReassociation: allowReassociation,
                }),
                context,
              ),
            isSet: (fresh: NetworkInterface) => allocationOn(fresh) === id,
          });
        }),
      ),
    );
  });
}

// The options `associateEip` takes beside the {@link ChangeOptions}.
const ASSOCIATE_OPTIONS = { privateIp: [checkIpv4], allowReassociation: [checkBoolean, false] } as const;

/** Parses {@link associateEip}'s input: an `eipalloc-` id, `privateIp`, `allowReassociation` and the {@link ChangeOptions}. */
export function parseAssociate(
  allocationId: unknown,
  options: unknown,
): Check<ChangeRequest<string, typeof ASSOCIATE_OPTIONS>> {
  return parseChange(checkId("allocationId", allocationId, "eipalloc"), options, ASSOCIATE_OPTIONS);
}

/**
 * Which Elastic IP of the ENI `address` means: the one with this allocation id or public IP, or
 * (no address) the one on the primary private IP.
 */
function checkWhichEip(address: unknown): Check<(entry: NetworkInterfacePrivateIpAddress) => boolean> {
  if (address === undefined) return ok((entry) => entry.Primary === true);
  // An allocation id never looks like an IP, so matching either field cannot pick the wrong one.
  return checkId("address", address, "eipalloc").isOk() || checkIpv4("address", address).isOk()
    ? ok(({ Association }) => Association?.AllocationId === address || Association?.PublicIp === address)
    : invalid("address", 'an allocation id like "eipalloc-0123456789abcdef0" or a public IPv4 address', address);
}

/**
 * Disassociates an Elastic IP from the ENI: the given one (by allocation id or public IP), or the
 * one on the primary private IP. None there (or associated elsewhere): no call. Confirmed by reading back.
 */
export function disassociateEip(
  ec2: EC2Client,
  eniId: string,
  request: ChangeRequest<(entry: NetworkInterfacePrivateIpAddress) => boolean>,
): ResultAsync<NetworkInterface, EniError> {
  return runChange(eniId, request, (match, context) =>
    changeEni(
      ec2,
      eniId,
      context,
      unlessManaged((ni) => {
        // Only Elastic IPs carry an association id; an auto-assigned public IP cannot be disassociated.
        const associationId = privateIpsOf(ni).find(
          (entry) => match(entry) && entry.Association?.AssociationId !== undefined,
        )?.Association?.AssociationId;
        if (associationId === undefined) return ok(undefined);
        const isSet = (fresh: NetworkInterface) =>
          !privateIpsOf(fresh).some((entry) => entry.Association?.AssociationId === associationId);
        const attempt = () =>
          send(ec2, new DisassociateAddressCommand({ AssociationId: associationId }), context).orElse((error) =>
            error.name !== "NotFoundError"
              ? err(error)
              : // Gone already (disassociated meanwhile), once reads agree: a stale one can show the ENI
                // before its associate. Still on the ENI: a new association is unknown to other calls
                // for a while after the associate, so the request is sent again.
                agreeNothingToDo(ec2, eniId, context, (now) => okAsync(isSet(now) ? undefined : now)).andThen(
                  ({ todo }) => (todo === undefined ? ok(undefined) : err(error)),
                ),
          );
        return ok({
          waitingFor: `without association ${associationId}`,
          apply: () =>
            retrying(context, attempt, (error) =>
              error.name === "NotFoundError"
                ? { retry: true, reason: `association ${associationId} not known to EC2 yet` }
                : { retry: false },
            ),
          isSet,
        });
      }),
    ),
  );
}

/** Parses {@link disassociateEip}'s input: which Elastic IP (see `checkWhichEip`), and the {@link ChangeOptions}. */
export function parseDisassociate(
  address: unknown,
  options: unknown,
): Check<ChangeRequest<(entry: NetworkInterfacePrivateIpAddress) => boolean>> {
  return parseChange(checkWhichEip(address), options);
}
