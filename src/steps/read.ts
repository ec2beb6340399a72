import {
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Filter,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { ok, okAsync, Result, safeTry, type ResultAsync } from "neverthrow";
import { describeEni } from "../ec2/describe.js";
import { send } from "../ec2/send.js";
import type { EniError } from "../errors.js";
import type { EniStatus } from "../model.js";
import {
  checkAbortSignal,
  checkIds,
  checkOneOf,
  MAX_TAG_VALUE,
  checkOptions,
  checkOptionsWith,
  checkString,
  idOf,
  checkTagKey,
  fieldOf,
  type Check,
} from "../validation.js";

/** Every status EC2 reports for an ENI. */
const ENI_STATUSES: readonly EniStatus[] = ["pending", "available", "attaching", "in-use", "detaching", "associated"];

/**
 * What to look for with `Eni.find`. Criteria combine with AND; a list (ids, statuses) matches
 * any of its entries. Values are matched as EC2 filters match them, so `*` and `?` are wildcards.
 *
 * @example
 * ```ts
 * const query: FindQuery = { vpcId: "vpc-0123456789abcdef0", tags: { team: "db" }, status: "available" };
 * ```
 */
export interface FindQuery {
  /** Only these ENIs. */
  readonly ids?: readonly string[] | undefined;
  /** The `Name` tag's value. */
  readonly name?: string | undefined;
  /** Tags: a string value must match; `true` only requires the key. */
  readonly tags?: Readonly<Record<string, string | true>> | undefined;
  /** In this subnet. */
  readonly subnetId?: string | undefined;
  /** In this VPC. */
  readonly vpcId?: string | undefined;
  /** In this Availability Zone, e.g. `us-east-1a`. */
  readonly availabilityZone?: string | undefined;
  /** Attached to this instance. */
  readonly instanceId?: string | undefined;
  /** With this status, or any of these. */
  readonly status?: EniStatus | readonly EniStatus[] | undefined;
  /** Stops the listing with an `AbortedError`. */
  readonly abortSignal?: AbortSignal | undefined;
}

const MAX_AZ_NAME = 64;
// EC2's page size limit for DescribeNetworkInterfaces; fewer pages, fewer calls.
const PAGE_SIZE = 1000;

/**
 * How a read of one ENI runs (`Eni.get`, `refresh`).
 *
 * @example
 * ```ts
 * const options: ReadOptions = { abortSignal: AbortSignal.timeout(5_000) };
 * ```
 */
export interface ReadOptions {
  /** Stops the read (and the request in flight) with an `AbortedError`. */
  readonly abortSignal?: AbortSignal | undefined;
}

/** Parses a read's {@link ReadOptions}. */
export function parseRead(options: unknown): Check<ReadOptions> {
  return checkOptionsWith("options", options, { abortSignal: [checkAbortSignal] });
}

/** Reads one ENI by id. */
export function getEni(
  ec2: EC2Client,
  eniId: string,
  { abortSignal }: ReadOptions,
): ResultAsync<NetworkInterface, EniError> {
  return describeEni(ec2, eniId, { abortSignal });
}

/** A {@link FindQuery}, parsed: ids, EC2 filters and the abort signal. */
export interface ParsedQuery {
  readonly ids: string[] | undefined;
  readonly filters: Filter[];
  readonly abortSignal: AbortSignal | undefined;
}

/** Parses a {@link FindQuery}. */
export function parseQuery(query: unknown): Check<ParsedQuery> {
  return safeTry(function* () {
    const q = yield* checkOptionsWith("query", query, {
      ids: [(field, value) => checkIds(field, value, "eni", 1)],
      name: [(field, value) => checkString(field, value, MAX_TAG_VALUE)],
      tags: [checkOptions],
      subnetId: [idOf("subnet")],
      vpcId: [idOf("vpc")],
      availabilityZone: [(field, value) => checkString(field, value, MAX_AZ_NAME)],
      instanceId: [idOf("i")],
      // One status or a non-empty list of them; an empty list is checked as a value itself, so it is refused.
      status: [
        (field, value) =>
          Result.combine(
            (Array.isArray(value) && value.length > 0 ? value : [value]).map((status: unknown) =>
              checkOneOf(field, status, ENI_STATUSES),
            ),
          ),
      ],
      abortSignal: [checkAbortSignal],
    });
    const filters: Filter[] = [];
    const add = (name: string, value: string | undefined) => {
      if (value !== undefined) filters.push({ Name: name, Values: [value] });
    };
    add("tag:Name", q.name);
    add("subnet-id", q.subnetId);
    add("vpc-id", q.vpcId);
    add("availability-zone", q.availabilityZone);
    add("attachment.instance-id", q.instanceId);
    if (q.status !== undefined) filters.push({ Name: "status", Values: q.status });
    for (const [key, value] of Object.entries(q.tags ?? {})) {
      yield* checkTagKey(fieldOf("tags", key), key);
      if (value === true) add("tag-key", key);
      else add(`tag:${key}`, yield* checkString(fieldOf("tags", key), value, MAX_TAG_VALUE));
    }
    return ok({ ids: q.ids, filters, abortSignal: q.abortSignal });
  });
}

/** Lists every ENI matching the query, following EC2's pages to the end. */
export function findEnis(
  ec2: EC2Client,
  { ids, filters, abortSignal }: ParsedQuery,
): ResultAsync<NetworkInterface[], EniError> {
  const page = (nextToken: string | undefined, found: NetworkInterface[]): ResultAsync<NetworkInterface[], EniError> =>
    send(
      ec2,
      new DescribeNetworkInterfacesCommand({
        ...(filters.length > 0 && { Filters: filters }),
        // EC2 refuses MaxResults together with explicit ids, and then answers in one page.
        ...(ids === undefined ? { MaxResults: PAGE_SIZE } : { NetworkInterfaceIds: ids }),
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
      { abortSignal },
    ).andThen((output) => {
      const all = [...found, ...(output.NetworkInterfaces ?? [])];
      return output.NextToken ? page(output.NextToken, all) : okAsync(all);
    });
  return page(undefined, []);
}
