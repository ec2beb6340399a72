import {
  DescribeInstanceTypesCommand,
  type EC2Client,
  type Instance,
  type NetworkInterface,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { AwsError, type EniError } from "../errors.js";
import { perClient } from "./client-state.js";
import { readersOf } from "./reader.js";
import { send, type CallContext } from "./send.js";

/** What an instance type takes: ENIs in all and per network card, and addresses per interface. */
export interface InstanceTypeLimits {
  readonly instanceType: string;
  readonly maxInterfaces: number;
  /** Per network card index: how many ENIs that card takes. */
  readonly perCard: ReadonlyMap<number, number>;
  /** Private IPv4 addresses and IPv4 prefixes on one interface; `undefined` when EC2 did not say. */
  readonly ipv4PerInterface: number | undefined;
  /** IPv6 addresses and IPv6 prefixes on one interface (0 without IPv6 support); `undefined` when EC2 did not say. */
  readonly ipv6PerInterface: number | undefined;
}

/**
 * Reads one ENI. Reads on one client are batched into shared, filtered Describe calls (see
 * `reader.ts`), so many waiters cost one call per tick. An id EC2 does not know is a `NotFoundError`.
 */
export function describeEni(
  ec2: EC2Client,
  id: string,
  context: CallContext = {},
): ResultAsync<NetworkInterface, EniError> {
  return readersOf(ec2)
    .networkInterfaces.read(id, context)
    .andTee((found) => context.onState?.(found));
}

/** Reads one instance, batched like {@link describeEni}. An id EC2 does not know is a `NotFoundError`. */
export function describeInstance(
  ec2: EC2Client,
  id: string,
  context: CallContext = {},
): ResultAsync<Instance, EniError> {
  return readersOf(ec2).instances.read(id, context);
}

// Instance type limits never change, so one read per type per client is enough; the pending
// read is shared too, so a thousand concurrent attaches to one type make one call.
const limitsCacheOf = perClient(() => new Map<string, ResultAsync<InstanceTypeLimits, EniError>>());

/** Reads (once per client) how many ENIs and addresses an instance type takes. */
export function instanceTypeLimits(
  ec2: EC2Client,
  instanceType: string,
  context: CallContext = {},
): ResultAsync<InstanceTypeLimits, EniError> {
  const cache = limitsCacheOf(ec2);
  const read =
    cache.get(instanceType) ??
    // Not with the caller's signal: other callers may share this read, and it is one short call.
    send(ec2, new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }), {
      onCall: context.onCall,
    })
      .andThen((output) => {
        const network = output.InstanceTypes?.find((t) => t.InstanceType === instanceType)?.NetworkInfo;
        if (network?.MaximumNetworkInterfaces === undefined) {
          return errAsync(new AwsError(`EC2 did not report network limits for instance type ${instanceType}.`));
        }
        const perCard = new Map(
          (network.NetworkCards ?? []).map((card) => [card.NetworkCardIndex ?? 0, card.MaximumNetworkInterfaces ?? 0]),
        );
        return okAsync({
          instanceType,
          maxInterfaces: network.MaximumNetworkInterfaces,
          perCard,
          ipv4PerInterface: network.Ipv4AddressesPerInterface,
          ipv6PerInterface: network.Ipv6Supported === false ? 0 : network.Ipv6AddressesPerInterface,
        });
      })
      // A failed read is not remembered: the next caller tries again.
      .orTee(() => cache.delete(instanceType));
  cache.set(instanceType, read);
  return read;
}
