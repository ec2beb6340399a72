import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, ResultAsync, type Result } from "neverthrow";
import { abortReason } from "../deadline.js";
import { NotFoundError, type EniError } from "../errors.js";
import { perClient } from "./client-state.js";
import { mapAwsError } from "./map-error.js";
import { send, type CallContext } from "./send.js";
import type { ApiCall } from "../model.js";

/**
 * Ids per Describe call: EC2 takes up to 200 values in one filter (conservatively; some
 * actions take more), and pages the answer.
 */
export const BATCH_SIZE = 200;
/**
 * The poll tick. While several ids of one kind are being read on one client (a fleet), reads go
 * out at most once per tick, so a thousand waiters cost one Describe per batch of ids per tick
 * instead of one each. Reads of a single id (one ENI's operations) are never delayed.
 */
export const TICK_MS = 250;
// How far back "several ids are being read" looks.
const RECENT_MS = 1000;
// EC2's page size limit for these Describe calls.
const PAGE_SIZE = 1000;

/** One page of a Describe call by id filter. */
interface PageInput {
  readonly Filters: Filter[];
  readonly MaxResults: number;
  /** `undefined` for the first page: the SDK leaves it out of the request. */
  readonly NextToken?: string | undefined;
}

/** One kind of batched read: how to ask EC2 for many ids at once, and how to find each in the answer. */
interface ReadKind<T> {
  /** The resource, as a `NotFoundError` names it; EC2's id filter is named after it too. */
  readonly type: "network-interface" | "instance";
  fetch(
    ec2: EC2Client,
    input: PageInput,
    context: CallContext,
  ): ResultAsync<{ items: T[]; nextToken: string | undefined }, EniError>;
  idOf(item: T): string | undefined;
}

const networkInterfaces: ReadKind<NetworkInterface> = {
  type: "network-interface",
  fetch: (ec2, input, context) =>
    send(ec2, new DescribeNetworkInterfacesCommand(input), context).map((output) => ({
      items: output.NetworkInterfaces ?? [],
      nextToken: output.NextToken,
    })),
  idOf: (ni) => ni.NetworkInterfaceId,
};

const instances: ReadKind<Instance> = {
  type: "instance",
  fetch: (ec2, input, context) =>
    send(ec2, new DescribeInstancesCommand(input), context).map((output) => ({
      items: output.Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? [],
      nextToken: output.NextToken,
    })),
  idOf: (instance) => instance.InstanceId,
};

interface Request<T> {
  readonly context: CallContext;
  settle(result: Result<T, EniError>): void;
}

/** Collects reads of one kind on one client and sends them as batched, paged Describe calls. */
class BatchReader<T> {
  readonly #pending = new Map<string, Request<T>[]>();
  #scheduled = false;
  #lastSentAt = -Infinity;
  /** When each recently read id was last asked for. */
  readonly #recent = new Map<string, number>();

  readonly #ec2: EC2Client;
  readonly #kind: ReadKind<T>;

  constructor(ec2: EC2Client, kind: ReadKind<T>) {
    this.#ec2 = ec2;
    this.#kind = kind;
  }

  /** Reads one id; a `NotFoundError` when EC2 does not know it. */
  read(id: string, context: CallContext): ResultAsync<T, EniError> {
    const { abortSignal } = context;
    if (abortSignal?.aborted === true) return errAsync(abortReason(abortSignal));
    const answer = new Promise<Result<T, EniError>>((resolve) => {
      const onAbort = () => resolve(err(abortReason(abortSignal as AbortSignal)));
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      const settle = (result: Result<T, EniError>) => {
        abortSignal?.removeEventListener("abort", onAbort);
        resolve(result);
      };
      this.#pending.set(id, [...(this.#pending.get(id) ?? []), { context, settle }]);
    });
    this.#recent.set(id, Date.now());
    this.#schedule();
    return new ResultAsync(answer);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const now = Date.now();
    for (const [id, at] of this.#recent) if (now - at > RECENT_MS) this.#recent.delete(id);
    const wait = this.#lastSentAt + TICK_MS - now;
    // Reads made in the same turn always share the call; with a fleet, later ones wait for the tick.
    if (wait <= 0 || this.#recent.size <= 1) queueMicrotask(() => this.#flush());
    else setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#scheduled = false;
    this.#lastSentAt = Date.now();
    const batch = [...this.#pending];
    this.#pending.clear();
    for (let start = 0; start < batch.length; start += BATCH_SIZE)
      void this.#send(batch.slice(start, start + BATCH_SIZE));
  }

  async #send(batch: [string, Request<T>[]][]): Promise<void> {
    const requests = batch.flatMap(([, waiting]) => waiting);
    const settleAll = (result: Result<T, EniError>) => requests.forEach((request) => request.settle(result));
    // One call serves many callers: tell each of them about it once, as if it were theirs (one
    // operation may have several reads in the batch).
    const listeners = new Set(requests.map((request) => request.context.onCall));
    const context: CallContext = {
      onCall: (call: ApiCall) => listeners.forEach((onCall) => onCall?.(call)),
    };
    const found = new Map<string, T>();
    let nextToken: string | undefined;
    try {
      do {
        const input = {
          Filters: [{ Name: `${this.#kind.type}-id`, Values: batch.map(([id]) => id) }],
          MaxResults: PAGE_SIZE,
          NextToken: nextToken,
        };
        const page = await this.#kind.fetch(this.#ec2, input, context);
        if (page.isErr()) return settleAll(err(page.error));
        for (const item of page.value.items) found.set(this.#kind.idOf(item) ?? "", item);
        nextToken = page.value.nextToken;
      } while (nextToken);
    } catch (thrown) {
      // A malformed answer must fail these reads, never leave them waiting forever.
      return settleAll(err(mapAwsError(thrown)));
    }
    for (const [id, waiting] of batch) {
      const item = found.get(id);
      for (const request of waiting)
        request.settle(item === undefined ? err(NotFoundError.of(this.#kind.type, id)) : ok(item));
    }
  }
}

/** The batched readers of one client, made on first use. */
export const readersOf = perClient((ec2) => ({
  networkInterfaces: new BatchReader(ec2, networkInterfaces),
  instances: new BatchReader(ec2, instances),
}));
